"""The engine: one forward and backward pass recorded as a trace, and gradient descent.

Matrix form over a batch of N examples (one row each): z^l = a^{l−1} Wᵀ + b, a^l = σ(z^l),
δ^L = ∂C/∂a^L ⊙ σ'(z^L), δ^l = (δ^{l+1} W^{l+1}) ⊙ σ'(z^l), ∂C/∂W^l = δ^lᵀ a^{l−1} / N.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.costs import Cost, output_delta
from core.scenario import Scenario, ScenarioError, load_scenario
from core.steps import Steps


def _ro(a: np.ndarray) -> np.ndarray:
    a = np.asarray(a, dtype=float)
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


def loss_and_gradients(weights, biases, acts, cost: Cost, x, y):
    """Mean cost over the batch and the mean gradients ∂C/∂W^l, ∂C/∂b^l (l = 2..L)."""
    zs, activations = forward(weights, biases, [a.output for a in acts], x)
    n = len(x)
    loss = float(np.mean(cost.value(activations[-1], y, zs[-1])))
    delta = output_delta(cost, acts[-1], zs[-1], activations[-1], y)
    dC_dW, dC_db = [None] * len(weights), [None] * len(weights)
    for i in range(len(weights) - 1, -1, -1):
        dC_dW[i] = delta.T @ activations[i] / n
        dC_db[i] = delta.sum(axis=0) / n
        if i:
            delta = (delta @ weights[i]) * acts[i - 1].derivative(zs[i - 1], activations[i])
    return loss, dC_dW, dC_db


@dataclass(frozen=True, eq=False)
class Trace:
    """One training step recorded: every z, a, δ and ∂C/∂w, and the updated parameters.

    Per-layer tuples start at layer 2 (``zs[0]`` is z²) except ``activations``, which starts
    at the input a¹ = x. Per-example arrays have a leading example axis of length N; the
    gradients without ``_examples`` are the batch means the update uses. Index by layer with
    the helpers ``z(l)``, ``a(l)``, ``delta(l)``, ``W(l)`` … (l as in the notation).
    """

    scenario: Scenario
    zs: tuple[np.ndarray, ...]
    activations: tuple[np.ndarray, ...]
    costs: np.ndarray  # (N,) cost of each example
    cost: float  # mean over the batch
    dC_das: tuple[np.ndarray, ...]  # ∂C/∂a^l: at L from the cost, below it Σ_i w^{l+1}_{ij} δ^{l+1}_i
    dsigmas: tuple[np.ndarray | None, ...]  # σ'(z^l); None for a softmax output (no elementwise σ')
    deltas: tuple[np.ndarray, ...]  # δ^l = ∂C/∂z^l
    dC_dW_examples: tuple[np.ndarray, ...]  # (N, n_l, n_{l−1})
    dC_dW: tuple[np.ndarray, ...]
    dC_db: tuple[np.ndarray, ...]
    weights_new: tuple[np.ndarray, ...]
    biases_new: tuple[np.ndarray, ...]

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

    Every gradient uses the weights from before the update; the update is
    W ← W − η ∂C/∂W (biases only when ``train_biases``).
    """
    s = load_scenario(scenario)
    n_values = len(s.x) * sum(W.size for W in s.weights)
    if n_values > MAX_TRACE_VALUES:
        raise ScenarioError(
            f"x: {len(s.x)} examples × {n_values // len(s.x):,} weights is too many to record every example's "
            f"gradient (at most {MAX_TRACE_VALUES:,}); trace fewer examples, or use train")
    acts, cost = s.acts, s.cost
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        zs, activations = forward(s.weights, s.biases, [a.output for a in acts], s.x)
        costs = cost.value(activations[-1], s.y, zs[-1])
        L1 = len(s.weights)
        dC_das, dsigmas, deltas = [None] * L1, [None] * L1, [None] * L1
        out = acts[-1]
        dC_das[-1] = (cost.dC_da_z(activations[-1], s.y, zs[-1]) if cost.dC_da_z
                      else cost.dC_da(activations[-1], s.y))
        dsigmas[-1] = out.derivative(zs[-1], activations[-1]) if out.derivative else None
        deltas[-1] = output_delta(cost, out, zs[-1], activations[-1], s.y)
        for i in range(L1 - 2, -1, -1):
            dC_das[i] = deltas[i + 1] @ s.weights[i + 1]
            dsigmas[i] = acts[i].derivative(zs[i], activations[i + 1])
            deltas[i] = dC_das[i] * dsigmas[i]
        dW_ex = [np.einsum("nj,nk->njk", d, a) for d, a in zip(deltas, activations[:-1])]
        dC_dW = [d.T @ a / len(d) for d, a in zip(deltas, activations[:-1])]  # = mean of dW_ex, via BLAS
        dC_db = [d.mean(axis=0) for d in deltas]
        eta = s.learning_rate
        W_new = [W - eta * g for W, g in zip(s.weights, dC_dW)]
        b_new = [b - eta * g if s.train_biases else b for b, g in zip(s.biases, dC_db)]
    t = lambda xs: tuple(_ro(v) if v is not None else None for v in xs)  # noqa: E731
    return Trace(
        scenario=s, zs=t(zs), activations=t(activations), costs=_ro(costs), cost=float(np.mean(costs)),
        dC_das=t(dC_das), dsigmas=t(dsigmas), deltas=t(deltas), dC_dW_examples=t(dW_ex),
        dC_dW=t(dC_dW), dC_db=t(dC_db), weights_new=t(W_new), biases_new=t(b_new),
    )


@dataclass(frozen=True, eq=False)
class TrainResult:
    """The cost before training and after each step, and the final parameters.

    ``diverged_at`` is the step whose cost was no longer finite (training stopped there),
    else None; ``loss_history`` then ends with that non-finite value.
    """

    loss_history: np.ndarray
    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    diverged_at: int | None = None


def train(scenario, steps: int) -> TrainResult:
    """Full-batch gradient descent for ``steps`` steps from the scenario's parameters."""
    s = load_scenario(scenario)
    if not isinstance(steps, int) or isinstance(steps, bool) or steps < 0:
        raise ValueError(f"steps: expected a whole number ≥ 0, found {steps!r}")
    acts, cost, eta, x, y = s.acts, s.cost, s.learning_rate, s.x, s.y
    weights = [np.array(W) for W in s.weights]
    biases = [np.array(b) for b in s.biases]
    history = np.empty(steps + 1)
    diverged_at = None
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for k in range(steps + 1):
            if k == steps:
                zs, activations = forward(weights, biases, [a.output for a in acts], x)
                history[k] = np.mean(cost.value(activations[-1], y, zs[-1]))
            else:
                history[k], dC_dW, dC_db = loss_and_gradients(weights, biases, acts, cost, x, y)
            if not np.isfinite(history[k]):
                diverged_at, history = k, history[: k + 1]
                break
            if k < steps:
                for i in range(len(weights)):
                    weights[i] -= eta * dC_dW[i]
                    if s.train_biases:
                        biases[i] -= eta * dC_db[i]
    return TrainResult(_ro(history), tuple(_ro(W) for W in weights), tuple(_ro(b) for b in biases), diverged_at)
