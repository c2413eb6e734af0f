"""Server-side time of one step (a Next click) on a 4-4-4-1 network, measured with AppTest.

Each click reruns the whole script (entry, sidebar, page), computes the new step's equation
(not cached: every click reaches a step not seen before) and draws the network. Target: 50 ms.
Run: .venv/bin/python benchmarks/bench_app.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from app.session import url  # noqa: E402
from core import load_scenario  # noqa: E402

TARGET_MS = 50.0
NET = {"name": "bench 4-4-4-1", "layers": [4, 4, 4, 1], "activations": ["sigmoid", "sigmoid", "sigmoid"],
       "x": [0.1, 0.2, 0.3, 0.4], "y": [0.5], "init": {"scheme": "xavier", "seed": 0}}


def clicks(page: str, n: int) -> list[float]:
    at = AppTest.from_file(str(ROOT / "app" / "streamlit_app.py"), default_timeout=60)
    at.query_params.update({"p": page, "s": url.encode_scenario(load_scenario(NET))})
    at.run()
    assert not at.exception, at.exception
    out = []
    for _ in range(n):
        button = at.button(key=f"{page}_next")
        if button.disabled:
            break
        t0 = time.perf_counter()
        button.click().run()
        out.append((time.perf_counter() - t0) * 1000)
        assert not at.exception, at.exception
    return out


def main() -> int:
    clicks("forward", 3)  # warm up imports and the trace cache
    rows = [("forward", clicks("forward", 30)), ("backward", clicks("backward", 30))]
    every = [ms for _, r in rows for ms in r]
    print(f"Next click on 4-4-4-1, server side (AppTest), target {TARGET_MS:.0f} ms")
    for name, r in rows:
        print(f"  {name:9s} {len(r):3d} clicks  median {statistics.median(r):6.1f} ms  "
              f"p90 {sorted(r)[int(0.9 * (len(r) - 1))]:6.1f} ms  max {max(r):6.1f} ms")
    med = statistics.median(every)
    print(f"  all       {len(every):3d} clicks  median {med:6.1f} ms = {med / TARGET_MS:.2f} × target "
          f"({'within' if med < TARGET_MS else 'OVER'} target)")
    return 0 if med < TARGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
