"""The Update screen's optimizer section (AppTest): the rule's equations for a chosen parameter,
from the zero state, agreeing with the trace's new weights and with steps worked by hand."""

import math

import pytest
from conftest import assert_clean

from app.session.state import canonical_json
from core import load_preset, load_scenario, trace


def use(at, d):
    s = load_scenario(d)
    at.session_state["bp_scenario"] = s
    at.session_state["bp_scenario_json"] = canonical_json(s)
    return s


def latex(at):
    return [e.body.strip("$\n") for e in at.latex]


def cards(at):
    return [m.value for m in at.markdown]


def test_default_sgd_step_and_adam_for_comparison(app):
    app.goto("update")
    assert_clean(app)
    t = trace(load_preset("classic_2-2-2"))
    text = " ".join(cards(app))
    assert "trains with sgd" in text and "zero state" in text
    w, g = t.scenario.weights[0][0, 0], t.dC_dW[0][0, 0]
    bodies = latex(app)
    assert any(f"{w - 0.5 * g:.9g}" == b for b in bodies)  # w − η g, η = 0.5 in the classic example
    app.selectbox(key="bp_optim_rule_sgd").set_value("adam").run()
    assert_clean(app)
    bodies = latex(app)
    assert r"t = 1" in bodies and f"{g:.9g}" in bodies  # m̂₁ = g
    # Adam's first step: w − η·g/(|g| + ε) ≈ w − η·sign(g)
    assert f"{w - 0.5 * (g * 0.1 / (math.sqrt(g * g * 0.001) / math.sqrt(0.001) + 1e-8)) / 0.1:.9g}" in bodies
    assert any("about η, whatever the size" in m for m in cards(app))


def test_the_scenarios_own_rule_and_penalty_agree_with_the_table(app):
    d = load_preset("xor_2-4-1").to_dict()
    d.update(optimizer={"name": "rmsprop", "alpha": 0.9}, l2=0.1)
    s = use(app, d)
    app.goto("update")
    assert_clean(app)
    t = trace(s)
    assert "rmsprop (α = 0.9, ε = 1e-08)" in " ".join(cards(app)) and "λ₂ = 0.1" in " ".join(cards(app))
    new = t.weights_new[0][0, 0]
    w, g = s.weights[0][0, 0], t.dC_dW[0][0, 0]
    by_hand = w - s.learning_rate * g / (math.sqrt(0.1 * g * g) + 1e-8)  # s₁ = (1 − α) g²
    assert new == pytest.approx(by_hand, rel=1e-12)
    assert f"{new:.9g}" in latex(app)
    assert any(b.startswith("g = ") and "0.1" in b for b in latex(app))  # the gradient with λ₂w shown
    held = app.selectbox(key="bp_optim_param")
    held.set_value(len(held.options) - 1).run()  # the last bias
    assert_clean(app)
