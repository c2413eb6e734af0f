"""The Update screen's worked step (core.symbolic.optim_steps) and the initialization explorer
(core.lab.init_explorer), checked by hand and against the trace."""

import math

import numpy as np
import pytest

from core import load_preset, trace
from core.lab.init_explorer import health, identical_rows, scenario_dict, symmetric_layers
from core.symbolic.latex import format_number
from core.symbolic.optim_steps import worked_update

RULES = [{"name": "sgd"}, {"name": "momentum", "momentum": 0.9}, {"name": "momentum", "nesterov": True},
         {"name": "rmsprop"}, {"name": "adam"}]


@pytest.mark.parametrize("spec", RULES)
def test_the_worked_value_is_the_traces_new_weight_exactly(spec):
    d = load_preset("article003_3-4-2").to_dict()
    d.update(optimizer=spec, l2=0.01)
    t = trace(d)
    for (i, j, k) in [(0, 0, 0), (1, 1, 2)]:
        eqs = worked_update(t.scenario.optimizer, t.scenario.learning_rate, "w", t.scenario.weights[i][j, k],
                            t.dC_dW[i][j, k])
        rule = eqs[-2]  # the last line before Δ is the new value
        assert rule.value == format_number(t.weights_new[i][j, k])


@pytest.mark.parametrize("spec", RULES)
def test_the_new_values_name_is_valid_latex_with_a_superscripted_name(spec):
    """The screen names parameters as w^{2}_{11}; its new value must be {w^{2}_{11}}^{+}, not
    w^{2}_{11}^{+} (a double superscript, which KaTeX draws as a red error instead of the equation)."""
    import re

    eqs = worked_update(spec, 0.5, "w^{2}_{11}", 0.15, 0.0004)
    for e in eqs:
        for tex in (e.symbolic, e.numeric):
            assert not re.search(r"\^\{[^{}]*\}_\{[^{}]*\}\^", tex), tex
    assert any("{w^{2}_{11}}^{+}" in e.symbolic for e in eqs)


def test_adam_lines_by_hand():
    g, w = -0.25, 0.4
    eqs = worked_update({"name": "adam"}, 0.01, "w", w, g)
    values = {e.symbolic.split(" =")[0]: e.value for e in eqs}
    f = format_number  # the app's one number formatter
    assert values["m_1"] == f(0.1 * g) and values["v_1"] == f(0.001 * g * g)
    assert values[r"\hat m_1"] == f(g) and values[r"\hat v_1"] == f(g * g)
    assert float(eqs[-2].value) == pytest.approx(w + 0.01, abs=1e-9)  # ≈ w − η·sign(g)


def test_penalty_line_and_held_bias():
    eqs = worked_update({"name": "sgd"}, 0.5, "w", -2.0, 0.3 - 0.2 * 2.0 - 0.1, l1=0.1, l2=0.2, g_data=0.3)
    assert eqs[0].value == f"g = {0.3 - 0.4 - 0.1:.9g}" and r"\operatorname{sign}" in eqs[0].symbolic
    held = worked_update({"name": "adam"}, 0.5, "b", 0.7, 1.0, trained=False)
    assert len(held) == 1 and held[0].value == "0.7"


def test_zero_weights_give_layer_2_no_gradient_and_identical_rows():
    h = health(scenario_dict(4, 8, "sigmoid", "zeros"))
    assert h.grad_rms[0] == 0.0 and "exactly 0" in h.summary
    assert identical_rows([[1, 2], [3, 4], [1, 2], [1, 2.0000001]]) == [[0, 2]]
    W = np.zeros((3, 2))
    assert symmetric_layers([W, np.ones((1, 3))], [np.zeros(3), np.zeros(1)]) == {2: [[0, 1, 2]]}


def test_sigmoid_too_small_vanishes_and_he_relu_keeps_the_spread():
    small = health(scenario_dict(10, 32, "sigmoid", "small"))
    assert small.grad_rms[0] < 1e-6 * small.grad_rms[-1] and "Vanishing" in small.summary
    he = health(scenario_dict(8, 64, "relu", "he"))
    # He keeps the mean square of z about constant through relu layers: the spread neither dies nor blows up
    assert 0.2 < he.act_std[-2] / he.act_std[0] < 5 and math.isfinite(he.grad_rms[0])


def test_the_step_screens_update_equation_shows_the_rules_own_step_not_gradient_descent():
    """With Adam the walkthrough's update card must not claim w − η·g: Adam's first step is η·sign(g) (up to eps)."""
    import re

    from core import load_preset, load_scenario, trace
    from core.engine.steps import UpdateStep
    from core.symbolic.derive import step_equation

    d = load_preset("classic_2-2-2").to_dict()
    d["optimizer"] = {"name": "adam", "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
    t = trace(load_scenario(d))
    records = [r for r in t.steps(0) if isinstance(r, UpdateStep) and r.trained]
    assert len(records) == 8  # the classic example holds its biases fixed
    for r in records:
        eq = step_equation(t, r)
        shown = float(re.search(r"leftarrow (-?[\d.e-]+)$", eq.value).group(1))
        # Adam's first step in closed form: m̂ = g, v̂ = g², so Δ = −η g / (|g| + eps), η = 0.5
        assert shown == pytest.approx(r.old - 0.5 * r.grad / (abs(r.grad) + 1e-8), abs=5e-9)
        old, step = (float(v) for v in re.findall(r"\(?(-?[\d.]+(?:e-?\d+)?)\)?", eq.numeric.split("leftarrow")[1]))
        assert old + step == pytest.approx(shown, abs=1e-8) and "- \\eta" not in eq.symbolic
