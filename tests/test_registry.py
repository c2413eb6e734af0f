"""The activation and cost registries: every record has every face, and the faces agree with
each other and with high-precision arithmetic (mpmath). ``softplus`` is the built-in added as one
entry of core/engine/activations.py: these tests check it reaches the engine, the symbolic layer, the
equations, the health marks and the builder's menu."""

from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest
import sympy as sp

from core import load_scenario, trace
from core.engine.activations import ACTIVATIONS
from core.engine.costs import COSTS
from core.engine.health import neuron_health
from core.lab.gradcheck import gradient_check
from core.symbolic.formula import activation_expr, z
from core.symbolic.latex import act_latex, activation_derivative_latex

ELEMENTWISE = [n for n, a in ACTIVATIONS.items() if a.sympy is not None]
POINTS = np.array([-7.5, -2.3, -0.7, 0.4, 1.1, 2.9, 8.0])


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_numpy_and_sympy_faces_of_each_activation_agree(name):
    act = ACTIVATIONS[name]
    e = activation_expr(name)
    f = sp.lambdify(z, e, "mpmath")
    d = sp.lambdify(z, sp.diff(e, z).replace(lambda x: isinstance(x, sp.DiracDelta), lambda x: 0), "mpmath")
    with mp.workdps(40):
        want_f = [float(f(mp.mpf(float(p)))) for p in POINTS]
        want_d = [float(d(mp.mpf(float(p)))) for p in POINTS]
    a = act.output(POINTS)
    np.testing.assert_allclose(a, want_f, rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(act.derivative(POINTS, a), want_d, rtol=1e-12, atol=1e-15)  # 1 − a²: cancels


SYMPY_PRINTED = ("sigmoid", "tanh", "linear", "softplus")  # relu's and leaky_relu's tex is the textbook max(·)


@pytest.mark.parametrize("name", SYMPY_PRINTED)
def test_a_records_written_out_sigma_is_what_sympy_prints(name):
    """The forward pass shows σ(ζ) from the record (no SymPy on that screen): SymPy's own print of it."""
    zeta = sp.Symbol("zeta", real=True)
    e = activation_expr(name).subs(z, zeta)
    assert ACTIVATIONS[name].tex == (sp.latex(e), sp.latex(e, mul_symbol="dot"))


def test_every_record_writes_out_its_sigma():
    assert [n for n, a in ACTIVATIONS.items() if not a.tex] == []


def test_softplus_against_high_precision_arithmetic():
    act = ACTIVATIONS["softplus"]
    z_ = np.array([-800.0, -40.0, -1.0, 0.0, 0.5, 30.0, 800.0])
    with mp.workdps(50):
        want = [float(mp.log(1 + mp.exp(mp.mpf(v)))) for v in z_]
        slope = [float(1 / (1 + mp.exp(-mp.mpf(v)))) for v in z_]
    a = act.output(z_)
    np.testing.assert_allclose(a, want, rtol=1e-15, atol=0)  # log(1 + e^800) = 800 without overflow
    np.testing.assert_allclose(act.derivative(z_, a), slope, rtol=1e-15, atol=0)
    assert act.output(np.array([0.0]))[0] == pytest.approx(np.log(2.0), rel=1e-15)


def test_softplus_reaches_the_equations_health_and_menu():
    sig, dsig = activation_derivative_latex("softplus")
    assert sig.startswith(r"\sigma(z) = ") and r"\log" in sig and "e^{{z}}" in sig
    assert dsig.startswith(r"\sigma'(z) = ") and "e^{{z}}" in dsig
    assert act_latex("softplus").branches == ()  # smooth: no case split
    from app.walkthrough.builder import ACTIVATION_CHOICES, HIDDEN_CHOICES

    assert "softplus" in ACTIVATION_CHOICES and "softplus" in HIDDEN_CHOICES
    assert "softmax" in ACTIVATION_CHOICES and "softmax" not in HIDDEN_CHOICES
    # a softplus neuron far to the left has slope ≈ 0 but is neither "saturated" (no max slope) nor "dead"
    assert neuron_health(["softplus"], [np.array([[-50.0, 3.0]])]) == [["", ""]]


def test_a_softplus_network_steps_and_its_gradients_check_out():
    s = load_scenario({"layers": [2, 3, 1], "activations": ["softplus", "sigmoid"], "loss": "mse",
                       "x": [[0.5, -1.0], [2.0, 0.3]], "y": [[1.0], [0.0]], "init": {"scheme": "xavier", "seed": 3}})
    t = trace(s)
    W2, b2 = s.weights[0], s.biases[0]
    z2 = s.x @ W2.T + b2
    with mp.workdps(40):
        a2 = np.array([[float(mp.log(1 + mp.exp(mp.mpf(v)))) for v in row] for row in z2])
    np.testing.assert_allclose(t.a(2, 0), a2[0], rtol=1e-14)
    np.testing.assert_allclose(t.a(2, 1), a2[1], rtol=1e-14)
    rows = gradient_check(s.weights, s.biases, s, s.x, s.y)
    assert max(r.rel_error for r in rows) < 1e-6
    from core.symbolic.derive import step_equation

    first = step_equation(t, t.steps(0)[0])
    assert "the softplus turns that into its activation" in first.sentence


@pytest.mark.parametrize("name", list(COSTS))
def test_each_cost_record_agrees_with_itself(name):
    c = COSTS[name]
    rng = np.random.default_rng(4)
    zL = rng.normal(size=3)
    if c.output == "softmax":
        a = np.exp(zL) / np.exp(zL).sum()
        y = np.array([0.0, 1.0, 0.0])
    else:
        a = 1 / (1 + np.exp(-zL))
        y = np.array([0.0, 1.0, 0.3])
    assert c.terms(a, y, zL).sum() == pytest.approx(float(c.value(a[None], y[None], zL[None])[0]), rel=1e-13)
    # ∂C/∂a by central differences of the value, written in a (not z)
    value_in_a = {"mse": lambda a_: 0.5 * np.sum((a_ - y) ** 2),
                  "bce": lambda a_: -np.sum(y * np.log(a_) + (1 - y) * np.log(1 - a_)),
                  "cross_entropy": lambda a_: -np.sum(y * np.log(a_))}[name]
    h = 1e-6
    num = [(value_in_a(a + h * e) - value_in_a(a - h * e)) / (2 * h) for e in np.eye(3)]
    np.testing.assert_allclose(c.dC_da(a, y), num, rtol=1e-6)
    assert c.term_tex("a", "y", False) and c.dC_da_tex("a", "y", True) and c.matrix_tex("A", "Y", "Y^T", "1-Y")
    assert c.tex.startswith("C = ") and c.words and c.menu.startswith(name)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_slope_facts_of_each_activation_are_true_of_its_derivative(name):
    act = ACTIVATIONS[name]
    grid = np.linspace(-12.0, 12.0, 2401)
    slope = act.derivative(grid, act.output(grid))
    if act.max_slope is not None:  # σ'(0) and the largest slope anywhere
        assert act.derivative(np.array([0.0]), act.output(np.array([0.0])))[0] == pytest.approx(act.max_slope)
        assert slope.max() == pytest.approx(act.max_slope, rel=1e-12)
    neg = grid[grid <= 0]
    dead = bool(np.all(act.output(neg) == 0) and np.all(act.derivative(neg, act.output(neg)) == 0))
    assert act.dies == dead
    eps = np.array([-1e-9, 1e-9])
    left, right = act.derivative(eps, act.output(eps))
    assert act.kink == (abs(right - left) > 1e-3)
    assert act.in_words.startswith("the") or act.in_words == "tanh"
