"""Checking backpropagation, and opening up one mini-batch step.

``gradient_check`` puts every ∂C/∂w from backpropagation next to the central difference
(C(w + ε) − C(w − ε)) / 2ε, with the relative error |g − g̃| / max(|g|, |g̃|).
``batch_breakdown`` shows a mini-batch step as the lab teaches it: each example's own
gradient, then their mean (which is what backpropagation over the batch gives), then the update.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.engine.backprop import loss_and_gradients
from core.engine.scenario import Scenario
from core.lab.landscape import Param, _cost, _with, get_param, param_info

MAX_CHECKED = 400  # parameters checked at most (2 forward passes each)


@dataclass(frozen=True)
class GradRow:
    param: Param
    value: float
    backprop: float
    numeric: float

    @property
    def rel_error(self) -> float:
        scale = max(abs(self.backprop), abs(self.numeric))
        return 0.0 if scale < 1e-12 else abs(self.backprop - self.numeric) / scale


def gradient_check(weights, biases, scenario: Scenario, x, y, eps: float = 1e-5,
                   limit: int = MAX_CHECKED) -> list[GradRow]:
    """Backpropagation's ∂C/∂w and ∂C/∂b against central differences, for the first ``limit``
    parameters (flat order: weights then biases), C the mean cost over (x, y) with the scenario's penalty."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        _, gW, gb = loss_and_gradients(weights, biases, scenario.acts, scenario.cost, x, y, scenario.l1, scenario.l2)
        rows = []
        for p in param_info(scenario.layers)[:limit]:
            v = get_param(weights, biases, p)
            up = _cost(*_with(weights, biases, p, v + eps), scenario, x, y)
            down = _cost(*_with(weights, biases, p, v - eps), scenario, x, y)
            g = gW[p.i][p.j, p.k] if p.kind == "w" else gb[p.i][p.j]
            rows.append(GradRow(p, v, float(g), (up - down) / (2 * eps)))
    return rows


@dataclass(frozen=True, eq=False)
class BatchBreakdown:
    """One mini-batch step: per-example costs and gradients, their means, the new parameters."""

    indices: np.ndarray
    costs: np.ndarray  # (B,)
    dW_examples: tuple[np.ndarray, ...]  # (B, n_l, n_{l−1}) per layer
    db_examples: tuple[np.ndarray, ...]  # (B, n_l)
    dW_mean: tuple[np.ndarray, ...]
    db_mean: tuple[np.ndarray, ...]
    weights_new: tuple[np.ndarray, ...]
    biases_new: tuple[np.ndarray, ...]


def batch_breakdown(weights, biases, scenario: Scenario, x, y, indices, eta: float,
                    train_biases: bool = True) -> BatchBreakdown:
    """The step on examples ``indices`` of (x, y), one example at a time, then averaged."""
    idx = np.asarray(indices, dtype=int)
    costs, per_W, per_b = [], [], []
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for n in idx:
            c, gW, gb = loss_and_gradients(weights, biases, scenario.acts, scenario.cost,
                                           x[n: n + 1], y[n: n + 1])
            costs.append(c)
            per_W.append(gW)
            per_b.append(gb)
    dW_ex = tuple(np.stack([g[i] for g in per_W]) for i in range(len(weights)))
    db_ex = tuple(np.stack([g[i] for g in per_b]) for i in range(len(biases)))
    dW = tuple(g.mean(axis=0) for g in dW_ex)
    db = tuple(g.mean(axis=0) for g in db_ex)
    W_new = tuple(np.asarray(W) - eta * g for W, g in zip(weights, dW))
    b_new = tuple(np.asarray(b) - eta * g if train_biases else np.array(b) for b, g in zip(biases, db))
    return BatchBreakdown(idx, np.array(costs), dW_ex, db_ex, dW, db, W_new, b_new)
