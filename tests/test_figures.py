"""The drawing and the pure helpers behind the screens: valid plotly, few traces, the right
highlights; stepping maps; the 'updated weights by mistake' maths against a hand loop."""

import re

import numpy as np
import plotly.graph_objects as go
import pytest

from app.walkthrough import stepping
from app.walkthrough.figures import NEGATIVE, POSITIVE, network_figure
from core import load_preset, load_scenario, trace
from core.engine.mistake import updated_weights_by_mistake
from core.symbolic.notation import short_number as fmt
from core.symbolic.notation import weight_name


def _big():
    return load_scenario({"layers": [8, 8, 8, 8, 8, 8, 8, 8], "activations": ["tanh"] * 6 + ["sigmoid"],
                          "x": [0.1] * 8, "y": [0.5] * 8, "init": {"scheme": "he", "seed": 1}})


def test_figures_are_valid_plotly_with_a_handful_of_traces():
    for s in (load_preset("classic_2-2-2"), _big()):
        t = trace(s)
        for d in (stepping.network_drawing(s), stepping.forward_drawing(t, 0, "neuron", 3),
                  stepping.backward_drawing(t, 0, "neuron", 5), stepping.backward_drawing(t, 0, "matrix", 1),
                  stepping.forward_drawing(t, 0, "matrix", 2), stepping.update_drawing(t)):
            fig = network_figure(s.layers, **d.kwargs)
            go.Figure(fig.to_dict())  # validates every property
            assert len(fig.data) <= 14  # edges bucketed, not one trace per edge
            assert fig.layout.paper_bgcolor == "rgba(0,0,0,0)"


def test_edges_are_coloured_by_sign_and_sized_by_magnitude():
    W = [np.array([[1.0, -0.25]])]
    fig = network_figure([2, 1], W)
    lines = {(tr.line.color, tr.line.width) for tr in fig.data if tr.mode == "lines"}
    assert {c for c, _ in lines} == {POSITIVE, NEGATIVE}
    assert max(w for c, w in lines if c == POSITIVE) > max(w for c, w in lines if c == NEGATIVE)


def test_forward_drawing_marks_the_active_neuron_and_its_incoming_edges():
    t = trace(load_preset("classic_2-2-2"))
    kw = stepping.forward_drawing(t, 0, "neuron", 2).kwargs  # neuron 1 of layer 3
    assert kw["active_nodes"] == [(3, 0)]
    assert kw["active_edges"] == [(3, 0, 0), (3, 0, 1)]
    assert kw["node_labels"][2][1] == ""  # not computed yet
    a = float(re.search(r"a³₁ = (-?[\d.]+)", kw["node_labels"][2][0]).group(1))
    assert a == pytest.approx(0.75136507, abs=5e-5)  # out_o1 as the classic article publishes it


def test_backward_drawing_shows_gradients_only_where_reached():
    t = trace(load_preset("classic_2-2-2"))
    kw = stepping.backward_drawing(t, 0, "neuron", 4).kwargs  # ∂C/∂w³₁₁
    shown = kw["edge_shown"]
    assert shown[1][0, 0] and not shown[1][1, 1] and not shown[0].any()
    assert float(kw["edge_labels"][1][0][0]) == pytest.approx(0.082167041, abs=5e-5)  # the article's ∂E/∂w5
    assert kw["active_edges"] == [(3, 0, 0)]


def test_neuron_and_matrix_steps_map_to_each_other():
    t = trace(load_preset("article000_4-2-2-1"))
    steps = t.steps(0)
    for phase in ("forward", "backward"):
        for m in range(stepping.count(steps, phase, "matrix")):
            i = stepping.to_neuron(steps, phase, m)
            assert stepping.to_matrix(steps, phase, i) == m


def test_mistake_matches_an_in_place_loop_and_changes_only_hidden_gradients():
    t = trace(load_preset("classic_2-2-2"))
    m = updated_weights_by_mistake(t)
    assert np.array_equal(m.dC_dW[-1], t.dC_dW[-1])
    s = t.scenario
    # by hand: δ² from the updated W³
    d3 = t.deltas[1]
    W3_new = s.weights[1] - s.learning_rate * t.dC_dW[1]
    d2 = (d3 @ W3_new) * t.dsigmas[0]
    assert m.dC_dW[0] == pytest.approx(d2.T @ t.activations[0])
    assert not np.allclose(m.dC_dW[0], t.dC_dW[0])
    assert m.cost_after != pytest.approx(trace(s.with_params(t.weights_new, t.biases_new)).cost, abs=1e-15)


def test_names():
    assert weight_name(3, 0, 1) == "w³₁₂" and weight_name(2, 1, None) == "b²₂"
    assert fmt(0.000438568) == "0.0004386" and fmt(1234567.0) == "1.235e+06" and fmt(0.0) == "0"
