"""Time to make worksheets and exports, as ratios (the machine is shared and noisy).

Prints, per sheet: the network and trace, the Markdown (worksheet + key, which runs the handout),
the printable HTML (MathML conversion) — each as a multiple of the trace — and the trace CSV of a
30-example batch against its trace. Run: .venv/bin/python benchmarks/bench_worksheet.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from core import load_preset, trace  # noqa: E402
from core.teaching.export import trace_csv  # noqa: E402
from core.teaching.printable import mathml  # noqa: E402
from core.teaching.worksheet import worksheet, worksheet_scenario  # noqa: E402


def timed(fn, n=1) -> float:
    t = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - t) / n


def main() -> None:
    worksheet(0).html()  # warm: SymPy's σ' and the imports
    seeds = range(1000, 1010)
    t_trace = statistics.median(timed(lambda s=s: trace(worksheet_scenario(s))) for s in seeds)
    t_md = statistics.median(timed(lambda s=s: (lambda w: (w.markdown(), w.key_markdown()))(worksheet(s)))
                             for s in seeds)
    mathml.cache_clear()
    t_html = statistics.median(timed(lambda s=s: worksheet(s).html()) for s in seeds)
    print(f"worksheet: network + trace {t_trace * 1e3:.1f} ms; Markdown sheet + key {t_md / t_trace:.0f}× that; "
          f"printable HTML {t_html / t_trace:.0f}× that ({t_html / t_md:.1f}× the Markdown)")
    s = load_preset("classic_2-2-2").to_dict()
    rng = np.random.default_rng(0)
    s.update(x=rng.uniform(-1, 1, (30, 2)).tolist(), y=rng.uniform(0, 1, (30, 2)).tolist())
    t = trace(s)
    t_tr = timed(lambda: trace(s), 20)
    t_csv = timed(lambda: trace_csv(t), 20)
    rows = trace_csv(t).count("\n") - 1
    print(f"trace CSV, 2-2-2 with 30 examples ({rows} rows): {t_csv / t_tr:.0f}× the trace itself")


if __name__ == "__main__":
    main()
