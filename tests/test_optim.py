"""Update rules against steps worked by hand, closed forms, the penalties against finite
differences, and the scenario fields' validation. Every expected value is written out here from
the rule as the textbook / torch.optim documentation states it, not produced by core.engine.optim."""

import json
import math

import numpy as np
import pytest

from core import load_preset, load_scenario, trace, train
from core.engine.optim import Optimizer, add_penalty_gradient, parse_optimizer, penalty
from core.engine.scenario import ScenarioError
from core.lab.gradcheck import gradient_check

ETA = 0.1
G1, G2 = 0.5, -0.2  # the gradients fed to the two steps (θ starts at 1)


def two_steps(spec):
    o = Optimizer(spec, 1)
    theta = np.array([1.0])
    o.step(theta, np.array([G1]), ETA)
    t1 = float(theta[0])
    g = np.array([G2])
    o.step(theta, g, ETA)
    assert g[0] == G2  # the gradient is left as it was
    return t1, float(theta[0]), o


def test_sgd_two_steps_by_hand():
    t1, t2, _ = two_steps({"name": "sgd"})
    assert t1 == pytest.approx(1 - 0.1 * 0.5, abs=1e-15) and t2 == pytest.approx(0.95 + 0.1 * 0.2, abs=1e-15)


def test_momentum_two_steps_by_hand():
    # v1 = 0.5, θ1 = 1 − 0.05; v2 = 0.9·0.5 − 0.2 = 0.25, θ2 = 0.95 − 0.025
    t1, t2, o = two_steps({"name": "momentum", "momentum": 0.9})
    assert t1 == pytest.approx(0.95, abs=1e-15) and t2 == pytest.approx(0.925, abs=1e-15)
    assert o.state["v"][0] == pytest.approx(0.25, abs=1e-15)


def test_nesterov_two_steps_by_hand():
    # v1 = 0.5, step g + μv = 0.5 + 0.45 = 0.95: θ1 = 0.905; v2 = 0.25, step −0.2 + 0.225 = 0.025: θ2 = 0.9025
    t1, t2, _ = two_steps({"name": "momentum", "momentum": 0.9, "nesterov": True})
    assert t1 == pytest.approx(0.905, abs=1e-15) and t2 == pytest.approx(0.9025, abs=1e-15)


def test_rmsprop_two_steps_by_hand():
    # s1 = 0.01·0.25 = 0.0025 (√ = 0.05); s2 = 0.99·0.0025 + 0.01·0.04 = 0.002875
    t1, t2, o = two_steps({"name": "rmsprop", "alpha": 0.99, "eps": 1e-8})
    assert t1 == pytest.approx(1 - 0.1 * 0.5 / (0.05 + 1e-8), rel=1e-13)
    assert t2 == pytest.approx(t1 + 0.1 * 0.2 / (math.sqrt(0.002875) + 1e-8), rel=1e-13)
    assert o.state["s"][0] == pytest.approx(0.002875, rel=1e-13)


def test_adam_two_steps_by_hand():
    # m1 = 0.05, v1 = 0.00025, m̂1 = 0.5, v̂1 = 0.25; m2 = 0.045 − 0.02 = 0.025,
    # v2 = 0.999·0.00025 + 0.001·0.04 = 0.00028975, m̂2 = 0.025/0.19, v̂2 = 0.00028975/0.001999
    t1, t2, o = two_steps({"name": "adam"})
    assert t1 == pytest.approx(1 - 0.1 * 0.5 / (0.5 + 1e-8), rel=1e-13)
    m_hat, v_hat = 0.025 / 0.19, 0.00028975 / 0.001999
    assert t2 == pytest.approx(t1 - 0.1 * m_hat / (math.sqrt(v_hat) + 1e-8), rel=1e-12)
    assert o.t == 2 and o.state["m"][0] == pytest.approx(0.025) and o.state["v"][0] == pytest.approx(0.00028975)


def one_neuron(**extra):
    """C = ½(w·2 + b − 1)² from w = 1, b = 0: ∂C/∂w = 2δ, ∂C/∂b = δ with δ = a − 1."""
    return load_scenario({"layers": [1, 1], "activations": ["linear"], "weights": [[[1.0]]], "biases": [[0.0]],
                          "x": [2.0], "y": [1.0], "learning_rate": 0.1, **extra})


def test_core_train_momentum_on_one_neuron_by_hand():
    # step 1: a = 2, δ = 1, g = (2, 1), v = g: w = 0.8, b = −0.1 (C = ½·1.5² = 1.125 → a = 1.5)
    # step 2: a = 1.5, δ = 0.5, g = (1, 0.5); v = (0.9·2 + 1, 0.9·1 + 0.5) = (2.8, 1.4): w = 0.52, b = −0.24
    r = train(one_neuron(optimizer={"name": "momentum", "momentum": 0.9}), 2)
    assert r.loss_history == pytest.approx([0.5, 0.125, 0.5 * (1.04 - 0.24 - 1) ** 2], abs=1e-14)
    assert r.weights[0][0, 0] == pytest.approx(0.52, abs=1e-14) and r.biases[0][0] == pytest.approx(-0.24, abs=1e-14)


def test_core_train_adam_on_one_neuron_by_hand():
    # step 1: ≈ η·sign(g): w = 1 − 0.2/(2 + ε), b = −0.1/(1 + ε); step 2 at a = 2w + b
    eps = 1e-8
    w1, b1 = 1 - 0.2 / (2 + eps), -0.1 / (1 + eps)
    d = 2 * w1 + b1 - 1
    g = np.array([2 * d, d])
    m = 0.9 * 0.1 * np.array([2.0, 1.0]) + 0.1 * g
    v = 0.999 * 0.001 * np.array([4.0, 1.0]) + 0.001 * g**2
    step = 0.1 * (m / 0.19) / (np.sqrt(v / 0.001999) + eps)
    r = train(one_neuron(optimizer={"name": "adam"}), 2)
    assert r.weights[0][0, 0] == pytest.approx(w1 - step[0], rel=1e-12)
    assert r.biases[0][0] == pytest.approx(b1 - step[1], rel=1e-12)


def test_adams_first_step_is_eta_sign_g_for_every_weight():
    s = load_preset("article003_3-4-2").to_dict()
    s.update(optimizer={"name": "adam"}, learning_rate=0.01)
    t = trace(s)
    for W, W_new, g in zip(t.scenario.weights, t.weights_new, t.dC_dW):
        assert np.all(np.abs(g) > 1e-6)
        assert np.allclose(W - W_new, 0.01 * np.sign(g), rtol=0, atol=0.01 * 1e-8 / 1e-6)


def quadratic(eta):
    """A linear 2-1 network with held biases: C(w) = ½ mean (x·w − y)², exactly quadratic with
    Hessian XᵀX / N."""
    x = [[1.0, 0.5], [-0.3, 2.0], [0.8, -1.2], [1.5, 0.1]]
    return {"layers": [2, 1], "activations": ["linear"], "weights": [[[0.3, -0.7]]], "biases": [[0.0]],
            "x": x, "y": [[1.0], [0.0], [2.0], [-1.0]], "learning_rate": eta, "train_biases": False}, np.array(x)


def test_gradient_descent_converges_below_and_diverges_above_two_over_lambda_max():
    _, x = quadratic(1.0)
    lam = np.linalg.eigvalsh(x.T @ x / len(x))[-1]
    below, above = train(quadratic(0.98 * 2 / lam)[0], 3000), train(quadratic(1.02 * 2 / lam)[0], 3000)
    assert below.diverged_at is None and below.loss_history[-1] < below.loss_history[0]
    assert np.ptp(below.loss_history[-10:]) < 1e-9  # settled at the minimum
    # the error along the top eigenvector grows by |1 − 1.02·2| = 1.04 a step, the cost by 1.04²
    h = above.loss_history
    assert above.verdict == "diverging" and h[-1] / h[-2] == pytest.approx(1.04**2, rel=1e-6)
    assert above.diverging_at is not None and h[above.diverging_at] < 1e3 * h[0]  # seen early


def test_penalties_by_hand_and_sign_of_zero():
    w = np.array([0.0, 2.0, -3.0])
    assert penalty(w, 0.5, 0.2) == pytest.approx(0.1 * (4 + 9) + 0.5 * 5)
    gw = np.zeros(3)
    add_penalty_gradient(w, gw, 0.5, 0.2)
    assert gw.tolist() == pytest.approx([0.0, 0.5 + 0.4, -0.5 - 0.6])


def test_penalty_in_the_cost_but_not_on_the_biases():
    plain = load_preset("xor_2-4-1")
    d = plain.to_dict()
    d.update(l1=0.01, l2=0.03)
    t, t0 = trace(d), trace(plain)
    w = np.concatenate([W.ravel() for W in plain.weights])
    by_hand = 0.03 / 2 * sum(v * v for v in w) + 0.01 * sum(abs(v) for v in w)
    assert t.cost - t0.cost == pytest.approx(by_hand, rel=1e-12) and t.penalty == pytest.approx(by_hand)
    for g, g0, W in zip(t.dC_dW, t0.dC_dW, plain.weights):
        assert np.allclose(g - g0, 0.03 * W + 0.01 * np.sign(W), atol=1e-15)
    assert all(np.array_equal(a, b) for a, b in zip(t.dC_db, t0.dC_db))
    r = train(d, 3)
    assert r.loss_history[0] == pytest.approx(t.cost, rel=1e-14)


def test_penalised_gradients_agree_with_finite_differences():
    d = load_preset("article003_3-4-2").to_dict()
    d.update(l1=0.05, l2=0.2)
    s = load_scenario(d)
    rows = gradient_check(s.weights, s.biases, s, s.x, s.y)
    assert max(r.rel_error for r in rows) < 1e-6


@pytest.mark.parametrize("bad, words", [
    ([1], "optimizer: expected an object"),
    ({"name": "lbfgs"}, "optimizer.name: expected one of sgd, momentum, rmsprop, adam, found \"lbfgs\""),
    ({"name": "adam", "momentum": 0.9}, "optimizer.momentum: 'adam' takes beta1, beta2, eps"),
    ({"name": "adam", "beta2": 1.0}, "optimizer.beta2: expected a number β₂ with 0 ≤ β₂ < 1, found 1.0"),
    ({"name": "rmsprop", "eps": 0}, "optimizer.eps: expected a number ε with 0 < ε ≤ 1, found 0"),
    ({"name": "momentum", "nesterov": "yes"}, "optimizer.nesterov: expected true or false, found \"yes\""),
    ({"name": "momentum", "momentum": 0, "nesterov": True}, "optimizer.nesterov: expected momentum > 0"),
    ({"name": "sgd", "momentum": 0.9}, "'sgd' takes no settings"),
])
def test_optimizer_field_refused_with_one_line(bad, words):
    d = load_preset("xor_2-4-1").to_dict()
    d["optimizer"] = bad
    with pytest.raises(ScenarioError) as e:
        load_scenario(d)
    assert words in str(e.value) and "\n" not in str(e.value)


@pytest.mark.parametrize("key, bad", [("l1", -0.1), ("l2", "0.1"), ("l2", True), ("l1", 1e9)])
def test_penalty_fields_refused(key, bad):
    d = load_preset("xor_2-4-1").to_dict()
    d[key] = bad
    with pytest.raises(ScenarioError, match=f"^{key}: expected a number λ with 0 ≤ λ ≤ 100"):
        load_scenario(d)


def test_defaults_and_round_trip():
    assert parse_optimizer({"name": "adam"}) == {"name": "adam", "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
    d = load_preset("xor_2-4-1").to_dict()
    assert "optimizer" not in d and "l1" not in d  # the defaults are not written out
    d.update(optimizer={"name": "momentum", "nesterov": True}, l2=0.5)
    s = load_scenario(json.loads(json.dumps(load_scenario(d).to_dict())))
    assert s.optimizer == {"name": "momentum", "momentum": 0.9, "nesterov": True} and s.l2 == 0.5


def test_against_torch_when_installed():
    torch = pytest.importorskip("torch")  # an extra check; the hand-worked tests above stand alone
    rng = np.random.default_rng(3)
    p0, grads = rng.normal(size=5), rng.normal(size=(4, 5))
    for spec, make in [({"name": "sgd"}, lambda p: torch.optim.SGD(p, lr=0.05)),
                       ({"name": "momentum", "momentum": 0.8, "nesterov": True},
                        lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.8, nesterov=True)),
                       ({"name": "rmsprop", "alpha": 0.9, "eps": 1e-6},
                        lambda p: torch.optim.RMSprop(p, lr=0.05, alpha=0.9, eps=1e-6)),
                       ({"name": "adam", "beta1": 0.8, "beta2": 0.99, "eps": 1e-6},
                        lambda p: torch.optim.Adam(p, lr=0.05, betas=(0.8, 0.99), eps=1e-6))]:
        tp = torch.tensor(p0.copy(), dtype=torch.float64, requires_grad=True)
        opt, ours, theta = make([tp]), Optimizer(spec, 5), p0.copy()
        for g in grads:
            tp.grad = torch.tensor(g, dtype=torch.float64)
            opt.step()
            ours.step(theta, g, 0.05)
        assert np.allclose(theta, tp.detach().numpy(), rtol=1e-12, atol=1e-14), spec
