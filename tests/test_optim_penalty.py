"""The weight penalties on the step screens and the L1 rule.

1. With l2 / l1 set, every ∂C/∂w the Backward screen shows (the step records, their equations, the
   chain-rule cards, the stage's edges in both views) is the gradient of the penalised cost, checked
   against central finite differences of a cost written here (an independent forward pass); the cost
   shown includes the penalty and says so; the Update screen's new w is w − η·(shown ∂C/∂w) for sgd.
2. L1: a weight whose data gradient is smaller than λ₁ reaches exactly 0 and stays there; a weight
   that would cross 0 is set to 0 (``core.engine.optim.zero_l1``), and the Update screen says so.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_derive import check_equation, latex_eval

from app.walkthrough import frames
from core import load_scenario, trace, train
from core.engine.backprop import Descent
from core.engine.optim import zero_l1
from core.engine.steps import CostStep, UpdateStep, WeightGradStep
from core.symbolic.derive import chain_rule, matrix_equations, step_equation


def _net(N: int, l1: float = 0.0, l2: float = 0.0, **extra) -> dict:
    rng = np.random.default_rng(3)
    layers = [3, 4, 2]
    d = {"layers": layers, "activations": ["tanh", "sigmoid"], "loss": "mse",
         "weights": [rng.uniform(-1, 1, (m, k)).tolist() for k, m in zip(layers[:-1], layers[1:])],
         "biases": [rng.uniform(-0.5, 0.5, m).tolist() for m in layers[1:]],
         "x": rng.uniform(-1, 1, (N, 3)).tolist(), "y": rng.uniform(0.1, 0.9, (N, 2)).tolist(),
         "learning_rate": 0.4, "l1": l1, "l2": l2, **extra}
    return d


def _cost_by_hand(d: dict, Ws, n: int | None) -> float:
    """½‖a − y‖² of example n (None: the batch mean) plus λ₂/2 Σw² + λ₁ Σ|w|, forward pass written here."""
    x, y = np.atleast_2d(d["x"]), np.atleast_2d(d["y"])
    b2, b3 = (np.array(b) for b in d["biases"])
    a3 = 1 / (1 + np.exp(-(np.tanh(x @ Ws[0].T + b2) @ Ws[1].T + b3)))
    data = 0.5 * np.sum((a3 - y) ** 2, axis=1)
    w = np.concatenate([W.ravel() for W in Ws])
    pen = d["l2"] / 2 * np.sum(w ** 2) + d["l1"] * np.sum(np.abs(w))
    return float((data.mean() if n is None else data[n]) + pen)


def _fd(d: dict, n: int | None, h: float = 1e-6) -> list[np.ndarray]:
    """Central finite differences of the penalised cost over every weight."""
    Ws = [np.array(W, dtype=float) for W in d["weights"]]
    out = []
    for W in Ws:
        G = np.empty_like(W)
        for idx in np.ndindex(W.shape):
            old = W[idx]
            W[idx] = old + h
            up = _cost_by_hand(d, Ws, n)
            W[idx] = old - h
            down = _cost_by_hand(d, Ws, n)
            W[idx] = old
            G[idx] = (up - down) / (2 * h)
        out.append(G)
    return out


PENALTIES = [(0.0, 0.3), (0.2, 0.0), (0.05, 0.1)]  # (l1, l2)


@pytest.mark.parametrize("l1, l2", PENALTIES)
@pytest.mark.parametrize("N", [1, 3])
def test_every_shown_weight_gradient_is_the_penalised_costs(l1, l2, N):
    d = _net(N, l1, l2)
    t = trace(d)
    for n in range(N):
        ref = _fd(d, n)
        steps = t.steps(n)
        for r in steps:
            if isinstance(r, WeightGradStep):
                want = ref[r.l - 2][r.j, r.k]
                assert r.dC_dw == pytest.approx(want, rel=1e-6, abs=1e-9)
                assert r.dP_dw == pytest.approx(l2 * r.w + l1 * np.sign(r.w), rel=1e-12)
                e = step_equation(t, r)
                check_equation(e, r.dC_dw)  # symbols → numbers → value, the numbers adding up to it
                if l2:
                    assert r"\lambda_2 w^{" in e.symbolic and "λ₂w" in e.sentence
                if l1:
                    assert r"\operatorname{sign}(w^{" in e.symbolic and "λ₁·sign(w)" in e.sentence
                card = chain_rule(t, r.l, r.j, r.k, n=n)
                for eq in (card[0], card[-1]):  # the three-factor product and the compact form
                    check_equation(eq, r.dC_dw)
                    assert latex_eval(eq.value.split(" = ")[-1]) == pytest.approx(want, rel=1e-6, abs=1e-9)
                    assert r"\lambda_" in eq.symbolic
        # the stage's edges: neuron view (one frame per record) and matrix view (one per layer)
        shown = {}
        for f in frames.stage(t, n, "backward", "neuron")["frames"]:
            shown.update(f["edges"])
        geo = frames.geometry(t.scenario.layers)["edges"]
        assert len(shown) == len(geo)
        for i, e in enumerate(geo):
            assert shown[str(i)][0] == pytest.approx(ref[e["l"] - 2][e["j"], e["k"]], rel=1e-6, abs=1e-9)
        for f in frames.stage(t, n, "backward", "matrix")["frames"]:
            for i, v in f["edges"].items():
                e = geo[int(i)]
                assert v[0] == pytest.approx(ref[e["l"] - 2][e["j"], e["k"]], rel=1e-6, abs=1e-9)
        for l in (2, 3):
            eq5 = matrix_equations(t, l, "backward", n=n, digits=12)[-2]
            assert r"\lambda_" in eq5.symbolic and "penalty" in eq5.sentence
    # the batch: the update's gradient is the mean penalised cost's
    ref = _fd(d, None)
    for i in range(2):
        np.testing.assert_allclose(t.dC_dW[i], ref[i], rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(t.dC_dW_examples[i].mean(axis=0), t.dC_dW[i], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("l1, l2", PENALTIES)
def test_the_cost_shown_includes_the_penalty_and_says_so(l1, l2):
    d = _net(2, l1, l2)
    t = trace(d)
    Ws = [np.array(W) for W in d["weights"]]
    assert t.cost == pytest.approx(_cost_by_hand(d, Ws, None), rel=1e-12)
    for n in range(2):
        r = t.steps(n)[t.steps(n).index_of("cost", 2)]
        assert isinstance(r, CostStep)
        assert r.cost == pytest.approx(_cost_by_hand(d, Ws, n), rel=1e-12)
        e = step_equation(t, r)
        rows = e.numeric.replace(r"\begin{aligned} ", "").replace(r" \end{aligned}", "").split(r" \\ ")
        for row in rows:
            assert latex_eval(row.split("&= ")[1]) == pytest.approx(r.cost, rel=1e-7)
        assert "weight penalty" in e.sentence and "not the biases" in e.sentence
        assert (r"\frac{\lambda_2}{2} \sum_{w} w^{2}" in e.symbolic) == bool(l2)
        assert (r"\lambda_1 \sum_{w} |w|" in e.symbolic) == bool(l1)
        cost_eq = matrix_equations(t, 3, "forward", n=n, digits=12)[-1]
        assert r"\lambda_" in cost_eq.symbolic and "penalty" in cost_eq.sentence


@pytest.mark.parametrize("l1, l2", PENALTIES)
def test_update_screen_new_weight_is_w_minus_eta_times_the_shown_gradient(l1, l2):
    d = _net(1, l1, l2)
    t = trace(d)
    geo = frames.geometry(t.scenario.layers)["edges"]
    back, up = {}, {}
    for f in frames.stage(t, 0, "backward")["frames"]:
        back.update(f["edges"])
    for f in frames.stage(t, 0, "update")["frames"]:
        up.update(f["edges"])
    eta = d["learning_rate"]
    for i, e in enumerate(geo):
        w = d["weights"][e["l"] - 2][e["j"]][e["k"]]
        step = w - eta * back[str(i)][0]
        if l1 and step * w < 0:  # the L1 rule: a weight that would cross 0 goes to exactly 0
            assert up[str(i)][0] == 0.0 and t.zeroed[e["l"] - 2][e["j"], e["k"]]
        else:
            assert up[str(i)][0] == pytest.approx(step, rel=1e-12, abs=1e-15)
            assert not t.zeroed[e["l"] - 2][e["j"], e["k"]]
    for r in t.steps(0):
        if isinstance(r, UpdateStep) and r.k is not None:
            assert r.grad == pytest.approx(t.steps(0)[t.steps(0).index_of("dC_dw", r.l, r.j, r.k)].dC_dw,
                                           rel=1e-12)


# --- the L1 rule ---

def test_zero_l1_by_hand():
    w_old = np.array([0.3, -0.2, 0.0, 0.0, 0.0, 0.1])
    g = np.array([0.5, -0.5, 0.04, -0.05, 0.06, 0.2])
    w_new = w_old - 1.0 * g  # an sgd step, η = 1: 0.3 → −0.2 crosses; −0.2 → 0.3 crosses; 0.1 → −0.1 crosses
    mask = zero_l1(w_new, w_old, g, 0.05)
    # at 0: |0.04| ≤ 0.05 and |−0.05| ≤ 0.05 stay; |0.06| > 0.05 leaves to −0.06
    assert w_new.tolist() == [0.0, 0.0, 0.0, 0.0, -0.06, 0.0]
    assert mask.tolist() == [True, True, True, True, False, True]
    assert np.signbit(w_new[[0, 1, 2, 3, 5]]).sum() == 0  # +0.0, not −0.0


def _one_input_small(steps: int, optimizer=None, l1=0.05):
    """z = w₁x₁ + w₂x₂ (linear, mse) with x₂ tiny: w₂'s data gradient x₂·δ stays far below λ₁."""
    d = {"layers": [2, 1], "activations": ["linear"], "loss": "mse", "weights": [[[0.8, 0.3]]], "biases": [[0.0]],
         "x": [1.0, 0.01], "y": [0.5], "learning_rate": 0.1, "l1": l1, "train_biases": False}
    if optimizer:
        d["optimizer"] = optimizer
    return d


@pytest.mark.parametrize("optimizer", [None, {"name": "momentum", "momentum": 0.5}, {"name": "adam"}])
def test_a_weight_with_a_data_gradient_below_l1_ends_at_exactly_zero_and_stays(optimizer):
    d = _one_input_small(0, optimizer)
    s = load_scenario(d)
    D = Descent(s)
    path = []
    for _ in range(400):
        D.gradients(s.x, s.y)
        g_data = float(D.grad[1] - 0.05 * np.sign(D.theta[1]))
        assert abs(g_data) < 0.05 * 0.2  # the premise: |x₂ δ| well below λ₁
        D.update()
        path.append(float(D.theta[1]))
    first = next(i for i, w in enumerate(path) if w == 0.0)
    assert first < 300 and all(w == 0.0 for w in path[first:])  # reached exactly, and held
    r = train(d, 400)
    assert r.weights[0][0, 1] == 0.0 and r.weights[0][0, 0] != 0.0  # core.train: the same rule


def test_without_l1_the_weight_does_not_stop_at_zero():
    """The contrast: with l1 = 0 and the same data the small weight just drifts (the rule is L1's only)."""
    r = train(_one_input_small(0, l1=0.0), 400)
    assert r.weights[0][0, 1] != 0.0


def test_the_update_screen_says_when_l1_set_a_weight_to_zero():
    d = _one_input_small(0)
    d["weights"] = [[[0.8, 0.004]]]  # one sgd step of η·(g + λ₁) ≈ 0.005 carries w₂ across 0
    t = trace(d)
    assert t.weights_new[0][0, 1] == 0.0 and t.zeroed[0].tolist() == [[False, True]]
    steps = t.steps(0)
    r = steps[steps.index_of("update_w", 2, 0, 1)]
    assert r.zeroed and r.new == 0.0 and r.old == 0.004
    e = step_equation(t, r)
    assert "exactly 0" in e.sentence and "would have crossed 0" in e.sentence and latex_eval(
        e.value.split(r"\leftarrow")[-1]) == 0.0
    other = steps[steps.index_of("update_w", 2, 0, 0)]
    assert not other.zeroed and other.new == pytest.approx(other.old - 0.1 * other.grad, rel=1e-12)
    assert "exactly 0" in matrix_equations(t, 2, "update")[0].sentence
