"""Custom activations typed as formulas: values and derivatives against hand-written NumPy references
and finite differences, hostile text refused with nothing executed, and formulas in scenarios."""

import builtins
import os
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import load_scenario, trace, train
from core.engine.activations import ACTIVATIONS, get_activation
from core.symbolic.formula import MAX_DEPTH, MAX_LENGTH, formula_activation, parse_formula

Z = np.array([[-3.0, -1.2, -0.4, 0.3, 0.9, 2.5]])

REFERENCES = {
    "log(1 + exp(z))": (lambda z: np.log1p(np.exp(z)), lambda z: 1 / (1 + np.exp(-z))),
    "z/(1 + abs(z))": (lambda z: z / (1 + np.abs(z)), lambda z: 1 / (1 + np.abs(z)) ** 2),
    "z/(1 + exp(-z))": (lambda z: z / (1 + np.exp(-z)),
                        lambda z: 1 / (1 + np.exp(-z)) + z * np.exp(-z) / (1 + np.exp(-z)) ** 2),
    "max(z, 0.1*z)": (lambda z: np.maximum(z, 0.1 * z), lambda z: np.where(z > 0, 1.0, 0.1)),
    "2^z - z**2 / 3": (lambda z: 2.0**z - z**2 / 3, lambda z: np.log(2) * 2.0**z - 2 * z / 3),
    "−z ^ 2 · 0.5": (lambda z: -0.5 * z**2, lambda z: -z),  # unicode minus and dot are accepted
    "sigmoid(z) * tanh(z)": (lambda z: np.tanh(z) / (1 + np.exp(-z)),
                             lambda z: (np.exp(-z) / (1 + np.exp(-z)) ** 2) * np.tanh(z)
                             + (1 - np.tanh(z) ** 2) / (1 + np.exp(-z))),
    "Heaviside(z) * z + min(z, 0)^2": (lambda z: np.where(z > 0, z, 0.0) + np.minimum(z, 0) ** 2,
                                       lambda z: np.where(z > 0, 1.0, 2 * z)),
    "sqrt(1 + z^2) - 1": (lambda z: np.sqrt(1 + z**2) - 1, lambda z: z / np.sqrt(1 + z**2)),
    "erf(z/sqrt(2)) * e + pi": (lambda z: np.array([[__import__("math").erf(v / 2**0.5) * np.e + np.pi
                                                     for v in z[0]]]),
                                lambda z: np.e * np.sqrt(2 / np.pi) * np.exp(-z**2 / 2)),
}


@pytest.mark.usefixtures("roomy_formula_budget")
@pytest.mark.parametrize("text", REFERENCES)
def test_formula_value_and_derivative_match_references(text):
    f, df = REFERENCES[text]
    act = get_activation(text)
    assert act.name == text and act.formula == text and not act.output_only
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = act.output(Z)
        np.testing.assert_allclose(a, f(Z), rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(act.derivative(Z, a), df(Z), rtol=1e-10, atol=1e-12)
    assert a.shape == Z.shape
    h = 1e-6  # and a central difference of the numeric output itself
    fd = (act.output(Z + h) - act.output(Z - h)) / (2 * h)
    np.testing.assert_allclose(act.derivative(Z, a), fd, rtol=1e-6, atol=1e-7)


def test_formulas_are_cached_and_builtins_untouched():
    assert get_activation("log(1 + exp(z))") is get_activation("log(1 + exp(z))")
    assert formula_activation.cache_info().hits > 0
    assert get_activation("sigmoid") is ACTIVATIONS["sigmoid"]


def test_derivatives_of_kinks_are_finite_and_silent():
    z = np.array([-1.0, 0.0, 1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for text in ("abs(z)", "max(z, 0)", "Heaviside(z) + z", "sign(z) * z^2", "min(z, 1)"):
            act = get_activation(text)
            assert np.all(np.isfinite(act.derivative(z, act.output(z)))), text
    assert get_activation("abs(z)").derivative(z, None).tolist() == [-1.0, 0.0, 1.0]


HOSTILE = [
    "__import__('os')", "z.__class__", "().__class__", "lambda: 1", "'a'", '"z"', "9**9**9", "z**100000",
    "open('x')", "exp(z)[0]", "z if z else 1", "[z]", "import os", "z; import os", "eval('1')",
    "globals()", "__builtins__", "z.real", "exp.__globals__", "{z}", "z @ z", "z // 2", "z % 2", "z == 1",
    "not z", "z and 1", "f'{z}'", "b'x'", "exec('PWNED=1')", "__import__('os').system('touch /tmp/pwned')",
    "getattr(z, 'x')", "Symbol('x')", "x", "foo(z)", "2z", "z^", "(z", "z)", "exp()",
    "exp(z, z)", "max(z)", "z" * 300, "(" * 40 + "z" + ")" * 40, "-" * 30 + "z", "1e999 * z", "2^(9^9) * z",
    "((9^32)^32)^32 * z", "z^1e9", "z^(1/0)", "z / 0", "1", "", "   ", "\\frac{1}{z}", "z\x00", "$z",
    "setattr(__import__('builtins'), 'PWNED', 1)", "log(0)*z", "0^-1*z", "max(z, log(0))", "atan(log(0)) + z",
    "Heaviside(log(0)) + z", "z^log(0)",
    "__import__('os').environ.__setitem__('BPS_PWNED', '1')",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_formulas_are_refused_before_anything_runs(text, monkeypatch):
    def forbidden(*a, **k):
        raise AssertionError("user text reached eval/exec/compile")

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    monkeypatch.setattr(builtins, "compile", forbidden)
    with pytest.raises(ValueError) as e:
        formula_activation(text)  # parsing refuses it before lambdify (which would need exec)
    msg = str(e.value)
    assert "\n" not in msg and len(msg) < 400
    assert "formula" in msg or "activation" in msg
    assert not hasattr(builtins, "PWNED") and "BPS_PWNED" not in os.environ
    assert not os.path.exists("/tmp/pwned")


def test_hostile_formulas_are_refused_through_the_scenario_too():
    base = {"layers": [1, 1], "x": [0.5], "y": [0.2]}
    for text in ("__import__('os')", "z.__class__", "foo(z)", "sqrt(z)"):
        with pytest.raises(ValueError, match=r"^activations\[0\]: "):
            load_scenario({**base, "activations": [text]})
    assert not hasattr(builtins, "PWNED")


def test_messages_say_what_is_wrong_and_what_is_allowed():
    with pytest.raises(ValueError, match=r"unknown name 'foo' in formula: use z, numbers, \+ - \* / \^ \*\* \( \) and "
                                         r"exp\(\), log\(\)"):
        parse_formula("foo(z) + 1")
    with pytest.raises(ValueError, match="neither a known activation .*sigmoid.* nor a formula in z"):
        get_activation("sigmod")
    with pytest.raises(ValueError, match=r"formula too long \(300 characters, at most 200\)"):
        parse_formula("z" * 300)
    with pytest.raises(ValueError, match=f"nesting deeper than {MAX_DEPTH}"):
        parse_formula("(" * 30 + "z" + ")" * 30)
    with pytest.raises(ValueError, match=r"exponent 100000 is too large"):
        parse_formula("z**100000")
    with pytest.raises(ValueError, match=r"write products with '\*', e.g. 2\*z"):
        parse_formula("2z")
    with pytest.raises(ValueError, match="attribute access"):
        parse_formula("z.__class__")
    assert MAX_LENGTH == 200


@pytest.mark.parametrize("text,where", [("sqrt(z)", "z = -6"), ("log(z)", "z = -6"), ("1/z", "z = 0"),
                                         ("exp(exp(exp(z)))", "its value"), ("z^z", "z = -5.9"),
                                         ("abs(z)^0.5", "its derivative is not a finite real number at z = 0"),
                                         ("log(-1) + z", "z = -6")])
def test_formulas_not_real_and_finite_at_typical_z_are_refused(text, where):
    with pytest.raises(ValueError, match="not a finite real number") as e:
        formula_activation(text)
    assert where in str(e.value)


def test_a_formula_network_traces_and_trains_like_a_builtin():
    d = {"layers": [2, 3, 1], "activations": ["log(1 + exp(z))", "sigmoid"], "x": [[0, 0], [0, 1], [1, 0], [1, 1]],
         "y": [[0], [1], [1], [0]], "learning_rate": 1.0, "init": {"scheme": "xavier", "seed": 3}}
    t = trace(d)
    assert np.isfinite(t.cost)
    r = train(d, 300)
    assert r.diverged_at is None and r.loss_history[-1] < r.loss_history[0]
    # the same network with the built-in sigmoid typed as a formula gives the built-in's numbers
    same = trace({**d, "activations": ["sigmoid", "1/(1 + exp(-z))"]})
    ref = trace({**d, "activations": ["sigmoid", "sigmoid"]})
    for g1, g2 in zip(same.dC_dW, ref.dC_dW):
        np.testing.assert_allclose(g1, g2, rtol=1e-12)


_PIECES = ["z", "1", "2", "0", "0.5", "1e3", "e", "pi", "+", "-", "*", "/", "^", "**", "(", ")", ",", "exp(",
           "log(", "sqrt(", "abs(", "tanh(", "max(", "min(", "Heaviside(", "sign(", "sigmoid(", "erf(", "atan(",
           "sin(", "cos(", " ", ".", "'", "_", "[", "x", "__", "lambda"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=14))
def test_any_text_is_either_an_activation_or_a_valueerror(pieces):
    text = "".join(pieces)
    try:
        act = formula_activation(text)
    except ValueError as e:
        assert "\n" not in str(e)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = act.output(Z)
        assert a.shape == Z.shape and act.derivative(Z, a).shape == Z.shape
