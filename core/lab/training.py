"""Mini-batch gradient descent as a session that can be stepped, for the training lab.

Words as the lab uses them: a *step* (an update) is one forward and backward pass over a
mini-batch followed by the optimizer's update (W ← W − η ∂C/∂W for sgd); an *epoch* is one pass over the whole data set,
⌈N / batch size⌉ steps (article 004 calls a single step "one epoch"; we do not). Batches are
drawn from a fresh seeded shuffle each epoch. The step is ``core.engine.backprop.Descent`` (the same one
``core.train`` uses).

Divergence is a result: when a step's cost or gradient is not finite the session stops,
records the step in ``diverged_at`` and takes no more steps. Before that, ``diverging_at`` notes
the step at which the cost was first seen running away (core.engine.divergence) and ``run`` stops there once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from core.engine.backprop import Descent, cost_and_output, flat_params
from core.engine.divergence import Watch, read_curve
from core.engine.optim import STATE, parse_optimizer
from core.engine.scenario import Scenario
from core.lab.datasets import accuracy

HISTORY_CAP = 4000  # per-step records kept; beyond it every other one is dropped (stride doubles)
PATH_MAX_PARAMS = 2000  # the parameter path is kept for networks up to this many parameters
COMPARE_PATH_PARAMS, COMPARE_PATH_POINTS = 500, 500  # a compared run keeps ~500 points of its path (small nets)


def evaluate(weights, biases, scenario: Scenario, x, y, task: str = "regression", l1: float | None = None,
             l2: float | None = None) -> tuple[float, float | None]:
    """The mean cost over (x, y) with the penalty (the scenario's λ unless given) and, for
    classification, the accuracy."""
    l1 = scenario.l1 if l1 is None else l1
    l2 = scenario.l2 if l2 is None else l2
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        cost, out = cost_and_output(weights, biases, scenario.acts, scenario.cost, x, y, l1, l2)
        acc = accuracy(out, y, task) if np.all(np.isfinite(out)) else None
    return cost, acc


class TrainingSession:
    """Gradient descent on (x, y) from a scenario's parameters, one step at a time.

    ``eta`` and ``train_biases`` may change between steps. Histories: ``step_costs`` (the
    mini-batch cost each step saw, before its update), ``epoch_costs`` / ``epoch_accuracy``
    (the whole set, before training and after each epoch), ``grad_norms`` (‖∂C/∂W^l‖ per
    layer per step) and ``path`` (all parameters each step started from); per-step records thin out
    by half whenever they exceed ``HISTORY_CAP`` (``stride`` says how far apart they are).
    """

    def __init__(self, scenario: Scenario, x=None, y=None, task: str = "regression",
                 batch_size: int | None = None, seed: int = 0):
        self.scenario = scenario
        self.x = np.asarray(scenario.x if x is None else x, dtype=float)
        self.y = np.asarray(scenario.y if y is None else y, dtype=float)
        fits = self.x.ndim == 2 and self.x.shape[1] == scenario.layers[0]
        if not fits or self.y.shape != (len(self.x), scenario.layers[-1]):
            raise ValueError(f"data of shape {self.x.shape} → {self.y.shape} "
                             f"does not fit layers {list(scenario.layers)}")
        self.task = task
        self.N = len(self.x)
        self.batch_size = self.N if batch_size is None else int(min(max(batch_size, 1), self.N))
        self.seed = seed
        self._d = Descent(scenario)
        self.weights, self.biases = self._d.weights, self._d.biases  # views of the one parameter vector
        self.watched = 0  # the parameter (flat_params index) whose optimizer state is recorded
        self.state_history: list[tuple[float, ...]] = []  # its state after each recorded step
        self._watch, self.diverging_at, self.diverging_from, self._alarm = Watch(), None, None, False
        self._rng = np.random.default_rng(seed)
        self._order = self._shuffle()
        self._pos = 0
        self.steps = 0
        self.epoch = 0
        self.diverged_at: int | None = None
        self.last_batch = self._order[: self.batch_size]
        self.last_grads: tuple[list, list] | None = None
        cost, acc = self._evaluate()
        self.epoch_costs, self.epoch_accuracy = [cost], [acc]
        self.epoch_steps = [0]  # the step count at which each epoch ended (epoch 0: the start)
        self.stride = 1
        self.step_index: list[int] = []  # the step each per-step record belongs to
        self.step_costs: list[float] = []
        self.step_etas: list[float] = []
        self.grad_norms: list[np.ndarray] = []
        self._keep_path = flat_params(self.weights, self.biases).size <= PATH_MAX_PARAMS
        self.path: list[np.ndarray] = []  # the parameters each recorded step started from

    def _shuffle(self) -> np.ndarray:
        return np.arange(self.N) if self.batch_size >= self.N else self._rng.permutation(self.N)

    eta = property(lambda self: self._d.eta, lambda self, v: setattr(self._d, "eta", float(v)))
    l1 = property(lambda self: self._d.l1, lambda self, v: self.set_penalty(float(v), self.l2))
    l2 = property(lambda self: self._d.l2, lambda self, v: self.set_penalty(self.l1, float(v)))

    def set_penalty(self, l1: float, l2: float) -> None:
        """New λ for the penalties, used from the next step (and by the charts of the cost)."""
        self._d.l1, self._d.l2 = float(l1), float(l2)
        self.scenario = replace(self.scenario, l1=float(l1), l2=float(l2))
        if self.steps == 0:  # nothing trained yet: the starting cost is shown with the new penalty
            self.epoch_costs[0], self.epoch_accuracy[0] = self._evaluate()
    train_biases = property(lambda self: self._d.train_biases,
                            lambda self, v: setattr(self._d, "train_biases", bool(v)))

    @property
    def optimizer(self) -> dict:
        """The update rule's full spec (core.engine.optim)."""
        return self._d.optimizer.spec

    @property
    def optimizer_state(self) -> dict:
        """The rule's state (v; s; m and v) as flat vectors, and its step counter t."""
        return {"t": self._d.optimizer.t, **self._d.optimizer.state}

    def set_optimizer(self, spec: dict) -> None:
        """Another update rule (or other settings), from its zero state at the next step."""
        spec = parse_optimizer(spec)
        if spec != self.optimizer:
            self._d.set_optimizer(spec)
            self.state_history = []

    def watch_param(self, index: int) -> None:
        """Record the optimizer state of parameter ``index`` from the next step on."""
        if index != self.watched:
            self.watched, self.state_history = int(index), []

    @property
    def steps_per_epoch(self) -> int:
        return math.ceil(self.N / self.batch_size)

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None

    @property
    def cost(self) -> float:
        """The cost over the whole set at the current parameters."""
        return self._evaluate()[0]

    def _evaluate(self):
        return evaluate(self.weights, self.biases, self.scenario, self.x, self.y, self.task, self.l1, self.l2)

    def set_batch_size(self, batch_size: int) -> None:
        """A new mini-batch size, used from the next step (the current epoch's order is kept)."""
        self.batch_size = int(min(max(batch_size, 1), self.N))

    def next_batch(self) -> np.ndarray:
        """The example indices the next step will use."""
        return self._order[self._pos: self._pos + self.batch_size]

    def _record(self, cost: float, norms: np.ndarray, force: bool = False) -> None:
        if self.steps % self.stride == 0 or force:
            self.step_index.append(self.steps)
            self.step_costs.append(cost)
            self.step_etas.append(self.eta)
            self.grad_norms.append(norms)
            if self._keep_path:
                self.path.append(flat_params(self.weights, self.biases))
            if len(self.step_index) > HISTORY_CAP:
                self.stride *= 2
                keep = [i for i, s in enumerate(self.step_index) if s % self.stride == 0]
                for name in ("step_index", "step_costs", "step_etas", "grad_norms", "path"):
                    if name == "path" and not self._keep_path:
                        continue
                    lst = getattr(self, name)
                    setattr(self, name, [lst[i] for i in keep])

    def _record_state(self) -> None:
        """The watched parameter's state after this step: (g, v) momentum, (g, s) rmsprop,
        (g, m, v, m̂, v̂) adam, (g,) sgd; kept at the same stride as the other records."""
        o, i = self._d.optimizer, self.watched
        if self.steps % self.stride or i >= self._d.theta.size:
            return
        g = float(self._d.grad[i])
        vals = [float(o.state[k][i]) for k in STATE[o.name]]
        if o.name == "adam":
            vals += [vals[0] / (1 - o.spec["beta1"] ** o.t), vals[1] / (1 - o.spec["beta2"] ** o.t)]
        self.state_history.append((self.steps, g, *vals))
        if len(self.state_history) > HISTORY_CAP:
            self.state_history = self.state_history[::2]

    def step(self) -> bool:
        """One update on the next mini-batch; False (and nothing changes) once diverged."""
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return self._step()

    def _step(self) -> bool:
        if self.diverged:
            return False
        idx = self.next_batch()
        self.last_batch = idx
        whole = len(idx) == self.N and self.batch_size >= self.N  # the set in order: no copy needed
        x, y = (self.x, self.y) if whole else (self.x[idx], self.y[idx])
        cost = self._d.gradients(x, y)
        gW, gb = self._d.gW, self._d.gb
        norms = np.sqrt([float(np.vdot(g, g)) for g in gW])
        # an overflowing or NaN gradient shows in the norms (a norm that overflows counts too)
        finite = math.isfinite(cost) and math.isfinite(norms.sum() + sum(float(np.vdot(g, g)) for g in gb))
        if not finite:
            self.diverged_at = self.steps
            self._record(cost if not math.isfinite(cost) else math.inf, norms, force=True)
            return False
        self._record(cost, norms)
        if self._watch.see(cost):
            self.diverging_at, self.diverging_from, self._alarm = self.steps, self._watch.began, True
        self.last_grads = (gW, gb)
        self._d.update()
        self.steps += 1
        self._record_state()
        self._pos += len(idx)
        if self._pos >= self.N:
            self.epoch += 1
            self._pos = 0
            self._order = self._shuffle()
            cost, acc = self._evaluate()
            acc = acc if self.task != "regression" else None
            self.epoch_costs.append(cost)
            self.epoch_accuracy.append(acc)
            self.epoch_steps.append(self.steps)
            if not math.isfinite(cost):  # the update overflowed: the next step's cost is not finite
                self.diverged_at = self.steps
                self._record(math.inf, np.full(len(gW), math.nan), force=True)
        return not self.diverged

    def run(self, max_steps: int, until_epoch: int | None = None, budget_s: float | None = None,
            clock=None, stop_diverging: bool = True) -> int:
        """Up to ``max_steps`` steps, stopping at epoch ``until_epoch``, after ``budget_s``
        seconds, on divergence, or (``stop_diverging``) at the step where the cost is first seen
        diverging. Returns the number of steps taken."""
        import time

        clock = clock or time.perf_counter
        start, done = clock(), 0
        self._alarm = False
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            while done < max_steps and not self.diverged:
                if until_epoch is not None and self.epoch >= until_epoch:
                    break
                self._step()
                done += 1
                if self._alarm and stop_diverging:
                    break
                if budget_s is not None and clock() - start >= budget_s:
                    break
        return done

    @property
    def just_started_diverging(self) -> bool:
        """True when the last ``run`` stopped because the cost was first seen diverging."""
        return self._alarm

    def step_epoch(self) -> int:
        """Steps until the current epoch ends (or training diverges)."""
        return self.run(self.steps_per_epoch, until_epoch=self.epoch + 1)

    def to_scenario(self) -> Scenario:
        """The scenario with the current weights, biases, η, bias setting, optimizer and λ."""
        s = self.scenario.with_params(self.weights, self.biases)
        return replace(s, learning_rate=float(min(self.eta, 1000.0)), train_biases=self.train_biases,
                       optimizer=dict(self.optimizer), l1=self.l1, l2=self.l2)


@dataclass(frozen=True, eq=False)
class RateRun:
    """One run of a comparison: the whole-set cost after each epoch, a verdict and where it began,
    and (small networks) the parameters at the start of each recorded step."""

    eta: float
    epoch_costs: np.ndarray
    diverged_at: int | None  # the step at which the cost stopped being finite
    verdict: str  # "converging" | "oscillating" | "slow" | "diverging" | "diverged"
    optimizer: dict = field(default_factory=lambda: {"name": "sgd"})
    began: int | None = None  # the epoch where the oscillation or divergence began
    path: tuple = ()

    @property
    def label(self) -> str:
        return f"{self.optimizer['name']}, η = {self.eta:g}"


def verdict(costs, diverged: bool) -> str:
    """Read a cost curve (see core.engine.divergence): diverged, diverging, oscillating, converging or slow."""
    return read_curve(costs, diverged).verdict


def compare_runs(scenario: Scenario, x, y, pairs, epochs: int, batch_size: int | None = None,
                 seed: int = 0, task: str = "regression", max_steps: int = 20_000, l1: float | None = None,
                 l2: float | None = None) -> list[RateRun]:
    """The same network from the same initial weights (and the same batch order) trained with each
    (optimizer spec, η) of ``pairs`` for ``epochs`` epochs (at most ``max_steps`` steps each)."""
    runs = []
    for spec, eta in pairs:
        s = TrainingSession(scenario, x, y, task, batch_size, seed)
        s.eta = float(eta)
        s.set_optimizer(spec)
        if l1 is not None:
            s.l1, s.l2 = l1, l2 if l2 is not None else s.l2
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            s.epoch_costs[0] = s.cost  # the start with this λ
        s.run(min(max_steps, epochs * s.steps_per_epoch), until_epoch=epochs, stop_diverging=False)
        costs = np.array(s.epoch_costs + ([math.inf] if s.diverged and math.isfinite(s.epoch_costs[-1]) else []))
        r = read_curve(s.epoch_costs, s.diverged)
        keep = s.path[:: max(1, len(s.path) // COMPARE_PATH_POINTS)] if s._d.theta.size <= COMPARE_PATH_PARAMS else []
        runs.append(RateRun(float(eta), costs, s.diverged_at, r.verdict, s.optimizer, r.began, tuple(keep)))
    return runs


def compare_learning_rates(scenario: Scenario, x, y, etas, epochs: int, batch_size: int | None = None,
                           seed: int = 0, task: str = "regression", max_steps: int = 20_000) -> list[RateRun]:
    """``compare_runs`` with the scenario's optimizer and each η in ``etas``."""
    return compare_runs(scenario, x, y, [(scenario.optimizer, eta) for eta in etas], epochs, batch_size, seed,
                        task, max_steps)


def fit_scenario(scenario: Scenario, x, y, task: str, seed: int | None = None) -> tuple[Scenario, list[str]]:
    """A scenario for training on (x, y): the current one when its layers fit, else one with the
    same hidden layers and activations and input/output sizes that fit the data, freshly
    initialised (the scenario's scheme; ``seed`` or its seed). The loss and output activation
    change only when they cannot work with the targets. Returns it and what was changed."""
    from core.engine.scenario import load_scenario

    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    n_in, n_out = x.shape[1], y.shape[1]
    layers = [n_in, *scenario.layers[1:-1], n_out]
    acts, loss = list(scenario.activations), scenario.loss
    notes = []
    in_01 = bool(np.all((y >= 0) & (y <= 1)))
    if loss == "cross_entropy" and (n_out == 1 or task != "multiclass"):
        if in_01 and n_out == 1:
            acts[-1], loss = "sigmoid", "bce"
        else:
            acts[-1], loss = "linear" if not in_01 else "sigmoid", "mse"
    elif loss == "bce" and not in_01:
        acts[-1], loss = "linear", "mse"
    elif loss == "mse" and acts[-1] == "sigmoid" and not in_01:
        acts[-1] = "linear"
    if loss != scenario.loss:
        notes.append(f"loss {scenario.loss} → {loss} (the targets need it)")
    if acts[-1] != scenario.activations[-1]:
        notes.append(f"output activation {scenario.activations[-1]} → {acts[-1]} "
                     f"(targets {'outside 0…1' if not in_01 else 'of one column'})")
    init = dict(scenario.init)
    if seed is not None:
        init["seed"] = int(seed)
    d = scenario.to_dict()
    d.update(layers=layers, activations=acts, loss=loss, init=init, x=x.tolist(), y=y.tolist())
    same = tuple(layers) == scenario.layers and seed is None
    if not same:
        d.pop("weights")
        d.pop("biases")
        if tuple(layers) != scenario.layers:
            notes.insert(0, f"layers {'-'.join(map(str, scenario.layers))} → {'-'.join(map(str, layers))} "
                            f"to fit {n_in} input(s) and {n_out} output(s), new {init['scheme']} weights "
                            f"(seed {init['seed']})")
    s = load_scenario(d)
    return s, notes
