"""The cost as a function of chosen parameters, and the network's output over the input plane.

A parameter is named by its place in ``flat_params`` order (all weights W² … W^L row by row,
then all biases); ``param_info`` gives each one's label in the notation (w^l_{jk} joins neuron
k of layer l−1 to neuron j of layer l) and its (kind, layer index, j, k).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.engine.backprop import flat_weights, forward, loss_and_gradients, mean_cost
from core.engine.optim import penalty
from core.engine.scenario import Scenario

_SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


@dataclass(frozen=True)
class Param:
    """One parameter: ``kind`` "w" or "b", ``i`` the index into weights/biases (layer l = i + 2),
    ``j`` the neuron in layer l and ``k`` the neuron in layer l − 1 (weights only), 0-based."""

    kind: str
    i: int
    j: int
    k: int = 0

    @property
    def label(self) -> str:
        l, j, k = self.i + 2, self.j + 1, self.k + 1
        sub = f"{j}{k}" if j < 10 and k < 10 else f"{j},{k}"
        if self.kind == "b":
            return f"b{str(l).translate(_SUP)}{str(j).translate(_SUB)}"
        return f"w{str(l).translate(_SUP)}{sub.translate(_SUB)}"


def param_info(layers) -> list[Param]:
    """Every parameter of a network with these layer sizes, in ``flat_params`` order."""
    out = [Param("w", i, j, k) for i, (n_in, n_out) in enumerate(zip(layers[:-1], layers[1:]))
           for j in range(n_out) for k in range(n_in)]
    out += [Param("b", i, j) for i, n in enumerate(layers[1:]) for j in range(n)]
    return out


def get_param(weights, biases, p: Param) -> float:
    return float(weights[p.i][p.j, p.k] if p.kind == "w" else biases[p.i][p.j])


def _with(weights, biases, p: Param, value: float):
    ws, bs = list(weights), list(biases)
    if p.kind == "w":
        ws[p.i] = np.array(ws[p.i], dtype=float)
        ws[p.i][p.j, p.k] = value
    else:
        bs[p.i] = np.array(bs[p.i], dtype=float)
        bs[p.i][p.j] = value
    return ws, bs


def _cost(weights, biases, scenario: Scenario, x, y) -> float:
    """The mean cost with the scenario's penalty (engine.mean_cost)."""
    return mean_cost(weights, biases, scenario.acts, scenario.cost, x, y, scenario.l1, scenario.l2)


def cost_along(weights, biases, scenario: Scenario, x, y, p: Param, values) -> np.ndarray:
    """C with parameter ``p`` set to each of ``values`` and every other parameter held fixed."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return np.array([_cost(*_with(weights, biases, p, v), scenario, x, y) for v in values])


def slope(weights, biases, scenario: Scenario, x, y, p: Param) -> tuple[float, float, float]:
    """(w, C, ∂C/∂w) at the current parameters, ∂C/∂w from backpropagation."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        c, gW, gb = loss_and_gradients(weights, biases, scenario.acts, scenario.cost, x, y, scenario.l1, scenario.l2)
    g = gW[p.i][p.j, p.k] if p.kind == "w" else gb[p.i][p.j]
    return get_param(weights, biases, p), c, float(g)


def cost_grid(weights, biases, scenario: Scenario, x, y, p: Param, q: Param, u, v) -> np.ndarray:
    """C over a grid: entry [r, c] has ``q`` = v[r] and ``p`` = u[c], every other parameter fixed.

    The batch is evaluated once per grid row with the whole row stacked (one forward pass per row).
    """
    fs = [a.output for a in scenario.acts]
    n, out = len(x), np.empty((len(v), len(u)))
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for r, qv in enumerate(v):
            ws, bs = _with(weights, biases, q, qv)
            out[r] = _row_costs(ws, bs, fs, scenario, x, y, p, np.asarray(u, dtype=float), n)
    return out


def _row_costs(ws, bs, fs, scenario, x, y, p: Param, u, n):
    """The cost for each value of p in u, as one forward pass over len(u) copies of the batch."""
    m = len(u)
    a = np.tile(x, (m, 1))  # copy c of the batch is rows c·n … c·n + n − 1
    zs = None
    for i, (W, b, f) in enumerate(zip(ws, bs, fs)):
        z = a @ W.T + b
        if i == p.i:  # change p's contribution copy by copy
            rep = np.repeat(u, n)
            if p.kind == "w":
                z[:, p.j] += (rep - W[p.j, p.k]) * a[:, p.k]
            else:
                z[:, p.j] += rep - b[p.j]
        zs, a = z, f(z)
    costs = scenario.cost.value(a, np.tile(y, (m, 1)), zs).reshape(m, n).mean(axis=1)
    if scenario.l1 or scenario.l2:  # the penalty of the other weights, plus p's own term for each value
        w = flat_weights(ws)
        if p.kind == "w":
            own = ws[p.i][p.j, p.k]
            costs += penalty(w, scenario.l1, scenario.l2) - penalty(np.array([own]), scenario.l1, scenario.l2)
            costs += 0.5 * scenario.l2 * u * u + scenario.l1 * np.abs(u)
        else:
            costs += penalty(w, scenario.l1, scenario.l2)
    return costs


def output_grid(weights, biases, scenario: Scenario, xs, ys) -> np.ndarray:
    """For a 2-input network over the grid ys × xs: the output a^L_1 when there is one output,
    else the index of the class the network picks (argmax)."""
    gx, gy = np.meshgrid(xs, ys)
    pts = np.column_stack([gx.ravel(), gy.ravel()])
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        _, acts = forward(weights, biases, [a.output for a in scenario.acts], pts)
    out = acts[-1]
    if out.shape[1] == 1:
        return out[:, 0].reshape(gx.shape)
    return np.argmax(out, axis=1).reshape(gx.shape).astype(float)
