"""Custom activations typed as a formula in z, parsed safely into SymPy.

The text is untrusted. It is tokenized and parsed here by a small recursive-descent parser
with a whitelist (the variable z, numbers, + - * / ^ ** ( ) , and a fixed list of functions
and constants); the SymPy expression is built node by node from that parse. Nothing the user
typed is ever evaluated as code: anything else is refused with a one-line ValueError before
SymPy sees it. SymPy then differentiates the expression, and both are compiled with
``lambdify`` (NumPy) for the engine.
"""

from __future__ import annotations

import cmath
import math
import re
from functools import lru_cache

import numpy as np
import sympy as sp

from core.engine.activations import ACTIVATIONS, Activation
from core.symbolic import formula_vet
from core.symbolic.extremum import MaxOf, MinOf

MAX_LENGTH = 200  # characters
MAX_DEPTH = 24  # nesting of parentheses, calls, signs and powers
MAX_EXPONENT = 32  # |p| for a constant exponent
MAX_NUMBER = 1e9  # |literal|
MAX_VALUE = 1e300  # |value| of any constant part (e.g. exp(exp(9))): SymPy would spend minutes on more
MAX_VARIABLES, MAX_NAME = 16, 16  # an expression in named variables (the graph screen)
SAMPLE = np.linspace(-6.0, 6.0, 121)  # "typical z" the formula must be real and finite on

z = sp.Symbol("z", real=True)


# name -> (arity, builder); arity None = two or more arguments
_sigmoid = lambda u: 1 / (1 + sp.exp(-u))
FUNCTIONS = {
    "exp": (1, sp.exp), "log": (1, sp.log), "ln": (1, sp.log), "sqrt": (1, sp.sqrt), "abs": (1, sp.Abs),
    "tanh": (1, sp.tanh), "sinh": (1, sp.sinh), "cosh": (1, sp.cosh), "sin": (1, sp.sin), "cos": (1, sp.cos),
    "atan": (1, sp.atan), "arctan": (1, sp.atan), "erf": (1, sp.erf), "sigmoid": (1, _sigmoid),
    "sign": (1, sp.sign), "Heaviside": (1, sp.Heaviside), "heaviside": (1, sp.Heaviside),
    "max": (None, MaxOf), "min": (None, MinOf),
}
CONSTANTS = {"e": sp.E, "pi": sp.pi}
ALLOWED = ("use z, numbers, + - * / ^ ** ( ) and " + ", ".join(f"{f}()" for f in FUNCTIONS if f != "heaviside")
           + ", e, pi")

_TOKEN = re.compile(r"\s*(?:(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)|(?P<name>[A-Za-z_][A-Za-z_0-9]*)"
                    r"|(?P<op>\*\*|[-+*/^(),]))")
_FRIENDLY = {"−": "-", "·": "*", "×": "*", "²": "^2"}


def _q(text: str) -> str:
    """User text quoted in a message: one line, at most 40 characters."""
    t = "".join(c if c.isprintable() else " " for c in text)
    return t if len(t) <= 40 else t[:39] + "…"


def _refuse(why: str) -> ValueError:
    return ValueError(f"{why} in formula: {ALLOWED}")


def _tokens(text: str) -> list[tuple[str, str]]:
    out, i = [], 0
    while i < len(text):
        m = _TOKEN.match(text, i)
        if not m:
            rest = text[i:].lstrip()
            if not rest:
                break
            c = rest[0]
            if c == ".":
                raise _refuse("attribute access ('.') is not allowed")
            if c in "'\"":
                raise _refuse("strings are not allowed")
            if c in "[]{}":
                raise _refuse(f"'{c}' is not allowed (no indexing, lists or sets)")
            if c in ":=<>!&|%@~;#":
                raise _refuse(f"'{c}' is not allowed")
            raise _refuse(f"unexpected character {c!r}")
        kind = m.lastgroup
        out.append((kind, m.group(kind)))
        i = m.end()
    return out


class _Parser:
    """expr := term (('+'|'-') term)* ; term := unary (('*'|'/') unary)* ;
    unary := ('+'|'-') unary | power ; power := atom (('^'|'**') unary)? ;
    atom := number | z | constant | function '(' expr (',' expr)* ')' | '(' expr ')'."""

    def __init__(self, tokens, variables: dict | None = None):
        self.t, self.i, self.depth = tokens, 0, 0
        self.variables = variables  # None: the one variable z; a dict: named variables, filled as met

    def peek(self):
        return self.t[self.i] if self.i < len(self.t) else (None, None)

    def take(self, value=None):
        tok = self.peek()
        if value is not None and tok[1] != value:
            found = "the end" if tok[1] is None else f"'{tok[1]}'"
            raise _refuse(f"expected '{value}' but found {found}")
        self.i += 1
        return tok

    def nest(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _refuse(f"nesting deeper than {MAX_DEPTH} levels")

    def parse(self):
        if not self.t:
            raise ValueError(f"empty activation: give a name such as sigmoid, or a formula in z: {ALLOWED}")
        e = self.expr()
        if self.i != len(self.t):
            raise _refuse(f"unexpected '{self.peek()[1]}' (write products with '*', e.g. 2*z)")
        return e

    def expr(self):
        e = self.term()
        while self.peek()[1] in ("+", "-"):
            op = self.take()[1]
            r = self.term()
            e = _finite(e + r if op == "+" else e - r)
        return e

    def term(self):
        e = self.unary()
        while self.peek()[1] in ("*", "/"):
            op = self.take()[1]
            r = self.unary()
            if op == "/" and r == 0:
                raise _refuse("division by zero")
            e = _finite(e * r if op == "*" else e / r)
        return e

    def unary(self):
        if self.peek()[1] in ("+", "-"):
            op = self.take()[1]
            self.nest()
            e = self.unary()
            self.depth -= 1
            return _finite(-e if op == "-" else e)
        return self.power()

    def power(self):
        base = self.atom()
        if self.peek()[1] in ("^", "**"):
            self.take()
            self.nest()
            p = self.unary()
            self.depth -= 1
            return _finite(_pow(_finite(base), _finite(p)))
        return base

    def atom(self):
        kind, v = self.take()
        if kind == "num":
            x = float(v)
            if not math.isfinite(x) or abs(x) > MAX_NUMBER:
                raise _refuse(f"number {v} is too large (at most {MAX_NUMBER:g})")
            return sp.Integer(int(v)) if v.isdigit() else sp.Float(x)
        if v == "(":
            self.nest()
            e = self.expr()
            self.take(")")
            self.depth -= 1
            return e
        if kind == "name":
            if v == "z" and self.variables is None:
                return z
            if v in CONSTANTS:
                return CONSTANTS[v]
            if v in FUNCTIONS:
                return self.call(v)
            if v.startswith("_"):
                raise _refuse(f"name '{v}' is not allowed")
            if self.variables is not None:
                return self.variable(v)
            if len(self.t) == 1:
                raise ValueError(f"'{v}' is neither a known activation ({', '.join(ACTIVATIONS)}) "
                                 f"nor a formula in z: {ALLOWED}")
            raise _refuse(f"unknown name '{v}'" + (" (the variable is z)" if len(v) == 1 else ""))
        raise _refuse("unexpected end" if v is None else f"unexpected '{v}'")

    def variable(self, name):
        if name not in self.variables:
            if len(name) > MAX_NAME:
                raise _refuse(f"variable name '{name[:20]}' is too long (at most {MAX_NAME} characters)")
            if len(self.variables) >= MAX_VARIABLES:
                raise _refuse(f"more than {MAX_VARIABLES} variables")
            self.variables[name] = sp.Symbol(name, real=True)
        return self.variables[name]

    def call(self, name):
        arity, build = FUNCTIONS[name]
        if self.peek()[1] != "(":
            raise _refuse(f"'{name}' is a function: write {name}(...)")
        self.take("(")
        self.nest()
        args = [self.expr()]
        while self.peek()[1] == ",":
            self.take()
            args.append(self.expr())
        self.take(")")
        self.depth -= 1
        if arity == 1 and len(args) != 1:
            raise _refuse(f"{name}() takes one argument, found {len(args)}")
        if arity is None and len(args) < 2:
            raise _refuse(f"{name}() takes two or more arguments")
        return _finite(build(*[_finite(a) for a in args]))


_UNDEFINED = (sp.zoo, sp.oo, -sp.oo, sp.nan)
_CMATH = {sp.exp: cmath.exp, sp.log: cmath.log, sp.tanh: cmath.tanh, sp.sinh: cmath.sinh, sp.cosh: cmath.cosh,
          sp.sin: cmath.sin, sp.cos: cmath.cos, sp.atan: cmath.atan}
_REAL = {sp.erf: math.erf, sp.sign: lambda v: float(v > 0) - float(v < 0),
         sp.Heaviside: lambda v: 1.0 if v > 0 else 0.0 if v < 0 else 0.5}


def _value(e) -> complex:
    """The value of a constant expression in plain (complex) floats: never SymPy's arbitrary precision,
    so that e.g. exp(exp(exp(100))) costs microseconds; inf when it overflows."""
    try:
        if e.is_Number:
            return complex(float(e))
        if e is sp.E or e is sp.pi:
            return complex(float(e))
        if e is sp.I:
            return 1j
        args = [_value(a) for a in e.args]
        if isinstance(e, sp.Add):
            return sum(args)
        if isinstance(e, sp.Mul):
            return math.prod(args)
        if isinstance(e, sp.Pow):
            return args[0] ** args[1]
        if isinstance(e, sp.Abs):
            return complex(abs(args[0]))
        if e.func in _CMATH:
            return _CMATH[e.func](args[0])
        if e.func in _REAL or isinstance(e, (sp.Max, sp.Min)):
            if any(a.imag for a in args):
                raise _refuse(f"{e.func.__name__}() of a number that is not real")
            if e.func in _REAL:
                return complex(_REAL[e.func](args[0].real))
            return complex((max if isinstance(e, sp.Max) else min)(a.real for a in args))
    except (OverflowError, ZeroDivisionError):
        return complex(math.inf)
    except ValueError as ex:
        if "formula" in str(ex):
            raise
        return complex(math.nan)
    raise _refuse(f"the constant {sp.sstr(e)[:30]} cannot be evaluated")


def _finite(x):
    """x, unless it holds an undefined or infinite constant (log(0), 0^-1, …) or a constant part
    too large to compute with."""
    if x.has(*_UNDEFINED) or x.has(sp.AccumBounds):
        raise _refuse("an undefined or infinite value (such as log(0) or 0^-1)")
    if x.is_number:
        v = _value(x)
        if not cmath.isfinite(v) or abs(v) > MAX_VALUE:
            raise _refuse(f"a number too large to compute with (above {MAX_VALUE:g}, such as exp(exp(9)))")
    return x


def _pow(base, p):
    """base ** p, refusing exponents that would make huge numbers or huge polynomials."""
    if p.is_number:
        pv = _value(p)
        if pv.imag or abs(pv.real) > MAX_EXPONENT:
            raise _refuse(f"exponent {sp.sstr(p)[:20]} is too large (|exponent| ≤ {MAX_EXPONENT})")
        if base.is_number:
            bv = _value(base)
            if bv != 0 and abs(pv.real) * math.log10(abs(bv)) > 300:
                raise _refuse("number too large")
    elif base.is_number:
        if abs(_value(base)) > 1e6:
            raise _refuse("base of a power of z too large")
    return sp.Pow(base, p)


def parse_formula(text: str, variables: dict | None = None) -> sp.Expr:
    """The SymPy expression of a formula in z, built from a whitelisted parse (nothing is evaluated);
    with ``variables`` (a dict), in named variables instead, each added to it as it is met."""
    if not isinstance(text, str):
        raise ValueError(f"a formula is text, found {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ValueError(f"formula too long ({len(text)} characters, at most {MAX_LENGTH}): shorten it")
    for a, b in _FRIENDLY.items():
        text = text.replace(a, b)
    tokens = _tokens(text)
    try:
        return _finite(_Parser(tokens, variables).parse())
    except ValueError as e:
        if "formula" in str(e) or "activation" in str(e):
            raise
        raise _refuse(f"it cannot be built ({str(e)[:60]})") from None
    except (TypeError, ArithmeticError, RecursionError) as e:
        raise _refuse(f"it cannot be built ({e.__class__.__name__})") from None


VARIABLES = "use variable names (letters, digits, _), numbers"


def parse_expression(text: str) -> tuple[sp.Expr, dict[str, sp.Symbol]]:
    """An expression in named variables (at most 16), parsed like a formula but left as written
    (unevaluated SymPy, so (x + y)*z keeps its shape), and its variables in order of appearance."""
    variables: dict[str, sp.Symbol] = {}
    try:
        with sp.evaluate(False):
            e = parse_formula(text, variables)
    except ValueError as ex:
        msg = str(ex).replace("use z, numbers", VARIABLES).replace("a formula in z", "an expression")
        raise ValueError(msg.replace("empty activation: give a name such as sigmoid, or", "empty expression: give")
                         .replace("in formula:", "in expression:")) from None
    return e, variables


def _numeric_safe(e: sp.Expr) -> sp.Expr:
    """Derivatives of step functions are zero almost everywhere: DiracDelta -> 0."""
    return e.replace(lambda x: isinstance(x, sp.DiracDelta), lambda x: sp.Integer(0))


_NUMPY_EXTRA = {"erf": np.vectorize(math.erf, otypes=[float])}  # NumPy has no erf


def _compile(e: sp.Expr):
    fn = sp.lambdify(z, e, modules=[_NUMPY_EXTRA, "numpy"])

    def f(x):
        x = np.asarray(x, dtype=float)
        with np.errstate(all="ignore"):
            out = np.asarray(fn(x))
        if np.iscomplexobj(out):
            out = np.where(out.imag == 0, out.real, np.nan)
        out = out.astype(float, copy=False)
        return out if out.shape == x.shape else np.broadcast_to(out, x.shape).copy()

    return f


def _check(f, what: str, text: str):
    try:
        v = f(SAMPLE)
    except (TypeError, ValueError, ArithmeticError) as e:
        raise ValueError(f"formula '{_q(text)}': {what} cannot be evaluated numerically "
                         f"({e.__class__.__name__})") from None
    bad = ~np.isfinite(v)
    if bad.any():
        zb = SAMPLE[np.argmax(bad)]
        raise ValueError(f"formula '{_q(text)}': {what} is not a finite real number at z = {zb:g}; an activation "
                         f"must be defined for every z (e.g. write sqrt(1 + z^2) rather than sqrt(z))")


@lru_cache(maxsize=256)
def formula_expr(text: str) -> tuple[sp.Expr, sp.Expr]:
    """(σ(z), σ'(z)) as SymPy expressions for a formula, the derivative made numeric-safe. A formula that
    parses is first prepared once in a worker within a deadline (``core.symbolic.formula_vet``)."""
    e = parse_formula(text)
    if not e.has(z):
        raise ValueError(f"formula '{_q(text)}' does not depend on z: an activation is a function of z, e.g. tanh(z)")
    formula_vet.vet(text)
    try:
        d = _finite(_numeric_safe(sp.diff(e, z)))
    except (TypeError, ArithmeticError, RecursionError) as ex:
        raise ValueError(f"formula '{_q(text)}': SymPy cannot differentiate it ({ex.__class__.__name__})") from None
    return e, d


@lru_cache(maxsize=256)
def formula_activation(text: str) -> Activation:
    """An Activation for a formula in z (e.g. ``log(1 + exp(z))``): SymPy derives σ', NumPy evaluates both.

    Raises ValueError (one line: what is wrong and what is allowed) for a refused formula, and for
    one that is not real and finite for z in [-6, 6] (e.g. ``sqrt(z)``, ``log(z)``).
    """
    e, d = formula_expr(text)
    try:
        f, df = _compile(e), _compile(d)
    except Exception as ex:  # a SymPy function NumPy cannot print: refuse, never crash
        raise ValueError(f"formula '{_q(text)}' cannot be evaluated numerically ({ex.__class__.__name__})") from None
    _check(f, "its value", text)
    _check(df, "its derivative", text)
    return Activation(name=text, output=f, derivative=lambda zz, a: df(zz), formula=text)


@lru_cache(maxsize=256)
def activation_expr(name: str) -> sp.Expr:
    """σ(z) as a SymPy expression in ``formula.z`` for a registry name (not softmax) or a formula."""
    if name in ACTIVATIONS:
        if ACTIVATIONS[name].sympy is None:
            raise ValueError(f"{name} is not elementwise: it has no single-variable expression")
        return ACTIVATIONS[name].sympy(sp, z)
    return formula_expr(name)[0]
