"""Bad values on every screen (AppTest): the builder's fields, JSON typed or uploaded, links with
odd, oversized or tampered state, the training lab's data. Each shows a message next to the field,
never an exception, and the last good network stays."""

import base64
import json
import re
import zlib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app.session import url
from app.session.state import canonical_json
from core import load_preset
from tests._stage import step_caption
from tests.conftest import APP
from tests.conftest import assert_no_crash as _ok
from tests.conftest import error_text as _errors

ROOT = Path(__file__).resolve().parent.parent
CLASSIC = canonical_json(load_preset("classic_2-2-2"))
GOOD = {"layers": [2, 2, 1], "activations": ["sigmoid", "sigmoid"], "x": [0.05, 0.1], "y": [0.01]}


def _kept(at):
    assert at.session_state["bp_scenario_json"] == CLASSIC  # the last good network is still the one shown


# ---- the builder ---------------------------------------------------------------------------

@pytest.mark.parametrize("key, value, lo, hi", [
    ("nb_n_in", 0, 1, 8), ("nb_n_in", 9, 1, 8), ("nb_n_in", 2.5, 1, 8), ("nb_n_out", -3, 1, 8),
    ("nb_hidden", 7, 0, 6), ("nb_eta", 0.0, 1e-6, 1000), ("nb_eta", -0.5, 1e-6, 1000), ("nb_eta", 5000.0, 1e-6, 1000),
    ("nb_seed", -1, 0, 2**32 - 1),
])
def test_number_fields_never_hold_an_out_of_range_value(app, key, value, lo, hi):
    """Streamlit's number inputs keep their value within their bounds; the network changes only on Build."""
    app.number_input(key=key).set_value(value).run()
    _ok(app)
    v = app.number_input(key=key).value
    assert lo <= v <= hi and v != value and (key == "nb_eta" or v == int(v))
    _kept(app)


@pytest.mark.parametrize("field, value, words", [
    ("n_in", 0, "inputs n₁: choose a whole number from 1 to 8, found 0"),
    ("n_in", 2.5, "inputs n₁: choose a whole number from 1 to 8, found 2.5"),
    ("n_in", "2", "inputs n₁: choose a whole number from 1 to 8, found '2'"),
    ("n_in", float("nan"), "inputs n₁: choose a whole number from 1 to 8, found nan"),
    ("n_out", 10**9, "outputs n_L: choose a whole number from 1 to 8, found 1000000000"),
    ("hidden", -1, "hidden layers: choose a whole number from 0 to 6, found -1"),
    ("hidden", True, "hidden layers: choose a whole number from 0 to 6, found True"),
    ("eta", 0.0, "learning rate η: choose a number with 0 < η ≤ 1000, found 0.0"),
    ("eta", float("inf"), "learning rate η: choose a number with 0 < η ≤ 1000, found inf"),
    ("eta", "fast", "learning rate η: choose a number with 0 < η ≤ 1000, found fast"),
    ("seed", -1, "seed: choose a whole number from 0 to 4294967295, found -1"),
    ("seed", 1e30, "seed: choose a whole number from 0 to 4294967295, found 1e+30"),
])
def test_a_bad_draft_value_is_refused_by_the_builder_with_what_to_choose(field, value, words):
    from app.walkthrough.builder import DraftError, draft_from, scenario_dict

    d = draft_from(load_preset("classic_2-2-2"))
    d[field] = value
    with pytest.raises(DraftError) as e:
        scenario_dict(d)
    assert str(e.value) == words
    d["sizes"][0] = 0
    d.update(hidden=1, n_in=2, n_out=2, eta=0.5, seed=0)
    with pytest.raises(DraftError, match="neurons in layer 2: choose a whole number from 1 to 8, found 0"):
        scenario_dict(d)


@pytest.mark.parametrize("key, text, words", [
    ("nb_x", "0.05", "input x: the layer has 2 neuron(s), so type 2 number(s), found 1"),
    ("nb_x", "0.05, nan", "'nan' is not a finite number"),
    ("nb_x", "1e999, 1", "'1e999' is not a finite number"),
    ("nb_x", "0, 0; 0", "input x (example 2)"),
    ("nb_y", "0.5, 0.5, 0.5", "target y: the layer has 2 neuron(s)"),
    ("nb_y", "", "target y: type 2 number(s)"),
    ("nb_x", "<script>alert(1)</script>, 1", "is not a number"),
])
def test_bad_examples_in_the_builder(app, key, text, words):
    app.text_input(key=key).input(text).run()
    app.button(key="build").click().run()
    _ok(app)
    assert words in _errors(app), _errors(app)
    assert app.text_input(key=key).value == text  # what was typed stays, to be fixed
    _kept(app)


def test_a_bce_target_outside_0_1_is_refused_by_core(app):
    app.selectbox(key="nb_loss").set_value("bce").run()
    app.text_input(key="nb_y").input("2.0, 0").run()
    app.button(key="build").click().run()
    _ok(app)
    assert "y: loss 'bce' needs targets between 0 and 1" in _errors(app)
    _kept(app)


# ---- JSON typed or uploaded ----------------------------------------------------------------

BAD_JSON = [
    ("not JSON", "layers: 2, 2, 1", "not valid JSON"),
    ("a list", "[1, 2, 3]", "scenario: expected a JSON object"),
    ("missing y", json.dumps({k: v for k, v in GOOD.items() if k != "y"}), "missing field 'y'"),
    ("one layer", json.dumps({**GOOD, "layers": [2]}), "layers: expected a list of 2 to 32"),
    ("string neurons", json.dumps({**GOOD, "layers": [2, "two", 1]}), "layers: expected"),
    ("huge layer", json.dumps({**GOOD, "layers": [2, 10**9, 1]}), "at most 8 neurons per layer"),
    ("too big for the stepper", json.dumps({**GOOD, "layers": [2, 500, 1]}), "at most 8 neurons"),
    ("NaN weights", json.dumps({**GOOD, "weights": [[[float("nan"), 0], [0, 0]], [[0, 0]]]}), "weights[0] (W^2)[0]"),
    ("ragged batch", json.dumps({**GOOD, "x": [[0, 1], [0]], "y": [[0], [1]]}), "x[1]"),
    ("softmax hidden", json.dumps({**GOOD, "activations": ["softmax", "sigmoid"]}), "output layer only"),
    ("hostile formula", json.dumps({**GOOD, "activations": ["__import__('os').system('id')", "sigmoid"]}),
     "activations[0]"),
    ("deep nesting", "[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ("5000-digit number", '{"layers": [' + "9" * 5000 + "]}", "number too large"),
    ("100 kB of junk", "x" * 100_000, "not valid JSON"),
]


@pytest.mark.parametrize("name, text, words", BAD_JSON, ids=[b[0] for b in BAD_JSON])
def test_bad_json_import_shows_a_message_and_keeps_text_and_network(app, name, text, words):
    app.text_area(key="json_text_area").input(text).run()
    app.button(key="import_json").click().run()
    _ok(app)
    assert words in _errors(app), _errors(app)[:300]
    assert app.text_area(key="json_text_area").value == text
    _kept(app)


@pytest.mark.parametrize("name, data, words", [
    ("binary.json", b"\x89PNG\r\n\x1a\n\xff\xfe", "not UTF-8"),
    ("big.json", b"{" + b" " * 1_100_000 + b"}", "larger than 1 MB"),
    ("list.json", b"[1, 2]", "scenario: expected a JSON object"),
    ("deep.json", b"[" * 50_000 + b"]" * 50_000, "nested too deeply"),
    ("nan.json", json.dumps({**GOOD, "x": [float("inf"), 1]}).encode(), "x: expected a list of 2 finite numbers"),
])
def test_bad_upload_shows_a_message_and_keeps_the_network(app, name, data, words):
    app.get("file_uploader")[0].upload(name, data, "application/json").run()  # the scenario file uploader
    _ok(app)
    assert words in _errors(app), _errors(app)[:300]
    _kept(app)
    app.get("file_uploader")[0].set_value(("good.json", json.dumps(GOOD).encode(), "application/json")).run()
    _ok(app)
    assert not app.error and app.session_state["bp_scenario"].layers == (2, 2, 1)


# ---- links: every screen, odd values, oversized and tampered state --------------------------

def _open(params: dict) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(params)
    return at.run()


def _warned(at) -> str:
    """The notices shown (a warning on the stepping screens, an info box in the training lab)."""
    return " ".join(w.value.replace("\\", "") for w in [*at.warning, *at.info])


def _code(d) -> str:
    return "1" + base64.urlsafe_b64encode(zlib.compress(json.dumps(d).encode())).decode()


@pytest.mark.parametrize("page", ["forward", "backward", "update", "train", "network"])
@pytest.mark.parametrize("params, words", [
    ({"step": "999999"}, None),  # past the end: clamped, no error
    ({"step": "-4"}, "the link's step is not a step number"),
    ({"step": "²"}, "the link's step is not a step number"),
    ({"step": "9" * 5000}, "the link's step is not a step number"),
    ({"n": "7"}, "the link's example number is not one of 1 to 1"),
    ({"s": "1" + "A" * 100_000}, "the network code is too long"),
    ({"s": _code(GOOD)[:-6] + "AAAAAA"}, "the network code is damaged"),
    ({"s": _code({**GOOD, "y": [2.0], "loss": "bce"})}, "y: loss 'bce' needs targets between 0 and 1"),
    ({"s": _code({**GOOD, "layers": [2, 10**6, 1]})}, "at most 8 neurons per layer"),
    ({"s": _code({**GOOD, "learning_rate": -1})}, "learning_rate"),
    ({"s": "2" + _code(GOOD)[1:]}, "not in a format this app knows"),
    ({"v": "x" * 100_000, "n": "1"}, None),  # an unknown view is the neuron view
])
def test_odd_oversized_or_tampered_links_open_with_a_notice_never_an_error(page, params, words):
    at = _open({"p": page, **params})
    _ok(at)
    assert at.session_state["bp_scenario_json"] == CLASSIC
    if words:
        assert "This link could not be opened" in _warned(at) and words in _warned(at), _warned(at)[:300]
    else:
        assert "This link could not be opened" not in _warned(at)
    if page in ("forward", "backward"):
        step = step_caption(at)
        assert re.fullmatch(r"Step (\d+) of \1", step) if params.get("step") == "999999" else step.startswith(
            "Step 1 of")


def test_a_tampered_link_keeps_a_student_s_network_in_their_own_session_only():
    """Two sessions: one opens a tampered link, the other's network is untouched (no shared state)."""
    a = _open({"p": "network", "s": _code({**GOOD, "layers": [3, 2, 1], "x": [1, 2, 3]})})
    b = _open({"p": "network", "s": "1garbage"})
    _ok(a)
    _ok(b)
    assert a.session_state["bp_scenario"].layers == (3, 2, 1)
    assert b.session_state["bp_scenario_json"] == CLASSIC and "damaged" in _warned(b)


def test_url_decoding_never_raises_on_any_value():
    default = load_preset("classic_2-2-2")
    for params in ({"s": ["1", None, 3]}, {"step": 5}, {"p": ["forward", "network"]}, {"s": "1" * 24_001},
                   {"n": "0"}, {"step": "0"}, {"s": "1" + "=" * 100}, {"s": "1" + base64.urlsafe_b64encode(
                       zlib.compress(b'{"layers": [' + b"[" * 5000 + b"]" * 5000 + b"]}")).decode()}):
        link = url.decode_params(params, default)
        assert link.problem is None or link.problem.startswith("This link could not be opened")


# ---- the training lab ----------------------------------------------------------------------

@pytest.fixture
def lab():
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("../pages/train.py")
    at.run()
    _ok(at)
    at.selectbox(key="tl_w_source").set_value("csv").run()
    at.text_area(key="tl_paste").input("x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,1").run()
    at.button(key="tl_use_paste").click().run()
    _ok(at)
    assert at.session_state["tl_session"].N == 4
    return at


@pytest.mark.parametrize("text, words", [
    ("x1,x2,y\n0,0,0\n0,1", "row 3"),
    ("x1,x2,y\n0,0,0\n0,nan,1", "row 3"),
    ("x1,x2,y\n0,0,0\n0,inf,1", "row 3"),
    ("x1,x2,y\n0,0,0\n0,'=cmd|' /C calc'!A0,1", "row 3"),
    ("", None),
    ("x" * 100_000, None),
])
def test_bad_pasted_data_is_refused_and_the_last_good_data_kept(lab, text, words):
    lab.text_area(key="tl_paste").input(text).run()
    lab.button(key="tl_use_paste").click().run()
    _ok(lab)
    assert "These examples cannot be used" in _errors(lab)
    if words:
        assert words in _errors(lab), _errors(lab)
    assert lab.text_area(key="tl_paste").value == text  # what was pasted stays, to be fixed
    assert lab.session_state["bp_scenario_json"] == CLASSIC  # the network is untouched
    # (the lab itself stops training until the data can be used: app/lab/train_state.py drops its session)


# ---- no HTML from users ----------------------------------------------------------------------

def test_unsafe_allow_html_is_only_used_with_fixed_text():
    uses = []
    for f in sorted([*ROOT.glob("app/**/*.py"), *ROOT.glob("pages/*.py")]):
        for i, line in enumerate(f.read_text().splitlines(), 1):
            if "unsafe_allow_html" in line:
                uses.append((f.name, i, line.strip()))
    # the page CSS and the drawing's legend: module constants, never a value from a user
    assert [u[2] for u in uses] == [
        "st.markdown(CSS, unsafe_allow_html=True)  # fixed CSS, no user text",
        'st.markdown(LEGEND.get(legend or kwargs.get("value_name", "weight"), ""), unsafe_allow_html=True)  # fixed',
    ], uses
    from app.walkthrough import ui

    assert isinstance(ui.CSS, str) and all(isinstance(v, str) for v in ui.LEGEND.values())  # constants
