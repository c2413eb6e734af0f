"""Speed of the one training loop with each update rule, next to a bare NumPy loop and PyTorch.

1. ``core.train``: 10,000 full-batch steps of the classic 2-2-2 (one example, biases held) next
   to a bare NumPy loop doing the same arithmetic on 1-D vectors (the same stable sigmoid as
   core/engine/activations.py, C = ½‖a − y‖², W ← W − η ∂C/∂W) and next to PyTorch eager on the same
   work (float64 tensors, autograd, torch.optim.SGD); all three end at the same weights.
   Targets: ≤ 1.5× the bare loop, ≥ 6× faster than PyTorch.
2. 64-64-64-10, a batch of 256 (sigmoid, mse, biases train): ``core.train`` next to a bare loop
   on (N, n) arrays. Target ≤ 1.2×.
3. Adam against plain SGD in ``core.train`` on both networks. Target ≤ 1.3×.
4. ``core.lab.curvature`` (λ_max by power iteration) on 64-64-64-10 with 256 examples. Target ≤ 2 s.

NumPy's BLAS and torch run on one thread each. torch is not a project dependency: without it the
PyTorch column is skipped with a note (``.venv/bin/python -m pip install torch`` to add it).
Figures are CPU time of this process (so that other work on a shared machine does not count), the
best of several interleaved repeats, all in one run; the load average is printed with them.

Run: .venv/bin/python benchmarks/bench_optim.py
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

# one BLAS thread for NumPy (and one thread for torch below): on a shared 2-core machine extra BLAS
# threads only wait for each other; every side of a ratio runs alike
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core import load_preset, load_scenario, train  # noqa: E402
from core.engine.activations import sigmoid  # noqa: E402
from core.lab.curvature import curvature  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_core import bare_train  # noqa: E402  (the bare loop on (N, n) arrays, biases training)

STEPS = 10_000


CLOCK = time.process_time  # CPU time of this process: the other work on a shared machine does not count


def best(fn, repeats=5):
    t_best, out = float("inf"), None
    for _ in range(repeats):
        t = CLOCK()
        out = fn()
        t_best = min(t_best, CLOCK() - t)
    return t_best, out


WALL: dict = {}  # the best wall-clock time of each function ``paired`` ran, by name


def paired(*fns, repeats=5, names=None):
    """Best CPU time and last result of each function, run in turn ``repeats`` times (interleaved, so
    that a busy spell on this shared machine hits all of them alike); best wall times go to WALL."""
    times, outs, wall = [float("inf")] * len(fns), [None] * len(fns), [float("inf")] * len(fns)
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            t, w = CLOCK(), time.perf_counter()
            outs[i] = fn()
            times[i] = min(times[i], CLOCK() - t)
            wall[i] = min(wall[i], time.perf_counter() - w)
    for name, w in zip(names or (), wall):
        WALL[name] = w
    return [(t, o) for t, o in zip(times, outs)]


def bare_1d(s, steps):
    """Full-batch gradient descent on one example with 1-D vectors, biases held, by hand."""
    W2, W3 = np.array(s.weights[0]), np.array(s.weights[1])
    b2, b3 = np.array(s.biases[0]), np.array(s.biases[1])
    x, y, eta = s.x[0], s.y[0], s.learning_rate
    history = np.empty(steps + 1)
    for k in range(steps + 1):
        a2 = sigmoid(W2 @ x + b2)
        a3 = sigmoid(W3 @ a2 + b3)
        e = a3 - y
        history[k] = 0.5 * (e @ e)
        if k == steps:
            break
        d3 = e * (a3 * (1.0 - a3))
        d2 = (d3 @ W3) * (a2 * (1.0 - a2))
        W3 -= eta * np.multiply.outer(d3, a2)
        W2 -= eta * np.multiply.outer(d2, x)
    return history, (W2, W3)


def torch_eager(s, steps):
    """The same work in PyTorch eager: float64, autograd, torch.optim.SGD."""
    import torch

    torch.set_num_threads(1)
    Ws = [torch.tensor(np.array(W), dtype=torch.float64, requires_grad=True) for W in s.weights]
    bs = [torch.tensor(np.array(b), dtype=torch.float64) for b in s.biases]  # held, as in the scenario
    x, y = torch.tensor(s.x[0], dtype=torch.float64), torch.tensor(s.y[0], dtype=torch.float64)
    opt = torch.optim.SGD(Ws, lr=s.learning_rate)
    for _ in range(steps):
        opt.zero_grad()
        a = x
        for W, b in zip(Ws, bs):
            a = torch.sigmoid(W @ a + b)
        loss = 0.5 * torch.sum((a - y) ** 2)
        loss.backward()
        opt.step()
    return [W.detach().numpy() for W in Ws]


def torch_module(s, steps):
    """The same work as PyTorch is usually written: nn.Sequential of nn.Linear and nn.Sigmoid,
    nn.MSELoss, torch.optim.SGD (float64, biases held)."""
    import torch

    torch.set_num_threads(1)
    m = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Sigmoid(), torch.nn.Linear(2, 2), torch.nn.Sigmoid())
    m = m.double()
    with torch.no_grad():
        for lin, W, b in zip((m[0], m[2]), s.weights, s.biases):
            lin.weight.copy_(torch.tensor(np.array(W)))
            lin.bias.copy_(torch.tensor(np.array(b)))
            lin.bias.requires_grad_(False)
    opt = torch.optim.SGD([m[0].weight, m[2].weight], lr=s.learning_rate)
    x, y = torch.tensor(s.x, dtype=torch.float64), torch.tensor(s.y, dtype=torch.float64)
    mse = torch.nn.MSELoss(reduction="sum")
    for _ in range(steps):
        opt.zero_grad()
        loss = 0.5 * mse(m(x), y)
        loss.backward()
        opt.step()
    return [m[0].weight.detach().numpy(), m[2].weight.detach().numpy()]


def net(layers, N, optimizer=None, seed=0):
    rng = np.random.default_rng(seed)
    d = {"layers": layers, "activations": ["sigmoid"] * (len(layers) - 1), "loss": "mse",
         "x": rng.normal(size=(N, layers[0])).tolist(), "y": rng.uniform(size=(N, layers[-1])).tolist(),
         "learning_rate": 0.1, "init": {"scheme": "xavier", "seed": seed}}
    if optimizer:
        d["optimizer"] = optimizer
    return load_scenario(d)


def main():
    print(f"load average before: {Path('/proc/loadavg').read_text().split()[:3]} on {os.cpu_count()} CPUs\n")
    classic = load_preset("classic_2-2-2")
    assert not classic.train_biases and len(classic.x) == 1
    adam = load_scenario(dict(classic.to_dict(), optimizer={"name": "adam"}, learning_rate=0.01))
    (t_bare, (h_bare, W_bare)), (t_core, r), (t_adam, _) = paired(
        lambda: bare_1d(classic, STEPS), lambda: train(classic, STEPS), lambda: train(adam, STEPS))
    assert np.allclose(r.loss_history, h_bare, rtol=1e-10) and np.allclose(r.weights[1], W_bare[1], rtol=1e-10)
    print(f"1. classic 2-2-2, {STEPS:,} full-batch steps (best of 5, interleaved):")
    print(f"   bare NumPy loop, 1-D vectors   {t_bare / STEPS * 1e6:6.1f} µs/step")
    print(f"   core.train (sgd)               {t_core / STEPS * 1e6:6.1f} µs/step   "
          f"×{t_core / t_bare:.2f} the bare loop (target ≤ 1.5)")
    try:
        import torch  # noqa: F401
    except ImportError:
        print("   PyTorch eager: skipped, torch is not installed (it is not a project dependency; "
              "`.venv/bin/python -m pip install torch` to compare)")
    else:
        (t_torch, W_t), (t_mod, W_m), (t_core2, _) = paired(
            lambda: torch_eager(classic, STEPS), lambda: torch_module(classic, STEPS), lambda: train(classic, STEPS),
            repeats=3, names=("torch", "module", "core"))
        t_core = min(t_core, t_core2)
        assert np.allclose(W_t[1], r.weights[1], rtol=1e-9) and np.allclose(W_m[1], r.weights[1], rtol=1e-9)
        print(f"   PyTorch {torch.__version__} eager, nn.Sequential + MSELoss + SGD (the usual way)  "
              f"{t_mod / STEPS * 1e6:6.1f} µs/step   core.train {t_mod / t_core:.1f}× faster (target ≥ 6)")
        print(f"   PyTorch eager, bare tensors + autograd + SGD (its leanest)  {t_torch / STEPS * 1e6:6.1f} µs/step"
              f"   core.train {t_torch / t_core:.1f}× faster")
        print(f"   by the wall clock instead (torch may use more than one core): core.train "
              f"{WALL['module'] / WALL['core']:.1f}× faster than the usual way, "
              f"{WALL['torch'] / WALL['core']:.1f}× than the leanest")
    print(f"   core.train (adam)              {t_adam / STEPS * 1e6:6.1f} µs/step   ×{t_adam / t_core:.2f} sgd "
          "(target ≤ 1.3)")

    big = net([64, 64, 64, 10], 256)
    big_adam = net([64, 64, 64, 10], 256, {"name": "adam"})
    steps = 300
    (t_bare, (h_bare, _)), (t_core, r), (t_adam, _) = paired(
        lambda: bare_train(list(big.weights), list(big.biases), big.x, big.y, big.learning_rate, steps),
        lambda: train(big, steps), lambda: train(big_adam, steps))
    assert np.allclose(r.loss_history, h_bare, rtol=1e-10)
    print(f"\n2. 64-64-64-10, batch of 256, {steps} full-batch steps (best of 5, interleaved):")
    print(f"   bare NumPy loop                {t_bare / steps * 1e6:6.0f} µs/step")
    print(f"   core.train (sgd)               {t_core / steps * 1e6:6.0f} µs/step   "
          f"×{t_core / t_bare:.2f} the bare loop (target ≤ 1.2)")
    print(f"3. core.train (adam)              {t_adam / steps * 1e6:6.0f} µs/step   ×{t_adam / t_core:.2f} sgd "
          "(target ≤ 1.3)")

    t_curv, c = best(lambda: curvature(big), repeats=3)
    print(f"\n4. curvature of 64-64-64-10 with 256 examples: {t_curv:.2f} s (target ≤ 2 s), "
          f"λ_max = {c.lambda_max:.6g} after {c.iterations} power iterations, η_max = {c.eta_max:.4g}")
    print(f"\nload average after: {Path('/proc/loadavg').read_text().split()[:3]}")


if __name__ == "__main__":
    main()
