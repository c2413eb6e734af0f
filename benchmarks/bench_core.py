"""Engine speed and memory: µs per trace and per training step next to a bare NumPy loop
doing the same arithmetic, and the peak memory of a 10,000-step training run.

Run: .venv/bin/python benchmarks/bench_core.py   (figures are the best of several repeats;
quote the ratios, the machines are shared and noisy)
"""

import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core import load_scenario, trace, train  # noqa: E402
from core.engine.activations import sigmoid  # noqa: E402

NETWORKS = [[2, 2, 2], [4, 4, 4, 1], [8, 8, 8, 8, 1], [64, 64, 64, 10]]


def scenario(layers, N, seed=0):
    rng = np.random.default_rng(seed)
    return load_scenario({
        "layers": layers, "activations": ["sigmoid"] * (len(layers) - 1), "loss": "mse",
        "x": rng.normal(size=(N, layers[0])).tolist(), "y": rng.uniform(size=(N, layers[-1])).tolist(),
        "learning_rate": 0.1, "init": {"scheme": "xavier", "seed": seed},
    })


def bare_train(weights, biases, x, y, eta, steps):
    """Hand-written full-batch gradient descent, sigmoid everywhere, ½ squared error."""
    weights = [W.copy() for W in weights]
    biases = [b.copy() for b in biases]
    n = len(x)
    history = np.empty(steps + 1)
    for k in range(steps + 1):
        a = [x]
        for W, b in zip(weights, biases):
            a.append(sigmoid(a[-1] @ W.T + b))
        history[k] = np.mean(0.5 * np.sum((a[-1] - y) ** 2, axis=-1))
        if k == steps:
            break
        delta = (a[-1] - y) * a[-1] * (1.0 - a[-1])
        for i in range(len(weights) - 1, -1, -1):
            dW, db = delta.T @ a[i] / n, delta.sum(axis=0) / n
            if i:
                delta = (delta @ weights[i]) * a[i] * (1.0 - a[i])
            weights[i] -= eta * dW
            biases[i] -= eta * db
    return history, weights


def bare_pass(weights, biases, x, y):
    """One forward and backward pass, hand-written, no records."""
    a = [x]
    for W, b in zip(weights, biases):
        a.append(sigmoid(a[-1] @ W.T + b))
    cost = np.mean(0.5 * np.sum((a[-1] - y) ** 2, axis=-1))
    delta = (a[-1] - y) * a[-1] * (1.0 - a[-1])
    grads = []
    for i in range(len(weights) - 1, -1, -1):
        grads.append(delta.T @ a[i] / len(x))
        if i:
            delta = (delta @ weights[i]) * a[i] * (1.0 - a[i])
    return cost, grads


def best_us(fn, per, repeats=5):
    """Best wall time of ``repeats`` runs of fn(), in µs per unit of work (``per`` units a run)."""
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best / per * 1e6


def main():
    print(f"{'network':>14} {'batch':>5} | {'trace µs':>9} {'bare pass µs':>12} {'ratio':>6} | "
          f"{'train µs/step':>13} {'bare µs/step':>12} {'ratio':>6}")
    worst = 0.0
    for layers in NETWORKS:
        for N in (1, 256):
            s = scenario(layers, N)
            steps = 2000 if layers[1] < 64 else 200
            reps = 200 if layers[1] < 64 else 20
            W, b, x, y = list(s.weights), list(s.biases), s.x, s.y
            # same arithmetic, same result
            assert np.allclose(train(s, 5).loss_history, bare_train(W, b, x, y, s.learning_rate, 5)[0], rtol=1e-12)
            t_trace = best_us(lambda: [trace(s) for _ in range(reps)], reps)
            t_pass = best_us(lambda: [bare_pass(W, b, x, y) for _ in range(reps)], reps)
            t_train = best_us(lambda: train(s, steps), steps)
            t_bare = best_us(lambda: bare_train(W, b, x, y, s.learning_rate, steps), steps)
            worst = max(worst, t_train / t_bare)
            name = "-".join(map(str, layers))
            print(f"{name:>14} {N:>5} | {t_trace:9.1f} {t_pass:12.1f} {t_trace / t_pass:6.2f} | "
                  f"{t_train:13.1f} {t_bare:12.1f} {t_train / t_bare:6.2f}")
    print(f"\nworst train / bare ratio: {worst:.2f} (target ≤ 1.5)")

    s = scenario([8, 8, 8, 8, 1], 256)
    tracemalloc.start()
    r = train(s, 10_000)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    tracemalloc.start()
    bare_train(list(s.weights), list(s.biases), s.x, s.y, s.learning_rate, 10_000)
    _, peak_bare = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"peak memory of 10,000 training steps (8-8-8-8-1, batch 256): {peak / 1024:.0f} KiB "
          f"(bare loop {peak_bare / 1024:.0f} KiB, ratio {peak / peak_bare:.2f}); "
          f"history {len(r.loss_history)} values")


if __name__ == "__main__":
    main()
