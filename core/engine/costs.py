"""Costs C(a^L, y) for one example, and the output error δ^L = ∂C/∂z^L.

Costs are evaluated from z^L where that avoids log(0) (bce, cross-entropy).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core.engine.activations import Activation, softplus

Array = np.ndarray
TexFn = Callable[[str, str, bool], str]  # (a, y, with numbers?) -> LaTeX


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
    """A cost: its value per example, ∂C/∂a^L, (when it simplifies) δ^L directly, and its faces.

    ``terms`` gives each output's share of the cost (for the equation that adds them up);
    ``term_tex(a, y, numeric)`` one term in LaTeX and ``dC_da_tex`` ∂C/∂a^L_j, with symbols or
    with the numbers put in (``numeric`` True writes products with \\cdot); ``matrix_tex(A, Y, Yᵀ,
    (1 − Y)ᵀ)`` the cost of a column; ``grad_tex`` ∇_a C in the matrix form of δ^L; ``tex`` the
    handout's formula (``{L}`` for the output layer); ``words`` the cost in a sentence; ``menu``
    its entry in a list of choices.
    """

    name: str
    value: Callable[[Array, Array, Array], Array]  # (a, y, z) -> per-example cost, last axis summed
    dC_da: Callable[[Array, Array], Array]  # (a, y) -> ∂C/∂a^L
    tex: str
    delta_is_a_minus_y: bool = False  # δ^L = a^L − y exactly, with the matching output activation
    output: str | None = None  # the output activation this cost requires
    dC_da_z: Callable[[Array, Array, Array], Array] | None = None  # (a, y, z) -> ∂C/∂a^L without 1/0
    terms: Callable[[Array, Array, Array], Array] | None = None  # (a, y, z) of one example -> per-output terms
    term_tex: TexFn | None = None
    dC_da_tex: TexFn | None = None
    matrix_tex: Callable[[str, str, str, str], str] | None = None
    grad_tex: str = r"\nabla_{a} C"
    words: str = ""
    menu: str = ""


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


def _bce_term(a: str, y: str, num: bool) -> str:
    if num:
        return rf"-\left[{y} \cdot \log\left({a}\right) + \left(1 - {y}\right) \cdot \log\left(1 - {a}\right)\right]"
    return rf"-\left[{y} \log {a} + \left(1 - {y}\right) \log\left(1 - {a}\right)\right]"


def _bce_dC_da_tex(a: str, y: str, num: bool) -> str:
    dot = r" \cdot " if num else ""
    return rf"\frac{{{a} - {y}}}{{{a}{dot}\left(1 - {a}\right)}}"


COSTS: dict[str, Cost] = {
    c.name: c
    for c in (
        Cost(
            "mse",
            lambda a, y, z: 0.5 * np.sum((a - y) ** 2, axis=-1),
            lambda a, y: a - y,
            r"C = \frac{1}{2} \sum_{j} \left(a^{L}_{j} - y_{j}\right)^{2}",
            terms=lambda a, y, z: 0.5 * (a - y) ** 2,
            term_tex=lambda a, y, num: rf"\frac{{1}}{{2}}\left({a} - {y}\right)^{{2}}",
            dC_da_tex=lambda a, y, num: f"{a} - {y}",
            matrix_tex=lambda A, Y, YT, one_YT: rf"\frac{{1}}{{2}}\left\lVert {A} - {Y} \right\rVert^{{2}}",
            grad_tex=r"\left(A^{L} - Y\right)",
            words="half the squared difference", menu="mse: ½ Σ (a − y)²",
        ),
        Cost(
            "bce",
            # −[y log a + (1−y) log(1−a)] with log a = −softplus(−z), log(1−a) = −softplus(z)
            lambda a, y, z: np.sum(y * softplus(-z) + (1.0 - y) * softplus(z), axis=-1),
            lambda a, y: (a - y) / (a * (1.0 - a)),
            r"C = -\sum_{j} \left[y_{j} \log a^{L}_{j} + (1 - y_{j}) \log\left(1 - a^{L}_{j}\right)\right]",
            delta_is_a_minus_y=True,
            output="sigmoid",
            dC_da_z=_bce_dC_da,
            terms=lambda a, y, z: y * np.logaddexp(0.0, -z) + (1.0 - y) * np.logaddexp(0.0, z),
            term_tex=_bce_term, dC_da_tex=_bce_dC_da_tex,
            matrix_tex=lambda A, Y, YT, one_YT: rf"-\left[{YT} \log {A} + {one_YT} \log\left(1 - {A}\right)\right]",
            words="the binary cross-entropy", menu="bce: binary cross-entropy (sigmoid output)",
        ),
        Cost(
            "cross_entropy",
            _ce_value,
            lambda a, y: -y / a,
            r"C = -\sum_{j} y_{j} \log a^{L}_{j}",
            delta_is_a_minus_y=True,
            output="softmax",
            dC_da_z=_ce_dC_da,
            terms=lambda a, y, z: ce_terms(y, z),  # 0 where y_j = 0, even for z_j = −1e308
            term_tex=lambda a, y, num: rf"-{y} \cdot \log\left({a}\right)" if num else rf"-{y} \log {a}",
            dC_da_tex=lambda a, y, num: rf"-\frac{{{y}}}{{{a}}}",
            matrix_tex=lambda A, Y, YT, one_YT: rf"-{YT} \log {A}",
            words="the cross-entropy", menu="cross_entropy (softmax output)",
        ),
    )
}


def check_pairing(cost: Cost, output: Activation) -> str | None:
    """Why this cost and output activation do not go together, or None if they do."""
    if cost.output is not None and output.name != cost.output:
        other = next((c.name for c in COSTS.values() if c.output == output.name), "mse")
        return (
            f"'{cost.name}' needs a '{cost.output}' output layer, found '{output.name}': "
            f"use activation '{cost.output}' on the output layer, or loss '{other}'"
        )
    needs = next((c.name for c in COSTS.values() if c.output == output.name), None)
    if output.output_only and cost.name != needs:
        return (
            f"a {output.name} output goes with loss '{needs}', found '{cost.name}': "
            f"choose '{needs}', or a 'sigmoid' output with 'mse' or 'bce'"
        )
    return None


def output_delta(cost: Cost, act: Activation, z: Array, a: Array, y: Array) -> Array:
    """δ^L = ∂C/∂z^L: a − y where the cost and output activation cancel, else ∂C/∂a ⊙ σ'(z)."""
    if cost.delta_is_a_minus_y:
        return a - y
    return cost.dC_da(a, y) * act.derivative(z, a)
