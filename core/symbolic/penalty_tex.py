"""The weight penalty (l1, l2) as LaTeX: its term in the cost and its part of ∂C/∂w, symbols and
numbers, read from a trace (pure string formatting; see core.engine.optim for the rule)."""

from __future__ import annotations

import numpy as np

from core.symbolic.latex import sym
from core.symbolic.notation import format_number, plain_number


def penalty_cost(t, d: int):
    """The weight penalty in the cost, or None without one: (symbolic, numeric, value, words)."""
    s = t.scenario
    if not (s.l1 or s.l2):
        return None
    w = np.concatenate([np.ravel(W) for W in s.weights])
    f = lambda v: format_number(v, d, True)
    ss, nn, vv, words = [], [], [], []
    if s.l2:
        sq = float(np.dot(w, w))
        ss.append(r"\frac{\lambda_2}{2} \sum_{w} w^{2}")
        nn.append(rf"\frac{{{f(s.l2)}}}{{2}} \cdot {f(sq)}")
        vv.append(0.5 * s.l2 * sq)
        words.append(f"λ₂/2 Σw² = {plain_number(s.l2, d)}/2 × {plain_number(sq, d)}")
    if s.l1:
        ab = float(np.abs(w).sum())
        ss.append(r"\lambda_1 \sum_{w} |w|")
        nn.append(rf"{f(s.l1)} \cdot {f(ab)}")
        vv.append(s.l1 * ab)
        words.append(f"λ₁ Σ|w| = {plain_number(s.l1, d)} × {plain_number(ab, d)}")
    return " + ".join(ss), " + ".join(nn), vv, " plus ".join(words)


def penalty_grad(t, l: int, j: int, k: int, d: int):
    """The penalty's part of ∂C/∂w^l_{jk}, or None without one: (symbolic, numeric, value)."""
    s = t.scenario
    if not (s.l1 or s.l2):
        return None
    Wn, w = sym("w", l, j, k), float(t.W(l)[j, k])
    ss, nn = [], []
    if s.l2:
        ss.append(rf"\lambda_2 {Wn}")
        nn.append(rf"{format_number(s.l2, d, True)} \cdot {format_number(w, d, True)}")
    if s.l1:
        ss.append(rf"\lambda_1 \operatorname{{sign}}({Wn})")
        nn.append(rf"{format_number(s.l1, d, True)} \cdot \operatorname{{sign}}({format_number(w, d)})")
    return " + ".join(ss), " + ".join(nn), float(t.dP_dW[l - 2][j, k])


def penalty_words(t) -> str:
    """The penalty's slopes in words, e.g. "λ₂w (L2, λ₂ = 0.01)"."""
    s = t.scenario
    parts = ([f"λ₂w (L2, λ₂ = {plain_number(s.l2)})"] if s.l2 else []) + (
        [f"λ₁·sign(w) (L1, λ₁ = {plain_number(s.l1)}, sign(0) = 0)"] if s.l1 else [])
    return " and ".join(parts)
