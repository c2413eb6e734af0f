"""The notation written once: indices as Unicode super/subscripts, parameter names, and every
number format (LaTeX, a sentence, a drawing's label, a table of fixed decimals). Pure Python;
``core.symbolic.latex`` builds its LaTeX on these, the app's drawings and the SVG their labels.

On screen indices are 1-based: ``weight_name`` takes the engine's 0-based j, k.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

_SUP = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def sup(n: int | str) -> str:
    """n as Unicode superscript digits: sup(12) -> '¹²'."""
    return str(n).translate(_SUP)


def sub(n: int | str) -> str:
    """n as Unicode subscript digits: sub(3) -> '₃'."""
    return str(n).translate(_SUB)


def weight_name(l: int, j: int, k: int | None) -> str:
    """w^l_{jk} (or b^l_j when k is None) in plain Unicode, 1-based neuron numbers: weight_name(2, 0, 1)
    -> 'w²₁₂'; a comma separates j and k when either has two digits (w²₁₀,₂)."""
    if k is None:
        return f"b{sup(l)}{sub(j + 1)}"
    jk = f"{j + 1}{k + 1}" if j < 9 and k < 9 else f"{j + 1},{k + 1}"
    return f"w{sup(l)}{sub(jk)}"


def positions(layers: Sequence[int]) -> list[list[tuple[float, float]]]:
    """(x, y) of neuron j of layer l at ``positions(layers)[l - 1][j]`` in every drawing: layer l at
    x = l − 1, its neurons top to bottom."""
    return [[(float(i), (n - 1) / 2 - j) for j in range(n)] for i, n in enumerate(layers)]


def compact(layers: Sequence[int]) -> bool:
    """Too many neurons for names on every label of a drawing: show numbers only, smaller."""
    return len(layers) > 5 or max(layers) > 4


# --- numbers ---------------------------------------------------------------------------------

def format_number(x: float, digits: int = 9, paren: bool = False) -> str:
    """x to ``digits`` significant figures as LaTeX: 1.5 \\times 10^{-5}, never 'e-05'.
    With ``paren`` (a number put into an expression) a negative number is wrapped in parentheses."""
    x = float(x)
    if math.isnan(x):
        return r"\text{NaN}"
    if math.isinf(x):
        s = r"\infty" if x > 0 else r"-\infty"
    else:
        s = f"{x:.{digits}g}"
        if "e" in s:
            m, e = s.split("e")
            s = rf"{m} \times 10^{{{int(e)}}}"
        if s in ("-0", "0"):
            s = "0"
    return f"({s})" if paren and s.startswith("-") else s


def plain_number(x: float, digits: int = 9) -> str:
    """x to ``digits`` significant figures as plain text, for sentences."""
    x = float(x)
    s = f"{x:.{digits}g}"
    return "0" if s == "-0" else s


def short_number(v: float | None, digits: int = 4) -> str:
    """A short number for a drawing's label: 4 significant digits, no exponent for everyday sizes."""
    if v is None or not math.isfinite(v):
        return str(v)
    if v == 0:
        return "0"
    if 1e-4 <= abs(v) < 1e5:
        s = f"{v:.{digits}g}"
        if "e" not in s:
            return s
    return f"{v:.{digits - 1}e}"


def decimals(v: float, digits: int, unicode_minus: bool = True) -> str:
    """v to ``digits`` decimal places without trailing zeros (a printed table or drawing): 0.5, −1.25."""
    s = f"{float(v):.{digits}f}".rstrip("0").rstrip(".")
    if s in ("-0", ""):
        return "0"
    return s.replace("-", "−") if unicode_minus else s
