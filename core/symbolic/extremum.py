"""max and min in a typed formula as single SymPy nodes, valued with NumPy's maximum/minimum and
differentiated as the slope of the winning argument (at a tie the last one, so max(z, 0) has relu's slope 0
at z = 0). SymPy's own Max/Min are rewritten as Piecewise by lambdify and simplified, which takes minutes
for a handful of arguments; these nodes keep the work linear in the number of arguments."""

from __future__ import annotations

import functools

import numpy as np
import sympy as sp
from sympy.core.logic import fuzzy_and


def _real_array(v) -> np.ndarray:
    v = np.asarray(v)
    if np.iscomplexobj(v):
        v = np.where(v.imag == 0, v.real, np.nan)
    return v.astype(float, copy=False)


def _numpy_extremum(reduce, args):
    with np.errstate(all="ignore"):
        out = functools.reduce(reduce, [_real_array(a) for a in args])
    return out if np.ndim(out) else float(out)


class _Extremum(sp.Function):
    """max/min of two or more arguments as one node that evaluates only numbers. SymPy's own Max/Min compare
    their arguments pairwise and lambdify rewrites them as Piecewise: seconds for 6 arguments, minutes for 8+.
    Here the value is NumPy's maximum/minimum and the derivative (``_eval_derivative``) is linear in size."""

    sign = 1

    @classmethod
    def eval(cls, *args):
        from core.symbolic.formula import _refuse, _value  # the parser's one-line refusal and its float valuation

        if len(args) < 2:
            raise _refuse("max() and min() take two or more arguments")
        if all(a.is_number for a in args):
            vals = [_value(a) for a in args]
            if any(v.imag for v in vals):
                raise _refuse("max() or min() of a number that is not real")
            pick = (max if cls.sign > 0 else min)(range(len(args)), key=lambda i: vals[i].real)
            return args[pick]
        return None

    def _eval_is_extended_real(self):
        return fuzzy_and(a.is_extended_real for a in self.args)

    def _eval_derivative(self, s):
        """d/dz max(f_1, …, f_n) = f_i' for the largest f_i; at a tie, that of the last tied argument (so that
        max(z, 0) has slope 0 at z = 0, as relu). Two arguments give a Piecewise (shown case by case), more
        give one ``_Pick`` node: the size stays linear in the arguments and in the nesting."""
        fs, gs = self.args, [a.diff(s) for a in self.args]
        if all(g == gs[0] for g in gs):
            return gs[0]
        if len(fs) == 2:
            above = sp.Gt if self.sign > 0 else sp.Lt
            return sp.Piecewise((gs[0], above(*fs, evaluate=False)), (gs[1], True), evaluate=False)
        return _Pick(sp.Integer(self.sign), *fs, *gs)

    def _latex(self, printer, exp=None):
        s = rf"\{self._word}\left({', '.join(printer._print(a) for a in self.args)}\right)"
        return s if exp is None else rf"{s}^{{{exp}}}"


class MaxOf(_Extremum):
    sign, _word = 1, "max"
    _imp_ = staticmethod(lambda *a: _numpy_extremum(np.maximum, a))


class MinOf(_Extremum):
    sign, _word = -1, "min"
    _imp_ = staticmethod(lambda *a: _numpy_extremum(np.minimum, a))


def _numpy_pick(sign, *fg):
    n = len(fg) // 2
    with np.errstate(all="ignore"):
        both = np.array(np.broadcast_arrays(*[_real_array(v) for v in fg]))
        f, g = both[:n], both[n:]
        best = f.max(axis=0) if sign > 0 else f.min(axis=0)
        last = n - 1 - np.argmax((f == best)[::-1], axis=0)  # the last argument attaining the extremum
        out = np.where(np.isnan(best), np.nan, np.take_along_axis(g, last[None], axis=0)[0])
    return out if out.ndim else float(out)


class _Pick(sp.Function):
    """_Pick(s, f_1..f_n, g_1..g_n): g_i of the largest f_i (s = 1) or the smallest (s = −1), the last such i
    at a tie: the derivative of max/min of n ≥ 3 arguments, in one node of size 2n + 1."""

    _imp_ = staticmethod(_numpy_pick)

    def _eval_is_extended_real(self):
        return fuzzy_and(a.is_extended_real for a in self.args[1:])

    def _latex(self, printer, exp=None):
        n = (len(self.args) - 1) // 2
        fs, gs = self.args[1:n + 1], self.args[n + 1:]
        word = "largest" if self.args[0] > 0 else "smallest"
        rows = [rf"{printer._print(g)} & \text{{where }} {printer._print(f)} \text{{ is the {word}}}"
                for f, g in zip(fs, gs)]
        s = r"\begin{cases} " + r" \\ ".join(rows) + r" \end{cases}"
        return s if exp is None else rf"\left({s}\right)^{{{exp}}}"
