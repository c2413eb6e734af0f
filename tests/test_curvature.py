"""λ_max by power iteration against a dense eigen-decomposition and a closed form; the
divergence reading on curves by hand and on the run a new user tried; the curvature command."""

import json
import subprocess
import sys

import numpy as np
import pytest

from core import load_preset, load_scenario, train
from core.engine.backprop import Descent
from core.engine.divergence import Watch, read_curve
from core.lab.curvature import curvature, eigen_slice
from core.lab.datasets import make_dataset
from core.lab.training import fit_scenario


def dense_hessian_of_the_cost(s, n):
    """The Hessian of the mean cost over the first n parameters by second differences of the cost
    alone (no backpropagation): (C(+i+j) − C(+i−j) − C(−i+j) + C(−i−j)) / 4h²."""
    d = Descent(s)
    th, h = d.theta.copy(), 1e-4

    def C(v):
        d.theta[:] = v
        return d.cost(s.x, s.y)

    H = np.zeros((n, n))
    for i in range(n):
        for j in range(i, n):
            ei, ej = np.zeros(th.size), np.zeros(th.size)
            ei[i], ej[j] = h, h
            H[i, j] = H[j, i] = (C(th + ei + ej) - C(th + ei - ej) - C(th - ei + ej) + C(th - ei - ej)) / (4 * h * h)
    return H


@pytest.mark.parametrize("preset", ["xor_2-4-1", "article003_3-4-2", "classic_2-2-2"])
def test_lambda_max_within_1e_4_of_a_dense_eigendecomposition(preset):
    s = load_preset(preset)
    n = sum(W.size for W in s.weights) + (sum(b.size for b in s.biases) if s.train_biases else 0)
    top = np.linalg.eigvalsh(dense_hessian_of_the_cost(s, n))[-1]
    c = curvature(s)
    assert c.lambda_max == pytest.approx(top, rel=1e-4) and c.eta_max == pytest.approx(2 / top, rel=1e-4)
    assert np.linalg.norm(c.direction) == pytest.approx(1.0)


def test_lambda_max_of_a_quadratic_is_the_top_eigenvalue_of_the_gram_matrix():
    x = np.array([[1.0, 0.5], [-0.3, 2.0], [0.8, -1.2], [1.5, 0.1]])
    d = {"layers": [2, 1], "activations": ["linear"], "x": x.tolist(), "y": [[1.0], [0.0], [2.0], [-1.0]],
         "l2": 0.25}
    xa = np.hstack([x, np.ones((4, 1))])  # weights and the bias: C = ½ mean ([x 1]·θ − y)² + ½λ‖w‖²
    H = xa.T @ xa / 4 + np.diag([0.25, 0.25, 0.0])
    assert curvature(d).lambda_max == pytest.approx(np.linalg.eigvalsh(H)[-1], rel=1e-7)


def test_the_largest_eigenvalue_even_when_the_largest_in_size_is_negative():
    # one tanh neuron far on its flat side with a target above: C = ½(tanh(w) − 1)² at w = −1.2
    # has C'' = (1 − t²)(1 − t²) − 2t(1 − t²)(t − 1), with t = tanh(w): a negative second derivative
    s = {"layers": [1, 1], "activations": ["tanh"], "weights": [[[-1.2]]], "biases": [[0.0]], "x": [1.0],
         "y": [1.0], "train_biases": False}
    t = np.tanh(-1.2)
    by_hand = (1 - t * t) ** 2 - 2 * t * (1 - t * t) * (t - 1)
    c = curvature(s)
    assert c.lambda_max == pytest.approx(by_hand, rel=1e-6)
    s2 = dict(s, weights=[[[1.5]]], y=[-1.0])  # here C'' < 0: λ_max < 0, no bound
    t = np.tanh(1.5)
    c2 = curvature(s2)
    assert c2.lambda_max == pytest.approx((1 - t * t) ** 2 - 2 * t * (1 - t * t) * (t + 1), rel=1e-6)
    assert c2.lambda_max < 0 and c2.eta_max is None


def test_eigen_slice_steps_jump_across_past_the_bound():
    s = load_preset("xor_2-4-1")
    c = curvature(s)
    calm = eigen_slice(s, 0.5 * c.eta_max, c=c)
    wild = eigen_slice(s, 1.6 * c.eta_max, c=c)
    assert np.all(np.diff(calm.path_cost) <= 1e-12)  # every step lower, no jump
    sides = np.sign(wild.path_t - wild.t[np.argmin(wild.cost)])
    assert np.any(sides[1:] != sides[:-1])  # a step lands on the other side of the minimum


def test_curves_read_by_hand():
    assert read_curve([1, 0.5, 0.3, 2.0, 0.2, 0.1]).verdict == "oscillating"  # was "converging"
    assert read_curve([1, 0.5, 0.3, 2.0, 0.2, 0.1]).began == 3
    r = read_curve([1, 0.8, 0.9, 2, 5, 12, 30])
    assert (r.verdict, r.began) == ("diverging", 3)  # 0.9 at step 2 was the last at or below the start
    assert read_curve([1, 0.5, 0.2, 0.1]).verdict == "converging"
    assert read_curve([1, 2, float("inf")]).verdict == "diverged"
    w = Watch()
    seen = [w.see(c) for c in [1, 0.8, 0.9, 2, 5, 12, 30, 70]]
    assert seen.index(True) == 5 and w.at == 5 and w.began == 3  # 12 > 10 × 1 after three rises


def test_eta_10_on_the_noisy_sine_is_called_diverging_long_before_it_overflows():
    d = make_dataset("sine", 40, 0.1, 0)
    sc, _ = fit_scenario(load_preset("classic_2-2-2"), d.x, d.y, d.task)
    sd = sc.to_dict()
    sd["learning_rate"] = 10.0
    r = train(sd, 3000)
    assert r.diverging_at is not None and r.diverging_from <= r.diverging_at
    h = r.loss_history
    assert np.isfinite(h[r.diverging_at]) and h[r.diverging_at] < 1e6 * h[0]
    assert r.diverged_at is None or r.diverging_at < r.diverged_at


def run(*args):
    return subprocess.run([sys.executable, "-m", "core", *args], capture_output=True, text=True, timeout=60)


def test_curvature_command_prints_strict_json(tmp_path):
    p = run("curvature", "core/presets/xor_2-4-1.json")
    out = json.loads(p.stdout)
    assert p.returncode == 0 and set(out) == {"lambda_max", "eta_max"}
    assert out["eta_max"] == pytest.approx(2 / out["lambda_max"])
    f = tmp_path / "neg.json"
    f.write_text(json.dumps({"layers": [1, 1], "activations": ["tanh"], "weights": [[[1.5]]], "biases": [[0.0]],
                             "x": [1.0], "y": [-1.0], "train_biases": False}))
    p = run("curvature", str(f))
    assert p.returncode == 0 and json.loads(p.stdout)["eta_max"] is None and "null" in p.stdout


@pytest.mark.parametrize("content, words", [
    (None, "no such file"),
    ("{not json", "not valid JSON"),
    (json.dumps({"layers": [2, 1], "activations": ["sigmoid"], "x": [1, 2], "y": [0.5], "l2": -1}), "l2: expected"),
])
def test_curvature_command_bad_input_exits_2_with_one_line(tmp_path, content, words):
    f = tmp_path / "s.json"
    if content is not None:
        f.write_text(content)
    p = run("curvature", str(f))
    assert p.returncode == 2 and words in p.stderr and p.stderr.count("\n") == 1 and not p.stdout
    assert "Traceback" not in p.stderr
    assert run("curvature").returncode == 2


def test_train_command_reports_the_verdict(tmp_path):
    d = load_scenario("core/presets/xor_2-4-1.json").to_dict()
    d.update(activations=["linear", "linear"], learning_rate=50.0)
    f = tmp_path / "div.json"
    f.write_text(json.dumps(d))
    out = json.loads(run("train", str(f), "--steps", "300").stdout)
    assert out["verdict"] == "diverged" and out["diverging_at"] < out["diverged_at"]


def test_the_vectorised_reading_agrees_with_the_watch():
    from core.engine.divergence import first_diverging

    rng = np.random.default_rng(0)
    for _ in range(200):
        c = np.cumprod(rng.uniform(0.6, 1.9, size=rng.integers(2, 40)))
        w = Watch()
        for v in c:
            w.see(float(v))
        assert first_diverging(c) == (w.at, w.began)
