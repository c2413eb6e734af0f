"""Every screen with AppTest: renders without an exception, steps Next to the last step and
Previous back with the right equation at each step, presets and custom networks render."""

import math
import re

import pytest

from app import stepping
from core import load_preset, preset_names, trace
from tests.conftest import assert_clean as _ok

SCREENS = ("network", "forward", "backward", "update")


def _caption_step(at) -> str:
    return next(c.value for c in at.caption if c.value.startswith("Step "))


def _drawn(at) -> None:
    assert at.get("plotly_chart"), "the screen should draw the network"


@pytest.mark.parametrize("page", SCREENS)
def test_every_screen_renders_on_the_default_example(app, page):
    app.goto(page)
    _ok(app)
    assert app.title[0].value.endswith({"network": "Network", "forward": "Forward pass",
                                        "backward": "Backward pass", "update": "Update"}[page])
    _drawn(app)


def _equations_shown(at) -> list[str]:
    return [x.value.strip().removeprefix("$$").removesuffix("$$").strip() for x in at.latex]


@pytest.mark.parametrize("phase", ["forward", "backward"])
def test_next_to_the_last_step_and_previous_back_shows_each_steps_equation(app, phase):
    from core import derive
    app.goto(phase)
    t = trace(load_preset("classic_2-2-2"))
    steps = t.steps(0)
    start, stop = stepping.phase_range(steps, phase)
    count = stop - start

    def check(i):
        _ok(app)
        assert _caption_step(app) == f"Step {i + 1} of {count}"
        eq = derive.step_equation(t, steps[start + i])
        assert eq.symbolic in _equations_shown(app)
        assert eq.value in _equations_shown(app)
        assert app.query_params["step"] == str(i + 1)

    check(0)
    for i in range(1, count):
        app.button(key=f"{phase}_next").click().run()
        check(i)
    assert app.button(key=f"{phase}_next").disabled
    for i in range(count - 2, -1, -1):
        app.button(key=f"{phase}_prev").click().run()
        check(i)
    assert app.button(key=f"{phase}_prev").disabled


def test_forward_drawing_highlights_the_active_neuron_and_shows_values_so_far(app):
    from app.figures import ACTIVE, DONE, network_figure
    from app.state import STEP

    app.goto("forward")
    app.button(key="forward_next").click().run()  # step 2: neuron 2 of layer 2
    assert app.session_state[STEP.format(screen="forward", view="neuron")] == 1
    _drawn(app)
    # what the screen draws at that step, as data: classic 2-2-2, x = (0.05, 0.1), hand-computed
    t = trace(load_preset("classic_2-2-2"))
    fig = network_figure(t.scenario.layers, **stepping.forward_drawing(t, 0, "neuron", 1).kwargs)
    nodes = next(tr for tr in fig.data if tr.name == "neurons")
    assert list(nodes.marker.color[:4]) == [DONE, DONE, DONE, ACTIVE]  # inputs, neuron 1 done, neuron 2 active
    assert nodes.marker.color[4] == nodes.marker.color[5] != DONE  # the output layer is not computed yet
    z, a = (float(v) for v in re.findall(r"= (-?[\d.]+)", nodes.text[2]))
    assert z == pytest.approx(0.15 * 0.05 + 0.2 * 0.1 + 0.35, abs=5e-5)  # z²₁ = 0.3775
    assert a == pytest.approx(1 / (1 + math.exp(-0.3775)), abs=5e-5)
    assert nodes.text[4] == nodes.text[5] == ""
    assert any(tr.name == "this step" for tr in fig.data)


def test_slider_and_reset_move_the_step(app):
    app.goto("forward")
    app.slider(key="forward_slider_neuron").set_value(4).run()
    assert _caption_step(app) == "Step 4 of 5"
    app.button(key="forward_reset").click().run()
    assert _caption_step(app) == "Step 1 of 5"


def test_step_survives_a_visit_to_another_screen(app):
    app.goto("forward")
    app.button(key="forward_next").click().run()
    app.button(key="forward_next").click().run()
    app.goto("network")
    app.goto("forward")
    assert _caption_step(app) == "Step 3 of 5"


def test_matrix_view_steps_layer_by_layer(app):
    app.goto("forward")
    app.button(key="forward_next").click().run()  # neuron 2 of layer 2
    app.toggle(key="forward_matrix_view").set_value(True).run()
    _ok(app)
    assert _caption_step(app) == "Step 1 of 3"  # layers 2, 3 and the cost
    app.button(key="forward_next").click().run()
    assert _caption_step(app) == "Step 2 of 3"
    app.toggle(key="forward_matrix_view").set_value(False).run()
    assert _caption_step(app) == "Step 3 of 5"  # the first neuron of layer 3
    app.goto("backward")
    app.toggle(key="backward_matrix_view").set_value(True).run()
    _ok(app)
    assert _caption_step(app) == "Step 1 of 2"


@pytest.mark.parametrize("name", preset_names())
def test_every_preset_renders_on_every_screen(app, name):
    app.selectbox(key="preset_select").set_value(name).run()
    _ok(app)
    assert trace(load_preset(name)).scenario.name in app.sidebar.markdown[0].value
    for page in SCREENS[1:]:
        app.goto(page)
        _ok(app)
        app.button(key="forward_next").click().run() if page == "forward" else None
        _ok(app)


def test_changing_the_network_resets_the_steps_with_a_notice(app):
    app.goto("forward")
    app.button(key="forward_next").click().run()
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
    from core import derive
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
    from core import derive
    t = trace(load_preset("classic_2-2-2"))
    steps = t.steps(0)
    start, stop = stepping.phase_range(steps, "backward")
    i = next(g for g in range(start, stop) if getattr(steps[g], "l", None) == 2 and hasattr(steps[g], "k"))
    app.goto("backward")
    app.slider(key="backward_slider_neuron").set_value(i - start + 1).run()
    _ok(app)
    shown = _equations_shown(app)
    assert all(eq.numeric in shown for eq in derive.chain_rule(t, 2, steps[i].j, steps[i].k))


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
    from app.builder import pretty_json
    from core import load_scenario

    app.text_area(key="json_text_area").input(pretty_json(load_scenario(d))).run()
    app.button(key="import_json").click().run()
    _ok(app)
    for page in ("forward", "backward"):
        app.goto(page)
        _ok(app)
        app.button(key=f"{page}_next").click().run()
        _ok(app)
        app.toggle(key=f"{page}_matrix_view").set_value(True).run()
        _ok(app)
        app.button(key=f"{page}_reset").click().run()
        _ok(app)
        assert app.latex, "the matrix view shows equations"
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


def test_update_screen_shows_one_parameters_update_equation(app):
    from core import derive
    app.goto("update")
    t = trace(load_preset("classic_2-2-2"))
    steps = t.steps(0)
    g = stepping.phase_range(steps, "update")[0]  # w²₁₁
    app.selectbox(key="update_select").set_value(g).run()
    _ok(app)
    assert derive.step_equation(t, steps[g]).numeric in _equations_shown(app)
