"""Limits that protect a shared server (issue 17), measured: for the issue's hostile formulas, the CPU time
their whole preparation takes (σ, σ', the numeric check and the LaTeX, as the worker runs it) against the
1 s budget; the time to the answer through the worker, cold and remembered; how soon the kernel stops a
worker that uses its budget; and the CSV reader at its size limit. With --baseline, SymPy's own Max/Min
(what the app used before) on the same formulas, each in a subprocess stopped after 30 s.

Run: .venv/bin/python benchmarks/bench_robust.py [--baseline]
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.lab.datasets import MAX_CSV_BYTES, parse_csv  # noqa: E402
from core.symbolic import deadline, formula, formula_vet  # noqa: E402
from core.symbolic.latex import act_latex, activation_derivative_latex  # noqa: E402

HOSTILE = {
    "max of 6": "max(z, 0.5*z, -z, z^2, sin(z), cos(z))",
    "max of 8": "max(z,2*z,3*z,4*z,5*z,6*z,7*z,8*z)",
    "max of 8 functions": "max(sin(z), cos(z), tanh(z), atan(z), erf(z), sigmoid(z), sign(z), abs(z))",
    "max of 29": "max(" + ",".join(f"{i}*z" for i in range(1, 30)) + ")",
    "nested 10 deep": "max(min(max(min(max(min(max(min(max(min(z,sin(z)),cos(z)),tanh(z)),z^2),-z),0.5*z),"
                      "atan(z)),erf(z)),abs(z)),z/2)",
    "softplus (ordinary)": "log(1 + exp(z))",
}
BASELINE = """
import sys, time, sympy as sp
z = sp.Symbol("z", real=True)
from core.symbolic.formula import parse_formula, MaxOf, MinOf
e = parse_formula(sys.argv[1]).replace(lambda u: isinstance(u, MaxOf), lambda u: sp.Max(*u.args)).replace(
    lambda u: isinstance(u, MinOf), lambda u: sp.Min(*u.args))
t0 = time.process_time()
d = sp.diff(e, z)
sp.lambdify(z, e, "numpy"); sp.lambdify(z, d, "numpy")
print(f"{time.process_time() - t0:.2f}")
"""


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def clear(text: str) -> None:
    formula_vet.VERDICTS.pop(text, None)
    for f in (formula.formula_activation, formula.formula_expr, formula.activation_expr, act_latex,
              activation_derivative_latex):
        f.cache_clear()


def main() -> None:
    print(f"load average before: {open('/proc/loadavg').read().split()[:3]}")
    t0 = time.perf_counter()
    deadline.run("formula", "tanh(z)")  # start the helper (imports SymPy once)
    print(f"helper start (imports SymPy once per server): {time.perf_counter() - t0:.2f} s")
    print(f"\n{'formula':22s} {'prepare CPU':>12s} {'of budget':>10s} {'answer, cold':>13s} {'remembered':>11s}")
    for name, text in HOSTILE.items():
        clear(text)
        formula_vet.IN_WORKER = True  # the worker's own work, in this process, to read its CPU time
        c0 = cpu()
        formula_vet.prepare(text)
        used = cpu() - c0
        formula_vet.IN_WORKER = False
        clear(text)
        t0 = time.perf_counter()
        formula.formula_activation(text)
        act_latex(text)
        cold = time.perf_counter() - t0
        formula.formula_activation.cache_clear()
        t0 = time.perf_counter()
        formula.formula_activation(text)
        again = time.perf_counter() - t0
        print(f"{name:22s} {used:10.3f} s {used / deadline.CPU_SECONDS:9.0%} {cold:11.3f} s {again * 1e3:8.2f} ms")

    print("\nthe kernel stopping a worker at its CPU budget (time from the request to the refusal):")
    for budget in (0.01, 0.1):
        t0 = time.perf_counter()
        try:
            deadline.run("formula", f"z + {budget}*sin(z) + 0.5*tanh(z)", cpu=budget)
            outcome = "finished within the budget"
        except deadline.OverBudgetError as e:
            outcome = f"stopped ({e.what})"
        print(f"  budget {budget:5.2f} s: {outcome} after {time.perf_counter() - t0:.3f} s")

    rows = []
    while len("\n".join(rows)) < MAX_CSV_BYTES - 200 and len(rows) < 2000:
        i = len(rows)
        rows.append(",".join(f"{(i * 7 + j) % 13 / 3:.6f}" for j in range(10)))
    text = "\r".join(rows)
    t0 = time.perf_counter()
    d = parse_csv(text)
    print(f"\nCSV reader, {len(text):,} characters, CR line ends, {len(d)} rows: {time.perf_counter() - t0:.3f} s")

    if "--baseline" in sys.argv:
        print("\nbaseline: SymPy's Max/Min, diff + lambdify only (CPU s; '>30' = stopped after 30 s wall):")
        for name, text in HOSTILE.items():
            try:
                r = subprocess.run([sys.executable, "-c", BASELINE, text], cwd=ROOT, capture_output=True, text=True,
                                   timeout=30)
                out = r.stdout.strip() or r.stderr.strip().splitlines()[-1][:60]
            except subprocess.TimeoutExpired:
                out = ">30"
            print(f"  {name:22s} {out}")
    print(f"\nload average after: {open('/proc/loadavg').read().split()[:3]}")


if __name__ == "__main__":
    main()
