"""The training lab's optimizer sections through AppTest: choosing a rule while paused, the
compared optimizer/η pairs and their paths, one weight's state, the penalty and its histogram,
the η bound and the eigenvector picture, the initialization explorer and identical neurons.
Expected values come from the rules written out here or from core functions other than the
one drawing the screen (e.g. λ_max recomputed on the session's weights)."""

import base64

import numpy as np
import pytest
from test_app_train import APP, chart, charts, choose, lab, metric  # noqa: F401  (the lab's helpers)

from app.session.state import canonical_json
from core import load_preset, load_scenario
from core.lab.curvature import curvature
from core.lab.training import evaluate


@pytest.fixture
def at():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("../pages/train.py")
    at.run()
    assert not at.exception
    return at


def values(v):
    """A figure's array as sent to the browser (plain list, or Plotly's base64 'bdata')."""
    if isinstance(v, dict):
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"])
    return np.asarray(v, dtype=float)


def ok(at):
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def section(at, name):
    at.radio(key="tl_w_osec").set_value(name).run()
    ok(at)


def test_adam_chosen_while_paused_and_its_state_follows_the_rule(at):
    choose(at, "xor")
    at.selectbox(key="tl_w_opt").set_value("adam").run()
    ok(at)
    s = lab(at)
    assert s.optimizer == {"name": "adam", "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
    at.number_input(key="tl_w_beta1").set_value(0.8).run()
    assert lab(at).optimizer["beta1"] == 0.8
    for _ in range(3):
        at.button(key="tl_step").click().run()
    ok(at)
    h = np.array(s.state_history)  # rows (step, g, m, v, m̂, v̂)
    g = h[:, 1]
    assert h[0, 2] == pytest.approx(0.2 * g[0]) and h[0, 3] == pytest.approx(0.001 * g[0] ** 2)
    assert h[0, 4] == pytest.approx(g[0]) and h[0, 5] == pytest.approx(g[0] ** 2)  # m̂₁ = g, v̂₁ = g²
    m2 = 0.8 * 0.2 * g[0] + 0.2 * g[1]
    assert h[1, 2] == pytest.approx(m2) and h[1, 4] == pytest.approx(m2 / (1 - 0.8**2))
    names = [t["name"] for t in chart(at, "adam")["data"]]
    assert names[1:] == ["m", "v", "m̂", "v̂"]
    at.button(key="tl_play").click().run()
    assert at.selectbox(key="tl_w_opt").disabled  # the rule changes only while paused


def test_pairs_of_rules_and_learning_rates_on_one_chart_and_one_contour(at):
    choose(at, "xor", epochs=50)
    at.multiselect(key="tl_w_rates").set_value([0.1, 1.0]).run()
    at.multiselect(key="tl_w_cmp_opts").set_value(["sgd", "momentum"]).run()
    ok(at)
    names = [t.get("name", "") for t in chart(at, "Same network, same start, different rules")["data"]]
    assert {n.split(" · ")[0] for n in names if n} == {"sgd, η = 0.1", "sgd, η = 1", "momentum, η = 0.1",
                                                      "momentum, η = 1"}
    paths = [t for t in chart(at, "Paths over")["data"] if t["type"] == "scatter" and t["name"] != "common start"]
    assert len(paths) == 4 and all(values(p["x"])[0] == values(paths[0]["x"])[0] for p in paths)  # same start
    at.multiselect(key="tl_w_cmp_opts").set_value(["sgd", "momentum", "adam"]).run()
    ok(at)
    assert "6 pairs picked: the first 5 are shown" in " ".join(c.value for c in at.caption)


def test_l1_pushes_weights_to_zero_and_the_histogram_shows_it(at):
    choose(at, "gaussians", n=100, epochs=100)
    at.select_slider(key="tl_w_l1").set_value(0.1).run()
    s = lab(at)
    assert s.l1 == 0.1 and s.scenario.l1 == 0.1
    w = np.concatenate([W.ravel() for W in s.weights])
    data_cost = evaluate(s.weights, s.biases, s.scenario, s.x, s.y, s.task, l1=0.0, l2=0.0)[0]
    assert s.epoch_costs[0] == pytest.approx(data_cost + 0.1 * np.sum(np.abs(w)), rel=1e-12)  # shown with it
    for _ in range(30):
        at.button(key="tl_step_epoch").click().run()
    section(at, "Regularization")
    hist = chart(at, "The weights")
    assert [t["name"] for t in hist["data"]] == ["at the start", "now"]
    w = np.concatenate([W.ravel() for W in s.weights])
    band = s.eta * 0.1
    near = int(np.sum(np.abs(w) <= band))
    assert near >= 1 and f"{near} of {w.size} weights are there now" in " ".join(c.value for c in at.caption)


def test_eta_bound_and_the_picture_along_the_top_eigenvector(at):
    choose(at, "xor")
    s = lab(at)
    c = curvature(s.to_scenario(), s.x, s.y)
    text = " ".join(c_.value for c_ in at.caption)
    assert f"stable below about η ≈ {c.eta_max:.3g}" in text
    section(at, "Why η diverges")
    assert metric(at, "λ_max (largest curvature)") == f"{c.lambda_max:.4g}"
    fig = chart(at, "Why η diverges")
    steps = next(t for t in fig["data"] if t["name"].startswith("gradient-descent steps"))
    assert len(steps["x"]) >= 2


def test_zero_weights_keep_hidden_neurons_identical_and_the_app_says_so(at):
    d = load_preset("xor_2-4-1").to_dict()
    d.pop("weights")
    d["init"] = {"scheme": "zeros", "seed": 0}
    s0 = load_scenario(d)
    at.session_state["bp_scenario"] = s0
    at.session_state["bp_scenario_json"] = canonical_json(s0)
    at.run()
    choose(at, "and")  # (XOR's targets average out: its zero network would get no gradient at all)
    for _ in range(3):
        at.button(key="tl_step_epoch").click().run()
    ok(at)
    s = lab(at)
    assert s.steps > 0 and np.all(s.weights[1] != 0)  # the output weights did move
    assert np.all(s.weights[0] == s.weights[0][0])  # yet every hidden neuron is the same one
    info = " ".join(i.value for i in at.info)
    assert "Identical hidden neurons (layer 2: neurons {1, 2, 3, 4})" in info


def test_initialization_explorer_vanishing_and_symmetric(at):
    section(at, "Initialization and depth")
    at.slider(key="tl_w_x_depth").set_value(10).run()
    at.selectbox(key="tl_w_x_init").set_value("small").run()
    ok(at)
    assert "Vanishing gradients" in " ".join(m.value for m in at.markdown)
    bars = chart(at, "Before training")["data"]
    grad = values(bars[1]["y"])
    assert len(values(bars[0]["y"])) == 9 and grad[0] < 1e-6 * grad[-1]
    at.selectbox(key="tl_w_x_init").set_value("zeros").run()
    at.toggle(key="tl_x_train").set_value(True).run()
    ok(at)
    assert "still identical" in " ".join(i.value for i in at.info)
