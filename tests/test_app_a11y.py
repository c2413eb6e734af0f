"""The screens' defaults that make them usable at first sight (AppTest, no browser): the training lab
opens on a small data set it can learn when the scenario has too few examples, with one click back,
and its default Play is long enough to watch; the update screen opens on the first parameter's update;
the text alternatives of the drawings name what they show."""

from __future__ import annotations

import numpy as np
from conftest import assert_clean

from app.lab.train_state import MAX_FRAMES
from app.walkthrough import stepping
from app.walkthrough.alt_text import drawing_alt
from core import load_preset, trace
from core.teaching.svg import network_alt, network_svg
from tests._stage import stage


def _lab(app):
    app.goto("train")
    return app.session_state["tl_session"]


def test_the_lab_starts_on_a_learnable_set_when_the_scenario_has_one_example(app):
    s = _lab(app)
    assert_clean(app)
    assert len(load_preset("classic_2-2-2").x) == 1
    assert s.N == 100 and s.task == "binary" and s.x.shape == (100, 2)  # two Gaussian clusters
    assert any("too few to watch a network learn" in i.value for i in app.info)
    app.button(key="tl_own_examples").click().run()
    s = app.session_state["tl_session"]
    assert s.N == 1 and np.array_equal(s.x, np.array(load_preset("classic_2-2-2").x))
    assert not any("too few" in i.value for i in app.info) and app.selectbox(key="tl_w_source").value == "scenario"


def test_a_scenario_with_four_examples_opens_on_its_own(app):
    app.session_state["bp_scenario_json"] = None  # (set below through the Network screen's preset picker)
    app.selectbox(key="preset_select").set_value("xor_2-2-1").run()
    s = _lab(app)
    assert s.N == 4 and not any("too few" in i.value for i in app.info)


def test_the_default_play_sends_several_dozen_frames(app):
    s = _lab(app)
    app.button(key="tl_play").click().run()
    frames = len(app.session_state["tl_cuts"])
    for _ in range(400):
        if not app.session_state["tl_playing"]:
            break
        app.run()
        frames += len(app.session_state["tl_cuts"])
    # full batch (100 examples): one step per epoch, 200 epochs at 2 steps a chart update = 100 frames; the
    # last tick's frames are not counted here (the page reruns once more when training stops and clears them)
    assert s.epoch == 200 and s.steps == 200 and frames >= 100 - MAX_FRAMES
    acc = s.epoch_accuracy[-1]
    assert acc is not None and acc >= 0.9  # the clusters are learned: the boundary is worth watching


def test_the_update_screen_opens_on_the_first_parameters_equation(app):
    app.goto("update")
    assert_clean(app)
    a = stage(app)
    assert a["step"] == 0 and a["data"]["count"] == 12  # 8 weights and 4 biases of the classic 2-2-2
    first = a["data"]["frames"][0]
    assert first["desc"].startswith("w²₁₁") and first["cards"]  # its update equation, on screen at once


def test_drawing_text_names_layers_the_active_step_and_the_values():
    s = load_preset("classic_2-2-2")
    t = trace(s)
    kw = stepping.forward_drawing(t, 0, "neuron", 0).kwargs
    alt = drawing_alt(s.layers, kw)
    assert alt.startswith("Drawing of the 2-2-2 network: layer 1 (input) 2 neurons, layer 2 (hidden) 2 neurons, "
                          "layer 3 (output) 2 neurons.")
    z = 0.15 * 0.05 + 0.2 * 0.1 + 0.35  # z²₁ of the classic example, by hand: 0.3775
    assert f"{1 / (1 + np.exp(-z)):.4f}" == "0.5933"  # a²₁ = σ(z²₁), as the drawing shows it (4 digits)
    assert "This step: neuron 1 of layer 2 (z²₁ = 0.3775, a²₁ = 0.5933)" in alt, alt
    assert "w²₁₁ = 0.15" in alt and "w³₂₂ = 0.55" in alt
    big = drawing_alt((8, 8, 8), {"edge_hover": [[[f"w{j}{k} = 1" for k in range(8)] for j in range(8)]] * 2})
    assert "and 104 more (the tables list them all)" in big  # 128 weights, the first 24 named


def test_the_worksheet_drawing_text_names_every_number():
    W, b = [np.array([[0.5, -0.25]])], [np.array([0.125])]
    alt = network_alt((2, 1), W, b)
    assert alt == ("The 2-1 network: layer 1 (input) 2 neurons, layer 2 (output) 1 neuron. "
                   "Weights: w²₁₁ = 0.5, w²₁₂ = −0.25. Biases: b²₁ = 0.12.")  # 2 decimals: 0.125 → 0.12
    svg = network_svg((2, 1), W, b)
    assert f'aria-label="{alt}"' in svg and f"<title>{alt}</title>" in svg
