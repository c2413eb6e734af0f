"""Every screen with AppTest: renders without an exception; the stage of a step screen holds
every step's frame with the right equation (the browser steps through them: tests/_stage.py
reads its arguments and simulates its reports); presets and custom networks render."""


import pytest

from app.walkthrough import stepping
from app.walkthrough.mathml import lines
from core import load_preset, preset_names, trace
from tests._stage import frame, node_labels, report, shows, stage
from tests.conftest import assert_clean as _ok

SCREENS = ("network", "forward", "backward", "update")


def _caption_step(at) -> str:
    """The stage's step as the browser would show it ("Step i of n")."""
    a = stage(at)
    return f"Step {a['step'] + 1} of {a['data']['count']}"


def _drawn(at) -> None:
    assert at.get("plotly_chart"), "the screen should draw the network"


def _math(tex: str) -> str:
    return "".join(p for line in lines(tex) for p in line)


def _card_math(f: dict) -> str:
    return "".join(p for c in f["cards"] for rows in c["rows"] for line in rows for p in line)


@pytest.mark.parametrize("page", SCREENS)
def test_every_screen_renders_on_the_default_example(app, page):
    app.goto(page)
    _ok(app)
    assert app.title[0].value.endswith({"network": "Network", "forward": "Forward pass",
                                        "backward": "Backward pass", "update": "Update"}[page])
    if page == "network":
        _drawn(app)
    else:
        assert stage(app)["data"]["geometry"]["layers"] == [2, 2, 2]


def _equations_shown(at) -> list[str]:
    return [x.value.strip().removeprefix("$$").removesuffix("$$").strip() for x in at.latex]


@pytest.mark.parametrize("phase", ["forward", "backward", "update"])
def test_every_frame_of_the_stage_shows_its_steps_equation(app, phase):
    from core.symbolic import derive
    app.goto(phase)
    t = trace(load_preset("classic_2-2-2"))
    steps = t.steps(0)
    start, stop = stepping.phase_range(steps, phase)
    d = stage(app)["data"]
    assert d["count"] == len(d["frames"]) == stop - start
    for i, f in enumerate(d["frames"]):
        eq = derive.step_equation(t, steps[start + i])
        assert _math(eq.symbolic) in _card_math(f) and _math(eq.value) in _card_math(f)
        assert f["cards"][0]["s"] == eq.sentence


def test_a_report_from_the_browser_moves_the_servers_step_and_the_link(app):
    app.goto("forward")
    report(app, "stage_forward_neuron", 3, "pause")
    _ok(app)
    assert app.query_params["step"] == "4"
    app.run()
    assert _caption_step(app) == "Step 4 of 5"
    report(app, "stage_forward_neuron", 99, "idle")  # a tampered value is clamped
    assert app.query_params["step"] == "5"
    report(app, "stage_forward_neuron", "x", "idle")  # and one that is not a number ignored
    _ok(app)


def test_forward_drawing_highlights_the_active_neuron_and_shows_values_so_far(app):
    app.goto("forward")
    app.session_state["bp_step_forward_neuron"] = 1  # step 2: neuron 2 of layer 2
    app.run()
    texts = node_labels(app)
    assert shows(texts[2], {"z²₁": 0.3775, "a²₁": 0.593269992})  # Mazur's net h1 and out h1
    assert "z²₂" in texts[3]
    assert texts[4] == "" and texts[5] == ""  # the output layer is not computed yet
    assert frame(app)["active_nodes"] == [3]
    assert sorted(frame(app)["active_edges"]) == [2, 3]  # w²₂₁ and w²₂₂ into it


def test_step_survives_a_visit_to_another_screen(app):
    app.goto("forward")
    report(app, "stage_forward_neuron", 2, "idle")
    app.goto("network")
    app.goto("forward")
    assert _caption_step(app) == "Step 3 of 5"


def test_matrix_view_steps_layer_by_layer(app):
    app.goto("forward")
    report(app, "stage_forward_neuron", 1, "idle")  # neuron 2 of layer 2
    app.toggle(key="forward_matrix_view").set_value(True).run()
    _ok(app)
    assert _caption_step(app) == "Step 1 of 3"  # layers 2, 3 and the cost
    assert len(stage(app)["data"]["frames"][0]["cards"]) >= 2  # the layer's matrix equations
    report(app, "stage_forward_matrix", 1, "idle")
    app.toggle(key="forward_matrix_view").set_value(False).run()
    assert _caption_step(app) == "Step 3 of 5"  # the first neuron of layer 3
    app.goto("backward")
    app.toggle(key="backward_matrix_view").set_value(True).run()
    _ok(app)
    assert _caption_step(app) == "Step 1 of 2"


def test_the_last_forward_step_goes_on_to_the_backward_pass(app):
    app.goto("forward")
    assert stage(app)["onward"] == {"screen": "backward", "label": "On to the backward pass"}
    report(app, "stage_forward_neuron", 4, "onward", go="backward")
    _ok(app)
    assert app.title[0].value.endswith("Backward pass") and _caption_step(app) == "Step 1 of 18"
    app.goto("backward")  # AppTest's own page is still the one it was sent to
    report(app, "stage_backward_neuron", 17, "onward", go="update")
    assert app.title[0].value.endswith("Update")
    assert stage(app)["onward"] is None  # the update is the last screen


@pytest.mark.parametrize("name", preset_names())
def test_every_preset_renders_on_every_screen(app, name):
    app.selectbox(key="preset_select").set_value(name).run()
    _ok(app)
    assert trace(load_preset(name)).scenario.name in app.sidebar.markdown[0].value
    for page in SCREENS[1:]:
        app.goto(page)
        _ok(app)
        assert stage(app)["data"]["frames"]


def test_changing_the_network_resets_the_steps_with_a_notice(app):
    app.goto("forward")
    report(app, "stage_forward_neuron", 1, "idle")
    app.goto("network")
    app.selectbox(key="preset_select").set_value("xor_2-2-1").run()
    assert any("start again" in i.value for i in app.info)
    app.goto("forward")
    assert _caption_step(app) == "Step 1 of 4"


def test_update_screen_shows_costs_and_the_mistake_switch(app):
    app.goto("update")
    t = trace(load_preset("classic_2-2-2"))
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Cost before the update"] == f"{t.cost:.9g}"
    app.toggle(key="mistake_toggle").set_value(True).run()
    _ok(app)
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Cost after the mistaken update"] != metrics["Cost after the correct update"]
    table = app.dataframe[1].value
    assert len(table) == 4  # the four hidden weights of the 2-2-2 example
    assert table.iloc[0]["correct ∂C/∂w (old weights)"] == pytest.approx(t.dC_dW[0][0, 0])


def test_selecting_any_weight_shows_its_chain_rule_card(app):
    from core.symbolic import derive
    app.goto("backward")
    app.selectbox(key="chain_select").set_value((2, 0, 1)).run()  # w²₁₂, a hidden weight
    _ok(app)
    t = trace(load_preset("classic_2-2-2"))
    card = derive.chain_rule(t, 2, 0, 1)
    shown = _equations_shown(app)
    assert all(eq.symbolic in shown for eq in card)
    app.goto("forward")
    app.goto("backward")
    assert app.selectbox(key="chain_select").value == (2, 0, 1)  # kept across screens


def test_a_hidden_weight_step_shows_the_path_sum(app):
    from core.symbolic import derive
    t = trace(load_preset("classic_2-2-2"))
    steps = t.steps(0)
    start, stop = stepping.phase_range(steps, "backward")
    i = next(g for g in range(start, stop) if getattr(steps[g], "l", None) == 2 and hasattr(steps[g], "k"))
    app.goto("backward")
    a = stage(app)
    f = a["data"]["frames"][i - start]
    assert f["chain"] == f"2,{steps[i].j},{steps[i].k}"
    shown = "".join(p for c in a["chain"][f["chain"]] for rows in c["rows"] for line in rows for p in line)
    assert all(_math(eq.numeric) in shown for eq in derive.chain_rule(t, 2, steps[i].j, steps[i].k))


def test_a_chain_rule_card_beyond_the_budget_is_sent_when_asked_for(app, monkeypatch):
    from app.walkthrough import stage as app_stage

    monkeypatch.setattr(app_stage, "CHAIN_BUDGET", 0)
    app_stage._chain_all.clear()
    app.goto("backward")
    assert stage(app)["chain"] == {}
    report(app, "stage_backward_neuron", 12, "chain", chain="2,0,1")
    _ok(app)
    assert list(stage(app)["chain"]) == ["2,0,1"]
    report(app, "stage_backward_neuron", 12, "chain", chain="9,9,9")  # not one of the screen's: ignored
    assert list(stage(app)["chain"]) == ["2,0,1"]
    app_stage._chain_all.clear()


CUSTOM = [
    {"layers": [2, 1], "activations": ["sigmoid"], "x": [0.3, -0.2], "y": [1]},  # no hidden layer
    {"layers": [3, 4, 3], "activations": ["relu", "softmax"], "loss": "cross_entropy", "x": [1, 0, -1],
     "y": [0, 1, 0], "init": {"scheme": "he", "seed": 3}},
    {"layers": [2, 3, 1], "activations": ["z/(1 + abs(z))", "sigmoid"], "loss": "bce", "x": [[0, 1], [1, 0]],
     "y": [[1], [0]], "train_biases": True},
    {"layers": [8, 8, 8, 8, 8, 8, 8, 8], "activations": ["tanh"] * 6 + ["linear"], "x": [0.1] * 8, "y": [0] * 8,
     "init": {"scheme": "uniform", "seed": 5}, "learning_rate": 0.01},
]


@pytest.mark.parametrize("d", CUSTOM, ids=["2-1", "softmax", "formula-batch", "8x8"])
def test_custom_networks_render_on_every_screen_in_both_views(app, d):
    from app.walkthrough.builder import pretty_json
    from core import load_scenario

    app.text_area(key="json_text_area").input(pretty_json(load_scenario(d))).run()
    app.button(key="import_json").click().run()
    _ok(app)
    for page in ("forward", "backward"):
        app.goto(page)
        _ok(app)
        report(app, f"stage_{page}_neuron", 1, "idle")
        _ok(app)
        app.toggle(key=f"{page}_matrix_view").set_value(True).run()
        _ok(app)
        assert all(f["cards"] for f in stage(app)["data"]["frames"]), "the matrix view shows equations"
        app.toggle(key=f"{page}_matrix_view").set_value(False).run()
    app.goto("update")
    app.toggle(key="mistake_toggle").set_value(True).run()
    _ok(app)


def test_an_unexpected_failure_shows_a_message_and_a_way_back_not_a_traceback(app):
    app.session_state["bp_scenario_json"] = "{broken"  # simulate a bug: the trace cannot be built
    app.goto("forward")
    assert not app.exception
    assert any("hit a problem" in e.value for e in app.error)
    app.button(key="recover_default").click().run()
    _ok(app)
    assert _caption_step(app) == "Step 1 of 5"


def test_a_failure_inside_the_stage_fragment_is_a_message_not_a_traceback(app, monkeypatch):
    """The stage runs as a fragment (a report reruns it alone), so the entry script's safety net does not
    reach it: the fragment has its own, with the same message and way back."""
    from app.walkthrough import stage as stage_mod

    def broken(*a, **k):
        raise RuntimeError("simulated bug in the stage")

    monkeypatch.setattr(stage_mod, "show", broken)
    app.goto("forward")
    assert not app.exception
    assert any("The stage hit a problem" in e.value for e in app.error)
    assert app.button(key="recover_stage_forward")


def test_update_screen_steps_through_every_parameter_from_old_to_new(app):
    from core.symbolic import derive
    app.goto("update")
    t = trace(load_preset("classic_2-2-2"))
    steps = t.steps(0)
    g = stepping.phase_range(steps, "update")[0]  # w²₁₁
    f = stage(app)["data"]["frames"][0]
    assert _math(derive.step_equation(t, steps[g]).numeric) in _card_math(f)
    assert f["flow"] == [[0, 2, 0.15, pytest.approx(0.149780716)]]  # Mazur's w₁ → 0.149780716
