"""The Network screen: presets, building your own network (typed formulas included), bad
values give a message and keep what was typed, JSON import/export, the handout download."""

from app.walkthrough.builder import pretty_json
from core import load_preset
from tests.conftest import assert_no_crash as _ok
from tests.conftest import error_text as _errors


def test_presets_are_listed_classic_first_and_the_default_is_selected(app):
    box = app.selectbox(key="preset_select")
    assert box.options[0] == "Classic 2-2-2 worked example"
    assert box.value == "classic_2-2-2"


def test_build_a_custom_network_with_a_typed_formula(app):
    app.number_input(key="nb_hidden").set_value(2).run()
    app.number_input(key="nb_sizes_0").set_value(3).run()
    app.selectbox(key="nb_activations_0").set_value("formula").run()
    app.text_input(key="nb_formulas_0").input("log(1 + exp(z))").run()
    app.selectbox(key="nb_activations_1").set_value("tanh").run()
    app.number_input(key="nb_n_out").set_value(1).run()
    app.text_input(key="nb_y").input("0.5").run()
    app.selectbox(key="nb_scheme").set_value("he").run()
    app.button(key="build").click().run()
    _ok(app)
    assert not app.error, _errors(app)
    s = app.session_state["bp_scenario"]
    assert s.layers == (2, 3, 2, 1) and s.activations == ("log(1 + exp(z))", "tanh", "sigmoid")
    assert app.selectbox(key="preset_select").value is None
    for page in ("forward", "backward", "update"):
        app.goto(page)
        _ok(app)
        assert not app.error, _errors(app)


def test_a_refused_formula_shows_a_message_and_keeps_the_text(app):
    app.selectbox(key="nb_activation_out").set_value("formula").run()
    app.text_input(key="nb_formula_out").input("__import__('os').system('true')").run()
    app.button(key="build").click().run()
    _ok(app)
    assert "activations[1]" in _errors(app)
    assert app.text_input(key="nb_formula_out").value == "__import__('os').system('true')"
    assert app.session_state["bp_scenario"].layers == (2, 2, 2)  # unchanged


def test_a_bad_number_for_x_says_what_to_type(app):
    app.text_input(key="nb_x").input("0.05, abc").run()
    app.button(key="build").click().run()
    _ok(app)
    assert "'abc' is not a number" in _errors(app)
    assert app.text_input(key="nb_x").value == "0.05, abc"
    app.text_input(key="nb_x").input("0.05").run()
    app.button(key="build").click().run()
    assert "type 2 number(s)" in _errors(app)


def test_a_bad_pairing_shows_cores_message(app):
    app.selectbox(key="nb_loss").set_value("cross_entropy").run()
    app.button(key="build").click().run()
    _ok(app)
    assert "softmax" in _errors(app)


def test_invalid_json_keeps_the_text_with_the_error_below(app):
    app.text_area(key="json_text_area").input('{"layers": [2, 2, ').run()
    app.button(key="import_json").click().run()
    _ok(app)
    assert "not valid JSON" in _errors(app)
    assert app.text_area(key="json_text_area").value == '{"layers": [2, 2, '
    app.goto("forward")
    app.goto("network")
    assert app.text_area(key="json_text_area").value == '{"layers": [2, 2, '  # kept across screens


def test_importing_json_changes_the_network(app):
    app.text_area(key="json_text_area").input(pretty_json(load_preset("article002_3-2-1"))).run()
    app.button(key="import_json").click().run()
    _ok(app)
    assert not app.error
    assert app.session_state["bp_scenario"].layers == (3, 2, 1)
    assert any("Imported" in i.value for i in app.info)


def test_too_big_a_network_is_refused_with_the_limit(app):
    app.text_area(key="json_text_area").input(
        '{"layers": [2, 20, 1], "activations": ["relu", "sigmoid"], "x": [1, 2], "y": [1]}').run()
    app.button(key="import_json").click().run()
    _ok(app)
    assert "at most 8 neurons" in _errors(app)


def test_export_and_handout_downloads_are_offered(app):
    labels = [b.label for b in app.download_button]
    assert any("Export this scenario" in x for x in labels)
    assert any("handout" in x for x in labels)


def test_the_network_drawing_shows_every_weight_on_its_edge(app):
    from app.walkthrough import stepping
    from app.walkthrough.figures import network_figure
    from core import load_preset

    assert app.get("plotly_chart")
    # the drawing's data for the classic 2-2-2: the eight weights of its preset file, one per edge
    s = load_preset("classic_2-2-2")
    fig = network_figure(s.layers, **stepping.network_drawing(s).kwargs)
    labels = next(t for t in fig.data if t.name == "edge labels").text
    assert sorted(map(float, labels)) == [0.15, 0.2, 0.25, 0.3, 0.4, 0.45, 0.5, 0.55]


def test_typed_text_is_never_read_as_a_file_path(app):
    app.text_area(key="json_text_area").input("core/presets/classic_2-2-2.json").run()
    app.button(key="import_json").click().run()
    _ok(app)
    assert "not valid JSON" in _errors(app)
