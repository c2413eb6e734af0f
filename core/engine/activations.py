"""Activation functions: ONE registry, name -> Activation, each record holding every face of it.

An activation is one entry of ``ACTIVATIONS`` (as TensorFlow Playground's ``{output, der}``):
its NumPy value and derivative, its SymPy form (for the symbolic layer, built lazily so NumPy
users never import SymPy), its words in a sentence, and its slope facts (the largest slope, for
"saturated"; whether z ≤ 0 kills it). Its LaTeX comes from the SymPy form (``core.symbolic.latex``)
unless the record gives a textbook display. Adding an activation is adding one entry here.

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
    """An activation σ: its output σ(z), its derivative σ'(z) (given z and a = σ(z)), and its faces.

    ``sympy(sp, z)`` builds σ(z) as a SymPy expression (None: not elementwise, softmax). LaTeX
    templates use ``\\zeta`` for z: ``tex`` is σ(ζ) as shown (symbolic, with numbers), so the forward
    pass's equations need no SymPy (SymPy's own print of σ(ζ), or a textbook form in its stead);
    ``tex_d`` overrides σ'; ``tex_lines`` the handout's two lines (σ(z) = …, σ'(z) = …), either
    of them None to keep the derived one. ``max_slope`` is σ'(0), the largest slope, for a
    saturating activation; ``dies`` marks one whose output and slope are 0 for every z ≤ 0;
    ``kink`` one whose σ' jumps at z = 0 (there σ' is a convention, so a worksheet keeps z away from 0).
    """

    name: str
    output: Callable[[Array], Array]
    derivative: Callable[[Array, Array], Array] | None
    formula: str  # what the user typed (a formula activation), else the textbook formula in z
    output_only: bool = False
    sympy: Callable | None = None
    words: str = ""
    tex: tuple[str, str] | None = None
    tex_d: str | None = None
    tex_lines: tuple[str | None, str | None] = (None, None)
    max_slope: float | None = None
    dies: bool = False
    kink: bool = False

    @property
    def in_words(self) -> str:
        """The activation in a sentence: 'the sigmoid', or 'the activation z/(1 + abs(z))'."""
        return self.words or f"the activation {self.name}"


def sigmoid(z: Array) -> Array:
    """σ(z) = 1 / (1 + e^{−z}), evaluated without overflow for any z."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def softplus(z: Array) -> Array:
    """log(1 + e^z) without overflow for any z."""
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


def softmax(z: Array) -> Array:
    """softmax(z)_j = e^{z_j} / Σ_i e^{z_i} along the last axis, shifted by max z for stability."""
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


LEAKY_SLOPE = 0.01
_SOFTMAX_TEX = r"\frac{e^{z_j}}{\sum_i e^{z_i}}"
_SOFTMAX_D = r"a_i\left(\delta_{ij} - a_j\right)"

ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("sigmoid", sigmoid, lambda z, a: a * (1.0 - a), "1/(1 + exp(-z))",
                   sympy=lambda sp, z: 1 / (1 + sp.exp(-z)), words="the sigmoid", max_slope=0.25,
                   tex=(r"\frac{1}{1 + e^{- \zeta}}", r"\frac{1}{1 + e^{- \zeta}}")),
        Activation("tanh", np.tanh, lambda z, a: 1.0 - a * a, "tanh(z)",
                   sympy=lambda sp, z: sp.tanh(z), words="tanh", max_slope=1.0,
                   tex=(r"\tanh{\left(\zeta \right)}", r"\tanh{\left(\zeta \right)}"),
                   tex_lines=(None, r"\sigma'(z) = 1 - \tanh^{2}(z) = 1 - \sigma(z)^{2}")),
        Activation("relu", lambda z: np.maximum(z, 0.0), lambda z, a: (z > 0).astype(float), "max(z, 0)",
                   sympy=lambda sp, z: sp.Piecewise((z, z > 0), (0, True)), words="the ReLU", dies=True, kink=True,
                   tex=(r"\max\left(0, \zeta\right)", r"\max\left(0, \zeta\right)")),
        Activation("leaky_relu", lambda z: np.where(z > 0, z, LEAKY_SLOPE * z),
                   lambda z, a: np.where(z > 0, 1.0, LEAKY_SLOPE), f"max(z, {LEAKY_SLOPE}*z)",
                   sympy=lambda sp, z: sp.Piecewise((z, z > 0), (sp.Float(LEAKY_SLOPE) * z, True)),
                   words="the leaky ReLU", kink=True,
                   tex=(rf"\max\left({LEAKY_SLOPE} \zeta, \zeta\right)",
                        rf"\max\left({LEAKY_SLOPE} \cdot \zeta, \zeta\right)")),
        Activation("linear", lambda z: np.asarray(z, dtype=float) * 1.0, lambda z, a: np.ones_like(a), "z",
                   sympy=lambda sp, z: z, words="the identity (linear)", tex=(r"\zeta", r"\zeta")),
        Activation("softplus", softplus, lambda z, a: sigmoid(z), "log(1 + exp(z))",
                   sympy=lambda sp, z: sp.log(1 + sp.exp(z)), words="the softplus",
                   tex=(r"\log{\left(e^{\zeta} + 1 \right)}", r"\log{\left(e^{\zeta} + 1 \right)}")),
        # softmax has no elementwise derivative; it is only allowed with cross-entropy,
        # where δ^L = a^L − y needs none.
        Activation("softmax", softmax, None, "exp(z_j)/sum_i exp(z_i)", output_only=True, words="the softmax",
                   tex=(_SOFTMAX_TEX, _SOFTMAX_TEX), tex_d=_SOFTMAX_D,
                   tex_lines=(r"\sigma(z)_j = " + _SOFTMAX_TEX,
                              r"\frac{\partial \sigma(z)_i}{\partial z_j} = \sigma(z)_i\left(\delta_{ij}"
                              r" - \sigma(z)_j\right)")),
    )
}


def get_activation(name: str) -> Activation:
    """The activation for a registry name, or for a formula in z (e.g. ``log(1 + exp(z))``).

    Raises ValueError with a readable message for an unknown name or a refused formula.
    """
    if name in ACTIVATIONS:
        return ACTIVATIONS[name]
    from core.symbolic.formula import formula_activation  # sympy is imported only for formulas (it takes a second)

    return formula_activation(name)
