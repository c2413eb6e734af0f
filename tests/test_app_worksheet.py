"""The Worksheets screen in AppTest: it renders, offers its downloads, the seed and the teacher's
choices change the sheet, bad choices give a message, a sheet opens in the walkthrough, a class
batch is made; and the export buttons on the Network and Training screens."""

import io
import zipfile
from pathlib import Path

from app.session.state import SCENARIO_KEY, canonical_json
from app.teaching.worksheet_ui import ZIP
from core.teaching.worksheet import Allowed, worksheet
from tests._stage import figure_config
from tests.conftest import assert_no_crash as _ok

DEFAULT = Allowed(activations=("sigmoid", "tanh", "relu"), costs=("mse",), inputs=(1, 3), hidden_layers=(0, 2),
                  hidden_neurons=(1, 3), outputs=(1, 2))


def _preview(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("# Backpropagation worksheet"))


def test_page_renders_with_its_downloads_and_preview(app):
    at = app.goto("worksheet")
    _ok(at)
    labels = [b.label for b in at.download_button]
    for want in ("Worksheet (.html)", "Answer key (.html)", "Both, to print (.html)", "Worksheet (.md)",
                 "Answer key (.md)"):
        assert any(want in x for x in labels), (want, labels)
    ws = worksheet(1, DEFAULT)
    assert _preview(at) == "\n".join(x for x in ws.markdown().splitlines() if not x.startswith("!["))
    assert any(m.value.startswith("# Answer key: backpropagation worksheet 1") for m in at.markdown)
    assert any(f"{len(ws.blanks)} blanks" in m.value for m in at.markdown)


def test_changing_the_seed_changes_the_sheet(app):
    at = app.goto("worksheet")
    first = _preview(at)
    at.number_input(key="ws_w_seed").set_value(2).run()
    _ok(at)
    assert _preview(at) != first
    assert _preview(at).startswith("# Backpropagation worksheet 2")
    assert "\n".join(x for x in worksheet(2, DEFAULT).markdown().splitlines() if not x.startswith("![")) == _preview(at)
    at.number_input(key="ws_w_seed").set_value(1).run()
    assert _preview(at) == first  # the same seed, the same sheet


def test_the_teachers_choices_reach_the_sheet_and_bad_ones_say_why(app):
    at = app.goto("worksheet")
    at.multiselect(key="ws_w_costs").set_value(["cross_entropy"]).run()
    _ok(at)
    assert "softmax" in _preview(at)
    at.multiselect(key="ws_w_costs").set_value([]).run()
    _ok(at)
    assert any("No worksheet can be made" in e.value and "at least one cost" in e.value for e in at.error)
    at.multiselect(key="ws_w_costs").set_value(["mse"]).run()
    at.goto("network")
    at.goto("worksheet")  # the choices survive a visit to another screen
    assert at.multiselect(key="ws_w_costs").value == ["mse"] and not at.error


def test_open_in_the_walkthrough(app):
    at = app.goto("worksheet")
    at.number_input(key="ws_w_seed").set_value(5).run()
    at.button(key="ws_open").click().run()
    _ok(at)
    assert at.session_state[SCENARIO_KEY] == canonical_json(worksheet(5, DEFAULT).scenario)


def test_a_class_batch_is_made_with_the_chosen_seeds(app):
    at = app.goto("worksheet")
    at.number_input(key="ws_w_batch").set_value(2).run()
    at.button(key="ws_make_zip").click().run()
    _ok(at)
    assert any("Worksheets 1–2" in b.label for b in at.download_button)
    with zipfile.ZipFile(io.BytesIO(at.session_state[ZIP][1])) as z:
        assert z.read("worksheet_2.html").decode() == worksheet(2, DEFAULT).html("worksheet")
        assert len(z.namelist()) == 4


def test_network_screen_offers_the_step_csv_the_svg_and_a_png_camera(app):
    labels = [b.label for b in app.download_button]
    assert any("Every value of this step (" in x and ".csv" in x for x in labels), labels
    assert any("Network drawing (.svg)" in x for x in labels)
    config = figure_config(app, "network_fig")
    assert config["toImageButtonOptions"]["format"] == "png" and config["modeBarButtons"] == [["toImage"]]


def test_training_lab_offers_the_history_csv(app):
    at = app.goto("train")
    _ok(at)
    assert any("Training history (.csv)" in b.label for b in at.download_button)


def test_a_link_to_the_worksheet_screen_opens_it_without_a_warning():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app" / "streamlit_app.py"), default_timeout=60)
    at.query_params["p"] = "worksheet"
    at.run()
    _ok(at)
    assert not at.warning and any(t.value == "6 · Worksheets" for t in at.title)
