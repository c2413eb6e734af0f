"""Training speed and the training lab's frame rate.

1. 10,000 full-batch steps of XOR 2-4-1 (core/presets/xor_2-4-1.json) with ``core.train``, with
   the lab's ``TrainingSession`` and with a bare NumPy loop doing the same arithmetic (the same
   stable sigmoid as core/activations.py): µs per step and the ratio to the bare floor. The three
   must end at the same weights.
2. The page while training (Streamlit AppTest, XOR, Play, 20 steps per update): server time of
   one page run for each live chart, and the chart updates per second that allows.
3. With ``--browser`` (needs /usr/bin/chromium and free ports 8650-8651): the real page in headless
   Chromium while playing, counting the updates the page shows per second, next to a minimal
   Streamlit fragment (one metric, one small chart, the same 50 ms timer) on the same machine.

Run: ``.venv/bin/python benchmarks/bench_train.py [--browser]``
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core import load_preset, train  # noqa: E402
from core.training import TrainingSession  # noqa: E402

STEPS = 10_000


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def bare_numpy(s, steps):
    """Full-batch gradient descent on a sigmoid-sigmoid network with C = ½‖a − y‖², by hand."""
    W1, b1, W2, b2 = (np.array(a) for a in (s.weights[0], s.biases[0], s.weights[1], s.biases[1]))
    x, y, eta, n = s.x, s.y, s.learning_rate, len(s.x)
    for _ in range(steps):
        h = sigmoid(x @ W1.T + b1)
        o = sigmoid(h @ W2.T + b2)
        d2 = (o - y) * o * (1 - o)
        d1 = (d2 @ W2) * h * (1 - h)
        W2 -= eta * (d2.T @ h / n)
        b2 -= eta * d2.sum(0) / n
        W1 -= eta * (d1.T @ x / n)
        b1 -= eta * d1.sum(0) / n
    return W1, W2


def best_of(fn, repeats=3):
    times, out = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def bench_steps():
    s = load_preset("xor_2-4-1")
    t_bare, (W1, W2) = best_of(lambda: bare_numpy(s, STEPS))
    t_train, r = best_of(lambda: train(s, STEPS))

    def session():
        ts = TrainingSession(s, task="binary")
        ts.run(STEPS)
        return ts

    t_sess, ts = best_of(session)
    assert np.allclose(r.weights[0], W1, atol=1e-9) and np.allclose(ts.weights[1], W2, atol=1e-9)
    print("10,000 full-batch steps of XOR 2-4-1 (best of 3), all three ending at the same weights:")
    for name, t in (("bare NumPy loop (floor)", t_bare), ("core.train", t_train),
                    ("TrainingSession (lab)", t_sess)):
        print(f"  {name:26s} {t / STEPS * 1e6:7.1f} µs/step   {t:6.3f} s   ×{t / t_bare:.2f} the floor")


def bench_page():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app" / "streamlit_app.py"), default_timeout=60)
    at.run()
    at.switch_page("../pages/train.py")
    at.run()
    at.selectbox(key="tl_w_source").set_value("xor").run()
    at.number_input(key="tl_w_epochs").set_value(5000).run()
    at.button(key="tl_play").click().run()
    print("\nThe page while training (AppTest, XOR 2-2-1 from the classic net, 20 steps per update):")
    for view in ("Boundary / fit", "Cost along a weight", "Cost over two weights", "Gradient sizes"):
        at.radio(key="tl_w_view").set_value(view).run()
        times = []
        for _ in range(20):
            t = time.perf_counter()
            at.run()
            times.append(time.perf_counter() - t)
        med = statistics.median(times)
        print(f"  {view:22s} one page run {med * 1000:6.1f} ms (median of 20) → server allows "
              f"{1 / med:5.1f} updates/s")
    assert not at.exception, at.exception
    print("  (a full page run; the live fragment re-runs only part of it, so these are upper bounds)")


BASELINE_APP = """
import plotly.graph_objects as go
import streamlit as st
st.session_state.setdefault("n", 0)
@st.fragment(run_every=0.05)
def live():
    st.session_state.n += 20
    st.metric("Step", st.session_state.n)
    st.plotly_chart(go.Figure(go.Scatter(y=[i % 7 for i in range(st.session_state.n // 20 % 200)])), key="c")
live()
"""
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
SHOWN_STEP = ("Array.from(document.querySelectorAll('[data-testid=stMetric]')).find(m => "
              "m.innerText.startsWith('Step')).querySelector('[data-testid=stMetricValue]').innerText")


def _serve(script, port):
    import subprocess

    return subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
                             "--server.headless", "true"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            cwd=ROOT)


def _shown_updates(pg, seconds):
    """Server ticks (from the step count, 20 a tick) and updates the page actually showed, per second."""
    def step():
        return int(pg.evaluate(SHOWN_STEP).replace(",", ""))

    s0, t0 = step(), time.time()
    seen, last = 0, None
    while time.time() - t0 < seconds:
        v = pg.evaluate(SHOWN_STEP)
        seen, last = seen + (v != last), v
        pg.wait_for_timeout(10)
    s1, t1 = step(), time.time()
    return (s1 - s0) / 20 / (t1 - t0), seen / (t1 - t0)


def bench_browser(port=8650, seconds=6.0):
    """The lab in headless Chromium next to a minimal Streamlit fragment (one metric, one small
    chart, the same timer) on the same machine: the floor the browser and Streamlit allow."""
    import tempfile

    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp()) / "baseline_app.py"
    tmp.write_text(BASELINE_APP)
    servers = [_serve(ROOT / "app" / "streamlit_app.py", port), _serve(tmp, port + 1)]
    try:
        time.sleep(5)
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            pg = b.new_page(viewport={"width": 1600, "height": 1200})
            pg.goto(f"http://localhost:{port + 1}/")
            pg.wait_for_timeout(3000)
            base = _shown_updates(pg, seconds)
            pg.goto(f"http://localhost:{port}/train")
            pg.wait_for_timeout(4000)
            epochs = pg.get_by_label("Epochs per Play")
            epochs.fill("5000")
            epochs.press("Enter")
            pg.wait_for_timeout(1500)
            pg.get_by_role("button", name="Play").click()
            pg.wait_for_timeout(1500)
            lab = _shown_updates(pg, seconds)
            b.close()
        load = Path("/proc/loadavg").read_text().split()[0]
        print(f"\nIn headless Chromium ({seconds:.0f} s each, load average {load} on {os.cpu_count()} CPUs):")
        print(f"  minimal fragment (1 metric, 1 chart)  server ticks {base[0]:5.1f}/s, shown {base[1]:5.1f}/s")
        print(f"  training lab (classic 2-2-2, 2 charts) server ticks {lab[0]:5.1f}/s, shown {lab[1]:5.1f}/s "
              f"(×{lab[1] / base[1]:.2f} the minimal fragment)")
    finally:
        for s in servers:
            s.terminate()
            s.wait(10)


if __name__ == "__main__":
    bench_steps()
    bench_page()
    if "--browser" in sys.argv:
        bench_browser()
