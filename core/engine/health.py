"""Saturated and dead neurons: states of a network worth pointing out, not errors.

A sigmoid or tanh neuron is *saturated* when its slope σ'(z) is below ``SATURATED`` times the
largest slope the activation has (σ'(0)): the output sits at its flat end and almost no
gradient flows back through it. A ReLU neuron is *dead* when z ≤ 0 for every example of the
batch: its output and its slope are 0, so no gradient reaches its incoming weights at all.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from core.engine.activations import ACTIVATIONS

SATURATED = 1e-3  # σ'(z) / σ'(0) below this: saturated (|z| > 8.3 for sigmoid, > 4.1 for tanh)

EXPLAIN = {  # one line each, short enough to sit under the drawing
    "saturated": "saturated: σ'(z) ≈ 0 at this z, so almost no gradient flows back through it (not an error)",
    "dead": "dead ReLU: z ≤ 0 for every example, so no gradient reaches its incoming weights (not an error)",
}


def slope_ratio(name: str, z: np.ndarray) -> np.ndarray:
    """σ'(z) / σ'(0) for a saturating activation (one with a ``max_slope``: sigmoid, tanh), from the
    activation's own derivative."""
    act = ACTIVATIONS[name]
    z = np.asarray(z, dtype=float)
    return act.derivative(z, act.output(z)) / act.max_slope


def neuron_health(activations: Sequence[str], zs: Sequence[np.ndarray], n: int | None = None) -> list[list[str]]:
    """For each layer l = 2..L, each neuron's state: "saturated", "dead" or "".

    ``zs[l − 2]`` holds z^l with one row per example. Saturation is judged on example ``n`` (on
    every example when n is None); a dead ReLU needs z ≤ 0 on every example of the batch.
    """
    out = []
    for name, z in zip(activations, zs):
        z = np.atleast_2d(np.asarray(z, dtype=float))
        marks = [""] * z.shape[1]
        act = ACTIVATIONS.get(name)  # a typed formula has no slope facts: never marked
        if act is not None and act.max_slope is not None:
            rows = z if n is None else z[n:n + 1]
            with np.errstate(all="ignore"):
                flat = np.all(slope_ratio(name, rows) < SATURATED, axis=0)
            marks = ["saturated" if f else "" for f in flat]
        elif act is not None and act.dies:
            marks = ["dead" if d else "" for d in np.all(z <= 0, axis=0)]
        out.append(marks)
    return out
