"""Presenter controls: the step index of a clicked neuron or edge (core and app), the keyboard
shortcuts on the step buttons, presenter mode, and what a click on the stage opens."""

from __future__ import annotations

import pytest

from app.walkthrough import stepping
from app.walkthrough.figures import network_figure
from core import load_preset, trace
from core.engine.steps import BiasGradStep, CostStep, DeltaStep, NeuronStep, OutputGradStep, UpdateStep, WeightGradStep
from tests._stage import stage

# The teaching order of the classic 2-2-2 network, written out by hand (35 records): forward
# neurons of layer 2 then 3, the cost, ∂C/∂a³, then per layer from the output back δ, ∂C/∂w
# (row-major j, k), ∂C/∂b, then the updates layer by layer, weights before biases.
CLASSIC = (
    [("neuron", 2, 0, None), ("neuron", 2, 1, None), ("neuron", 3, 0, None), ("neuron", 3, 1, None),
     ("cost", 3, 0, None), ("dC_da", 3, 0, None), ("dC_da", 3, 1, None),
     ("delta", 3, 0, None), ("delta", 3, 1, None),
     ("dC_dw", 3, 0, 0), ("dC_dw", 3, 0, 1), ("dC_dw", 3, 1, 0), ("dC_dw", 3, 1, 1),
     ("dC_db", 3, 0, None), ("dC_db", 3, 1, None),
     ("delta", 2, 0, None), ("delta", 2, 1, None),
     ("dC_dw", 2, 0, 0), ("dC_dw", 2, 0, 1), ("dC_dw", 2, 1, 0), ("dC_dw", 2, 1, 1),
     ("dC_db", 2, 0, None), ("dC_db", 2, 1, None),
     ("update_w", 2, 0, 0), ("update_w", 2, 0, 1), ("update_w", 2, 1, 0), ("update_w", 2, 1, 1),
     ("update_b", 2, 0, None), ("update_b", 2, 1, None),
     ("update_w", 3, 0, 0), ("update_w", 3, 0, 1), ("update_w", 3, 1, 0), ("update_w", 3, 1, 1),
     ("update_b", 3, 0, None), ("update_b", 3, 1, None)])
KIND = {NeuronStep: "neuron", CostStep: "cost", OutputGradStep: "dC_da", DeltaStep: "delta",
        WeightGradStep: "dC_dw", BiasGradStep: "dC_db"}


@pytest.fixture(scope="module")
def classic():
    return trace(load_preset("classic_2-2-2")).steps(0)


def test_index_of_follows_the_hand_written_teaching_order(classic):
    assert len(classic) == len(CLASSIC)
    for i, (kind, l, j, k) in enumerate(CLASSIC):
        assert classic.index_of(kind, l, j, k) == i, (kind, l, j, k)


@pytest.mark.parametrize("preset", ["xor_2-4-1", "article003_3-4-2", "article000_4-2-2-1"])
def test_index_of_finds_every_record_where_it_is(preset):
    steps = trace(load_preset(preset)).steps(0)
    for i, r in enumerate(steps):
        if isinstance(r, UpdateStep):
            kind = "update_b" if r.k is None else "update_w"
        else:
            kind = KIND[type(r)]
        g = steps.index_of(kind, getattr(r, "l", len(steps.trace.scenario.layers)), getattr(r, "j", 0),
                           getattr(r, "k", None))
        assert g == i


@pytest.mark.parametrize("args", [("neuron", 1, 0), ("neuron", 2, 2), ("delta", 4, 0), ("dC_dw", 3, 0, 2),
                                  ("dC_dw", 3, 0), ("delta", 3, 0, 1), ("update_w", 2, -1, 0), ("nope", 2, 0)])
def test_index_of_refuses_a_record_the_network_does_not_have(classic, args):
    with pytest.raises(IndexError):
        classic.index_of(*args)


def test_jump_opens_the_clicked_things_step_on_each_screen(classic):
    b0 = classic.phase_start("backward")  # 5, per CLASSIC
    assert b0 == 5
    assert stepping.jump(classic, "forward", "neuron", (3, 1)) == 3  # z³₂, a³₂
    assert stepping.jump(classic, "forward", "neuron", (2, 1, 0)) == 1  # w²₂₁ feeds neuron 2 of layer 2
    assert stepping.jump(classic, "forward", "neuron", (1, 0)) is None  # an input has no step
    assert stepping.jump(classic, "backward", "neuron", (2, 0)) == 15 - b0  # δ²₁
    assert stepping.jump(classic, "backward", "neuron", (3, 0, 1)) == 10 - b0  # ∂C/∂w³₁₂
    assert stepping.jump(classic, "update", "neuron", (2, 1, 0)) == 25  # w²₂₁'s update (global index)
    assert stepping.jump(classic, "update", "neuron", (3, 1)) == 34  # b³₂'s update
    assert stepping.jump(classic, "forward", "matrix", (3, 0)) == 1  # forward layers 2, 3, then the cost
    assert stepping.jump(classic, "backward", "matrix", (2, 1, 1)) == 1  # backward layers 3, 2
    for phase in ("forward", "backward"):  # the mapped steps are the records the screens show
        start = stepping.phase_range(classic, phase)[0]
        r = classic[start + stepping.jump(classic, phase, "neuron", (3, 1))]
        assert (r.l, r.j) == (3, 1) and isinstance(r, NeuronStep if phase == "forward" else DeltaStep)


def test_network_figure_marks_every_neuron_and_edge_label_with_what_a_click_hits():
    layers = (3, 2, 1)
    fig = network_figure(layers, edge_labels=[[["1"] * 3] * 2, [["2"] * 2]])
    by_name = {t.name: t for t in fig.data}
    assert [list(c) for c in by_name["neurons"].customdata] == [
        [1, 0], [1, 1], [1, 2], [2, 0], [2, 1], [3, 0]]
    assert [list(c) for c in by_name["edge labels"].customdata] == [
        [2, 0, 0], [2, 0, 1], [2, 0, 2], [2, 1, 0], [2, 1, 1], [2, 1, 2], [3, 0, 0], [3, 0, 1]]


# ---- the app -----------------------------------------------------------------------------
# A click in the browser is handled by the stage (its frames' ``jumps``); the real mouse click is in
# tests/test_browser_presenter.py.

def test_the_stage_names_its_keys_and_presenter_mode_keeps_p(app):
    from app.walkthrough.stage import KEYS_HINT

    for page in ("forward", "backward", "update"):
        app.goto(page)
        assert KEYS_HINT in stage(app)["hint"]  # ← → Home End Space: handled in the browser
        assert not [b for b in app.button if b.shortcut in ("left", "right", "home")]  # no double keys
    assert {b.key: b.shortcut for b in app.button}["presenter_on"] == "p"


def test_update_screen_steps_through_the_parameters_on_the_stage(app):
    app.goto("update")
    d = stage(app)["data"]
    assert d["count"] == 12  # 8 weights and 4 biases (CLASSIC indices 23 … 34)
    assert [f["desc"].split(" moves")[0] for f in d["frames"][:3]] == ["w²₁₁", "w²₁₂", "w²₂₁"]
    assert d["frames"][0]["active_edges"] == [0]


def _presenting(at) -> bool:
    """Presenter mode as the screen draws it: the stage is told so (larger labels, the step fitting a
    projector). What the CSS does (the sidebar hidden, larger text) is checked in Chromium
    (tests/test_browser_presenter.py), not by comparing the CSS with itself."""
    return stage(at)["presenter"] is True


def test_presenter_mode_is_on_for_the_stage_and_the_link_and_is_left_with_p(app):
    app.goto("forward")
    assert not _presenting(app)
    app.button(key="presenter_on").click().run()
    assert _presenting(app)
    assert app.query_params["pm"] == "1"
    assert app.button(key="presenter_off").shortcut == "p"
    assert not [b for b in app.button if b.key == "presenter_on"]
    app.goto("backward")  # kept across screens
    assert app.button(key="presenter_off")
    app.button(key="presenter_off").click().run()
    assert not _presenting(app)
    assert "pm" not in app.query_params
    app.button(key="presenter_on")


def test_a_link_with_pm_1_opens_in_presenter_mode():
    from streamlit.testing.v1 import AppTest

    from tests.conftest import APP

    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"p": "forward", "step": "2", "pm": "1"})
    at.run()
    assert _presenting(at) and stage(at)["step"] == 1


def test_the_state_a_click_leaves_opens_that_step_and_its_chain_rule(app):

    app.goto("forward")
    jumps = stage(app)["data"]["jumps"]  # what a click in the browser opens
    assert jumps["3,1"] == 3  # z³₂, a³₂ (CLASSIC index 3)
    assert jumps["2,0,1"] == 0  # an edge: the neuron it goes into
    assert "1,0" not in jumps  # an input neuron: no step


def test_clicking_on_the_backward_screen_jumps_to_the_delta_or_the_weights_chain_rule(app):
    app.goto("backward")
    d = stage(app)["data"]
    assert d["jumps"]["2,1"] == 16 - 5  # δ²₂ (CLASSIC index 16)
    assert d["jumps"]["2,0,1"] == 18 - 5  # ∂C/∂w²₁₂ (CLASSIC index 18)
    assert d["frames"][18 - 5]["chain"] == "2,0,1"  # with its chain-rule card
    assert stage(app)["chain"]["2,0,1"][0]["h"] == "The full chain rule for w²₁₂"


def test_clicking_an_edge_on_the_update_screen_shows_its_update(app):
    app.goto("update")
    jumps = stage(app)["data"]["jumps"]
    assert jumps["3,1,0"] == 31 - 23  # w³₂₁ (CLASSIC index 31)
    assert jumps["2,0"] == 27 - 23  # b²₁
