"""The training session against a hand-written NumPy reference: full-batch and mini-batch
steps, epochs, η changed mid-run, held biases, divergence, learning-rate comparison, fitting a
network to a data set, and the cost landscape against direct evaluation."""

import math

import numpy as np
import pytest

from core import load_preset, load_scenario, loss_and_gradients
from core.lab.datasets import make_dataset
from core.lab.landscape import Param, cost_along, cost_grid, output_grid, param_info, slope
from core.lab.training import TrainingSession, compare_learning_rates, fit_scenario, verdict


def sig(z):
    return 1.0 / (1.0 + np.exp(-z))


def ref_grads(W1, b1, W2, b2, x, y):
    """Sigmoid-sigmoid, C = ½‖a − y‖² averaged over the rows of x: written out by hand."""
    h = sig(x @ W1.T + b1)
    o = sig(h @ W2.T + b2)
    cost = float(np.mean(0.5 * np.sum((o - y) ** 2, axis=1)))
    d2 = (o - y) * o * (1 - o)
    d1 = (d2 @ W2) * h * (1 - h)
    n = len(x)
    return cost, d1.T @ x / n, d1.sum(0) / n, d2.T @ h / n, d2.sum(0) / n


XOR = load_preset("xor_2-4-1")


def test_full_batch_steps_match_the_hand_written_reference():
    s = TrainingSession(XOR, task="binary")
    W1, b1, W2, b2 = (np.array(a) for a in (XOR.weights[0], XOR.biases[0], XOR.weights[1], XOR.biases[1]))
    for _ in range(25):
        c, gW1, gb1, gW2, gb2 = ref_grads(W1, b1, W2, b2, XOR.x, XOR.y)
        W1, b1, W2, b2 = W1 - 2 * gW1, b1 - 2 * gb1, W2 - 2 * gW2, b2 - 2 * gb2
        s.step()
        assert s.step_costs[-1] == pytest.approx(c, abs=1e-12)
    assert np.allclose(s.weights[0], W1, atol=1e-12) and np.allclose(s.biases[1], b2, atol=1e-12)
    assert s.steps == s.epoch == 25  # full batch: one step is one epoch
    assert s.epoch_costs[-1] == pytest.approx(ref_grads(W1, b1, W2, b2, XOR.x, XOR.y)[0], abs=1e-12)


def test_an_epoch_is_one_pass_every_example_once_in_seeded_shuffled_batches():
    d = make_dataset("circles", 10, 0.1, seed=0)
    sc, _ = fit_scenario(XOR, d.x, d.y, d.task)
    s = TrainingSession(sc, d.x, d.y, d.task, batch_size=3, seed=5)
    assert s.steps_per_epoch == 4  # ⌈10 / 3⌉
    for epoch in range(3):
        seen = []
        for _ in range(4):
            seen += s.next_batch().tolist()
            s.step()
        assert sorted(seen) == list(range(10)) and s.epoch == epoch + 1
    orders = [TrainingSession(sc, d.x, d.y, d.task, 3, seed).next_batch().tolist() for seed in (5, 5, 6)]
    assert orders[0] == orders[1] != orders[2]
    assert len(s.epoch_costs) == 4 and len(s.step_costs) == 12


def test_a_mini_batch_step_uses_only_its_examples_and_the_current_eta():
    d = make_dataset("xor", 8, 0.2, seed=1)
    s = TrainingSession(XOR, d.x, d.y, "binary", batch_size=2, seed=0)
    s.step()
    s.eta = 0.25  # changed between steps
    idx = s.next_batch()
    W1, b1, W2, b2 = (np.array(a) for a in (s.weights[0], s.biases[0], s.weights[1], s.biases[1]))
    c, gW1, gb1, gW2, gb2 = ref_grads(W1, b1, W2, b2, d.x[idx], d.y[idx])
    s.train_biases = False
    s.step()
    assert s.step_costs[-1] == pytest.approx(c, abs=1e-12) and s.step_etas[-1] == 0.25
    assert np.allclose(s.weights[0], W1 - 0.25 * gW1, atol=1e-12)
    assert np.allclose(s.weights[1], W2 - 0.25 * gW2, atol=1e-12)
    assert np.array_equal(s.biases[0], b1) and np.array_equal(s.biases[1], b2)  # held fixed


def test_run_stops_at_the_epoch_asked_and_step_epoch_finishes_an_epoch():
    d = make_dataset("gaussians", 20, 0.0, seed=2)
    sc, _ = fit_scenario(XOR, d.x, d.y, d.task)
    s = TrainingSession(sc, d.x, d.y, d.task, batch_size=6)
    assert s.run(1000, until_epoch=3) == 12 and s.epoch == 3
    s.step()
    assert s.step_epoch() == 3 and s.epoch == 4
    ticks = iter(range(100))
    assert s.run(1000, budget_s=5, clock=lambda: next(ticks)) == 5  # a time budget bounds the work


def sine_net():
    d = make_dataset("sine", 40, 0.1, seed=0)
    sc, notes = fit_scenario(XOR, d.x, d.y, d.task)
    return sc, d, notes


def test_divergence_stops_training_and_records_the_step():
    sc, d, _ = sine_net()
    s = TrainingSession(sc, d.x, d.y, d.task)
    s.eta = 30.0
    s.run(10_000)  # stops first where the cost is seen running away, long before it overflows
    assert not s.diverged and s.just_started_diverging and s.steps == s.diverging_at + 1
    c = s.step_costs
    assert math.isfinite(c[-1]) and c[-1] > 10 * c[0] and c[-1] > c[-2] > c[-3] > c[-4]
    assert s.diverging_from <= s.diverging_at and c[s.diverging_from - 1] <= c[0] < c[s.diverging_from]
    s.run(10_000)
    assert s.diverged and s.diverging_at < s.diverged_at < 10_000 and s.steps == s.diverged_at
    assert not math.isfinite(s.step_costs[-1]) and s.step_index[-1] == s.diverged_at
    before = [W.copy() for W in s.weights]
    assert s.step() is False and s.run(5) == 0
    assert all(np.array_equal(a, b) for a, b in zip(before, s.weights))


def test_history_thins_out_evenly_past_the_cap(monkeypatch):
    import core.lab.training as tr

    monkeypatch.setattr(tr, "HISTORY_CAP", 50)
    s = TrainingSession(XOR, task="binary")
    s.run(150)  # records 0…50, then every 2nd to 100, then every 4th
    assert s.stride == 4 and len(s.step_costs) == len(s.path) == len(s.grad_norms) == 38
    assert s.step_index == list(range(0, 150, 4))
    assert len(s.epoch_costs) == 151  # per-epoch costs are all kept
    fresh = TrainingSession(XOR, task="binary")
    fresh.run(9)
    assert np.array_equal(s.path[2], fresh.path[8]) and s.step_costs[2] == fresh.step_costs[8]


def test_compare_learning_rates_starts_every_run_from_the_same_weights():
    sc, d, _ = sine_net()
    runs = compare_learning_rates(sc, d.x, d.y, [0.1, 0.1, 0.3, 30.0], epochs=100)
    assert np.array_equal(runs[0].epoch_costs, runs[1].epoch_costs)
    assert {r.epoch_costs[0] for r in runs} == {runs[0].epoch_costs[0]}
    assert [r.verdict for r in runs] == ["converging", "converging", "converging", "diverged"]
    assert runs[3].diverged_at is not None and not math.isfinite(runs[3].epoch_costs[-1])
    assert len(runs[0].epoch_costs) == 101


def test_verdicts_on_curves_by_hand():
    assert verdict([1, 0.5, 0.2, 0.1], False) == "converging"
    assert verdict([1, 0.9, 0.95, 0.8, 0.85, 0.7], False) == "oscillating"
    assert verdict([1, 0.99, 0.98, 0.97], False) == "slow"
    assert verdict([1, 5, 20, 200], False) == "diverging"
    assert verdict([1, 5, math.inf], True) == "diverged"


def test_fit_scenario_keeps_what_fits_and_says_what_it_changed():
    classic = load_preset("classic_2-2-2")
    same, notes = fit_scenario(classic, classic.x, classic.y, "regression")
    assert notes == [] and np.array_equal(same.weights[0], classic.weights[0])
    d = make_dataset("xor")
    xor, notes = fit_scenario(classic, d.x, d.y, d.task)
    assert xor.layers == (2, 2, 1) and xor.activations == classic.activations and "2-2-2 → 2-2-1" in notes[0]
    sc, d, notes = sine_net()
    assert sc.layers == (1, 4, 1) and sc.activations == ("sigmoid", "linear") and sc.loss == "mse"
    assert any("outside 0…1" in n for n in notes)
    soft = load_scenario({"layers": [3, 4, 2], "activations": ["tanh", "softmax"], "loss": "cross_entropy",
                          "x": [0, 1, 2], "y": [0, 1]})
    b, notes = fit_scenario(soft, make_dataset("or").x, make_dataset("or").y, "binary")
    assert (b.layers, b.activations, b.loss) == ((2, 4, 1), ("tanh", "sigmoid"), "bce")
    assert any("cross_entropy → bce" in n for n in notes)


def test_session_refuses_data_that_does_not_fit_the_layers():
    with pytest.raises(ValueError, match="does not fit layers"):
        TrainingSession(XOR, np.zeros((3, 3)), np.zeros((3, 1)))


def direct_cost(sc, weights, biases, x, y):
    """Mean ½‖a − y‖² for the sigmoid-sigmoid XOR net, by hand."""
    return ref_grads(weights[0], biases[0], weights[1], biases[1], x, y)[0]


def test_cost_along_one_weight_and_its_slope_against_direct_evaluation():
    p = Param("w", 1, 0, 2)  # w³₁₃
    assert p.label == "w³₁₃"
    vals = np.linspace(-3, 3, 7)
    got = cost_along(XOR.weights, XOR.biases, XOR, XOR.x, XOR.y, p, vals)
    for v, c in zip(vals, got):
        W2 = np.array(XOR.weights[1])
        W2[0, 2] = v
        assert c == pytest.approx(direct_cost(XOR, [XOR.weights[0], W2], XOR.biases, XOR.x, XOR.y), abs=1e-12)
    w, c, g = slope(XOR.weights, XOR.biases, XOR, XOR.x, XOR.y, p)
    h = 1e-5
    fd = np.diff(cost_along(XOR.weights, XOR.biases, XOR, XOR.x, XOR.y, p, [w - h, w + h]))[0] / (2 * h)
    assert w == 0.69 and g == pytest.approx(fd, rel=1e-6)


def test_cost_grid_over_two_parameters_against_one_at_a_time():
    ps = param_info(XOR.layers)
    assert len(ps) == 17 and ps[0].label == "w²₁₁" and ps[-1].label == "b³₁"
    p, q = ps[3], ps[-2]  # w²₂₂ and b²₄
    u, v = np.linspace(-2, 2, 5), np.linspace(-1, 1, 3)
    grid = cost_grid(XOR.weights, XOR.biases, XOR, XOR.x, XOR.y, p, q, u, v)
    for r, qv in enumerate(v):
        for c, pv in enumerate(u):
            W1, b1 = np.array(XOR.weights[0]), np.array(XOR.biases[0])
            W1[1, 1], b1[3] = pv, qv
            assert grid[r, c] == pytest.approx(direct_cost(XOR, [W1, XOR.weights[1]], [b1, XOR.biases[1]],
                                                           XOR.x, XOR.y), abs=1e-12)


def test_output_grid_is_the_network_output_at_each_point():
    xs, ys = np.array([0.0, 1.0, 2.0]), np.array([-1.0, 0.5])
    g = output_grid(XOR.weights, XOR.biases, XOR, xs, ys)
    assert g.shape == (2, 3)
    W1, b1, W2, b2 = XOR.weights[0], XOR.biases[0], XOR.weights[1], XOR.biases[1]
    assert g[1, 2] == pytest.approx(sig(sig(np.array([2.0, 0.5]) @ W1.T + b1) @ W2.T + b2)[0], abs=1e-12)


def test_gradient_norms_per_layer_show_vanishing_gradients_in_a_deep_sigmoid_net():
    deep = load_scenario({"layers": [2, 8, 8, 8, 8, 8, 1], "activations": ["sigmoid"] * 6, "loss": "mse",
                          "init": {"scheme": "xavier", "seed": 3}, "x": make_dataset("xor").x.tolist(),
                          "y": make_dataset("xor").y.tolist()})
    s = TrainingSession(deep, task="binary")
    s.step()
    norms = s.grad_norms[0]
    assert len(norms) == 6 and norms[0] < norms[-1] / 20  # each sigmoid layer multiplies by σ' ≤ 1/4
    _, gW, _ = loss_and_gradients(deep.weights, deep.biases, deep.acts, deep.cost, deep.x, deep.y)
    assert norms == pytest.approx([np.sqrt(np.sum(g * g)) for g in gW], rel=1e-12)
