"""Activation functions: one registry, name -> (output, derivative).

Every derivative takes both z and a = f(z), so that the cheap closed forms
(σ' = a(1 − a), tanh' = 1 − a²) need no second evaluation of f.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Array = np.ndarray


@dataclass(frozen=True, eq=False)
class Activation:
    """An activation σ: its output σ(z) and its derivative σ'(z) (given z and a = σ(z))."""

    name: str
    output: Callable[[Array], Array]
    derivative: Callable[[Array, Array], Array] | None
    formula: str  # the textbook formula, in z, as the symbolic layer reads it
    output_only: bool = False


def sigmoid(z: Array) -> Array:
    """σ(z) = 1 / (1 + e^{−z}), evaluated without overflow for any z."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def softmax(z: Array) -> Array:
    """softmax(z)_j = e^{z_j} / Σ_i e^{z_i} along the last axis, shifted by max z for stability."""
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


LEAKY_SLOPE = 0.01

ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("sigmoid", sigmoid, lambda z, a: a * (1.0 - a), "1/(1 + exp(-z))"),
        Activation("tanh", np.tanh, lambda z, a: 1.0 - a * a, "tanh(z)"),
        Activation(
            "relu",
            lambda z: np.maximum(z, 0.0),
            lambda z, a: (z > 0).astype(float),
            "max(z, 0)",
        ),
        Activation(
            "leaky_relu",
            lambda z: np.where(z > 0, z, LEAKY_SLOPE * z),
            lambda z, a: np.where(z > 0, 1.0, LEAKY_SLOPE),
            "max(z, 0.01*z)",
        ),
        Activation("linear", lambda z: np.asarray(z, dtype=float) * 1.0, lambda z, a: np.ones_like(a), "z"),
        # softmax has no elementwise derivative; it is only allowed with cross-entropy,
        # where δ^L = a^L − y needs none.
        Activation("softmax", softmax, None, "exp(z_j)/sum_i exp(z_i)", output_only=True),
    )
}


def get_activation(name: str) -> Activation:
    """The activation for a registry name, or for a formula in z (e.g. ``log(1 + exp(z))``).

    Raises ValueError with a readable message for an unknown name or a refused formula.
    """
    if name in ACTIVATIONS:
        return ACTIVATIONS[name]
    from core.formula import formula_activation  # sympy is imported only for formulas

    return formula_activation(name)
