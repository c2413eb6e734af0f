"""The engine: one forward and backward pass recorded as a trace, and the one training step.

Matrix form over a batch of N examples (one row each): z^l = a^{l−1} Wᵀ + b, a^l = σ(z^l),
δ^L = ∂C/∂a^L ⊙ σ'(z^L), δ^l = (δ^{l+1} W^{l+1}) ⊙ σ'(z^l), ∂C/∂W^l = δ^lᵀ a^{l−1} / N.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core.engine.costs import Cost, output_delta
from core.engine.divergence import first_diverging, read_curve
from core.engine.optim import Optimizer, add_penalty_gradient, penalty, zero_l1
from core.engine.scenario import Scenario, ScenarioError, load_scenario
from core.engine.steps import Steps


def _ro(a: np.ndarray) -> np.ndarray:
    a = np.asarray(a, dtype=float)
    a.flags.writeable = False
    return a


def _ro_bool(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=bool)
    a.flags.writeable = False
    return a


def forward(weights, biases, fs, x):
    """Weighted inputs z^2..z^L and activations a^1..a^L for a batch x of shape (N, n_1)."""
    zs, activations = [], [x]
    for W, b, f in zip(weights, biases, fs):
        z = activations[-1] @ W.T + b
        zs.append(z)
        activations.append(f(z))
    return zs, activations


def cost_and_output(weights, biases, acts, cost: Cost, x, y, l1: float = 0.0, l2: float = 0.0):
    """Forward, then the mean cost over the batch plus the weight penalty (see core.engine.optim), and
    the output a^L it came from."""
    zs, activations = forward(weights, biases, [a.output for a in acts], x)
    c = float(np.add.reduce(cost.value(activations[-1], y, zs[-1]))) / len(x)  # the mean
    return (c + penalty(flat_weights(weights), l1, l2) if (l1 or l2) else c), activations[-1]


def mean_cost(weights, biases, acts, cost: Cost, x, y, l1: float = 0.0, l2: float = 0.0) -> float:
    """Forward, then the mean cost over the batch plus the weight penalty."""
    return cost_and_output(weights, biases, acts, cost, x, y, l1, l2)[0]


def backward(weights, acts, cost: Cost, zs, activations, y, gW, gb, record=None) -> None:
    """The backward pass: δ^L from the cost, δ^l = (δ^{l+1} W^{l+1}) ⊙ σ'(z^l) below it, and the
    batch means ∂C/∂W^l = δ^lᵀ a^{l−1} / N, ∂C/∂b^l written into ``gW``, ``gb``.

    ``gb`` None skips the bias gradients (held biases). ``record`` (a dict of lists), when given,
    receives each layer's ∂C/∂a^l, σ'(z^l) and δ^l below the output, top layer first."""
    n = len(y)
    delta = output_delta(cost, acts[-1], zs[-1], activations[-1], y)
    for i in range(len(weights) - 1, -1, -1):
        np.matmul(delta.T, activations[i], out=gW[i])
        if gb is not None:
            np.add.reduce(delta, axis=0, out=gb[i])
        if n != 1:
            gW[i] *= 1.0 / n
            if gb is not None:
                gb[i] *= 1.0 / n
        if record is not None:
            record["deltas"].append(delta)
        if i:
            dC_da = delta @ weights[i]
            dsigma = acts[i - 1].derivative(zs[i - 1], activations[i])
            delta = dC_da * dsigma
            if record is not None:
                record["dC_das"].append(dC_da)
                record["dsigmas"].append(dsigma)


def loss_and_gradients(weights, biases, acts, cost: Cost, x, y, l1: float = 0.0, l2: float = 0.0):
    """Mean cost over the batch (plus the penalty) and the mean gradients ∂C/∂W^l, ∂C/∂b^l (l = 2..L)."""
    zs, activations = forward(weights, biases, [a.output for a in acts], x)
    loss = float(np.mean(cost.value(activations[-1], y, zs[-1])))
    dC_dW = [np.empty(np.shape(W)) for W in weights]
    dC_db = [np.empty(np.shape(b)) for b in biases]
    backward(weights, acts, cost, zs, activations, y, dC_dW, dC_db)
    if l1 or l2:
        for W, g in zip(weights, dC_dW):
            add_penalty_gradient(np.asarray(W), g, l1, l2)
        loss += penalty(flat_weights(weights), l1, l2)
    return loss, dC_dW, dC_db


def flat_weights(weights) -> np.ndarray:
    return np.concatenate([np.ravel(W) for W in weights])


def flat_params(weights, biases) -> np.ndarray:
    """All weights (W² … W^L, row by row) then all biases, as one vector."""
    return np.concatenate([np.ravel(W) for W in weights] + [np.ravel(b) for b in biases])


class Descent:
    """The one training step: gradients by backpropagation, then the optimizer's update.

    The parameters live in one flat vector ``theta`` (``flat_params`` order) and ``weights`` /
    ``biases`` are views of it per layer; ``grad`` is laid out the same way (``gW``, ``gb``). The
    penalty covers the weights only, and held biases get a zero gradient, so no rule moves them.
    ``eta``, ``l1``, ``l2`` and ``train_biases`` may change between steps; ``set_optimizer``
    starts a rule from its zero state.
    """

    def __init__(self, s: Scenario, weights=None, biases=None):
        weights = s.weights if weights is None else weights
        biases = s.biases if biases is None else biases
        self.acts, self.cost_fn = s.acts, s.cost
        self._fs = [a.output for a in self.acts]
        self.theta = flat_params(weights, biases).astype(float)
        self.grad = np.zeros_like(self.theta)
        self.n_w = sum(np.size(W) for W in weights)
        self.weights, self.biases = self._views(self.theta, weights, biases)
        self.gW, self.gb = self._views(self.grad, weights, biases)
        self.eta, self.l1, self.l2, self.train_biases = s.learning_rate, s.l1, s.l2, s.train_biases
        self._bias_grad_live = False  # grad's bias part may be non-zero (written by a step with training biases)
        self.set_optimizer(s.optimizer)

    @staticmethod
    def _views(flat, weights, biases):
        ws, bs, i = [], [], 0
        for W in weights:
            ws.append(flat[i: i + np.size(W)].reshape(np.shape(W)))
            i += np.size(W)
        for b in biases:
            bs.append(flat[i: i + np.size(b)])
            i += np.size(b)
        return ws, bs

    def set_optimizer(self, spec: dict) -> None:
        self.optimizer = Optimizer(spec, self.theta.size)

    def gradients(self, x, y) -> float:
        """The cost on (x, y) with the penalty, and its gradient into ``grad``."""
        zs, activations = forward(self.weights, self.biases, self._fs, x)
        loss = float(np.add.reduce(self.cost_fn.value(activations[-1], y, zs[-1]))) / len(y)  # the mean
        if self.train_biases:
            backward(self.weights, self.acts, self.cost_fn, zs, activations, y, self.gW, self.gb)
        else:  # held biases: a zero gradient, so that no rule moves them
            if self._bias_grad_live:
                self.grad[self.n_w:] = 0.0
            backward(self.weights, self.acts, self.cost_fn, zs, activations, y, self.gW, None)
        self._bias_grad_live = self.train_biases
        if self.l1 or self.l2:
            w = self.theta[: self.n_w]
            add_penalty_gradient(w, self.grad[: self.n_w], self.l1, self.l2)
            loss += penalty(w, self.l1, self.l2)
        return loss

    def update(self):
        """θ moved by the optimizer from the gradient in ``grad``; with l1 > 0 then the L1 rule
        (``core.engine.optim.zero_l1``), whose mask of the weights it set to 0 is returned (else None)."""
        if not self.l1:
            return self.optimizer.step(self.theta, self.grad, self.eta)
        w_old = self.theta[: self.n_w].copy()
        self.optimizer.step(self.theta, self.grad, self.eta)
        return zero_l1(self.theta[: self.n_w], w_old, self.grad[: self.n_w], self.l1)

    def cost(self, x, y) -> float:
        return mean_cost(self.weights, self.biases, self.acts, self.cost_fn, x, y, self.l1, self.l2)


@dataclass(frozen=True, eq=False)
class Trace:
    """One training step recorded: every z, a, δ and ∂C/∂w, and the updated parameters.

    Per-layer tuples start at layer 2 (``zs[0]`` is z²) except ``activations``, which starts
    at the input a¹ = x. Per-example arrays have a leading example axis of length N; the
    gradients without ``_examples`` are the batch means the update uses. Index by layer with
    the helpers ``z(l)``, ``a(l)``, ``delta(l)``, ``W(l)`` … (l as in the notation).

    With a penalty (l1, l2) the cost of example n is its data cost plus the penalty P(w) (the
    penalised cost is the batch mean of these), so ``costs``, ``cost``, ``dC_dW_examples`` and ``dC_dW``
    all include it: ∂C/∂w = a δ + ∂P/∂w, with ∂P/∂W^l in ``dP_dW``.
    """

    scenario: Scenario
    zs: tuple[np.ndarray, ...]
    activations: tuple[np.ndarray, ...]
    costs: np.ndarray  # (N,) cost of each example, penalty included
    cost: float  # mean over the batch (penalty included)
    dC_das: tuple[np.ndarray, ...]  # ∂C/∂a^l: at L from the cost, below it Σ_i w^{l+1}_{ij} δ^{l+1}_i
    dsigmas: tuple[np.ndarray | None, ...]  # σ'(z^l); None for a softmax output (no elementwise σ')
    deltas: tuple[np.ndarray, ...]  # δ^l = ∂C/∂z^l
    dC_dW_examples: tuple[np.ndarray, ...]  # (N, n_l, n_{l−1}): a^{l−1}_k δ^l_j + ∂P/∂w^l_{jk}
    dC_dW: tuple[np.ndarray, ...]  # what the update used
    dC_db: tuple[np.ndarray, ...]
    weights_new: tuple[np.ndarray, ...]  # after one step of the scenario's optimizer from its zero state
    biases_new: tuple[np.ndarray, ...]
    penalty: float = 0.0  # P(w) = λ₂/2 Σw² + λ₁ Σ|w| (in every cost above)
    dP_dW: tuple[np.ndarray, ...] = ()  # ∂P/∂W^l = λ₂ W^l + λ₁ sign(W^l) (in every ∂C/∂W above)
    zeroed: tuple[np.ndarray, ...] = ()  # per layer, the weights the L1 rule set to exactly 0 in the update

    @property
    def N(self) -> int:
        """The number of examples in the batch."""
        return len(self.costs)

    def z(self, l: int, n: int = 0) -> np.ndarray:
        return self.zs[l - 2][n]

    def a(self, l: int, n: int = 0) -> np.ndarray:
        return self.activations[l - 1][n]

    def delta(self, l: int, n: int = 0) -> np.ndarray:
        return self.deltas[l - 2][n]

    def W(self, l: int) -> np.ndarray:
        return self.scenario.weights[l - 2]

    def b(self, l: int) -> np.ndarray:
        return self.scenario.biases[l - 2]

    def steps(self, n: int = 0) -> Steps:
        """The records of example n in teaching order: forward neuron by neuron, the cost,
        backward from the output, then the update (which uses the batch-mean gradient)."""
        return Steps(self, n)


MAX_TRACE_VALUES = 8_000_000  # examples × weights kept per example (64 MB)


def trace(scenario) -> Trace:
    """Forward and backward pass of a scenario (dict, path, JSON text or Scenario), recorded.

    Every gradient uses the weights from before the update; the update is one step of the
    scenario's optimizer from its zero state (for sgd W ← W − η ∂C/∂W; biases only when
    ``train_biases``; with l1 then the L1 rule). With a penalty every cost and ∂C/∂W includes it.
    """
    s = load_scenario(scenario)
    n_values = len(s.x) * sum(W.size for W in s.weights)
    if n_values > MAX_TRACE_VALUES:
        raise ScenarioError(
            f"x: {len(s.x)} examples × {n_values // len(s.x):,} weights is too many to record every example's "
            f"gradient (at most {MAX_TRACE_VALUES:,}); trace fewer examples, or use train")
    acts, cost = s.acts, s.cost
    d = Descent(s)
    rec = {"deltas": [], "dC_das": [], "dsigmas": []}
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        zs, activations = forward(s.weights, s.biases, [a.output for a in acts], s.x)
        costs = cost.value(activations[-1], s.y, zs[-1])
        backward(s.weights, acts, cost, zs, activations, s.y, d.gW, d.gb, record=rec)
        out = acts[-1]
        dC_das = rec["dC_das"][::-1] + [cost.dC_da_z(activations[-1], s.y, zs[-1]) if cost.dC_da_z
                                        else cost.dC_da(activations[-1], s.y)]
        dsigmas = rec["dsigmas"][::-1] + [out.derivative(zs[-1], activations[-1]) if out.derivative else None]
        deltas = rec["deltas"][::-1]
        pen, w = 0.0, d.theta[: d.n_w]
        pg = np.zeros(d.n_w)  # ∂P/∂w, laid out as the weights
        if s.l1 or s.l2:
            add_penalty_gradient(w, pg, s.l1, s.l2)
            add_penalty_gradient(w, d.grad[: d.n_w], s.l1, s.l2)  # as Descent.gradients does
            pen = penalty(w, s.l1, s.l2)
        cost_mean = float(np.mean(costs)) + pen  # as Descent.gradients adds them
        costs = costs + pen
        dP_dW, _ = Descent._views(pg, s.weights, ())
        dW_ex = [np.einsum("nj,nk->njk", d_, a) + P for d_, a, P in zip(deltas, activations[:-1], dP_dW)]
        dC_dW, dC_db = [g.copy() for g in d.gW], [g.copy() for g in d.gb]
        if not s.train_biases:
            d.grad[d.n_w:] = 0.0
        mask = d.update()
        zeroed, _ = Descent._views(np.zeros(d.n_w, bool) if mask is None else mask, s.weights, ())
    t = lambda xs: tuple(_ro(v) if v is not None else None for v in xs)  # noqa: E731
    return Trace(
        scenario=s, zs=t(zs), activations=t(activations), costs=_ro(costs), cost=cost_mean,
        dC_das=t(dC_das), dsigmas=t(dsigmas), deltas=t(deltas), dC_dW_examples=t(dW_ex),
        dC_dW=t(dC_dW), dC_db=t(dC_db), weights_new=t(d.weights), biases_new=t(d.biases), penalty=pen,
        dP_dW=t(dP_dW), zeroed=tuple(_ro_bool(z) for z in zeroed),
    )


@dataclass(frozen=True, eq=False)
class TrainResult:
    """The cost before training and after each step (penalty included), and the final parameters.

    ``diverged_at`` is the step whose cost was no longer finite (training stopped there),
    else None; ``loss_history`` then ends with that non-finite value. ``diverging_at`` is the
    step at which the cost was first seen diverging (far past its start and still growing,
    see core.engine.divergence), usually long before it overflows, and ``diverging_from`` the step
    where that began; ``verdict`` reads the whole curve.
    """

    loss_history: np.ndarray
    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    diverged_at: int | None = None
    diverging_at: int | None = None
    diverging_from: int | None = None
    verdict: str = "slow"


def train(scenario, steps: int) -> TrainResult:
    """Full-batch training for ``steps`` steps from the scenario's parameters, with its optimizer."""
    s = load_scenario(scenario)
    if not isinstance(steps, int) or isinstance(steps, bool) or steps < 0:
        raise ValueError(f"steps: expected a whole number ≥ 0, found {steps!r}")
    d, x, y = Descent(s), s.x, s.y
    history = np.empty(steps + 1)
    diverged_at, gradients, update, isfinite = None, d.gradients, d.update, math.isfinite
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for k in range(steps):
            history[k] = c = gradients(x, y)
            if not isfinite(c):
                diverged_at, history = k, history[: k + 1]
                break
            update()
        else:
            history[steps] = c = d.cost(x, y)
            if not isfinite(c):
                diverged_at = steps
    at, began = first_diverging(history if diverged_at is None else history[:-1])  # as a Watch sees it
    reading = read_curve(history, diverged_at is not None)
    return TrainResult(_ro(history), tuple(_ro(W) for W in d.weights), tuple(_ro(b) for b in d.biases),
                       diverged_at, at, began, reading.verdict)
