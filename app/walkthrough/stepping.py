"""Stepping through a trace: which record or layer a screen's step shows, and what the drawing
highlights at that step. Pure functions of a Trace (no Streamlit); the trace is never changed.

Neuron view: one record of ``trace.steps(n)`` per step. Matrix view: one layer per step —
forward layers 2 … L and then the cost; backward layers L … 2.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core import Trace
from core.engine.health import neuron_health
from core.engine.steps import BiasGradStep, CostStep, DeltaStep, NeuronStep, OutputGradStep, Steps, WeightGradStep
from core.symbolic.notation import compact, sub, sup
from core.symbolic.notation import short_number as fmt


def phase_range(steps: Steps, phase: str) -> tuple[int, int]:
    """Global indices [start, stop) of a screen's records."""
    if phase == "forward":
        return 0, steps.phase_start("backward")
    if phase == "backward":
        return steps.phase_start("backward"), steps.phase_start("update")
    return steps.phase_start("update"), len(steps)


def count(steps: Steps, phase: str, view: str) -> int:
    L = len(steps.trace.scenario.layers)
    if view == "matrix":
        return L if phase == "forward" else L - 1
    a, b = phase_range(steps, phase)
    return b - a


def clamp(i: int, n: int) -> int:
    return max(0, min(int(i), n - 1))


def matrix_layer(L: int, phase: str, m: int) -> int | None:
    """The layer the m-th matrix step shows (None: the forward pass's cost step)."""
    if phase == "forward":
        return m + 2 if m < L - 1 else None
    return L - m


def to_matrix(steps: Steps, phase: str, i: int) -> int:
    """The matrix step that contains neuron step i."""
    L = len(steps.trace.scenario.layers)
    a, _ = phase_range(steps, phase)
    r = steps[a + i]
    if isinstance(r, CostStep):
        return L - 1
    return r.l - 2 if phase == "forward" else L - r.l


def to_neuron(steps: Steps, phase: str, m: int) -> int:
    """The first neuron step of matrix step m."""
    L = len(steps.trace.scenario.layers)
    a, b = phase_range(steps, phase)
    l = matrix_layer(L, phase, m)
    for i in range(a, b):
        r = steps[i]
        if (l is None and isinstance(r, CostStep)) or (l is not None and getattr(r, "l", None) == l):
            return i - a
    return 0


def jump(steps: Steps, phase: str, view: str, target: tuple[int, ...]) -> int | None:
    """The step a click opens: on the forward screen neuron j's z/a step (an edge: the neuron it
    goes into); backward: the neuron's δ step or the weight's ∂C/∂w step; update: the weight's
    (a neuron: its bias's) update. In the matrix view, the layer's step. Forward and backward
    steps count from the screen's first one; update returns the record's index in ``steps``.
    None for an input neuron, which has no step."""
    l, j = target[0], target[1]
    if l < 2:
        return None
    if view == "matrix" and phase != "update":
        return l - 2 if phase == "forward" else len(steps.trace.scenario.layers) - l
    edge = len(target) == 3
    kind = {"forward": "neuron", "backward": "dC_dw" if edge else "delta",
            "update": "update_w" if edge else "update_b"}[phase]
    g = steps.index_of(kind, l, j, target[2] if edge and phase != "forward" else None)
    return g if phase == "update" else g - phase_range(steps, phase)[0]


@dataclass(frozen=True)
class Drawing:
    """Arguments for ``app.walkthrough.figures.network_figure`` at one step."""

    kwargs: dict


def _input_labels(t: Trace, n: int, small: bool = False) -> list[str]:
    if small:
        return [f"x={fmt(v, 3)}" for v in t.a(1, n)]
    return [f"a{sup(1)}{sub(k + 1)} = x{sub(k + 1)} = {fmt(v)}" for k, v in enumerate(t.a(1, n))]


def forward_drawing(t: Trace, n: int, view: str, i: int) -> Drawing:
    """Neurons computed so far with their z and a; the active neuron(s) and incoming edges."""
    s = t.scenario
    layers, L = s.layers, len(s.layers)
    steps = t.steps(n)
    if view == "matrix":
        l_now = matrix_layer(L, "forward", i)
        cost = l_now is None
        l_now = L if cost else l_now
        done = [[l <= l_now] * m for l, m in enumerate(layers, 1)]
        active = [] if cost else [(l_now, j) for j in range(layers[l_now - 1])]
        glow = False
    else:
        r = steps[i]
        cost = isinstance(r, CostStep)
        done = [[True] * layers[0]] + [[False] * m for m in layers[1:]]
        for g in range(i + 1):
            q = steps[g]
            if isinstance(q, NeuronStep):
                done[q.l - 1][q.j] = True
        active = [] if cost else [(r.l, r.j)]
        glow = True
    small = compact(layers)
    labels = [_input_labels(t, n, small)]
    for l in range(2, L + 1):
        z, a = t.z(l, n), t.a(l, n)
        labels.append([
            ("" if not done[l - 1][j] else f"a={fmt(a[j], 3)}" if small else
             f"z{sup(l)}{sub(j + 1)} = {fmt(z[j])}<br>a{sup(l)}{sub(j + 1)} = {fmt(a[j])}"
             + (f"<br>y{sub(j + 1)} = {fmt(s.y[n][j])}" if cost and l == L else ""))
            for j in range(layers[l - 1])])
    edges = [(l, j, k) for (l, j) in active for k in range(layers[l - 2])] if glow else []
    marks = [[m if done[l][j] else "" for j, m in enumerate(row)]
             for l, row in enumerate(neuron_health(s.activations, t.zs, n), 1)]
    return Drawing(dict(
        edge_values=s.weights, edge_labels=[[[fmt(v) for v in row] for row in W] for W in s.weights],
        edge_hover=_weight_hover(s.weights, "w"), node_labels=labels, node_done=done, active_nodes=active,
        active_edges=edges, value_name="weight", node_marks=marks))


def _weight_hover(Ws, prefix: str) -> list[list[list[str]]]:
    return [[[f"{prefix}{sup(i + 2)}{sub(j + 1)}{sub(k + 1)} = {fmt(v, 6)}" for k, v in enumerate(row)]
             for j, row in enumerate(W)] for i, W in enumerate(Ws)]


def backward_drawing(t: Trace, n: int, view: str, i: int) -> Drawing:
    """Edges coloured by ∂C/∂w where reached, the δ of every neuron reached, the active part."""
    s = t.scenario
    layers, L = s.layers, len(s.layers)
    steps = t.steps(n)
    a0, _ = phase_range(steps, "backward")
    grads = [t.dC_dW_examples[q][n] for q in range(L - 1)]
    reached_w = [np.zeros(G.shape, bool) for G in grads]
    reached_d = [[False] * m for m in layers]
    show_dCda = [False] * layers[-1]
    active_nodes: list[tuple[int, int]] = []
    active_edges: list[tuple[int, int, int]] = []
    if view == "matrix":
        l_now = matrix_layer(L, "backward", i)
        for l in range(l_now, L + 1):
            reached_w[l - 2][:] = True
            reached_d[l - 1] = [True] * layers[l - 1]
        active_nodes = [(l_now, j) for j in range(layers[l_now - 1])]  # the layer's edges keep their colours
    else:
        for g in range(a0, a0 + i + 1):
            q = steps[g]
            if isinstance(q, OutputGradStep):
                show_dCda[q.j] = True
            elif isinstance(q, DeltaStep):
                reached_d[q.l - 1][q.j] = True
            elif isinstance(q, WeightGradStep):
                reached_w[q.l - 2][q.j, q.k] = True
        r = steps[a0 + i]
        if isinstance(r, (OutputGradStep, BiasGradStep)):
            active_nodes = [(r.l, r.j)]
        elif isinstance(r, DeltaStep):
            active_nodes = [(r.l, r.j)]
            if r.l < L:  # δ^l_j gathers δ^{l+1} back along its outgoing edges
                active_edges = [(r.l + 1, i2, r.j) for i2 in range(layers[r.l])]
        elif isinstance(r, WeightGradStep):
            active_nodes = [(r.l, r.j), (r.l - 1, r.k)]
            active_edges = [(r.l, r.j, r.k)]
    labels = [[""] * m for m in layers]
    small = compact(layers)
    for l in range(2, L + 1):
        d = t.delta(l, n)
        for j in range(layers[l - 1]):
            parts = []
            if l == L and show_dCda[j]:
                parts.append(f"∂C/∂a{sup(L)}{sub(j + 1)} = {fmt(t.dC_das[L - 2][n][j])}")
            if reached_d[l - 1][j]:
                parts.append(f"δ={fmt(d[j], 3)}" if small else f"δ{sup(l)}{sub(j + 1)} = {fmt(d[j])}")
            labels[l - 1][j] = "<br>".join(parts[-1:] if small else parts)
    labels[0] = _input_labels(t, n, small)
    done = [[bool(lab) for lab in row] for row in labels]
    return Drawing(dict(
        edge_values=grads, edge_shown=reached_w,
        edge_labels=[[[fmt(v) if reached_w[q][j, k] else "" for k, v in enumerate(row)]
                      for j, row in enumerate(G)] for q, G in enumerate(grads)],
        edge_hover=[[[f"w{sup(q + 2)}{sub(j + 1)}{sub(k + 1)} = {fmt(s.weights[q][j, k], 6)}, ∂C/∂w = {fmt(v, 6)}"
                      for k, v in enumerate(row)] for j, row in enumerate(G)] for q, G in enumerate(grads)],
        node_labels=labels, node_done=done, active_nodes=active_nodes, active_edges=active_edges,
        value_name="∂C/∂w", node_marks=neuron_health(s.activations, t.zs, n)))


def update_drawing(t: Trace) -> Drawing:
    """Edges coloured by the change new − old, labelled with the new weight."""
    s = t.scenario
    changes = [Wn - W for Wn, W in zip(t.weights_new, s.weights)]
    labels = [["" for _ in range(m)] for m in s.layers]
    small = compact(s.layers)
    for l in range(2, len(s.layers) + 1):
        for j in range(s.layers[l - 1]):
            b, bn = s.biases[l - 2][j], t.biases_new[l - 2][j]
            labels[l - 1][j] = f"b={fmt(bn, 3)}" if small else f"b{sup(l)}{sub(j + 1)}: {fmt(b)} → {fmt(bn)}"
    return Drawing(dict(
        edge_values=changes,
        edge_labels=[[[fmt(v) for v in row] for row in W] for W in t.weights_new],
        edge_hover=[[[f"w{sup(q + 2)}{sub(j + 1)}{sub(k + 1)}: {fmt(s.weights[q][j, k], 6)} → {fmt(v, 6)}"
                      for k, v in enumerate(row)] for j, row in enumerate(W)] for q, W in enumerate(t.weights_new)],
        node_labels=labels, value_name="change"))


def network_drawing(s) -> Drawing:
    """The Network screen: every weight on its edge, biases by the neurons."""
    small = compact(s.layers)
    labels = [[f"x={fmt(v, 3)}" if small else f"x{sub(k + 1)} = {fmt(v)}" for k, v in enumerate(s.x[0])]]
    for l in range(2, len(s.layers) + 1):
        labels.append([f"b={fmt(b, 3)}" if small else f"b{sup(l)}{sub(j + 1)} = {fmt(b)}"
                       for j, b in enumerate(s.biases[l - 2])])
    return Drawing(dict(
        edge_values=s.weights, edge_labels=[[[fmt(v) for v in row] for row in W] for W in s.weights],
        edge_hover=_weight_hover(s.weights, "w"), node_labels=labels, value_name="weight"))
