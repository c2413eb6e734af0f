"""Fuzzing the activation-formula parser: hostile text (a corpus and hypothesis-generated) is refused
with a one-line message before anything is evaluated. eval/exec/compile, sympify and parse_expr are
replaced by tripwires for the whole parse: user text never reaches them, and nothing it says runs."""

import builtins
import os
import sys
from contextlib import ExitStack
from unittest import mock

import pytest
import sympy
import sympy.parsing.sympy_parser
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.symbolic.formula import ALLOWED, MaxOf, MinOf, formula_activation, parse_formula

CORPUS = [
    # dunders and attribute chains
    "__import__", "__builtins__", "z.__class__.__mro__[1].__subclasses__()", "().__class__.__bases__[0]",
    "exp.__globals__['os']", "z.real.imag", "sigmoid.__code__", "__class__", "_z", "z._args",
    # __import__, eval, exec, lambda, other builtins
    "__import__('os').system('touch /tmp/bps_fuzz_pwned')", "__import__('os').environ.__setitem__('BPS_FUZZ', '1')",
    "eval('1+1')", "exec('import os')", "lambda z: z", "(lambda: 0)()", "compile('1', 'f', 'eval')",
    "open('/etc/passwd')",
    "getattr(z, 'func')", "globals()", "locals()", "vars()", "breakpoint()", "input()", "print(z)", "type(z)",
    "setattr(builtins, 'BPS_FUZZ', 1)", "import os", "from os import system", "z; import os", "z if 1 else 0",
    "[c for c in ()]", "{'a': 1}", "{z}", "z := 1", "not z", "z or 1", "z and 1", "z == z", "z < 1", "z @ z",
    "z // 2", "z % 2", "~z", "z << 1", "z >> 1", "z & 1", "z | 1",
    # string literals of every kind
    "'z'", '"z"', "'''z'''", "f'{z}'", "b'z'", "r'z'", "u'z'", "sigmoid('z')",
    # SymPy names outside the whitelist
    "Integral(z, z)", "integrate(z, z)", "Function('f')(z)", "Symbol('x')", "symbols('x')", "Lambda(z, z)",
    "sympify('z')", "S('z')", "parse_expr('z')", "N(z)", "diff(z, z)", "Subs(z, z, 1)", "Piecewise((z, True))",
    "Derivative(z, z)", "Sum(z, (z, 1, 2))", "oo", "zoo", "nan", "I*z", "E**z", "Max(z, 0)", "DiracDelta(z)",
    "gamma(z)", "factorial(z)", "Rational(1, 2)*z", "Matrix([z])", "srepr(z)", "exp(z).evalf()",
    # huge numbers and exponents
    "z**99999999", "9**9**9**9", "9^9^9^9", "2**2**2**2**2**2 * z", "z^(10^10)", "10^400 * z", "1e999*z",
    "99999999999999999999999*z", "exp(exp(exp(100)))*z", "max(exp(exp(exp(100))), z)", "sin(exp(exp(100)))*z",
    "z^exp(exp(exp(9)))", "(1e9^32)^32*z", "z^z^z^z^z^z^z^z^z^z^z^z^z^z^z^z^z^z^z^z^z^z^z^z^z^z^z^z",
    # very long and deeply nested input
    "z" + "+z" * 50_000, "(" * 50_000 + "z" + ")" * 50_000, "-" * 5000 + "z", "exp(" * 30 + "z" + ")" * 30,
    "sigmoid(" * 25 + "z" + ")" * 25, "x" * 100_000, "z" * 201,
    # odd characters
    "z\x00", "z\n+ 1; import os", "z\u202e", "ｚ", "z＋1", "$z$", "\\sigma(z)", "z ** ** 2", "",
]


class TripwireError(AssertionError):
    pass


def guarded(fn, text):
    """fn(text) with every way to run text as code replaced by a tripwire (restored before returning,
    so pytest can report); returns (result or None, the exception or None, the tripwire calls)."""
    calls = []
    sympify_module = sys.modules["sympy.core.sympify"]  # (sympy.core.sympify is the function)
    sympify = sympify_module.sympify

    originals = {"sympify": sympify, **{n: getattr(builtins, n) for n in ("eval", "exec", "compile")}}

    def trip(name, strings_only=False):
        def f(*a, **k):
            code = a[0] if a else None
            if strings_only and not any(isinstance(v, str) for v in (*a, *k.values())):
                return sympify(*a, **k)  # SymPy's own internal sympify of objects: not user text
            if name == "exec" and getattr(code, "co_filename", "").endswith(".py"):
                return originals["exec"](*a, **k)  # the import system loading a module lazily from its file
            calls.append((name, a[:1]))
            raise TripwireError(f"{name} was called")
        return f

    with ExitStack() as stack:
        for name in ("eval", "exec", "compile"):
            stack.enter_context(mock.patch.object(builtins, name, trip(name)))
        for mod in (sympy, sympify_module):
            stack.enter_context(mock.patch.object(mod, "sympify", trip("sympify", strings_only=True)))
        for mod in (sympy, sympy.parsing.sympy_parser):
            stack.enter_context(mock.patch.object(mod, "parse_expr", trip("parse_expr")))
        try:
            return fn(text), None, calls
        except Exception as e:  # noqa: BLE001 - checked by the caller
            return None, e, calls


def _refused(text):
    formula_activation.cache_clear()
    result, err, calls = guarded(formula_activation, text)
    assert calls == [] and result is None
    assert isinstance(err, ValueError) and not isinstance(err, TripwireError), repr(err)
    msg = str(err)
    assert msg and "\n" not in msg and len(msg) < 600, msg
    assert "formula" in msg or "activation" in msg, msg
    return msg


@pytest.mark.parametrize("text", CORPUS, ids=range(len(CORPUS)))
def test_hostile_formula_is_refused_before_anything_runs(text):
    _refused(text)
    assert not hasattr(builtins, "BPS_FUZZ") and "BPS_FUZZ" not in os.environ
    assert not os.path.exists("/tmp/bps_fuzz_pwned")


@pytest.mark.parametrize("text, words", [
    ("__import__('os')", ["strings are not allowed"]),
    ("z.__class__", ["attribute access"]),
    ("lambda z: z", ["':' is not allowed"]),
    ("lambda(z)", ["unknown name 'lambda'"]),
    ("Integral(z, z)", ["unknown name 'Integral'"]),
    ("Symbol('x')", ["strings are not allowed"]),
    ("z**99999999", ["exponent 99999999 is too large"]),
    ("9**9**9**9", ["too large"]),
    ("exp(exp(exp(100)))*z", ["number too large to compute with"]),
    ("x" * 100_000, ["formula too long (100000 characters, at most 200)"]),
    ("exp(" * 30 + "z" + ")" * 30, ["nesting deeper than"]),
])
def test_refusals_say_what_is_wrong_and_what_is_allowed(text, words):
    msg = _refused(text)
    for w in words:
        assert w in msg, (w, msg)
    if "too long" not in msg:
        assert ALLOWED in msg  # and what may be typed instead


_ATOMS = ["z", "1", "0", "2.5", "1e300", "9", "e", "pi", "exp", "log", "sqrt", "max", "Heaviside", "sigmoid",
          "__", "_", ".", "'", '"', "lambda", "import", "os", "eval", "Integral", "Symbol", "Function", "[", "]",
          "{", "}", "(", ")", ",", ":", ";", "=", "+", "-", "*", "/", "^", "**", " ", "\n", "\\", "@", "!"]


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.sampled_from(_ATOMS), max_size=30).map("".join) | st.text(max_size=60))
def test_generated_text_is_parsed_or_refused_without_running_anything(text):
    e, err, calls = guarded(parse_formula, text)
    assert calls == []
    if err is not None:
        assert isinstance(err, ValueError) and not isinstance(err, TripwireError), repr(err)
        assert "\n" not in str(err) and len(str(err)) < 600
    else:
        assert isinstance(e, sympy.Expr)
        assert e.free_symbols <= {sympy.Symbol("z", real=True)}
        assert not e.atoms(sympy.Function) - e.atoms(sympy.exp, sympy.log, sympy.tanh, sympy.sinh, sympy.cosh,
                                                       sympy.sin, sympy.cos, sympy.atan, sympy.erf, sympy.sign,
                                                       sympy.Heaviside, sympy.Max, sympy.Min, sympy.Abs,
                                                       MaxOf, MinOf)
