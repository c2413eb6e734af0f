"""Quiz mode with AppTest on the classic 2-2-2 example (Mazur's network, whose published numbers are
the reference: z²₁ = 0.3775, a²₁ = 0.593269992, ∂C/∂a³₁ = 0.74136507, w³₁₁ → 0.35891648): hidden
values, right and wrong predictions, hints, reveal, scores per pass, the summary, pages, custom networks."""

import json

import pytest

from app.walkthrough import stepping
from core import load_preset, trace
from tests._stage import component_args, figures, node_labels, report, shows
from tests.conftest import assert_clean as _ok

Z21, A21 = "0.3775", "0.593269992"  # z²₁ and a²₁, 9 significant figures


def _quiz(at, page):
    at.goto(page)
    at.toggle(key="quiz_toggle").set_value(True).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _predict(at, phase, g, q, text):
    at.text_input(key=f"quiz_guess_{phase}_{g}_{q}").input(text)
    at.button(key="quiz_check").click().run()
    assert not at.exception, [e.message for e in at.exception]


def _shown(at) -> str:
    """Every text on screen: markdown, LaTeX, captions, notices, metrics, tables and the drawing."""
    parts = [x.value for kind in ("markdown", "latex", "caption", "success", "error", "warning", "info")
             for x in getattr(at, kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [df.value.to_string() for df in at.dataframe]
    parts += [json.dumps(f, ensure_ascii=False) for f in figures(at)]
    parts += [json.dumps(a, ensure_ascii=False) for a in component_args(at)]  # the stage: every frame it holds
    return "\n".join(parts)


def _node_labels(at) -> list[str]:
    return node_labels(at)


def _score(at) -> str:
    return next(m.value for m in at.markdown if "right first time" in m.value)


def test_the_switch_hides_the_current_value_everywhere_on_screen(app):
    app.goto("forward")
    assert Z21 in _shown(app) and A21 in _shown(app)  # without the quiz the step shows them
    _quiz(app, "forward")
    _ok(app)
    text = _shown(app)
    assert Z21 not in text and A21 not in text and "0.5933" not in text  # (0.5933: the drawing's 4 digits)
    assert any(r"z^{2}_{1} = \;?" in x.value for x in app.latex)
    assert not app.metric


def test_a_wrong_prediction_says_how_far_off_and_scores_a_miss(app):
    _quiz(app, "forward")
    _predict(app, "forward", 0, 0, "0.5")
    # 0.5 − 0.3775 = 0.1225, which is 32.45 % of 0.3775
    assert [e.value for e in app.error] == ["Off by 0.12 (32 % of the value): your prediction is too high."]
    assert _score(app) == "**Forward pass: 0 of 1 right first time**"
    assert Z21 not in _shown(app)  # still hidden


def test_a_right_prediction_reveals_the_value_and_scores(app):
    _quiz(app, "forward")
    _predict(app, "forward", 0, 0, "0,378")  # a decimal comma; within ±0.0005 of 0.3775
    assert [s.value for s in app.success] == []  # the answered question turns into its revealed line
    assert any(x.value.strip("$\n ") == r"z^{2}_{1} = 0.3775" for x in app.latex)
    assert any("Right first time" in c.value for c in app.caption)
    assert _score(app) == "**Forward pass: 1 of 1 right first time**"
    assert A21 not in _shown(app)  # the next number of the step is still hidden
    assert any(r"a^{2}_{1} = \;?" in x.value for x in app.latex)


def test_the_tolerance_is_the_teachers_setting(app):
    _quiz(app, "forward")
    app.button(key="quiz_reveal").click().run()
    _predict(app, "forward", 0, 1, "0.59")  # 0.0033 from a²₁: wrong to 3 s.f. (±0.0005)
    assert app.error and "Off by 0.0033" in app.error[0].value
    app.select_slider(key="quiz_sigfigs").set_value(2).run()
    _predict(app, "forward", 0, 1, "0.59")  # right to 2 s.f. (±0.005)
    assert any(x.value.strip("$\n ") == rf"a^{{2}}_{{1}} = {A21}" for x in app.latex)


def test_hints_show_the_equation_then_the_numbers_then_reveal_shows_the_value(app):
    _quiz(app, "forward")
    sym = r"z^{2}_{1} = w^{2}_{11} a^{1}_{1} + w^{2}_{12} a^{1}_{2} + b^{2}_{1}"
    num = r"z^{2}_{1} = 0.15 \cdot 0.05 + 0.2 \cdot 0.1 + 0.35"
    latex = lambda: [x.value.strip("$\n ") for x in app.latex]  # noqa: E731
    assert sym not in latex() and num not in latex()
    app.button(key="quiz_hint").click().run()
    assert sym in latex() and num not in latex()
    app.button(key="quiz_hint").click().run()
    assert sym in latex() and num in latex()
    assert app.button(key="quiz_hint").disabled
    assert Z21 not in "".join(latex())
    app.button(key="quiz_reveal").click().run()
    assert r"z^{2}_{1} = 0.3775" in latex()
    assert any(c.value == "Revealed without a prediction." for c in app.caption)
    assert _score(app) == "**Forward pass: 0 of 1 right first time**"


def test_a_typo_gets_a_message_and_costs_nothing(app):
    _quiz(app, "forward")
    _predict(app, "forward", 0, 0, "abc")
    assert "is not a number" in app.warning[0].value
    assert _score(app) == "**Forward pass: 0 of 0 right first time**"


def test_a_revealed_step_shows_its_full_card_and_the_drawing_its_values(app):
    _quiz(app, "forward")
    assert _node_labels(app)[2] == ""  # neuron 1 of layer 2: no z, no a yet
    _predict(app, "forward", 0, 0, "0.3775")
    assert shows(_node_labels(app)[2], {"z²₁": 0.3775})  # z revealed, a not
    _predict(app, "forward", 0, 1, "0.5933")
    assert shows(_node_labels(app)[2], {"z²₁": 0.3775, "a²₁": 0.593269992})
    assert any(A21 in x.value and r"\begin{aligned}" in x.value for x in app.latex)  # the whole equation card
    app.button(key="forward_next").click().run()
    assert shows(_node_labels(app)[2], {"z²₁": 0.3775, "a²₁": 0.593269992}) and _node_labels(app)[3] == ""


def test_the_backward_drawing_hides_gradients_not_reached_even_on_hover(app):
    app.goto("backward")
    assert "0.082167" in _shown(app)  # without the quiz, hovering any edge shows its ∂C/∂w (w³₁₁: 0.0821670406)
    _quiz(app, "backward")
    assert "0.082167" not in _shown(app) and "0.08217" not in _shown(app)


def test_each_example_of_a_batch_keeps_its_own_score(app):
    from app.walkthrough.builder import pretty_json
    from core import load_scenario

    s = load_scenario({"layers": [2, 2, 1], "activations": ["sigmoid", "sigmoid"], "x": [[0, 1], [1, 0]],
                       "y": [[1], [0]]})
    app.text_area(key="json_text_area").input(pretty_json(s)).run()
    app.button(key="import_json").click().run()
    _quiz(app, "forward")
    app.button(key="quiz_reveal").click().run()
    assert _score(app) == "**Forward pass: 0 of 1 right first time**"
    app.number_input(key="example_select").set_value(2).run()
    assert _score(app) == "**Forward pass: 0 of 0 right first time**"
    app.number_input(key="example_select").set_value(1).run()
    assert _score(app) == "**Forward pass: 0 of 1 right first time**"


def test_scores_are_per_pass_and_survive_moving_between_pages(app):
    _quiz(app, "forward")
    _predict(app, "forward", 0, 0, "0.3775")
    app.goto("network")
    app.goto("backward")
    assert app.toggle(key="quiz_toggle").value  # the switch is kept
    assert _score(app) == "**Backward pass: 0 of 0 right first time**"
    start = trace(load_preset("classic_2-2-2")).steps(0).phase_start("backward")
    assert "0.74136507" not in _shown(app) and "0.7414" not in _shown(app)  # ∂C/∂a³₁ hidden, also in the drawing
    _predict(app, "backward", start, 0, "0.741")
    assert _score(app) == "**Backward pass: 1 of 1 right first time**"
    app.goto("forward")
    assert _score(app) == "**Forward pass: 1 of 1 right first time**"
    assert any(x.value.strip("$\n ") == r"z^{2}_{1} = 0.3775" for x in app.latex)  # still revealed


def test_the_summary_at_the_end_of_a_pass_lists_the_kinds_that_went_wrong(app):
    _quiz(app, "forward")
    _predict(app, "forward", 0, 0, "0.3775")
    _predict(app, "forward", 0, 1, "0.7")  # a²₁ wrong
    app.slider(key="forward_slider_neuron").set_value(5).run()  # the cost, the last step
    _predict(app, "forward", 4, 0, "0.5967")  # 2 × 0.298371109: the ½ left out
    assert "twice the cost" in app.error[0].value
    summary = next(m.value for m in app.markdown if m.value.startswith("**1 of 3 right first time.**"))
    assert summary.endswith("Went wrong: a (activation) of a hidden neuron; cost C.")
    table = app.dataframe[0].value.set_index("kind of step")
    assert table.loc["cost C", "wrong first time"] == 1 and table.loc["z of a hidden neuron", "right first time"] == 1


def test_the_update_quiz_hides_the_new_weights_until_revealed(app):
    _quiz(app, "update")
    _ok(app)
    text = _shown(app)
    assert "0.149780716" not in text and "0.1498" not in text  # w²₁₁'s new value, card and drawing
    assert "0.35891648" not in text and "0.3589" not in text  # w³₁₁'s
    assert not app.metric and not app.dataframe  # no table of new values, no "cost after"
    u0 = trace(load_preset("classic_2-2-2")).steps(0).phase_start("update")
    _predict(app, "update", u0, 0, "0.15")  # forgot the step: 0.15 is the old value
    assert "old value" in app.error[0].value
    app.button(key="quiz_reveal").click().run()
    assert "0.149780716" in _shown(app) and "0.1498" in _shown(app) and "0.3589" not in _shown(app)
    assert _score(app) == "**Update: 0 of 1 right first time**"


def test_a_matrix_view_switches_to_the_neuron_view_at_the_same_layer(app):
    app.goto("backward")
    app.toggle(key="backward_matrix_view").set_value(True).run()
    report(app, "stage_backward_matrix", 1, "idle")  # matrix step 2: layer 2
    app.toggle(key="quiz_toggle").set_value(True).run()
    _ok(app)
    steps = trace(load_preset("classic_2-2-2")).steps(0)
    start = stepping.phase_range(steps, "backward")[0]
    i = stepping.to_neuron(steps, "backward", 1)
    assert app.session_state["bp_view"] == "neuron"
    assert any(f"Step {i + 1} of" in c.value for c in app.caption)
    assert getattr(steps[start + i], "l", None) == 2


def test_restart_clears_the_pass(app):
    _quiz(app, "forward")
    _predict(app, "forward", 0, 0, "1")
    app.button(key="quiz_restart").click().run()
    assert _score(app) == "**Forward pass: 0 of 0 right first time**"


def test_a_custom_network_with_a_formula_activation_works(app):
    """σ(z) = z/(1 + |z|) in the hidden layer: the σ' question's value is 1/(1 + |z|)² (by hand)."""
    from app.walkthrough.builder import pretty_json
    from core import load_scenario

    s = load_scenario({"layers": [2, 3, 1], "activations": ["z/(1 + abs(z))", "sigmoid"], "loss": "bce",
                       "x": [0.5, -1.0], "y": [1], "train_biases": True})
    app.text_area(key="json_text_area").input(pretty_json(s)).run()
    app.button(key="import_json").click().run()
    t = trace(s)
    steps = t.steps(0)
    start = steps.phase_start("backward")
    g = next(g for g in range(start, len(steps)) if getattr(steps[g], "l", 0) == 2 and hasattr(steps[g], "dsigma"))
    _quiz(app, "backward")
    app.slider(key="backward_slider_neuron").set_value(g - start + 1).run()
    _ok(app)
    app.button(key="quiz_reveal").click().run()  # ∂C/∂a²₁ (the sum over the next layer)
    z = t.z(2, 0)[0]
    expected = 1 / (1 + abs(z)) ** 2
    _predict(app, "backward", g, 1, f"{expected:.4g}")
    assert any("Right first time" in c.value for c in app.caption), [e.value for e in app.error]
    assert _score(app) == "**Backward pass: 1 of 2 right first time**"


@pytest.mark.parametrize("page", ["forward", "backward", "update"])
def test_quiz_off_leaves_the_screen_as_it_was(app, page):
    app.goto(page)
    before = [x.value for x in app.latex]
    _quiz(app, page)
    app.toggle(key="quiz_toggle").set_value(False).run()
    _ok(app)
    assert [x.value for x in app.latex] == before


CUSTOM = [
    {"layers": [2, 1], "activations": ["sigmoid"], "x": [0.3, -0.2], "y": [1]},  # no hidden layer
    {"layers": [3, 4, 3], "activations": ["relu", "softmax"], "loss": "cross_entropy", "x": [1, 0, -1],
     "y": [0, 1, 0], "init": {"scheme": "he", "seed": 3}},
    {"layers": [8, 8, 8, 8, 8, 8, 8, 8], "activations": ["tanh"] * 6 + ["linear"], "x": [0.1] * 8, "y": [0] * 8,
     "init": {"scheme": "uniform", "seed": 5}, "learning_rate": 0.01},
]


@pytest.mark.parametrize("d", CUSTOM, ids=["2-1", "softmax", "8x8"])
def test_the_quiz_runs_on_custom_networks_on_every_pass(app, d):
    """Reveal every number of the first two steps and of the last step of each pass: no error, and every
    revealed value is the engine's."""
    from app.walkthrough.builder import pretty_json
    from core import load_scenario
    from core.symbolic.latex import format_number

    s = load_scenario(d)
    app.text_area(key="json_text_area").input(pretty_json(s)).run()
    app.button(key="import_json").click().run()
    steps = trace(s).steps(0)
    for page in ("forward", "backward", "update"):
        _quiz(app, page)
        a, b = stepping.phase_range(steps, page)
        for i in (0, 1, b - a - 1):
            if b - a > 1:
                app.slider(key=f"{page}_slider_neuron").set_value(i + 1).run()
            while any(bt.key == "quiz_reveal" for bt in app.button):
                app.button(key="quiz_reveal").click().run()
                _ok(app)
            r = steps[a + i]
            value = next(getattr(r, f) for f in ("a", "cost", "dC_dw", "dC_db", "delta", "dC_da", "new")
                         if hasattr(r, f))
            assert any(format_number(value, 9) in x.value for x in app.latex), (page, i)


def test_in_quiz_mode_the_url_follows_the_step_as_on_every_screen(app):
    _quiz(app, "backward")
    app.button(key="backward_next").click().run()
    assert (app.query_params["p"], app.query_params["step"]) == ("backward", "2")  # written by the entry script
