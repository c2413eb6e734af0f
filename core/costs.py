"""Costs C(a^L, y) for one example, and the output error δ^L = ∂C/∂z^L.

Costs are evaluated from z^L where that avoids log(0) (bce, cross-entropy).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core.activations import Activation

Array = np.ndarray


def _softplus(z: Array) -> Array:
    """log(1 + e^z) without overflow."""
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


def _logsumexp(z: Array) -> Array:
    m = np.max(z, axis=-1, keepdims=True)
    with np.errstate(over="ignore"):  # z_j − max z = −∞ for logits ±1e308: e^{−∞} = 0, as it should be
        return m[..., 0] + np.log(np.sum(np.exp(z - m), axis=-1))


def ce_terms(y: Array, z: Array) -> Array:
    """The terms −y_j log a_j = y_j (logsumexp(z) − z_j) of the cross-entropy: 0 where y_j = 0 (not 0·∞ when
    z_j is −1e308), and y_j·lse − y_j·z_j where lse − z_j alone overflows (logits ±1e308, y_j = ½: 1e308)."""
    lse = _logsumexp(z)[..., None]
    with np.errstate(over="ignore", invalid="ignore"):
        gap = lse - z
        term = np.where(np.isinf(gap), y * lse - y * z, y * gap)
        return np.where(y == 0, 0.0, term)


def _ce_value(a: Array, y: Array, z: Array) -> Array:
    with np.errstate(over="ignore"):
        return np.sum(ce_terms(y, z), axis=-1)


@dataclass(frozen=True, eq=False)
class Cost:
    """A cost: its value per example, ∂C/∂a^L, and (when it simplifies) δ^L directly."""

    name: str
    value: Callable[[Array, Array, Array], Array]  # (a, y, z) -> per-example cost, last axis summed
    dC_da: Callable[[Array, Array], Array]  # (a, y) -> ∂C/∂a^L
    formula: str
    delta_is_a_minus_y: bool = False  # δ^L = a^L − y exactly, with the matching output activation
    output: str | None = None  # the output activation this cost requires
    dC_da_z: Callable[[Array, Array, Array], Array] | None = None  # (a, y, z) -> ∂C/∂a^L without 1/0


def _bce_dC_da(a: Array, y: Array, z: Array) -> Array:
    """(a − y) / (a(1 − a)) = (1 − y)/(1 − a) − y/a with 1/(1 − a) = 1 + e^{z}, 1/a = 1 + e^{−z}: right where
    a rounds to 0 or 1 (y = 1, z = 800: −1, not 0·∞), a term whose weight (1 − y or y) is 0 being 0."""
    with np.errstate(over="ignore", invalid="ignore"):
        up = np.where(y == 1, 0.0, (1.0 - y) * (1.0 + np.exp(z)))
        down = np.where(y == 0, 0.0, y * (1.0 + np.exp(-z)))
    return up - down


def _ce_dC_da(a: Array, y: Array, z: Array) -> Array:
    """−y_j / a_j with 1/a_j = e^{logsumexp(z) − z_j}: finite where a_j underflows, 0 where y_j = 0."""
    with np.errstate(over="ignore", invalid="ignore"):
        return np.where(y == 0, 0.0, -y * np.exp(_logsumexp(z)[..., None] - z))


COSTS: dict[str, Cost] = {
    c.name: c
    for c in (
        Cost(
            "mse",
            lambda a, y, z: 0.5 * np.sum((a - y) ** 2, axis=-1),
            lambda a, y: a - y,
            "C = 1/2 Σ_j (a^L_j − y_j)²",
        ),
        Cost(
            "bce",
            # −[y log a + (1−y) log(1−a)] with log a = −softplus(−z), log(1−a) = −softplus(z)
            lambda a, y, z: np.sum(y * _softplus(-z) + (1.0 - y) * _softplus(z), axis=-1),
            lambda a, y: (a - y) / (a * (1.0 - a)),
            "C = −Σ_j [y_j log a^L_j + (1 − y_j) log(1 − a^L_j)]",
            delta_is_a_minus_y=True,
            output="sigmoid",
            dC_da_z=_bce_dC_da,
        ),
        Cost(
            "cross_entropy",
            _ce_value,
            lambda a, y: -y / a,
            "C = −Σ_j y_j log a^L_j",
            delta_is_a_minus_y=True,
            output="softmax",
            dC_da_z=_ce_dC_da,
        ),
    )
}


def check_pairing(cost: Cost, output: Activation) -> str | None:
    """Why this cost and output activation do not go together, or None if they do."""
    if cost.output is not None and output.name != cost.output:
        other = {"sigmoid": "bce", "softmax": "cross_entropy"}.get(output.name, "mse")
        return (
            f"'{cost.name}' needs a '{cost.output}' output layer, found '{output.name}': "
            f"use activation '{cost.output}' on the output layer, or loss '{other}'"
        )
    if output.name == "softmax" and cost.name != "cross_entropy":
        return (
            f"a softmax output goes with loss 'cross_entropy', found '{cost.name}': "
            "choose 'cross_entropy', or a 'sigmoid' output with 'mse' or 'bce'"
        )
    return None


def output_delta(cost: Cost, act: Activation, z: Array, a: Array, y: Array) -> Array:
    """δ^L = ∂C/∂z^L: a − y where the cost and output activation cancel, else ∂C/∂a ⊙ σ'(z)."""
    if cost.delta_is_a_minus_y:
        return a - y
    return cost.dC_da(a, y) * act.derivative(z, a)
