"""The engine against independent references: the classic worked example's published
figures, central finite differences on random networks, and the article's algebra."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import load_preset, load_scenario, trace, train
from core.engine.steps import CostStep, DeltaStep, NeuronStep, UpdateStep, WeightGradStep

# Published figures of the classic 2-2-2 worked example (w1..w8 = .15 … .55, b = .35, .60).
CLASSIC = {
    "net_h1": 0.3775, "out_h1": 0.593269992, "out_h2": 0.596884378,
    "out_o1": 0.75136507, "out_o2": 0.772928465, "E_total": 0.298371109,
    "dE_dw5": 0.082167041, "w5_new": 0.35891648, "w6_new": 0.408666186,
    "w7_new": 0.511301270, "w8_new": 0.561370121, "dE_dw1": 0.000438568,
    "w1_new": 0.149780716, "w2_new": 0.19956143, "w3_new": 0.24975114, "w4_new": 0.29950229,
}


def test_classic_worked_example_matches_published_figures():
    t = trace(load_preset("classic_2-2-2"))
    assert t.z(2)[0] == pytest.approx(CLASSIC["net_h1"], abs=1e-12)
    assert t.a(2) == pytest.approx([CLASSIC["out_h1"], CLASSIC["out_h2"]], abs=5e-10)
    assert t.a(3) == pytest.approx([CLASSIC["out_o1"], CLASSIC["out_o2"]], abs=5e-9)
    assert t.cost == pytest.approx(CLASSIC["E_total"], abs=5e-10)
    assert t.dC_dW[1][0, 0] == pytest.approx(CLASSIC["dE_dw5"], abs=5e-10)
    assert t.dC_dW[0][0, 0] == pytest.approx(CLASSIC["dE_dw1"], abs=5e-10)
    W2, W3 = t.weights_new
    assert W3.ravel() == pytest.approx([CLASSIC[f"w{i}_new"] for i in (5, 6, 7, 8)], abs=5e-9)
    assert W2.ravel() == pytest.approx([CLASSIC[f"w{i}_new"] for i in (1, 2, 3, 4)], abs=5e-9)
    # biases are held fixed in the published example
    assert [b.tolist() for b in t.biases_new] == [[0.35, 0.35], [0.6, 0.6]]


def test_hidden_gradient_uses_weights_from_before_the_update():
    """Article 001's note: ∂E/∂w1 must use w5..w8 before their update (0.000438568), not after."""
    t = trace(load_preset("classic_2-2-2"))
    s = t.scenario
    wrong = s.with_params([s.weights[0], t.weights_new[1]], s.biases)
    assert trace(wrong).dC_dW[0][0, 0] != pytest.approx(CLASSIC["dE_dw1"], abs=5e-9)


def test_one_step_of_train_equals_the_traced_update():
    s = load_preset("xor_2-4-1")
    t, r = trace(s), train(s, 1)
    for W_t, W_r in zip(t.weights_new, r.weights):
        np.testing.assert_allclose(W_r, W_t, rtol=1e-13)
    assert r.loss_history[0] == pytest.approx(t.cost, rel=1e-13)
    assert r.loss_history[1] == pytest.approx(trace(s.with_params(t.weights_new, t.biases_new)).cost, rel=1e-12)


def test_train_history_has_steps_plus_one_values_and_the_cost_falls():
    r = train(load_preset("xor_2-2-1"), 2000)
    assert len(r.loss_history) == 2001 and r.diverged_at is None
    assert r.loss_history[-1] < 0.1 * r.loss_history[0]


def test_train_biases_false_keeps_biases():
    r = train(load_preset("classic_2-2-2"), 50)
    assert [b.tolist() for b in r.biases] == [[0.35, 0.35], [0.6, 0.6]]


def test_divergence_stops_training_and_is_reported():
    d = load_preset("xor_2-4-1").to_dict()
    d.update(activations=["linear", "linear"], learning_rate=50.0)
    r = train(d, 200)
    assert r.diverged_at is not None and r.diverged_at < 200
    assert len(r.loss_history) == r.diverged_at + 1
    assert not np.isfinite(r.loss_history[-1]) and np.all(np.isfinite(r.loss_history[:-1]))


def test_zeros_init_keeps_hidden_neurons_symmetric():
    d = {"layers": [2, 3, 1], "activations": ["sigmoid", "sigmoid"], "x": [0.3, 0.7], "y": [1.0],
         "init": {"scheme": "zeros", "seed": 0}}
    r = train(d, 20)
    W2, W3 = r.weights
    assert np.allclose(W2, W2[0]) and np.allclose(W3, W3[0, 0])


def test_init_is_seeded_and_reproducible():
    d = {"layers": [3, 5, 2], "activations": ["tanh", "sigmoid"], "x": [0, 1, 2], "y": [0, 1],
         "init": {"scheme": "he", "seed": 7}}
    W_a, W_b = load_scenario(d).weights, load_scenario(dict(d)).weights
    assert all(np.array_equal(a, b) for a, b in zip(W_a, W_b))
    W_c = load_scenario({**d, "init": {"scheme": "he", "seed": 8}}).weights
    assert not np.array_equal(W_a[0], W_c[0])
    assert W_a[0].shape == (5, 3) and W_a[1].shape == (2, 5)


# --- central finite differences on random networks, every activation and cost -------------

HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu", "linear"]
OUTPUTS = [("sigmoid", "mse"), ("tanh", "mse"), ("linear", "mse"), ("relu", "mse"),
           ("leaky_relu", "mse"), ("sigmoid", "bce"), ("softmax", "cross_entropy")]


def _cost(d, weights, biases):
    return trace({**d, "weights": weights, "biases": biases}).cost


def _finite_difference(d, h=1e-6):
    s = load_scenario(d)
    Ws = [W.tolist() for W in s.weights]
    bs = [b.tolist() for b in s.biases]
    gW = [np.zeros_like(W) for W in s.weights]
    gb = [np.zeros_like(b) for b in s.biases]
    for i, W in enumerate(s.weights):
        for j, k in np.ndindex(W.shape):
            for sign in (1, -1):
                Wp = [list(map(list, M)) for M in Ws]
                Wp[i][j][k] += sign * h
                gW[i][j, k] += sign * _cost(d, Wp, bs) / (2 * h)
        for j in range(len(s.biases[i])):
            for sign in (1, -1):
                bp = [list(v) for v in bs]
                bp[i][j] += sign * h
                gb[i][j] += sign * _cost(d, Ws, bp) / (2 * h)
    return gW, gb


@st.composite
def networks(draw):
    n_hidden = draw(st.integers(0, 2))
    layers = [draw(st.integers(1, 3)) for _ in range(n_hidden + 1)]
    out_act, loss = draw(st.sampled_from(OUTPUTS))
    n_out = draw(st.integers(2 if out_act == "softmax" else 1, 3))
    layers.append(n_out)
    acts = [draw(st.sampled_from(HIDDEN)) for _ in range(n_hidden)] + [out_act]
    N = draw(st.integers(1, 4))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.normal(size=(N, layers[0]))
    if loss == "cross_entropy":
        y = np.eye(n_out)[rng.integers(0, n_out, N)]
    elif loss == "bce":
        y = rng.integers(0, 2, (N, n_out)).astype(float)
    else:
        y = rng.normal(size=(N, n_out))
    weights = [rng.normal(size=(m, n)).tolist() for n, m in zip(layers[:-1], layers[1:])]
    biases = [rng.normal(size=m).tolist() for m in layers[1:]]
    return {"layers": layers, "activations": acts, "loss": loss, "weights": weights, "biases": biases,
            "x": x.tolist(), "y": y.tolist()}


def _near_kink(d) -> bool:
    """relu/leaky_relu are not differentiable at z = 0: skip draws with a z that close to it."""
    t = trace(d)
    return any(name in ("relu", "leaky_relu") and np.min(np.abs(z)) < 1e-3
               for name, z in zip(d["activations"], t.zs))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks())
def test_gradients_match_central_finite_differences(d):
    if _near_kink(d):
        return
    t = trace(d)
    gW, gb = _finite_difference(d)
    for W_bp, W_fd in zip(t.dC_dW, gW):
        np.testing.assert_allclose(W_bp, W_fd, rtol=1e-5, atol=1e-7)
    for b_bp, b_fd in zip(t.dC_db, gb):
        np.testing.assert_allclose(b_bp, b_fd, rtol=1e-5, atol=1e-7)


@settings(max_examples=30, deadline=None)
@given(networks())
def test_batch_cost_and_gradient_are_means_of_the_examples(d):
    t = trace(d)
    singles = [trace({**d, "x": x, "y": y}) for x, y in zip(d["x"], d["y"])]
    assert t.cost == pytest.approx(np.mean([s.cost for s in singles]), rel=1e-12, abs=1e-15)
    for i in range(len(t.dC_dW)):
        np.testing.assert_allclose(t.dC_dW[i], np.mean([s.dC_dW[i] for s in singles], axis=0), rtol=1e-10,
                                   atol=1e-14)
        for n, s in enumerate(singles):
            np.testing.assert_allclose(t.dC_dW_examples[i][n], s.dC_dW[i], rtol=1e-10, atol=1e-14)
            np.testing.assert_allclose(t.deltas[i][n], s.deltas[i][0], rtol=1e-10, atol=1e-14)


def test_activations_are_stable_for_huge_z():
    d = {"layers": [1, 2, 1], "activations": ["sigmoid", "sigmoid"], "loss": "bce",
         "weights": [[[1000.0], [-1000.0]], [[800.0, -800.0]]], "biases": [[0, 0], [0]],
         "x": [[5.0], [-5.0]], "y": [[1.0], [0.0]]}
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # overflow would raise here
        t = trace(d)
    assert np.all(np.isfinite(t.costs)) and all(np.all(np.isfinite(g)) for g in t.dC_dW)
    assert t.a(2, 0).tolist() == [1.0, 0.0]
    soft = {"layers": [1, 3], "activations": ["softmax"], "loss": "cross_entropy",
            "weights": [[[900.0], [0.0], [-900.0]]], "biases": [[0, 0, 0]], "x": [3.0], "y": [0, 0, 1]}
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        t = trace(soft)
    assert t.cost == pytest.approx(5400.0)  # −log softmax_3 = 2700 − (−2700), no overflow to inf


def test_records_are_immutable_and_in_teaching_order():
    t = trace(load_preset("article003_3-4-2"))
    steps = t.steps()
    kinds = [type(s) for s in steps]
    assert kinds[:6] == [NeuronStep] * 6 and kinds[6] is CostStep
    assert [(s.l, s.j) for s in steps[:6]] == [(2, 0), (2, 1), (2, 2), (2, 3), (3, 0), (3, 1)]
    b0 = steps.phase_start("backward")
    deltas = [s for s in steps if isinstance(s, DeltaStep)]
    assert [s.l for s in deltas] == [3, 3, 2, 2, 2, 2]  # output first, then back
    assert b0 == 7 and isinstance(steps[steps.phase_start("update")], UpdateStep)
    assert len(steps) == 6 + 1 + 2 + 6 + (12 + 8) + 6 + (12 + 8) + 6
    with pytest.raises(AttributeError):
        steps[0].a = 1.0
    with pytest.raises(ValueError):
        t.zs[0][0, 0] = 1.0
    with pytest.raises(ValueError):
        t.scenario.weights[0][0, 0] = 1.0
    w = next(s for s in steps if isinstance(s, WeightGradStep) and s.l == 2)
    assert w.dC_dw == pytest.approx(w.a_prev * w.delta)
    assert steps[-1] is not steps[-1]  # records are built on access, never stored mutable state


def test_step_records_carry_the_trace_values():
    t = trace(load_preset("classic_2-2-2"))
    st_ = t.steps()
    assert st_[0].z == pytest.approx(0.3775) and st_[4].cost == t.cost
    d = [s for s in st_ if isinstance(s, DeltaStep)]
    assert d[0].delta == pytest.approx(d[0].dC_da * d[0].dsigma)
    upd = [s for s in st_ if isinstance(s, UpdateStep)]
    assert [(s.trained, s.k is None) for s in upd if s.k is None] == [(False, True)] * 4
    assert all(s.new == pytest.approx(s.old - s.eta * s.grad) for s in upd if s.trained)
