"""How long the LaTeX of each step takes: every step of a 4-4-4-1 trace, cold (SymPy derives the
activations' LaTeX on first use) and cached (string formatting only), plus chain-rule cards,
matrix form and the whole handout. The app needs one step's equations in well under 100 ms.

Run: .venv/bin/python benchmarks/bench_latex.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from core import trace  # noqa: E402
from core.symbolic.derive import chain_rule, matrix_equations, step_equation  # noqa: E402
from core.symbolic.latex import act_latex, activation_derivative_latex  # noqa: E402
from core.teaching.explain import explain  # noqa: E402


def scenario(acts):
    rng = np.random.default_rng(0)
    layers = [4, 4, 4, 1]
    return {"layers": layers, "activations": acts, "x": rng.uniform(-1, 1, 4).tolist(), "y": [0.7],
            "weights": [rng.uniform(-1, 1, (m, k)).tolist() for k, m in zip(layers[:-1], layers[1:])],
            "biases": [rng.uniform(-0.5, 0.5, m).tolist() for m in layers[1:]], "learning_rate": 0.5}


def clear():
    from core.symbolic.formula import activation_expr, formula_expr

    for f in (act_latex, activation_derivative_latex, activation_expr, formula_expr):
        f.cache_clear()


def per_step(t, steps) -> np.ndarray:
    out = np.empty(len(steps))
    for i, st in enumerate(steps):
        t0 = time.perf_counter()
        step_equation(t, st)
        out[i] = (time.perf_counter() - t0) * 1e3
    return out


def ms(a) -> str:
    return f"mean {np.mean(a):7.3f} ms  median {np.median(a):7.3f}  max {np.max(a):8.3f}"


def main() -> int:
    t = trace(scenario(["sigmoid", "tanh", "sigmoid"]))
    steps = list(t.steps(0))
    t0 = time.perf_counter()
    step_equation(t, steps[0])
    first = (time.perf_counter() - t0) * 1e3
    print(f"4-4-4-1 trace, {len(steps)} steps")
    print(f"  very first step (imports SymPy, derives σ'):  {first:9.1f} ms  (SymPy loaded: "
          f"{'sympy' in sys.modules})")
    clear()
    cold = per_step(t, steps)
    cached = per_step(t, steps)
    print(f"  cold pass (caches cleared, SymPy loaded):   {ms(cold)}  total {cold.sum():8.1f} ms")
    print(f"  cached pass:                                 {ms(cached)}  total {cached.sum():8.1f} ms")
    print(f"  ratio cold/cached (total): {cold.sum() / cached.sum():8.1f}×;  worst cached step vs 100 ms budget: "
          f"{100 / cached.max():8.0f}× headroom")

    tf = trace(scenario(["log(1 + exp(z))", "z/(1 + abs(z))", "sigmoid"]))
    from core.symbolic.formula import formula_activation

    clear()
    formula_activation.cache_clear()
    t0 = time.perf_counter()
    tf = trace(tf.scenario.to_dict())
    parse_ms = (time.perf_counter() - t0) * 1e3
    fsteps = list(tf.steps(0))
    fcold, fcached = per_step(tf, fsteps), per_step(tf, fsteps)
    print(f"custom formulas (softplus, softsign): parse + derive + lambdify + trace {parse_ms:7.1f} ms")
    print(f"  cold pass:   {ms(fcold)}  total {fcold.sum():8.1f} ms")
    print(f"  cached pass: {ms(fcached)}  total {fcached.sum():8.1f} ms  ratio {fcold.sum() / fcached.sum():.1f}×")

    cards = []
    for l in (2, 3, 4):
        for j in range(t.scenario.layers[l - 1]):
            for k in [*range(t.scenario.layers[l - 2]), None]:
                t0 = time.perf_counter()
                chain_rule(t, l, j, k)
                cards.append((time.perf_counter() - t0) * 1e3)
    print(f"chain_rule card, each of {len(cards)} weights and biases: {ms(cards)}")
    mats = []
    for l in (2, 3, 4):
        for phase in ("forward", "backward", "update"):
            t0 = time.perf_counter()
            matrix_equations(t, l, phase)
            mats.append((time.perf_counter() - t0) * 1e3)
    print(f"matrix_equations, each layer and phase:   {ms(mats)}")
    t0 = time.perf_counter()
    md = explain(t.scenario)
    print(f"explain (whole handout, {len(md) // 1024} KiB): {(time.perf_counter() - t0) * 1e3:.1f} ms")
    ok = cached.max() < 100 and fcached.max() < 100
    print("OK: every cached step well under 100 ms" if ok else "SLOW: a step took 100 ms or more")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
