"""The training lab page through Streamlit's AppTest: stepping, playing, η changed while
playing, the learning-rate overlay, divergence, CSV upload and paste, the inspectors and
sending the weights to the walkthrough."""

import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests._stage import component_args, figures

APP = str(Path(__file__).resolve().parent.parent / "app" / "streamlit_app.py")


@pytest.fixture
def at():
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    at.switch_page("../pages/train.py")
    at.run()
    assert not at.exception
    return at


def lab(at):
    return at.session_state["tl_session"]


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def charts(at):
    """The figures on the page: Plotly charts, and the live charts' figures as sent to the browser."""
    return figures(at) + [json.loads(a["spec"]) for a in live_args(at)]


LIVE_CHART = "app.lab.live_chart.live_chart"  # the live chart's component name


def live_args(at, key=None):
    """The arguments each live chart (app/lab/live_chart.py) was given, or the one with ``key``."""
    args = component_args(at, LIVE_CHART)
    return args if key is None else next(a for a in args if a["key"] == key)


def chart(at, title):
    """The chart whose title starts with ``title``."""
    return next(c for c in charts(at) if c["layout"]["title"]["text"].startswith(title))


KINDS = {"n": "slider", "noise": "slider", "seed": "number_input", "batch": "number_input",
         "epochs": "number_input", "speed": "select_slider", "eta": "select_slider", "rates": "multiselect"}


def frames_of(cuts, start, speed):
    """The step counts ending a tick's frames: each frame 1 to ``speed`` steps after the last."""
    return all(0 < b - a <= speed for a, b in zip([start, *cuts], cuts))


def play_to_the_end(at, ticks=200):
    """Press Play, then let the timer tick (each tick trains for a few ms) until training stops."""
    at.button(key="tl_play").click().run()
    for _ in range(ticks):
        if not at.session_state["tl_playing"]:
            break
        at.run()
    return at


def choose(at, source, **settings):
    """Pick a data source, then set other controls through their widgets."""
    at.selectbox(key="tl_w_source").set_value(source).run()
    for key, value in settings.items():
        getattr(at, KINDS[key])(key=f"tl_w_{key}").set_value(value).run()
        assert not at.exception
    return at


def test_page_draws_cost_curve_and_overlay_without_errors(at):
    assert at.title[0].value == "Training lab"
    # the cost curve, the output over the input plane, the learning rates and their paths on the contour
    assert len(charts(at)) == 4
    assert chart(at, "Cost while training")["data"]
    names = [t["name"] for t in chart(at, "Same network")["data"] if "name" in t]
    assert sum(n.startswith("η = ") for n in names) == 4  # the default four learning rates, one line each
    assert metric(at, "Step") == "0" and not at.error


def test_step_one_update_and_one_epoch_then_reset(at):
    choose(at, "xor", n=8, noise=0.0, batch=2)
    at.button(key="tl_step").click().run()
    assert metric(at, "Step") == "1" and metric(at, "Epoch") == "0"
    at.button(key="tl_step_epoch").click().run()
    assert metric(at, "Step") == "4" and metric(at, "Epoch") == "1"
    assert lab(at).batch_size == 2
    at.button(key="tl_reset").click().run()
    assert metric(at, "Step") == "0" and lab(at).steps == 0


def test_play_trains_a_few_steps_per_update_and_eta_changes_while_playing(at):
    choose(at, "xor", speed=5, epochs=1000)
    at.button(key="tl_play").click().run()
    # a few frames of 5 steps each, shown one by one (fewer steps if the tick's training time runs out)
    cuts = live_args(at, "tl_chart_cost")["cuts"]
    assert at.session_state["tl_playing"] and len(cuts) >= 1 and frames_of(cuts, 0, 5)
    assert lab(at).steps == cuts[-1] and live_args(at, "tl_chart_cost")["grow"]
    at.run()
    more = live_args(at, "tl_chart_cost")["cuts"]
    assert frames_of(more, cuts[-1], 5) and lab(at).steps == more[-1]
    cost = chart(at, "Cost while training")  # the figure holds every step so far (the browser cuts it)
    assert cost["data"][0]["name"].startswith("cost per step") and len(lab(at).step_costs) == more[-1]
    at.select_slider(key="tl_w_eta").set_value(5.0).run()  # change η without pausing
    assert at.session_state["tl_playing"] and lab(at).eta == 5.0
    assert lab(at).step_etas[-1] == 5.0 and 0.5 in lab(at).step_etas
    assert any(b.label == "Pause" for b in at.button)
    at.button(key="tl_pause").click().run()
    steps = lab(at).steps
    at.run()
    assert lab(at).steps == steps and not at.session_state["tl_playing"]
    assert live_args(at, "tl_chart_cost")["cuts"] == []  # paused: the browser draws the whole curve at once


def test_a_tick_trains_enough_frames_to_show_one_every_50_ms_until_the_next():
    from app.lab.train_state import FRAME_S, MAX_FRAMES, frames_per_tick

    assert FRAME_S == 0.05
    assert frames_per_tick(10.0) == 2 and frames_per_tick(5.0) == 4 and frames_per_tick(4.0) == 5
    assert frames_per_tick(40.0) == 1  # reruns faster than frames: one frame each
    assert frames_per_tick(0.5) == MAX_FRAMES and frames_per_tick(None) == 2


def test_play_stops_at_the_epochs_asked(at):
    choose(at, "and", speed=10**6, epochs=30)
    play_to_the_end(at)
    assert lab(at).epoch == 30 and not at.session_state["tl_playing"]
    assert any(b.label == "Play" for b in at.button)


def test_overlay_shows_converging_and_diverging_runs_on_one_chart(at):
    choose(at, "sine", n=40, noise=0.1, rates=[0.1, 1.0, 10.0], epochs=1000)
    names = [t.get("name", "") for t in chart(at, "Same network")["data"]]
    assert "η = 0.1 · converging" in names and any(n.startswith("η = 10 · diverged from epoch ") for n in names)
    assert len([n for n in names if n.startswith("η")]) == 3


def test_divergence_is_reported_with_the_step_and_a_smaller_eta(at):
    choose(at, "sine", n=40, noise=0.1, speed=10**6, epochs=2000)
    at.select_slider(key="tl_w_eta").set_value(10.0).run()
    play_to_the_end(at)
    s = lab(at)  # first Play stops where the cost is seen running away, before it overflows
    assert not s.diverged and s.diverging_at is not None and not at.session_state["tl_playing"]
    warning = " ".join(w.value for w in at.warning)
    assert f"Diverging from step {s.diverging_from}" in warning and f"seen at step {s.diverging_at}" in warning
    assert np.isfinite(s.step_costs[-1]) and s.step_costs[-1] > 10 * s.step_costs[0]
    play_to_the_end(at)  # Play again carries on to the overflow
    assert s.diverged and not at.session_state["tl_playing"]
    warning = " ".join(w.value for w in at.warning)
    assert f"Diverged at step {s.diverged_at}" in warning and "smaller" in warning and "η = 1" in warning
    assert metric(at, "Cost (whole set)") == "overflow" and not at.exception and not at.error
    cost = chart(at, "Cost while training")
    assert any(sh.get("x0") == s.diverged_at for sh in cost["layout"].get("shapes", []))
    assert at.button(key="tl_play").disabled


def test_bad_csv_upload_is_refused_with_the_row_and_column_then_a_good_one_is_used(at):
    before, source = lab(at), at.selectbox(key="tl_w_source").value
    choose(at, "csv")
    at.get("file_uploader")[0].upload("bad.csv", b"x1,x2,y\n0,0,0\n0,one,1\n", "text/csv").run()
    assert not at.exception
    assert "row 3, column 2: 'one' is not a number" in at.error[0].value
    assert "keeps the previous examples" in at.error[0].value and lab(at) is before  # the last good state stays
    choose(at, source)  # back to the data it was trained on: the refusal is over
    assert not at.error and lab(at) is before
    choose(at, "csv")
    at.get("file_uploader")[0].set_value(("good.csv", b"x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,1\n", "text/csv")).run()
    assert not at.error and lab(at).N == 4 and lab(at).task == "binary"
    good = lab(at)
    at.get("file_uploader")[0].set_value(("pic.csv", b"\x89PNG\xff\xfe\x00", "text/csv")).run()
    assert "not UTF-8" in at.error[0].value and lab(at) is good


def test_pasted_csv_and_a_network_adapted_to_it(at):
    choose(at, "csv")
    at.text_area(key="tl_paste").set_value("1,2,3,0.5\n4,5,6,-0.5\n").run()
    at.button(key="tl_use_paste").click().run()
    s = lab(at)
    assert s.N == 2 and s.scenario.layers == (3, 2, 1) and s.task == "regression"
    assert any("2-2-2 → 3-2-1" in i.value for i in at.info)
    at.text_area(key="tl_paste").set_value("1,2\n3\n").run()
    at.button(key="tl_use_paste").click().run()
    assert "row 2 has 1 columns, expected 2" in at.error[0].value


def test_weight_and_boundary_charts(at):
    choose(at, "xor")
    at.button(key="tl_step_epoch").click().run()
    for view, title in [("Cost along a weight", "Cost along w³₁₁"), ("Cost over two weights", "Cost over w³₁₁"),
                        ("Boundary / fit", "Decision boundary"), ("Gradient sizes", "Size of the gradient")]:
        at.radio(key="tl_w_view").set_value(view).run()
        assert not at.exception
        spec = chart(at, title)
        if view == "Boundary / fit":
            assert spec["data"][0]["type"] == "heatmap" and spec["data"][0]["z"]["shape"] == "50, 50"
        # only the step-by-step chart is revealed frame by frame; the others are redrawn whole
        assert live_args(at, "tl_chart_view")["grow"] == (view == "Gradient sizes")


def test_gradient_check_and_mini_batch_breakdown(at):
    choose(at, "xor", batch=2)
    at.toggle(key="tl_gc").set_value(True).run()
    df = at.dataframe[0].value
    assert len(df) == 9 and df["relative error"].max() < 1e-5  # the classic 2-2-2 adapted to XOR: 2-2-1
    at.toggle(key="tl_mb").set_value(True).run()
    mb = at.dataframe[1].value
    assert len(mb) == 2 + 3 and mb.index[-2] == "w now"
    assert np.allclose(mb.iloc[-1], mb.iloc[-2] - 0.5 * mb.iloc[-3])
    assert np.allclose(mb.iloc[-3], mb.iloc[:2].mean(axis=0))  # the batch gradient is the examples' mean


def test_send_to_walkthrough_hands_over_the_trained_weights(at):
    at.button(key="tl_step_epoch").click().run()
    weights = [w.copy() for w in lab(at).weights]
    at.button(key="tl_send").click().run()
    sent = at.session_state["bp_scenario"]
    assert all(np.array_equal(a, b) for a, b in zip(sent.weights, weights))
    assert "Forward" in at.title[0].value  # the walkthrough opened, showing where the weights came from
    assert "Weights from the training lab after step 1" in " ".join(i.value for i in at.info)


def test_the_lab_carries_on_after_sending_and_starts_afresh_on_a_new_network(at):
    at.button(key="tl_step_epoch").click().run()
    trained = lab(at)
    at.button(key="tl_send").click().run()
    at.switch_page("../pages/train.py").run()
    assert lab(at) is trained and trained.steps == 1  # the walkthrough's network is the lab's: no rebuild
    at.switch_page("../pages/network.py").run()
    at.selectbox(key="preset_select").set_value("xor_2-4-1").run()  # a new network: state's one hook
    at.switch_page("../pages/train.py").run()
    assert not at.exception
    fresh = lab(at)
    assert fresh is not trained and fresh.steps == 0 and fresh.scenario.layers[1:-1] == (4,)
