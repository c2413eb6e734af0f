"""Scenario validation: every wrong file gets one message naming the field, what was
expected and what was found; presets load and round-trip."""

import json

import numpy as np
import pytest

from core import ScenarioError, load_preset, load_scenario, preset_names, trace

BASE = {"layers": [2, 2, 1], "activations": ["sigmoid", "sigmoid"], "x": [0.5, 0.1], "y": [1.0]}


@pytest.mark.parametrize("change, words", [
    ({"layers": [2]}, ["layers", "2 to 32"]),
    ({"layers": [2, 0, 1]}, ["layers", "from 1 to 1024", "[2, 0, 1]"]),
    ({"layers": [2, 2.5, 1]}, ["layers"]),
    ({"activations": ["sigmoid"]}, ["activations", "expected 2", '["sigmoid"]']),
    ({"activations": ["softmax", "sigmoid"]}, ["activations[0]", "output layer only"]),
    ({"loss": "hinge"}, ["loss", "mse, bce, cross_entropy", "hinge"]),
    ({"loss": "bce", "activations": ["sigmoid", "tanh"]}, ["bce", "sigmoid", "tanh"]),
    ({"loss": "cross_entropy"}, ["cross_entropy", "softmax"]),
    ({"weights": [[[1, 2]], [[1, 2]]]}, ["weights[0] (W^2)", "2 rows of 2", "2×2"]),
    ({"weights": [[[1, 2], [3, "a"]], [[1, 2]]]}, ["weights[0] (W^2)[1]", "2 finite numbers"]),
    ({"weights": [[[1, 2], [3, 4]]]}, ["weights", "2 matrices"]),
    ({"biases": [[0, 0], [0, 0]]}, ["biases[1] (b^3)", "1 finite number"]),
    ({"x": [0.5]}, ["x", "2 finite numbers"]),
    ({"x": [[0.5, 1], [1, 2]]}, ["y", "2 targets"]),
    ({"y": [[1.0], [0.0, 1.0]]}, ["y[1]", "1 finite number"]),
    ({"learning_rate": 0}, ["learning_rate", "0 < η"]),
    ({"learning_rate": "fast"}, ["learning_rate"]),
    ({"train_biases": "yes"}, ["train_biases", "true or false"]),
    ({"init": {"scheme": "glorot"}}, ["init.scheme", "xavier, he, uniform, zeros", "glorot"]),
    ({"init": {"scheme": "he", "seed": -1}}, ["init.seed"]),
    ({"learning rate": 0.1}, ["unknown field 'learning rate'"]),
])
def test_bad_fields_are_named(change, words):
    with pytest.raises(ScenarioError) as e:
        load_scenario({**BASE, **change})
    msg = str(e.value)
    assert "\n" not in msg
    for w in words:
        assert w in msg, (w, msg)


def test_missing_required_field_and_bad_json(tmp_path):
    with pytest.raises(ScenarioError, match="missing field 'y'"):
        load_scenario({k: v for k, v in BASE.items() if k != "y"})
    p = tmp_path / "s.json"
    p.write_text('{"layers": [2, 1],')
    with pytest.raises(ScenarioError, match=r"not valid JSON \(line 1"):
        load_scenario(str(p))
    with pytest.raises(ScenarioError, match="no such file"):
        load_scenario(str(tmp_path / "none.json"))
    with pytest.raises(ScenarioError, match="JSON object"):
        load_scenario([1, 2])


def test_nan_and_infinity_are_refused():
    with pytest.raises(ScenarioError, match="x: expected a list of 2 finite numbers"):
        load_scenario(json.loads(json.dumps({**BASE, "x": [float("nan"), 1.0]})))


def test_cross_entropy_targets_must_be_distributions():
    d = {"layers": [2, 2], "activations": ["softmax"], "loss": "cross_entropy", "x": [1, 2], "y": [0.5, 0.7]}
    with pytest.raises(ScenarioError, match="sum to 1"):
        load_scenario(d)


def test_defaults_and_missing_parameters():
    s = load_scenario(BASE)
    assert s.loss == "mse" and s.learning_rate == 0.5 and s.train_biases is True
    assert s.init == {"scheme": "xavier", "seed": 0}
    assert [W.shape for W in s.weights] == [(2, 2), (1, 2)]
    assert all(np.all(b == 0) for b in s.biases)
    bound = np.sqrt(6 / 4)
    assert np.all(np.abs(s.weights[0]) <= bound)


def test_presets_load_in_order_and_round_trip():
    names = preset_names()
    assert names[0] == "classic_2-2-2"
    assert {"article002_3-2-1", "article001_2-3-1", "article003_3-4-2", "article000_4-2-2-1",
            "article004_4-1-1", "xor_2-2-1", "xor_2-4-1"} <= set(names)
    for name in names:
        s = load_preset(name)
        again = load_scenario(json.loads(json.dumps(s.to_dict())))
        assert trace(again).cost == trace(s).cost
        assert s.name and s.description


def test_presets_are_the_articles_networks():
    shapes = {n: list(load_preset(n).layers) for n in preset_names()}
    assert shapes["article002_3-2-1"] == [3, 2, 1] and shapes["article000_4-2-2-1"] == [4, 2, 2, 1]
    assert shapes["article003_3-4-2"] == [3, 4, 2] and shapes["article004_4-1-1"] == [4, 1, 1]
    t = trace(load_preset("article002_3-2-1"))
    assert abs(t.a(3)[0] - 0.5) < 0.01 and t.scenario.y[0, 0] == 1.0  # output near 0.5, target 1.0
    s = load_preset("article001_2-3-1")
    assert not s.train_biases and all(np.all(b == 0) for b in s.biases)
    assert load_preset("article004_4-1-1").loss == "bce"
    assert load_preset("xor_2-2-1").x.shape == (4, 2)


def test_unknown_preset():
    with pytest.raises(ScenarioError, match="no preset 'nope'"):
        load_preset("nope")


def test_sizes_that_would_exhaust_memory_are_refused_with_a_message():
    with pytest.raises(ScenarioError, match="at most 1,000,000 weights"):
        load_scenario({"layers": [1024] * 3, "activations": ["relu", "relu"], "x": [0] * 1024, "y": [0] * 1024})
    wide = {"layers": [500, 500, 1], "activations": ["relu", "linear"], "init": {"scheme": "zeros", "seed": 0},
            "x": [[0.0] * 500] * 40, "y": [[0.0]] * 40}
    with pytest.raises(ScenarioError, match="too many to record every example"):
        trace(wide)
    from core import train
    assert len(train(wide, 1).loss_history) == 2  # training needs no per-example records
