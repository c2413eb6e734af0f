"""Every malformed, out-of-range or hostile scenario file: `python -m core trace|train` exits 2 with
exactly one line on stderr that names the field, what was expected and what was found; never a
traceback. One case per kind of bad input, each run as a real subprocess on a real file."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
GOOD = {"layers": [2, 2, 1], "activations": ["sigmoid", "sigmoid"], "x": [0.05, 0.1], "y": [0.01],
        "weights": [[[0.15, 0.2], [0.25, 0.3]], [[0.4, 0.45]]], "biases": [[0.35, 0.35], [0.6]]}
BATCH = {**GOOD, "x": [[0, 0], [0, 1], [1, 0]], "y": [[0], [1], [1]]}
SOFTMAX = {"layers": [2, 3, 2], "activations": ["tanh", "softmax"], "loss": "cross_entropy",
           "x": [0.5, -0.5], "y": [0, 1]}


def without(d, key):
    return {k: v for k, v in d.items() if k != key}


def raw(text):
    """A file whose bytes are exactly ``text`` (for what json.dumps would not write)."""
    return ("raw", text)


# (id, file content, words that must all appear in the one stderr line)
CASES = [
    ("not JSON", raw('{"layers": [2, 1],'), ["not valid JSON", "line 1"]),
    ("not JSON at all", raw("layers = 2, 1"), ["not valid JSON"]),
    ("empty file", raw(""), ["not valid JSON"]),
    ("binary file", ("bytes", b"\xff\xfe\x00\x81binary"), ["cannot be read as a text file"]),
    ("top level is a list", [1, 2], ["scenario", "expected a JSON object", "found [1, 2]"]),
    ("top level is a string", "layers", ["scenario", "expected a JSON object", 'found "layers"']),
    ("top level is null", None, ["scenario", "expected a JSON object", "found null"]),
    ("brackets nested too deep", raw("[" * 100_000 + "]" * 100_000), ["nested too deeply"]),
    ("integer of 5000 digits", raw('{"layers": [2, ' + "9" * 5000 + "]}"), ["numbers of ordinary size"]),
    ("missing layers", without(GOOD, "layers"), ["missing field 'layers'", "expected", "[2, 2, 1]"]),
    ("missing activations", without(GOOD, "activations"), ["missing field 'activations'", "expected"]),
    ("missing x", without(GOOD, "x"), ["missing field 'x'", "expected", "input"]),
    ("missing y", without(GOOD, "y"), ["missing field 'y'", "expected", "target"]),
    ("unknown field", {**GOOD, "learning rate": 0.1}, ["unknown field 'learning rate'", "learning_rate"]),
    ("one layer", {**GOOD, "layers": [2]}, ["layers", "2 to 32", "found [2]"]),
    ("layers not a list", {**GOOD, "layers": "2-2-1"}, ["layers", "expected a list", 'found "2-2-1"']),
    ("zero neurons", {**GOOD, "layers": [2, 0, 1]}, ["layers", "from 1 to 1024", "found [2, 0, 1]"]),
    ("negative neurons", {**GOOD, "layers": [2, -2, 1]}, ["layers", "from 1 to 1024", "found [2, -2, 1]"]),
    ("fractional neurons", {**GOOD, "layers": [2, 2.5, 1]}, ["layers", "neuron counts", "found [2, 2.5, 1]"]),
    ("string neurons", {**GOOD, "layers": [2, "2", 1]}, ["layers", "neuron counts", 'found [2, "2", 1]']),
    ("boolean neurons", {**GOOD, "layers": [2, True, 1]}, ["layers", "neuron counts", "found [2, true, 1]"]),
    ("a layer beyond the limit", {**GOOD, "layers": [2, 5000, 1]}, ["layers", "from 1 to 1024", "5000"]),
    ("a layer of 10**15 neurons", {**GOOD, "layers": [2, 10**15, 1]}, ["layers", "from 1 to 1024"]),
    ("too many layers", {**GOOD, "layers": [2] * 40}, ["layers", "2 to 32"]),
    ("too many weights in all", {**GOOD, "layers": [1024, 1024, 1024], "activations": ["relu", "relu"]},
     ["layers", "at most 1,000,000 weights", "found 2,097,152"]),
    ("too few activations", {**GOOD, "activations": ["sigmoid"]}, ["activations", "expected 2", '["sigmoid"]']),
    ("too many activations", {**GOOD, "activations": ["sigmoid"] * 3}, ["activations", "expected 2"]),
    ("activation not a string", {**GOOD, "activations": ["sigmoid", 3]}, ["activations", "names", "found"]),
    ("unknown activation", {**GOOD, "activations": ["sigmod", "sigmoid"]},
     ["activations[0]", "'sigmod'", "neither a known activation", "sigmoid, tanh, relu"]),
    ("hostile activation formula", {**GOOD, "activations": ["__import__('os').system('id')", "sigmoid"]},
     ["activations[0]", "formula"]),
    ("huge activation formula", {**GOOD, "activations": ["z+" * 50_000 + "z", "sigmoid"]},
     ["activations[0]", "formula too long", "at most 200"]),
    ("unknown cost", {**GOOD, "loss": "hinge"}, ["loss", "expected one of mse, bce, cross_entropy", '"hinge"']),
    ("cost not a string", {**GOOD, "loss": ["mse"]}, ["loss", "expected one of", '["mse"]']),
    ("softmax in a hidden layer", {**SOFTMAX, "activations": ["softmax", "softmax"]},
     ["activations[0]", "'softmax'", "output layer only"]),
    ("bce without a sigmoid output", {**GOOD, "loss": "bce", "activations": ["sigmoid", "tanh"]},
     ["loss: 'bce' needs a 'sigmoid' output", "found 'tanh'"]),
    ("cross_entropy without softmax", {**GOOD, "loss": "cross_entropy"},
     ["loss: 'cross_entropy' needs a 'softmax' output", "found 'sigmoid'"]),
    ("softmax output with mse", {**SOFTMAX, "loss": "mse"},
     ["loss: a softmax output", "'cross_entropy'", "found 'mse'"]),
    ("too few weight matrices", {**GOOD, "weights": [[[0.1, 0.2], [0.3, 0.4]]]},
     ["weights", "expected 2 matrices", "found"]),
    ("weight matrix with a wrong row count", {**GOOD, "weights": [[[0.1, 0.2]], [[0.4, 0.45]]]},
     ["weights[0] (W^2)", "2 rows of 2", "2×2", "found [[0.1, 0.2]]"]),
    ("weight row with a wrong length", {**GOOD, "weights": [[[0.1, 0.2], [0.3]], [[0.4, 0.45]]]},
     ["weights[0] (W^2)[1]", "2 finite numbers", "found [0.3]"]),
    ("bias with a wrong length", {**GOOD, "biases": [[0.35], [0.6]]}, ["biases[0] (b^2)", "2 finite numbers"]),
    ("NaN in the weights", raw(json.dumps({**GOOD, "weights": [[[float("nan"), 0.2], [0.25, 0.3]], [[0.4, 0.45]]]})),
     ["weights[0] (W^2)[0]", "finite numbers", "NaN"]),
    ("Infinity in the biases", raw(json.dumps({**GOOD, "biases": [[float("inf"), 0.35], [0.6]]})),
     ["biases[0] (b^2)", "finite numbers", "Infinity"]),
    ("1e999 in x", raw(json.dumps(GOOD).replace("0.05", "1e999")), ["x", "finite numbers", "Infinity"]),
    ("-Infinity in y", raw(json.dumps(GOOD).replace('"y": [0.01]', '"y": [-Infinity]')),
     ["y", "finite number", "-Infinity"]),
    ("a string in the weights", {**GOOD, "weights": [[[0.15, "0.2"], [0.25, 0.3]], [[0.4, 0.45]]]},
     ["weights[0] (W^2)[0]", "finite numbers", '"0.2"']),
    ("a string in x", {**GOOD, "x": ["0.05", 0.1]}, ["x", "finite numbers", '"0.05"']),
    ("null in y", {**GOOD, "y": [None]}, ["y", "finite number", "[null]"]),
    ("ragged batch", {**BATCH, "x": [[0, 0], [0], [1, 0]]}, ["x[1]", "2 finite numbers", "found [0]"]),
    ("batch mixing rows and numbers", {**BATCH, "x": [[0, 0], 1, [1, 0]]}, ["x", "2 finite numbers"]),
    ("x of the wrong length", {**GOOD, "x": [0.05, 0.1, 0.2]}, ["x", "2 finite numbers", "[0.05, 0.1, 0.2]"]),
    ("y of the wrong length", {**GOOD, "y": [0.01, 0.99]}, ["y", "1 finite number", "[0.01, 0.99]"]),
    ("fewer targets than examples", {**BATCH, "y": [[0], [1]]}, ["y", "expected 3 targets", "found 2"]),
    ("empty x", {**GOOD, "x": []}, ["x", "2 finite numbers", "found []"]),
    ("bce target of 2.0", {**GOOD, "loss": "bce", "y": [2.0]}, ["y", "'bce'", "between 0 and 1", "[[2.0]]"]),
    ("cross-entropy target below 0", {**SOFTMAX, "y": [-0.5, 1.5]}, ["y", "between 0 and 1", "[[-0.5, 1.5]]"]),
    ("cross-entropy target not summing to 1", {**SOFTMAX, "y": [0.5, 0.7]}, ["y", "sum to 1", "[[0.5, 0.7]]"]),
    ("learning rate 0", {**GOOD, "learning_rate": 0}, ["learning_rate", "0 < η ≤ 1000", "found 0"]),
    ("negative learning rate", {**GOOD, "learning_rate": -0.5}, ["learning_rate", "0 < η", "found -0.5"]),
    ("string learning rate", {**GOOD, "learning_rate": "fast"}, ["learning_rate", "expected a number", '"fast"']),
    ("boolean learning rate", {**GOOD, "learning_rate": True}, ["learning_rate", "expected a number", "true"]),
    ("NaN learning rate", raw(json.dumps({**GOOD, "learning_rate": float("nan")})),
     ["learning_rate", "expected a number", "nan"]),
    ("absurd learning rate", {**GOOD, "learning_rate": 1e12}, ["learning_rate", "≤ 1000", "1000000000000.0"]),
    ("train_biases not a boolean", {**GOOD, "train_biases": "yes"}, ["train_biases", "true or false", '"yes"']),
    ("unknown init scheme", without({**GOOD, "init": {"scheme": "glorot"}}, "weights"),
     ["init.scheme", "xavier, he, uniform, zeros", '"glorot"']),
    ("negative seed", {**GOOD, "init": {"scheme": "he", "seed": -1}}, ["init.seed", "0 to 4294967295", "-1"]),
    ("name not a string", {**GOOD, "name": 3}, ["name", "expected a string", "found 3"]),
]


def run(*args):
    return subprocess.run([sys.executable, "-m", "core", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def write(tmp_path, content) -> Path:
    f = tmp_path / "scenario.json"
    if isinstance(content, tuple) and content[0] == "raw":
        f.write_text(content[1], encoding="utf-8")
    elif isinstance(content, tuple) and content[0] == "bytes":
        f.write_bytes(content[1])
    else:
        f.write_text(json.dumps(content, allow_nan=False), encoding="utf-8")
    return f


def assert_one_line(p, words):
    assert p.returncode == 2, (p.returncode, p.stdout[:200], p.stderr[-500:])
    assert p.stdout == "" and "Traceback" not in p.stderr
    assert p.stderr.endswith("\n") and p.stderr.count("\n") == 1, p.stderr[-500:]
    line = p.stderr
    assert len(line) < 600, line
    for w in words:
        assert w in line, (w, line)


@pytest.mark.parametrize("command", ["trace", "train"])
@pytest.mark.parametrize("name, content, words", CASES, ids=[c[0] for c in CASES])
def test_bad_scenario_file_exits_2_with_one_line_naming_the_field(tmp_path, command, name, content, words):
    f = write(tmp_path, content)
    args = ("trace", str(f)) if command == "trace" else ("train", str(f), "--steps", "3")
    assert_one_line(run(*args), words)


def test_the_good_base_scenario_runs(tmp_path):
    """The cases above differ from a scenario that works: it is their bad field that is refused."""
    for content in (GOOD, BATCH, SOFTMAX):
        f = write(tmp_path, content)
        assert run("trace", str(f)).returncode == 0
        assert run("train", str(f), "--steps", "3").returncode == 0


@pytest.mark.parametrize("args, words", [
    (("trace", "no/such/file.json"), ["no/such/file.json", "no such file"]),
    (("train", "no/such/file.json"), ["no/such/file.json", "no such file"]),
    (("trace", "core"), ["core", "cannot be read as a text file"]),  # a directory
    (("train", "{GOOD}", "--steps", "-3"), ["--steps", "whole number from 0 to 1000000", "'-3'"]),
    (("train", "{GOOD}", "--steps", "1.5"), ["--steps", "whole number", "'1.5'"]),
    (("train", "{GOOD}", "--steps", "many"), ["--steps", "whole number", "'many'"]),
    (("train", "{GOOD}", "--steps", "10000000000000"), ["--steps", "from 0 to 1000000", "'10000000000000'"]),
    (("train", "{GOOD}", "--steps", "9" * 5000), ["--steps", "whole number"]),
    (("explain", "{GOOD}", "--digits", "0"), ["--digits", "from 1 to 17", "'0'"]),
    (("trace",), ["required", "file"]),
    (("fly", "{GOOD}"), ["invalid choice", "'fly'"]),
])
def test_bad_command_lines_exit_2_with_one_line(tmp_path, args, words):
    f = write(tmp_path, GOOD)
    assert_one_line(run(*[str(f) if a == "{GOOD}" else a for a in args]), words)


def test_an_oversized_file_is_refused_before_it_is_read(tmp_path, monkeypatch):
    from core.engine import scenario

    monkeypatch.setattr(scenario, "MAX_FILE_BYTES", 1000)
    f = write(tmp_path, {**GOOD, "description": "x" * 5000})
    with pytest.raises(scenario.ScenarioError, match=r"at most 1,000 bytes, found 5,[0-9]{3} bytes"):
        scenario.load_scenario(str(f))
    monkeypatch.setattr(scenario.Path, "read_text", lambda *a, **k: pytest.fail("the file was read"))
    with pytest.raises(scenario.ScenarioError):
        scenario.load_scenario(str(f))


def _strict(text):
    def refuse(token):
        raise AssertionError(f"non-strict JSON token {token}")

    return json.loads(text, parse_constant=refuse)


def _hand_run(w, b, xs, ys, eta, steps):
    """Gradient descent on C = mean ½(w x + b − y)² written out in plain Python floats: the costs
    and the first step whose cost is not finite."""
    costs = []
    for k in range(steps + 1):
        errs = [w * x + b - y for x, y in zip(xs, ys)]
        c = sum(0.5 * e * e for e in errs) / len(xs)
        costs.append(c)
        if c != c or c in (float("inf"), float("-inf")):
            return costs, k
        if k < steps:
            w, b = w - eta * sum(e * x for e, x in zip(errs, xs)) / len(xs), b - eta * sum(errs) / len(xs)
    return costs, None


@pytest.mark.parametrize("eta, diverges", [(10.0, True), (0.05, False)])
def test_train_stops_at_the_first_non_finite_cost_and_prints_strict_json(tmp_path, eta, diverges):
    xs, ys, steps = [1.0, 2.0], [0.0, 1.0], 400
    d = {"layers": [1, 1], "activations": ["linear"], "x": [[v] for v in xs], "y": [[v] for v in ys],
         "weights": [[[0.3]]], "biases": [[0.1]], "learning_rate": eta}
    p = run("train", str(write(tmp_path, d)), "--steps", str(steps))
    assert p.returncode == 0 and p.stderr == ""
    out = _strict(p.stdout)
    costs, k = _hand_run(0.3, 0.1, xs, ys, eta, steps)
    assert out["diverged_at"] == k
    if diverges:
        assert 50 < k < steps and len(out["loss_history"]) == k + 1
        assert out["loss_history"][-1] is None  # the non-finite cost, as null
        assert out["weights"] and all(v is None or isinstance(v, float) for v in out["weights"][0][0])
        np.testing.assert_allclose(out["loss_history"][:k], costs[:k], rtol=1e-9)
    else:
        assert k is None and len(out["loss_history"]) == steps + 1
        np.testing.assert_allclose(out["loss_history"], costs, rtol=1e-9)


def test_a_trace_that_overflows_prints_null_not_infinity(tmp_path):
    d = {"layers": [1, 1, 1], "activations": ["linear", "linear"], "x": [1e300], "y": [0.0],
         "weights": [[[1e300]], [[1e300]]], "biases": [[0.0], [0.0]]}
    p = run("trace", str(write(tmp_path, d)))
    assert p.returncode == 0 and p.stderr == ""
    out = _strict(p.stdout)
    assert out["loss"] is None and out["a"][2] == [None]
