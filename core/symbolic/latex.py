"""LaTeX building blocks: numbers (``core.symbolic.notation``),
indexed symbols, folded sums, matrices, and each activation's
σ(z) and σ'(z) (σ' from SymPy, shown in textbook form), cached so the hot path is string formatting.

On screen indices are 1-based; every function here takes the engine's 0-based j, k.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from core.engine.activations import ACTIVATIONS
from core.symbolic.notation import format_number


@dataclass(frozen=True)
class Equation:
    """One equation three ways: in symbols, with the numbers put in, and its value (all LaTeX),
    plus one plain-English sentence of what happens."""

    symbolic: str
    numeric: str
    value: str
    sentence: str


def idx(*ks: int) -> str:
    """1-based subscript for 0-based indices: (0, 1) -> '12', (9, 1) -> '10,2'."""
    parts = [str(k + 1) for k in ks]
    return ("," if any(k >= 9 for k in ks) else "").join(parts)


def sym(name: str, l: int | None, *ks: int) -> str:
    """An indexed symbol: sym('w', 2, 0, 1) -> 'w^{2}_{12}'; l None leaves out the layer."""
    up = f"^{{{l}}}" if l is not None else ""
    return f"{name}{up}_{{{idx(*ks)}}}" if ks else f"{name}{up}"


def dfrac(top: str, bottom: str) -> str:
    """∂top/∂bottom as a LaTeX fraction (bottom wrapped in braces, safe for indexed symbols)."""
    return rf"\frac{{\partial {top}}}{{\partial {{{bottom}}}}}"


def fold(terms: list[str], total: int | None = None, max_terms: int = 8, sep: str = " + ") -> str:
    """Join terms; beyond ``max_terms`` show the first ones, \\cdots and how many were folded."""
    total = len(terms) if total is None else total
    if total <= max_terms:
        return sep.join(terms)
    shown = terms[: max(1, max_terms - 1)]
    return sep.join(shown) + rf"{sep}\cdots\;(+{total - len(shown)}\text{{ more terms}})"


def pmatrix(M, digits: int = 4, max_rows: int = 8, max_cols: int = 8) -> str:
    """A vector (as a column) or matrix as a LaTeX pmatrix, folding rows/columns with ⋯ ⋮ ⋱."""
    M = np.asarray(M, dtype=float)
    if M.ndim == 1:
        M = M[:, None]
    r, c = M.shape

    def pick(n, m):
        return list(range(n)) if n <= m else list(range(m - 2)) + [None, n - 1]

    rows = []
    for i in pick(r, max_rows):
        if i is None:
            rows.append(" & ".join(r"\vdots" if j is not None else r"\ddots" for j in pick(c, max_cols)))
        else:
            rows.append(" & ".join(r"\cdots" if j is None else format_number(M[i, j], digits)
                                   for j in pick(c, max_cols)))
    return r"\begin{pmatrix} " + r" \\ ".join(rows) + r" \end{pmatrix}"


def wrap(tex: str) -> str:
    """Parenthesise a LaTeX term that has a + or − at top level, so it can be a factor."""
    depth = 0
    for i, c in enumerate(tex):
        depth += {"(": 1, "{": 1, ")": -1, "}": -1}.get(c, 0)
        if depth == 0 and c in "+-" and 0 < i and tex[i - 1] == " ":
            return rf"\left({tex}\right)"
    return tex


def shape(n: int, m: int) -> str:
    return rf"{n} \times {m}"


# --- activations: σ(z) and σ'(z) in LaTeX with a placeholder for z (or a), built once with SymPy ---

_Z = r"\zeta"  # the placeholder for z in SymPy's LaTeX (users cannot type zeta)
_A = r"\alpha"  # the placeholder for a = σ(z) in textbook forms
# textbook forms of σ' in terms of a = σ(z), tried in order: (SymPy builder, symbolic, numeric)
_TEXTBOOK = (
    (lambda f: f * (1 - f), r"\alpha\left(1 - \alpha\right)", r"\alpha \cdot \left(1 - \alpha\right)"),
    (lambda f: 1 - f**2, r"1 - \alpha^{2}", r"1 - \alpha^{2}"),
    (lambda f: f, r"\alpha", r"\alpha"),
)


def put(template: str, z: str = "z", a: str = "a") -> str:
    """Fill a template's placeholders (each wrapped in braces, so z^{2}_{1} can take an exponent)."""
    return template.replace(_Z, "{" + z + "}").replace(_A, "{" + a + "}")


@dataclass(frozen=True)
class ActLatex:
    """An activation's LaTeX templates (placeholders \\zeta for z, \\alpha for a = σ(z))."""

    name: str
    out_sym: str  # σ(z)
    out_num: str  # σ(z) with products written \cdot, for numbers
    d_raw: str  # σ'(z) as SymPy differentiates it
    d_sym: str  # σ'(z) in textbook form (in a where possible)
    d_num: str
    branches: tuple = ()  # for a piecewise σ': ((condition fn, value template, condition template), ...)

    def dsigma_numeric(self, z: float, a: float, digits: int) -> str:
        """σ'(z) with the numbers put in (for a piecewise σ' the active branch, and why)."""
        zs, as_ = format_number(z, digits, True), format_number(a, digits, True)
        for cond, val, why in self.branches:
            if cond(z):
                return put(val, zs, as_) + (rf"\quad(\text{{since }} {put(why, zs, as_)})" if why else "")
        return put(self.d_num, zs, as_)


def _tex(x, **kw) -> str:
    """SymPy's LaTeX; for a large expression its exponentials are printed through an opaque function, since
    SymPy's printer can spend seconds deciding the sign of exponents such as e^{-z - 1/(1 + e^{-z})}."""
    import sympy as sp

    if sp.count_ops(x) > 30:
        x = x.replace(lambda u: isinstance(u, sp.exp), lambda u: _opaque_exp()(u.args[0]))
    return sp.latex(x, **kw)


@lru_cache(maxsize=1)
def _opaque_exp():
    import sympy as sp

    class E(sp.Function):
        def _latex(self, printer, exp=None):
            s = f"e^{{{printer._print(self.args[0])}}}"
            return s if exp is None else rf"\left({s}\right)^{{{exp}}}"

    return E


def act_out(name: str) -> tuple[str, str]:
    """σ(ζ) as (symbolic, with numbers): a registry activation's own ``tex`` (no SymPy: the forward pass's
    equations are string formatting), a formula's from ``act_latex``."""
    rec = ACTIVATIONS.get(name)
    if rec is not None and rec.tex:
        return rec.tex
    al = act_latex(name)
    return al.out_sym, al.out_num


@lru_cache(maxsize=256)
def act_latex(name: str) -> ActLatex:
    """The LaTeX templates of a registry activation or formula (SymPy runs once per name)."""
    import sympy as sp  # the symbolic layer: imported on first use, not by the NumPy engine

    from core.symbolic.formula import activation_expr, z

    rec = ACTIVATIONS.get(name)
    if rec is not None and rec.tex_d is not None:  # not elementwise (softmax): the record's own forms
        return ActLatex(name, *rec.tex, rec.tex_d, rec.tex_d, rec.tex_d)
    zeta = sp.Symbol("zeta", real=True)
    e = activation_expr(name)
    d = sp.diff(e, z).replace(lambda x: isinstance(x, sp.DiracDelta), lambda x: sp.Integer(0))
    if len(d.atoms(sp.Heaviside)) + len(d.atoms(sp.Piecewise)) <= 2:  # folding more can take seconds
        d = d.replace(lambda x: isinstance(x, sp.Heaviside), lambda x: sp.Piecewise((1, x.args[0] > 0), (0, True)))
        d = sp.piecewise_fold(d)
    ez, dz = e.subs(z, zeta), d.subs(z, zeta)
    out_sym, out_num = rec.tex if rec is not None and rec.tex else (_tex(ez), _tex(ez, mul_symbol="dot"))
    d_raw = _tex(dz)
    d_sym, d_num = d_raw, _tex(dz, mul_symbol="dot")
    branches: tuple = ()
    if isinstance(d, sp.Piecewise):
        bs = []
        for val, cond in d.args:
            fn = (lambda x: True) if cond is sp.true else sp.lambdify(z, cond, modules="math")
            if cond is sp.true:  # "otherwise": none of the conditions before held
                prev = [c for _, c in d.args if c is not sp.true]
                cond = sp.And(*[sp.Not(c) for c in prev]) if prev else sp.true
            why = "" if cond is sp.true else sp.latex(cond.subs(z, zeta))
            bs.append((_safe_cond(fn), _tex(val.subs(z, zeta), mul_symbol="dot"), why))
        branches = tuple(bs)
    elif not d.is_number:
        d_fn = sp.lambdify(z, d, "math")
        pts = (-2.3, -0.7, 0.4, 1.1, 2.9)
        for build, t_sym, t_num in _TEXTBOOK:
            c_fn = sp.lambdify(z, build(e), "math")
            try:
                close = all(math.isclose(d_fn(p), c_fn(p), rel_tol=1e-12, abs_tol=1e-14) for p in pts)
            except (ValueError, OverflowError, ZeroDivisionError, TypeError):
                close = False
            if close and sp.simplify(d - build(e)) == 0:
                d_sym, d_num = t_sym, t_num
                break
        else:
            simple = _simpler(d, z)
            if simple is not d:
                d_sym, d_num = _tex(simple.subs(z, zeta)), _tex(simple.subs(z, zeta), mul_symbol="dot")
    return ActLatex(name, out_sym, out_num, d_raw, d_sym, d_num, branches)


def _simpler(d, z):
    """A shorter equal form of σ'(z) from SymPy's simplifiers (z·sign(z) read as |z|), or d itself. Forms that
    bring in functions d does not have (cosh for the sigmoid) or case splits are not taken."""
    import sympy as sp

    if sp.count_ops(d) > 40:
        return d
    d0 = d.subs(z * sp.sign(z), sp.Abs(z))
    funcs = {type(f) for f in d.atoms(sp.Function)} | {sp.Abs}
    best, best_ops = d, sp.count_ops(d)
    for c in (d0, sp.cancel(d0), sp.factor(d0), sp.simplify(d0)):
        ok = not c.has(sp.Piecewise) and {type(f) for f in c.atoms(sp.Function)} <= funcs
        if ok and sp.count_ops(c) < best_ops:
            best, best_ops = c, sp.count_ops(c)
    return best


def _safe_cond(fn):
    def f(x):
        try:
            return bool(fn(x))
        except (ValueError, TypeError, OverflowError):
            return False
    return f


@lru_cache(maxsize=256)
def activation_derivative_latex(name: str) -> tuple[str, str]:
    """(σ(z), σ'(z)) as LaTeX equations for a registry name or a formula, σ' as SymPy derives it and,
    where it is one, in textbook form: σ' = σ(1 − σ) for the sigmoid, 1 − tanh² for tanh."""
    rec = ACTIVATIONS.get(name)
    line_out, line_d = rec.tex_lines if rec is not None else (None, None)
    if line_out is None or line_d is None:
        t = act_latex(name)
        d = r"\sigma'(z) = " + put(t.d_raw)
        if t.d_sym != t.d_raw:
            d += " = " + put(t.d_sym, a=r"\sigma(z)").replace(r"{\sigma(z)}^{2}", r"\sigma(z)^{2}")
        line_out, line_d = line_out or r"\sigma(z) = " + put(t.out_sym), line_d or d
    return line_out, line_d


def notation_latex() -> list[str]:
    """Short lines stating the notation used on screen."""
    return [
        r"\text{Layer } 1 \text{ is the input, } a^{1} = x;\ \text{layer } L \text{ is the output.}",
        r"w^{l}_{jk}: \text{ the weight from neuron } k \text{ of layer } l-1 \text{ to neuron } j"
        r" \text{ of layer } l \;(\text{to-from, as articles 000 and 003; article 001 writes from-to})",
        r"W^{l} \text{ has shape } n_{l} \times n_{l-1};\quad b^{l}_{j} \text{ is the bias of neuron } j"
        r" \text{ of layer } l",
        r"z^{l}_{j} = \sum_{k} w^{l}_{jk} a^{l-1}_{k} + b^{l}_{j},\qquad a^{l}_{j} = \sigma(z^{l}_{j})",
        r"\delta^{l}_{j} = \frac{\partial C}{\partial z^{l}_{j}}\ \text{(the error of neuron } j"
        r"\text{ of layer } l)",
        r"\frac{\partial C}{\partial w^{l}_{jk}} = a^{l-1}_{k}\,\delta^{l}_{j},\qquad"
        r" \frac{\partial C}{\partial b^{l}_{j}} = \delta^{l}_{j}",
        r"w \leftarrow w - \eta \frac{\partial C}{\partial w}\ \text{, every gradient taken at the weights"
        r" from before the update}",
        r"\text{Indices on screen start at 1: } j = 1, \dots, n_{l}",
    ]
