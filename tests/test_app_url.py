"""The URL: the scenario, screen, step and view round-trip through st.query_params, and a
broken or tampered link opens the default example with a notice, never an error."""

import base64
import json
import zlib

import pytest
from streamlit.testing.v1 import AppTest

from app.session import url
from app.session.state import canonical_json
from core import load_preset, load_scenario, trace
from tests._stage import report, step_caption
from tests.conftest import APP


def _open(params: dict) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(params)
    return at.run()


def _step(at) -> str:
    return step_caption(at)


def _latex(at) -> list[str]:
    return [x.value for x in at.latex]


def _warned(at) -> str:
    return " ".join(w.value for w in at.warning)


def test_a_shared_link_opens_the_same_network_screen_step_and_view(app):
    app.selectbox(key="preset_select").set_value("article001_2-3-1").run()
    app.goto("backward")
    report(app, "stage_backward_neuron", 6, "pause")  # the browser stepped 6 times, then paused
    app.run()
    params = dict(app.query_params)
    assert params["p"] == "backward" and params["step"] == "7" and "s" in params
    other = _open(params)
    assert not other.exception and not other.warning
    assert other.title[0].value == "3 · Backward pass"
    assert _step(other) == _step(app)
    assert _latex(other) == _latex(app)
    assert other.session_state["bp_scenario_json"] == canonical_json(load_preset("article001_2-3-1"))
    assert dict(other.query_params) == params  # and it writes back the same link


def test_matrix_view_and_example_travel_in_the_link(app):
    app.selectbox(key="preset_select").set_value("xor_2-2-1").run()
    app.number_input(key="example_select").set_value(3).run()
    app.goto("forward")
    app.toggle(key="forward_matrix_view").set_value(True).run()
    report(app, "stage_forward_matrix", 1, "idle")
    app.run()
    params = dict(app.query_params)
    assert params["v"] == "m" and params["n"] == "3" and params["step"] == "2"
    other = _open(params)
    assert other.title[0].value == "2 · Forward pass"
    assert other.toggle(key="forward_matrix_view").value is True
    assert _step(other) == "Step 2 of 3"
    assert other.session_state["bp_example"] == 2


def test_the_update_screens_step_travels_in_the_link_whatever_the_view(app):
    """The Update screen has no matrix stage: its step is its own, kept in the link even when the
    session's view is the matrix view (which the link then leaves out on this screen)."""
    app.goto("forward")
    app.toggle(key="forward_matrix_view").set_value(True).run()
    app.goto("update")
    report(app, "stage_update_neuron", 4, "pause")
    app.run()
    params = dict(app.query_params)
    assert params["p"] == "update" and params["step"] == "5" and "v" not in params
    other = _open(params)
    assert not other.exception and not other.warning
    assert other.title[0].value == "4 · Update"
    assert _step(other) == "Step 5 of 12"  # classic 2-2-2: 8 weights and 4 biases, a step each


def test_the_default_example_needs_no_network_in_the_link(app):
    assert dict(app.query_params) == {"p": "network"}


@pytest.mark.parametrize("bad", [
    {"s": "garbage"},
    {"s": "1" + "A" * 30_000},
    {"s": "1" + base64.urlsafe_b64encode(zlib.compress(b"{" + b" " * 5_000_000 + b"}")).decode()},
    {"s": "1" + base64.urlsafe_b64encode(zlib.compress(json.dumps(
        {"layers": [2, 900, 1], "activations": ["sigmoid", "sigmoid"], "x": [0, 0], "y": [0]}).encode())).decode()},
    {"s": "1" + base64.urlsafe_b64encode(zlib.compress(json.dumps(
        {"layers": [2, 1], "activations": ["__import__('os')"], "x": [0, 0], "y": [0]}).encode())).decode()},
    {"s": "1" + base64.urlsafe_b64encode(zlib.compress(b"[1, 2]")).decode(), "p": "forward", "step": "4"},
])
def test_a_broken_or_tampered_link_opens_the_default_example_with_a_notice(bad):
    at = _open({"p": "forward", **bad})
    assert not at.exception
    assert "This link could not be opened" in _warned(at)
    assert at.session_state["bp_scenario_json"] == canonical_json(load_preset("classic_2-2-2"))
    assert _step(at) == "Step 1 of 5"


@pytest.mark.parametrize("bad", [{"p": "nowhere"}, {"p": "forward", "step": "x1"}, {"p": "forward", "step": "0"},
                                 {"p": "forward", "n": "-3"}])
def test_odd_values_in_a_link_give_a_notice_not_an_error(bad):
    at = _open(bad)
    assert not at.exception and "This link could not be opened" in _warned(at)


def test_a_step_past_the_end_is_clamped_to_the_last_step():
    at = _open({"p": "forward", "step": "999"})
    assert not at.exception and _step(at) == "Step 5 of 5"


def test_seeded_weights_are_left_out_of_the_code():
    s = load_scenario({"layers": [4, 4, 4, 1], "activations": ["tanh", "tanh", "sigmoid"], "x": [1, 2, 3, 4],
                       "y": [1], "init": {"scheme": "he", "seed": 7}})
    code = url.encode_scenario(s)
    assert len(code) < 200
    back = url.decode_scenario(code)
    assert canonical_json(back) == canonical_json(s)
    assert trace(back).cost == trace(s).cost


def test_every_preset_round_trips_through_its_code():
    from core import preset_names

    for name in preset_names():
        s = load_preset(name)
        assert canonical_json(url.decode_scenario(url.encode_scenario(s))) == canonical_json(s)


def test_text_from_a_link_is_shown_literally_never_as_markup():
    s = load_scenario({"name": "![x](http://example.invalid/a.png) <b>hi</b>", "description": "[click](http://x)",
                       "layers": [2, 1], "activations": ["sigmoid"], "x": [0, 1], "y": [1]})
    at = _open({"p": "network", "s": url.encode_scenario(s)})
    assert not at.exception
    shown = at.sidebar.markdown[0].value
    assert "![x](" not in shown and "<b>" not in shown
    assert all("[click](" not in c.value for c in at.caption)
