"""Property-based tests (hypothesis): the scenario loader refuses any JSON-like value with a
one-line ScenarioError and nothing else, and the engine on valid random networks, extreme weights
included, gives finite values and gradients without a single NumPy warning."""

import json
import math
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from core import Scenario, ScenarioError, forward, load_scenario, loss_and_gradients, trace, train
from core.engine.scenario import FIELDS

SETTINGS = settings(max_examples=250, deadline=None, suppress_health_check=list(HealthCheck))
GOOD = {"layers": [2, 2, 1], "activations": ["sigmoid", "sigmoid"], "x": [0.05, 0.1], "y": [0.01],
        "weights": [[[0.15, 0.2], [0.25, 0.3]], [[0.4, 0.45]]], "biases": [[0.35, 0.35], [0.6]],
        "loss": "mse", "learning_rate": 0.5, "train_biases": True, "init": {"scheme": "xavier", "seed": 0}}

scalars = (st.none() | st.booleans() | st.integers(-3, 5) | st.integers()
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=12)
           | st.sampled_from(["sigmoid", "softmax", "mse", "bce", "cross_entropy", "xavier", "z**2",
                              "__import__('os')", "NaN", "1e999"]))
json_like = st.recursive(scalars, lambda c: st.lists(c, max_size=5) | st.dictionaries(
    st.sampled_from(FIELDS) | st.text(max_size=6), c, max_size=5), max_leaves=30)


def _loads_or_refuses(value):
    try:
        s = load_scenario(value)
    except ScenarioError as e:  # the only exception allowed
        msg = str(e)
        assert msg and "\n" not in msg and len(msg) < 500, msg
        return None
    assert isinstance(s, Scenario)
    assert all(np.all(np.isfinite(a)) for a in (*s.weights, *s.biases, s.x, s.y))
    return s


@SETTINGS
@given(json_like)
def test_any_json_value_is_a_scenario_or_a_scenario_error(value):
    _loads_or_refuses(value)


@SETTINGS
@given(st.sampled_from(sorted(GOOD)), json_like)
def test_one_field_of_a_good_scenario_replaced_by_anything(key, value):
    _loads_or_refuses({**GOOD, key: value})


@SETTINGS
@given(st.sampled_from(["weights", "biases", "x", "y", "layers"]), st.data())
def test_one_number_deep_inside_replaced_by_anything(key, data):
    d = json.loads(json.dumps(GOOD))
    node = d[key]
    while isinstance(node, list) and node and isinstance(node[0], list):
        node = node[data.draw(st.integers(0, len(node) - 1))]
    node[data.draw(st.integers(0, len(node) - 1))] = data.draw(scalars)
    _loads_or_refuses(d)


@SETTINGS
@given(st.text(max_size=200))
def test_any_text_after_a_brace_is_a_scenario_or_a_scenario_error(text):
    _loads_or_refuses("{" + text)  # text starting with { is read as JSON, never as a path


# ---- the engine on valid random scenarios --------------------------------------------------

HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu", "linear"]
OUTPUTS = [("sigmoid", "mse"), ("sigmoid", "bce"), ("softmax", "cross_entropy"), ("tanh", "mse"),
           ("linear", "mse"), ("relu", "mse")]


@st.composite
def scenarios(draw, w_max=1e3):
    L = draw(st.integers(2, 4))
    out_act, loss = draw(st.sampled_from(OUTPUTS))
    layers = [draw(st.integers(1, 4)) for _ in range(L - 1)]
    layers.append(draw(st.integers(2 if out_act == "softmax" else 1, 3)))
    acts = [draw(st.sampled_from(HIDDEN)) for _ in range(L - 2)] + [out_act]
    N = draw(st.integers(1, 3))
    num = lambda lim: st.floats(-lim, lim, allow_nan=False)
    extreme = num(w_max) | st.sampled_from([w_max, -w_max, 0.0])
    weights = [[[draw(extreme) for _ in range(m)] for _ in range(n)] for m, n in zip(layers, layers[1:])]
    biases = [[draw(extreme) for _ in range(n)] for n in layers[1:]]
    x = [[draw(num(10)) for _ in range(layers[0])] for _ in range(N)]
    n_out = layers[-1]
    if loss == "cross_entropy":
        y = [[float(i == draw(st.integers(0, n_out - 1))) for i in range(n_out)] for _ in range(N)]
        y = [[v / sum(r) if sum(r) else 1.0 / n_out for v in r] for r in y]
    elif loss == "bce":
        y = [[draw(st.floats(0, 1)) for _ in range(n_out)] for _ in range(N)]
    else:
        y = [[draw(num(5)) for _ in range(n_out)] for _ in range(N)]
    return {"layers": layers, "activations": acts, "loss": loss, "weights": weights, "biases": biases,
            "x": x, "y": y, "learning_rate": draw(st.sampled_from([0.01, 0.5, 3.0]))}


def _finite(*arrays):
    return all(np.all(np.isfinite(np.asarray(a, float))) for a in arrays)


def _bounded(d) -> bool:
    """No float64 overflow is possible in z: |z| stays below 1e150 whatever the activations do
    (unbounded activations pass values through, so a product of layer norms bounds them)."""
    bound = max(1.0, max(abs(v) for r in d["x"] for v in r))
    for W, b in zip(d["weights"], d["biases"]):
        bound = bound * sum(abs(v) for r in W for v in r) + sum(abs(v) for v in b) + 1.0
    return bound < 1e150


@SETTINGS
@given(scenarios())
def test_engine_values_and_gradients_are_finite_and_silent_at_extreme_weights(d):
    assume(_bounded(d))
    s = load_scenario(d)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any overflow / divide / invalid RuntimeWarning fails the test
        zs, activations = forward(s.weights, s.biases, [a.output for a in s.acts], s.x)
        cost, dC_dW, dC_db = loss_and_gradients(s.weights, s.biases, s.acts, s.cost, s.x, s.y)
        t = trace(s)
    assert math.isfinite(cost) and cost >= 0
    assert _finite(*zs, *activations, *dC_dW, *dC_db)
    assert _finite(t.costs, *t.zs, *t.activations, *t.deltas, *t.dC_dW, *t.dC_db, *t.weights_new, *t.biases_new)
    assert t.cost == pytest.approx(cost, rel=1e-12, abs=1e-300)
    for a, name in zip(activations[1:], s.activations):
        if name in ("sigmoid", "softmax"):
            assert np.all((a >= 0) & (a <= 1))
        if name == "tanh":
            assert np.all(np.abs(a) <= 1)
    if s.activations[-1] == "softmax":
        np.testing.assert_allclose(activations[-1].sum(axis=1), 1.0, rtol=1e-12)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(scenarios(w_max=50.0))
def test_training_is_silent_and_either_finite_or_stopped_at_the_first_non_finite_cost(d):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = train(d, 20)
    h = r.loss_history
    if r.diverged_at is None:
        assert len(h) == 21 and _finite(h, *r.weights, *r.biases)
    else:
        assert len(h) == r.diverged_at + 1 and _finite(h[:-1]) and not np.isfinite(h[-1])


@pytest.mark.parametrize("name, big", [("sigmoid", 1e3), ("tanh", 1e3), ("softmax", 1e3), ("sigmoid", 1e300),
                                       ("softmax", 1e300)])
def test_activations_and_costs_at_huge_z_are_exact_limits_without_warnings(name, big):
    from core.engine.activations import ACTIVATIONS
    from core.engine.costs import COSTS

    z = np.array([[big, -big]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = ACTIVATIONS[name].output(z)
        assert a.tolist() == ([[1.0, 0.0]] if name == "softmax" or name == "sigmoid" else [[1.0, -1.0]])
        if name == "sigmoid":
            c = COSTS["bce"].value(a, np.array([[0.0, 1.0]]), z)  # both outputs confidently wrong
            assert c[0] == pytest.approx(2 * big, rel=1e-12)  # −log σ(−big) = big, exactly the softplus
        if name == "softmax":
            c = COSTS["cross_entropy"].value(a, np.array([[0.0, 1.0]]), z)
            assert c[0] == pytest.approx(2 * big, rel=1e-12)


@pytest.mark.parametrize("z, y", [(40.0, 0.0), (-40.0, 1.0), (2.0, 0.3), (-700.0, 0.5)])
def test_bce_output_dC_da_is_finite_where_the_sigmoid_rounds_to_0_or_1(z, y):
    """∂C/∂a = (a − y)/(a(1 − a)) against 60-digit arithmetic: a = σ(40) rounds to 1.0 in floats, but
    1 − a = 4.2e-18, so ∂C/∂a = 2.35e17, not infinity."""
    import mpmath

    mpmath.mp.dps = 60
    a = 1 / (1 + mpmath.e ** (-mpmath.mpf(z)))
    exact = float((a - y) / (a * (1 - a)))
    d = {"layers": [1, 1], "activations": ["sigmoid"], "loss": "bce", "weights": [[[1.0]]], "biases": [[0.0]],
         "x": [z], "y": [y]}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t = trace(d)
    assert t.dC_das[-1][0, 0] == pytest.approx(exact, rel=1e-12)


def test_cross_entropy_dC_da_is_zero_not_nan_where_softmax_underflows_and_y_is_0():
    z, y = [800.0, 0.0, -5.0], [1.0, 0.0, 0.0]  # a_2 = e^{-800}/… and a_3 underflow to 0.0
    d = {"layers": [1, 3], "activations": ["softmax"], "loss": "cross_entropy", "weights": [[[v] for v in z]],
         "biases": [[0.0] * 3], "x": [1.0], "y": y}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t = trace(d)
    assert t.activations[-1][0].tolist() == [1.0, 0.0, 0.0]
    assert t.dC_das[-1][0].tolist() == [-1.0, 0.0, 0.0]  # −y_j/a_j: 0 where y_j = 0 (0/0 before), −1/1
