"""Saturated and dead neurons, on hand-made cases: σ'(z)/σ'(0) = 4 e^{−|z|}/(1 + e^{−|z|})² for the
sigmoid and 1 − tanh²(z) for tanh, below 10⁻³ from |z| ≈ 8.29 (sigmoid) and |z| ≈ 4.15 (tanh)."""

import math

import numpy as np
import pytest

from core import load_scenario, trace
from core.engine.health import EXPLAIN, SATURATED, neuron_health, slope_ratio


def test_slope_ratio_matches_the_closed_forms():
    for z in (0.0, 1.0, -3.0, 8.0, 9.0, -20.0):
        s = 1 / (1 + math.exp(-z))
        assert slope_ratio("sigmoid", np.array(z)) == pytest.approx(s * (1 - s) / 0.25, rel=1e-12)
        assert slope_ratio("tanh", np.array(z)) == pytest.approx(1 / math.cosh(z) ** 2, rel=1e-7, abs=1e-15)


@pytest.mark.parametrize("name, z, expected", [
    ("sigmoid", [[0.0, 8.0, 8.6, -9.0, 700.0]], ["", "", "saturated", "saturated", "saturated"]),
    ("tanh", [[0.5, 4.0, 4.3, -5.0, -1e4]], ["", "", "saturated", "saturated", "saturated"]),
    ("relu", [[-1.0, 0.0, 0.5]], ["dead", "dead", ""]),
    ("leaky_relu", [[-1.0, -100.0]], ["", ""]),  # a leaky ReLU always has slope 0.01
    ("linear", [[1e6, -1e6]], ["", ""]),
])
def test_one_example(name, z, expected):
    assert neuron_health([name], [np.array(z)]) == [expected]


def test_the_thresholds_are_where_the_slope_falls_below_a_thousandth():
    # sigmoid: 4e^{-z}/(1+e^{-z})^2 = 1e-3 at z = 8.2918...; tanh: sech^2 z = 1e-3 at z = 4.1495...
    z_sig = math.log(3998 + math.sqrt(3998**2 - 4)) - math.log(2)
    z_tanh = math.acosh(math.sqrt(1000))
    for name, zc in (("sigmoid", z_sig), ("tanh", z_tanh)):
        assert slope_ratio(name, np.array(zc)) == pytest.approx(SATURATED, rel=1e-9)
        assert neuron_health([name], [np.array([[zc - 1e-6, zc + 1e-6]])]) == [["", "saturated"]]


def test_a_batch_dead_only_if_every_example_is_off_saturated_per_example_or_all():
    z = np.array([[-1.0, 9.0], [-2.0, 0.0], [-0.5, 9.5]])
    assert neuron_health(["relu"], [z]) == [["dead", ""]]
    assert neuron_health(["relu"], [z[[0, 2]]]) == [["dead", ""]]
    assert neuron_health(["sigmoid"], [z]) == [["", ""]]  # neuron 2 is not flat for example 2
    assert neuron_health(["sigmoid"], [z], n=0) == [["", "saturated"]]
    assert neuron_health(["sigmoid"], [z], n=1) == [["", ""]]
    assert neuron_health(["relu"], [z], n=1) == [["dead", ""]]  # dead is always judged on the batch


def test_softmax_and_formulas_are_never_marked_and_a_trace_can_be_classified():
    d = {"layers": [2, 3, 2], "activations": ["relu", "softmax"], "loss": "cross_entropy",
         "weights": [[[1, 1], [-1, -1], [50, 50]], [[1, 0, 0], [0, 1, 0]]], "biases": [[0, 0, 0], [0, 0]],
         "x": [[1, 2], [3, 0.5]], "y": [[1, 0], [0, 1]]}
    t = trace(load_scenario(d))
    assert neuron_health(t.scenario.activations, t.zs) == [["", "dead", ""], ["", ""]]
    d.update(activations=["sigmoid", "softmax"])
    t = trace(load_scenario(d))
    assert neuron_health(t.scenario.activations, t.zs) == [["", "", "saturated"], ["", ""]]
    assert neuron_health(["log(1 + exp(z))"], [np.array([[-50.0]])]) == [[""]]
    assert set(EXPLAIN) == {"saturated", "dead"} and all("not an error" in v for v in EXPLAIN.values())


def test_the_drawings_ring_saturated_and_dead_neurons_with_an_explanation():
    import plotly.graph_objects as go

    from app.walkthrough import stepping
    from app.walkthrough.figures import network_figure

    d = {"layers": [2, 3, 1], "activations": ["relu", "sigmoid"], "x": [1, 2], "y": [1],
         "weights": [[[1, 1], [-1, -1], [2, 2]], [[1, 1, 30]]], "biases": [[0, 0, 0], [0]]}
    t = trace(load_scenario(d))  # neuron 2 of layer 2 is dead (z = −3); the output z = 3 + 0 + 180 saturates
    fig = network_figure(t.scenario.layers, **stepping.backward_drawing(t, 0, "neuron", 0).kwargs)
    go.Figure(fig.to_dict())  # valid plotly
    ring = next(tr for tr in fig.data if tr.name == "saturated or dead")
    assert list(zip(ring.x, ring.y, ring.text)) == [(1.0, 0.0, "⊘ dead ReLU"), (2.0, 0.0, "⊘ saturated")]
    note = fig.layout.annotations[0].text
    assert EXPLAIN["saturated"] in note and EXPLAIN["dead"] in note
    # the forward drawing marks a neuron only once it has been computed
    first = network_figure(t.scenario.layers, **stepping.forward_drawing(t, 0, "neuron", 0).kwargs)
    assert not [tr for tr in first.data if tr.name == "saturated or dead"] and not first.layout.annotations
    last = network_figure(t.scenario.layers, **stepping.forward_drawing(t, 0, "neuron", 3).kwargs)
    assert [tr.text for tr in last.data if tr.name == "saturated or dead"] == [("⊘ dead ReLU", "⊘ saturated")]
    healthy = network_figure(t.scenario.layers, **stepping.backward_drawing(trace(load_scenario(
        {**d, "weights": [[[1, 1], [1, 1], [1, 1]], [[0.1, 0.1, 0.1]]]})), 0, "neuron", 0).kwargs)
    assert not [tr for tr in healthy.data if tr.name == "saturated or dead"]
