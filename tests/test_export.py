"""CSV exports read back with the csv module: every value of a trace at full precision, indexed
here independently of core.teaching.export, as many rows as the trace records, and training histories."""

import csv
import io

import numpy as np
import pytest

from core import load_preset, trace
from core.engine.backprop import train
from core.lab.training import TrainingSession
from core.teaching.export import TRACE_COLUMNS, session_csv, trace_csv, train_result_csv


def _rows(text: str) -> list[dict]:
    reader = csv.DictReader(io.StringIO(text))
    assert tuple(reader.fieldnames) == TRACE_COLUMNS
    return list(reader)


def _lookup(t, r: dict) -> float:
    """The trace's value named by one CSV row (1-based layer/neuron/example numbers)."""
    q = r["quantity"]
    l = int(r["layer"]) if r["layer"] else None
    j = int(r["j"]) - 1 if r["j"] else None
    k = int(r["k"]) - 1 if r["k"] else None
    n = int(r["example"]) - 1 if r["example"] else None
    s = t.scenario
    per_layer = {"z": t.zs, "dC_da": t.dC_das, "sigma_prime": t.dsigmas, "delta": t.deltas}
    if q == "eta":
        return s.learning_rate
    if q == "W":
        return s.weights[l - 2][j, k]
    if q == "b":
        return s.biases[l - 2][j]
    if q == "y":
        return s.y[n, j]
    if q == "a":
        return t.activations[l - 1][n, j]
    if q in per_layer:
        return per_layer[q][l - 2][n, j]
    if q == "cost":
        return t.costs[n]
    if q == "cost_mean":
        return t.cost
    if q == "dC_dW":
        return t.dC_dW[l - 2][j, k] if n is None else t.dC_dW_examples[l - 2][n, j, k]
    if q == "dC_db":
        return t.dC_db[l - 2][j]
    if q == "W_new":
        return t.weights_new[l - 2][j, k]
    if q == "b_new":
        return t.biases_new[l - 2][j]
    raise AssertionError(f"unknown quantity {q}")


@pytest.mark.parametrize("preset", ["classic_2-2-2", "xor_2-2-1", "article003_3-4-2"])
def test_trace_csv_reads_back_as_every_value_of_the_trace(preset):
    t = trace(load_preset(preset))
    rows = _rows(trace_csv(t))
    for r in rows:
        assert float(r["value"]) == float(_lookup(t, r)), r  # exact: repr round-trips a float
    keys = [(r["phase"], r["layer"], r["j"], r["k"], r["example"], r["quantity"]) for r in rows]
    assert len(set(keys)) == len(keys)
    s, N = t.scenario, t.N
    sizes = list(s.layers[1:])
    wsizes = [a * b for a, b in zip(s.layers[1:], s.layers[:-1])]
    params = sum(wsizes) + sum(sizes)
    sigma = sum(sizes) if t.dsigmas[-1] is not None else sum(sizes[:-1])
    per_example = s.layers[-1] + s.layers[0] + 2 * sum(sizes) + 1 + sum(sizes) + sigma + sum(sizes) + sum(wsizes)
    assert len(rows) == params + 1 + N * per_example + 1 + params + params
    counts = {q: sum(r["quantity"] == q for r in rows) for q in ("z", "delta", "dC_dW", "W_new", "cost")}
    assert counts == {"z": N * sum(sizes), "delta": N * sum(sizes), "dC_dW": (N + 1) * sum(wsizes),
                      "W_new": sum(wsizes), "cost": N}


def test_classic_csv_has_the_published_numbers():
    rows = _rows(trace_csv(trace(load_preset("classic_2-2-2"))))
    get = {(r["quantity"], r["layer"], r["j"], r["k"], r["example"]): float(r["value"]) for r in rows}
    assert get[("a", "3", "1", "", "1")] == pytest.approx(0.75136507, abs=5e-9)  # out_o1
    assert get[("W_new", "3", "1", "1", "")] == pytest.approx(0.35891648, abs=5e-9)  # w5+
    assert get[("cost", "", "", "", "1")] == pytest.approx(0.298371109, abs=5e-9)  # E_total


def test_softmax_output_has_no_sigma_prime_rows():
    s = load_preset("classic_2-2-2")
    from core.engine.scenario import parse_scenario

    d = s.to_dict()
    d.update(activations=["sigmoid", "softmax"], loss="cross_entropy", y=[0.0, 1.0])
    t = trace(parse_scenario(d))
    rows = _rows(trace_csv(t))
    assert not any(r["quantity"] == "sigma_prime" and r["layer"] == "3" for r in rows)
    assert sum(r["quantity"] == "sigma_prime" for r in rows) == 2


def test_training_session_history_csv():
    s = load_preset("xor_2-2-1")
    session = TrainingSession(s, batch_size=2, seed=1)  # 4 examples: 2 steps per epoch
    session.run(6)
    rows = list(csv.reader(io.StringIO(session_csv(session))))
    assert rows[0] == ["record", "step", "epoch", "cost", "accuracy", "eta", "grad_norm_W2", "grad_norm_W3"]
    steps = [r for r in rows[1:] if r[0] == "step"]
    epochs = [r for r in rows[1:] if r[0] == "epoch"]
    assert [int(r[1]) for r in steps] == [1, 2, 3, 4, 5, 6]
    assert [int(r[2]) for r in steps] == [0, 0, 1, 1, 2, 2]  # epochs completed before each step
    assert [float(r[3]) for r in steps] == session.step_costs
    assert [float(r[5]) for r in steps] == [s.learning_rate] * 6
    assert np.array_equal([[float(v) for v in r[6:]] for r in steps], np.array(session.grad_norms))
    assert [(int(r[1]), int(r[2])) for r in epochs] == [(0, 0), (2, 1), (4, 2), (6, 3)]
    assert [float(r[3]) for r in epochs] == session.epoch_costs


def test_train_result_csv():
    result = train(load_preset("classic_2-2-2"), 5)
    rows = list(csv.reader(io.StringIO(train_result_csv(result))))
    assert rows[0] == ["step", "cost"] and len(rows) == 7
    assert [float(r[1]) for r in rows[1:]] == result.loss_history.tolist()
    assert float(rows[1][1]) == pytest.approx(0.298371109, abs=5e-9)


@pytest.mark.parametrize("preset", ["classic_2-2-2", "xor_2-4-1", "article003_3-4-2"])
def test_count_values_matches_the_csv(preset):
    from core.teaching.export import count_values

    s = load_preset(preset)
    assert count_values(s) == len(_rows(trace_csv(trace(s))))
