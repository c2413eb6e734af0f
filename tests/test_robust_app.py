"""Issue 17 through the app (AppTest): a lone surrogate from a link or an upload, the sidebar's own safety
net, CSV line ends and an unreadable CSV in the training lab (its data-source selector stays), a cost of
exactly 0 in the lab, the largest finite weights on every screen, and 400-digit integers in an import."""

import base64
import json
import zlib

import pytest
from streamlit.testing.v1 import AppTest

from tests._stage import stage
from tests.conftest import APP
from tests.conftest import assert_no_crash as _ok
from tests.conftest import error_text as _errors

GOOD = {"layers": [2, 2, 1], "activations": ["sigmoid", "sigmoid"], "x": [0.05, 0.1], "y": [0.01]}
SCREENS = ["network", "forward", "backward", "update", "train", "worksheet"]


def _code(d) -> str:
    return "1" + base64.urlsafe_b64encode(zlib.compress(json.dumps(d).encode())).decode()


def _open(params: dict) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(params)
    return at.run()


def _notices(at) -> str:
    return " ".join(w.value.replace("\\", "") for w in [*at.warning, *at.info])


@pytest.mark.parametrize("page", SCREENS)
def test_a_link_with_a_lone_surrogate_opens_with_a_notice_on_every_screen(page):
    at = _open({"p": page, "s": _code({**GOOD, "name": "a\ud800", "description": "\ud800"})})
    _ok(at)
    assert "This link could not be opened" in _notices(at)
    assert "name: expected text, found an invalid character" in _notices(at)
    assert at.sidebar.markdown, "the sidebar is drawn"


def test_an_upload_with_a_lone_surrogate_is_refused_and_the_network_kept(app):
    before = app.session_state["bp_scenario_json"]
    data = json.dumps({**GOOD, "name": "\ud800"}).encode()  # JSON escapes it: \ud800
    app.get("file_uploader")[0].upload("s.json", data, "application/json").run()
    _ok(app)
    assert "name: expected text, found an invalid character" in _errors(app)
    assert app.session_state["bp_scenario_json"] == before


@pytest.mark.parametrize("text, words", [
    ('{"layers": [1, 1], "activations": ["sigmoid"], "x": [1], "y": [0], "weights": [[[' + "9" * 400 + "]]]}",
     "found an integer of 400 digits"),
    ('{"layers": [1, 1], "activations": ["sigmoid"], "x": [1], "y": [0], "learning_rate": ' + "7" * 400 + "}",
     "learning_rate: expected a finite number, found an integer of 400 digits"),
])
def test_a_400_digit_integer_in_an_import_is_a_message(app, text, words):
    app.text_area(key="json_text_area").input(text).run()
    app.button(key="import_json").click().run()
    _ok(app)
    assert words in _errors(app), _errors(app)[:300]


def test_a_sidebar_that_fails_is_caught_by_its_own_safety_net_and_the_screen_still_draws(app, monkeypatch):
    from app.walkthrough import sidebar

    def broken(page):
        raise RuntimeError("simulated sidebar bug")

    monkeypatch.setattr(sidebar, "render", broken)
    app.goto("forward")
    assert not app.exception
    assert any("sidebar hit a problem" in e.value for e in app.sidebar.error)
    assert stage(app)["data"]["count"] == 5, "the screen itself is drawn (its stage)"
    assert app.sidebar.button(key="recover_sidebar")


# ---- the training lab -------------------------------------------------------------------------------

@pytest.fixture
def lab():
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("../pages/train.py")
    at.run()
    _ok(at)
    return at


@pytest.mark.parametrize("end", ["\r", "\r\n", "\n"])
def test_the_lab_reads_csv_with_any_line_end_and_a_bom(lab, end):
    lab.selectbox(key="tl_w_source").set_value("csv").run()
    data = ("\ufeffx1,x2,y" + end + end.join(["0,0,0", "0,1,1", "1,0,1", "1,1,0"]) + end).encode()
    lab.get("file_uploader")[0].upload("cr.csv", data, "text/csv").run()
    _ok(lab)
    assert not lab.error, _errors(lab)
    assert lab.session_state["tl_session"].N == 4


@pytest.mark.parametrize("data, words", [
    (b"0,,1\n1,1,0\n", "row 1, column 2 is empty"),
    (b"0x1p3,1,0\n1,1,1\n", "'0x1p3' is not a number"),
    (b"1,2,3\n4," + b"5" * 3000 + b",6\n", "row 2, column 2: a cell of 3,000 characters"),
])
def test_an_unreadable_csv_is_a_message_and_the_source_selector_stays_to_get_out(lab, data, words):
    before = lab.session_state["tl_session"]
    lab.selectbox(key="tl_w_source").set_value("csv").run()
    lab.get("file_uploader")[0].upload("bad.csv", data, "text/csv").run()
    _ok(lab)
    assert words in _errors(lab), _errors(lab)
    assert lab.selectbox(key="tl_w_source").value == "csv"
    lab.selectbox(key="tl_w_source").set_value("xor").run()  # the way out is drawn and works
    _ok(lab)
    assert not lab.error and lab.session_state["tl_session"] is not before


ZERO_COST = {
    "linear 1-1 that fits": {"layers": [1, 1], "activations": ["linear"], "weights": [[[2.0]]], "biases": [[1.0]],
                             "x": [1.5], "y": [4.0]},
    "relu, zero weights, y = 0": {"layers": [2, 2, 1], "activations": ["relu", "relu"], "init": {"scheme": "zeros"},
                                  "x": [0.3, -0.7], "y": [0.0]},
    "softmax already right": {"layers": [2, 2], "activations": ["softmax"], "loss": "cross_entropy",
                              "weights": [[[800.0, 0.0], [0.0, -800.0]]], "biases": [[0.0, 0.0]], "x": [1.0, 1.0],
                              "y": [1, 0]},
    "bce saturating at z = 800": {"layers": [1, 1], "activations": ["sigmoid"], "loss": "bce", "weights": [[[800.0]]],
                                  "biases": [[0.0]], "x": [1.0], "y": [1.0]},
    "bce saturating at z = -800": {"layers": [1, 1], "activations": ["sigmoid"], "loss": "bce",
                                   "weights": [[[-800.0]]], "biases": [[0.0]], "x": [1.0], "y": [0.0]},
}


@pytest.mark.parametrize("name", ZERO_COST)
def test_a_cost_of_exactly_zero_never_breaks_the_lab(name):
    at = _open({"p": "train", "s": _code(ZERO_COST[name])})
    _ok(at)
    at.button(key="tl_own_examples").click().run()  # the lab opens on a starter set: back to this one example
    _ok(at)
    assert at.session_state["tl_session"].scenario.layers == tuple(ZERO_COST[name]["layers"])
    for key in ("tl_step", "tl_step_epoch"):
        at.button(key=key).click().run()
        _ok(at)
    at.checkbox(key="tl_w_log_y").set_value(False).run()
    _ok(at)
    at.checkbox(key="tl_w_log_y").set_value(True).run()
    _ok(at)


BIG = 1.7976931348623157e308


@pytest.mark.parametrize("page", SCREENS)
def test_the_largest_finite_weights_draw_on_every_screen(page):
    d = {**GOOD, "weights": [[[BIG, -BIG], [4.6e307, 1.0]], [[-BIG, 5e307]]], "biases": [[BIG, -BIG], [1.0]]}
    at = _open({"p": page, "s": _code(d)})
    _ok(at)
    assert "This link could not be opened" not in _notices(at)


def test_the_largest_finite_weights_draw_in_every_view_of_the_lab():
    d = {**GOOD, "weights": [[[BIG, -BIG], [4.6e307, 1.0]], [[-BIG, 5e307]]], "biases": [[BIG, -BIG], [1.0]]}
    at = _open({"p": "train", "s": _code(d)})
    _ok(at)
    for view in at.radio(key="tl_w_view").options:
        at.radio(key="tl_w_view").set_value(view).run()
        _ok(at)
    at.button(key="tl_step").click().run()
    _ok(at)
