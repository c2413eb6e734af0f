"""The gradient check against hand-derived gradients and a planted bug, and the mini-batch
breakdown against per-example gradients written out by hand."""

import numpy as np
import pytest

import core.lab.gradcheck as gc
from core import load_preset, load_scenario
from core.lab.gradcheck import batch_breakdown, gradient_check

LINEAR = load_scenario({"layers": [1, 1, 1], "activations": ["linear", "linear"], "loss": "mse",
                        "weights": [[[0.5]], [[-2.0]]], "biases": [[0.1], [0.3]],
                        "x": [[2.0], [-1.0]], "y": [[1.0], [0.0]]})


def linear_grads(w1, b1, w2, b2, xs, ys):
    """C = mean ½(w2 (w1 x + b1) + b2 − y)², differentiated by hand."""
    out = []
    for x, y in zip(xs, ys):
        h = w1 * x + b1
        e = w2 * h + b2 - y
        out.append([e * w2 * x, e * w2, e * h, e])  # ∂/∂w1, ∂/∂b1, ∂/∂w2, ∂/∂b2
    return np.array(out)


def test_gradient_check_on_a_hand_derived_network():
    rows = gradient_check(LINEAR.weights, LINEAR.biases, LINEAR, LINEAR.x, LINEAR.y)
    by_hand = linear_grads(0.5, 0.1, -2.0, 0.3, [2.0, -1.0], [1.0, 0.0]).mean(axis=0)
    got = {r.param.label: r for r in rows}
    assert list(got) == ["w²₁₁", "w³₁₁", "b²₁", "b³₁"]
    for label, g in zip(["w²₁₁", "b²₁", "w³₁₁", "b³₁"], by_hand):
        assert got[label].backprop == pytest.approx(g, abs=1e-12)
        assert got[label].numeric == pytest.approx(g, abs=1e-8)  # exact up to rounding: C is quadratic
        assert got[label].rel_error < 1e-7


@pytest.mark.parametrize("acts, loss, n_out", [
    (["sigmoid", "sigmoid", "sigmoid"], "mse", 2),
    (["tanh", "relu", "sigmoid"], "bce", 1),
    (["leaky_relu", "tanh", "softmax"], "cross_entropy", 3),
])
def test_backprop_agrees_with_central_differences_on_random_networks(acts, loss, n_out):
    rng = np.random.default_rng(0)
    y = np.eye(n_out)[rng.integers(0, n_out, 5)] if loss == "cross_entropy" else rng.uniform(0, 1, (5, n_out))
    s = load_scenario({"layers": [3, 4, 3, n_out], "activations": acts, "loss": loss,
                       "init": {"scheme": "he", "seed": 1}, "x": rng.normal(size=(5, 3)).tolist(),
                       "y": y.tolist()})
    b = [rng.normal(size=n) * 0.3 for n in s.layers[1:]]  # non-zero biases, so relu kinks are avoided
    rows = gradient_check(s.weights, b, s, s.x, s.y)
    assert len(rows) == 3 * 4 + 4 * 3 + 3 * n_out + 4 + 3 + n_out
    assert max(r.rel_error for r in rows if abs(r.backprop) > 1e-8) < 1e-5


def test_the_check_catches_a_wrong_gradient(monkeypatch):
    real = gc.loss_and_gradients

    def forgets_a_factor(weights, biases, acts, cost, x, y, l1=0.0, l2=0.0):
        c, gW, gb = real(weights, biases, acts, cost, x, y, l1, l2)
        return c, [g * 0.5 if i == 0 else g for i, g in enumerate(gW)], gb

    monkeypatch.setattr(gc, "loss_and_gradients", forgets_a_factor)
    rows = gradient_check(LINEAR.weights, LINEAR.biases, LINEAR, LINEAR.x, LINEAR.y)
    assert rows[0].rel_error == pytest.approx(0.5, abs=1e-6) and rows[1].rel_error < 1e-7


def test_limit_and_relative_error_of_zero_gradients():
    s = load_preset("xor_2-4-1")
    assert len(gradient_check(s.weights, s.biases, s, s.x, s.y, limit=5)) == 5
    r = gc.GradRow(gc.Param("w", 0, 0, 0), 0.0, 0.0, 1e-15)
    assert r.rel_error == 0.0
    assert gc.GradRow(gc.Param("w", 0, 0, 0), 0.0, 1.0, 0.9).rel_error == pytest.approx(0.1)


def test_batch_breakdown_per_example_then_mean_then_update():
    x = np.array([[2.0], [-1.0], [0.5]])
    y = np.array([[1.0], [0.0], [2.0]])
    bd = batch_breakdown(LINEAR.weights, LINEAR.biases, LINEAR, x, y, [2, 0], eta=0.1)
    by_hand = linear_grads(0.5, 0.1, -2.0, 0.3, x[[2, 0], 0], y[[2, 0], 0])
    assert bd.indices.tolist() == [2, 0]
    assert bd.dW_examples[0][:, 0, 0] == pytest.approx(by_hand[:, 0], abs=1e-12)
    assert bd.db_examples[0][:, 0] == pytest.approx(by_hand[:, 1], abs=1e-12)
    assert bd.dW_examples[1][:, 0, 0] == pytest.approx(by_hand[:, 2], abs=1e-12)
    assert bd.dW_mean[0][0, 0] == pytest.approx(by_hand[:, 0].mean(), abs=1e-12)
    assert bd.costs == pytest.approx([0.5 * (-2.0 * 0.35 + 0.3 - 2) ** 2, 0.5 * (-2.0 * 1.1 + 0.3 - 1) ** 2])
    assert bd.weights_new[1][0, 0] == pytest.approx(-2.0 - 0.1 * by_hand[:, 2].mean(), abs=1e-12)
    assert bd.biases_new[1][0] == pytest.approx(0.3 - 0.1 * by_hand[:, 3].mean(), abs=1e-12)
    held = batch_breakdown(LINEAR.weights, LINEAR.biases, LINEAR, x, y, [1], 0.1, train_biases=False)
    assert held.biases_new[0].tolist() == [0.1] and held.biases_new[1].tolist() == [0.3]


def test_the_mean_of_example_gradients_is_the_batch_gradient():
    from core import loss_and_gradients

    s = load_preset("xor_2-4-1")
    bd = batch_breakdown(s.weights, s.biases, s, s.x, s.y, [0, 1, 2, 3], eta=2.0)
    c, gW, gb = loss_and_gradients(s.weights, s.biases, s.acts, s.cost, s.x, s.y)
    assert all(np.allclose(a, b, atol=1e-15) for a, b in zip(bd.dW_mean, gW))
    assert bd.costs.mean() == pytest.approx(c, abs=1e-15)
