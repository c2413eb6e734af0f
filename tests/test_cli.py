"""The command line: JSON out, exit 2 with one line on stderr for bad input."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from core import load_preset, trace

ROOT = Path(__file__).resolve().parent.parent
PRESETS = ROOT / "core" / "presets"


def run(*args):
    return subprocess.run([sys.executable, "-m", "core", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)


def test_trace_prints_the_engine_values():
    p = run("trace", str(PRESETS / "classic_2-2-2.json"))
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    assert set(d) == {"loss", "a", "z", "delta", "dW", "db", "updated"}
    assert d["loss"] == pytest.approx(0.298371109, abs=5e-10)
    assert len(d["a"]) == 3 and d["a"][0] == [0.05, 0.1]  # input first
    assert len(d["z"]) == len(d["delta"]) == len(d["dW"]) == len(d["db"]) == 2
    assert d["updated"]["weights"][1][0][0] == pytest.approx(0.35891648, abs=5e-9)
    assert d["updated"]["weights"][0][0][0] == pytest.approx(0.149780716, abs=5e-10)


def test_trace_of_a_batch_has_an_example_axis():
    p = run("trace", str(PRESETS / "xor_2-2-1.json"))
    d = json.loads(p.stdout)
    t = trace(load_preset("xor_2-2-1"))
    assert len(d["a"][0]) == 4 and len(d["delta"][0]) == 4 and len(d["z"][1]) == 4
    assert d["loss"] == pytest.approx(t.cost, rel=1e-15)
    assert len(d["dW"][0]) == 2 and len(d["dW"][0][0]) == 2  # batch mean, no example axis


def test_train_prints_history_and_parameters():
    p = run("train", str(PRESETS / "xor_2-2-1.json"), "--steps", "25")
    d = json.loads(p.stdout)
    assert len(d["loss_history"]) == 26 and d["loss_history"][-1] < d["loss_history"][0]
    assert [len(W) for W in d["weights"]] == [2, 1] and [len(b) for b in d["biases"]] == [2, 1]


@pytest.mark.parametrize("args, words", [
    (("trace", "missing.json"), "no such file"),
    (("train", str(PRESETS / "xor_2-2-1.json"), "--steps", "-3"), "--steps"),
    (("train", str(PRESETS / "xor_2-2-1.json"), "--steps", "many"), "expected a whole number"),
    (("fly",), "invalid choice"),
    ((), "required"),
])
def test_bad_input_exits_2_with_one_line(args, words):
    p = run(*args)
    assert p.returncode == 2 and p.stdout == ""
    assert p.stderr.count("\n") == 1 and words in p.stderr and "Traceback" not in p.stderr


def test_bad_scenario_file_exits_2(tmp_path):
    f = tmp_path / "bad.json"
    f.write_text(json.dumps({"layers": [2, 1], "activations": ["sigmoid"], "x": [1, 2], "y": [1, 2]}))
    p = run("trace", str(f))
    assert p.returncode == 2 and "y: expected a list of 1 finite number" in p.stderr
    assert p.stderr.count("\n") == 1
    f.write_bytes(b"\xff\xfe\x00binary")
    p = run("trace", str(f))
    assert p.returncode == 2 and p.stderr.count("\n") == 1 and "Traceback" not in p.stderr


def test_diverged_training_prints_null_not_invalid_json(tmp_path):
    d = load_preset("xor_2-4-1").to_dict()
    d.update(activations=["linear", "linear"], learning_rate=50.0)
    f = tmp_path / "div.json"
    f.write_text(json.dumps(d))
    p = run("train", str(f), "--steps", "300")
    out = json.loads(p.stdout)  # strict JSON: would fail on Infinity/NaN tokens
    assert p.returncode == 0 and out["diverged_at"] < 300 and out["loss_history"][-1] is None
