"""Fuzzing what a user can send (issue 17): random bytes and random valid-looking JSON into the scenario
loader, random bytes and CSV-like text into the CSV reader. Each input gives one clean one-line message
or a result, within a time bound, and no CSV row of numbers is ever dropped."""

import json
import math
import time

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import Scenario, ScenarioError, load_scenario
from core.engine.scenario import FIELDS
from core.lab.datasets import Dataset, DatasetError, parse_csv

BOUND_S = 10.0  # per input, generous for a shared machine: a hang would take minutes
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))

odd_text = st.lists(st.sampled_from(["a", "z", "é", "∂", " ", "\n", "\x00", "\ud800", "\udfff", "\ufeff", "\u202e",
                                     "sigmoid", "max(", ")", ",", "z", "'", "{", "1e999"]), max_size=8).map("".join)
numbers = (st.integers(-3, 5) | st.integers(-10**400, 10**400) | st.floats(allow_nan=True, allow_infinity=True)
           | st.sampled_from([1e308, -1e308, 1.7976931348623157e308, 5e-324, 0.0, -0.0]))
activation = st.sampled_from(["sigmoid", "tanh", "relu", "leaky_relu", "linear", "softmax", "log(1 + exp(z))",
                              "max(z, 0.1*z)", "max(z, 2*z, 3*z, 4*z, 5*z, 6*z, 7*z, 8*z)", "sqrt(z)", "z/0",
                              "__import__('os')"]) | odd_text
vector = st.lists(numbers, max_size=4)
value = (numbers | odd_text | st.none() | st.booleans() | vector | st.lists(vector, max_size=3)
         | st.lists(st.lists(vector, max_size=3), max_size=3))
scenario_like = st.fixed_dictionaries(
    {"layers": st.lists(st.integers(0, 4), min_size=1, max_size=4), "x": st.lists(numbers, max_size=4) | value,
     "y": st.lists(numbers, max_size=3) | value},
    optional={"activations": st.lists(activation, max_size=4), "loss": st.sampled_from(["mse", "bce",
              "cross_entropy"]) | odd_text, "weights": value, "biases": value, "learning_rate": numbers | odd_text,
              "name": odd_text, "description": odd_text, "init": st.dictionaries(st.sampled_from(["scheme", "seed"])
              | odd_text, st.sampled_from(["xavier", "he", "zeros"]) | numbers, max_size=2),
              "train_biases": st.booleans() | numbers}) | st.dictionaries(st.sampled_from(FIELDS) | odd_text, value,
                                                                            max_size=6)


def _clean(message: str) -> None:
    assert message and "\n" not in message and len(message) < 600, message
    message.encode("utf-8")  # it can be printed and drawn


def _scenario_or_message(source):
    t0 = time.perf_counter()
    try:
        s = load_scenario(source)
    except ScenarioError as e:
        _clean(str(e))
        s = None
    assert time.perf_counter() - t0 < BOUND_S
    if s is not None:
        assert isinstance(s, Scenario)
        assert all(np.all(np.isfinite(a)) for a in (*s.weights, *s.biases, s.x, s.y))
        s.name.encode("utf-8")
        s.description.encode("utf-8")


@SETTINGS
@given(scenario_like)
def test_valid_looking_json_gives_a_scenario_or_one_clean_message(d):
    _scenario_or_message(d)
    try:
        text = json.dumps(d)  # as a link or an upload spells it (lone surrogates escaped as \ud800)
    except ValueError:
        return
    _scenario_or_message(text)


@SETTINGS
@given(st.binary(max_size=400) | scenario_like.map(lambda d: json.dumps(d).encode()[:-1]))
def test_random_bytes_as_a_scenario_file_give_one_clean_message(data):
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "s.json"
        path.write_bytes(data)
        _scenario_or_message(path)


def _dataset_or_message(data):
    t0 = time.perf_counter()
    try:
        d = parse_csv(data)
    except DatasetError as e:
        _clean(str(e))
        d = None
    assert time.perf_counter() - t0 < BOUND_S
    if d is not None:
        assert isinstance(d, Dataset) and len(d) >= 1 and d.x.shape[0] == d.y.shape[0]
        assert np.all(np.isfinite(d.x)) and np.all(np.isfinite(d.y))
    return d


csv_text = st.lists(st.sampled_from(["0", "1", "2.5", "-3", "1e3", "x", "y1", ",", ",", ";", "\t", "\n", "\r",
                                     "\r\n", "\ufeff", " ", '"', "", "0x1p3", "nan", "\ud800", "١"]),
                    max_size=40).map("".join)


@SETTINGS
@given(st.binary(max_size=600) | csv_text.map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_random_bytes_as_csv_give_examples_or_one_clean_message(data):
    _dataset_or_message(data)


@SETTINGS
@given(csv_text)
def test_random_csv_like_text_gives_examples_or_one_clean_message(text):
    _dataset_or_message(text)


@SETTINGS
@given(st.lists(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=2, max_size=2), min_size=1, max_size=12),
       st.sampled_from(["\n", "\r\n", "\r"]), st.booleans(), st.booleans(), st.sampled_from([",", ";", "\t"]))
def test_no_row_of_numbers_is_ever_dropped(rows, end, header, bom, sep):
    lines = (["x" + sep + "y"] if header else []) + [sep.join(repr(v) for v in r) for r in rows]
    text = ("\ufeff" if bom else "") + end.join(lines) + end
    d = _dataset_or_message(text)
    assert d is not None
    np.testing.assert_array_equal(np.hstack([d.x, d.y]), np.array(rows))
    assert not any(math.isnan(v) for r in rows for v in r)
