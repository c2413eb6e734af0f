"""Training speed and the training lab's frame rate.

1. 10,000 full-batch steps of XOR 2-4-1 (core/presets/xor_2-4-1.json) with ``core.train``, with
   the lab's ``TrainingSession`` and with a bare NumPy loop doing the same arithmetic (the same
   stable sigmoid as core/engine/activations.py): µs per step and the ratio to the bare floor. The three
   must end at the same weights.
2. The page while training (Streamlit AppTest, XOR, Play, 20 steps per update): server time of
   one page run for each live chart, and the page runs per second that allows.
3. With ``--browser`` (needs /usr/bin/chromium and free ports 8650-8651): the real page in headless
   Chromium while playing, counting the chart updates it shows per second (the cost curve's data
   changing, checked on every animation frame), next to a minimal Streamlit fragment (one metric,
   one small st.plotly_chart redrawn by the same 50 ms timer) on the same machine, and the ratio.

Run: ``.venv/bin/python benchmarks/bench_train.py [--browser | --browser-only]``
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
from core.lab.training import TrainingSession  # noqa: E402

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
        print(f"  {view:22s} one page run {med * 1000:6.1f} ms (median of 20) → at most {1 / med:5.1f} runs/s")
    assert not at.exception, at.exception
    print("  (a full page run; the live fragment re-runs only part of it. Each run carries the frames until the\n"
          "   next one and the browser shows them one by one, so the charts move more often than this)")


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
# Installed in a document: on every animation frame, note the time whenever the chart's data has
# changed (a new point count or a new last x: a new training step's value on the chart). Only the
# chart whose title starts with TITLE counts (empty: any).
WATCH = """([title]) => {
  window.__updates = [];
  let last = null;
  function poll() {
    for (const g of document.querySelectorAll('.js-plotly-plot')) {
      const t = (g.layout && g.layout.title && g.layout.title.text) || '';
      if (!g.data || !g.data.length || !t.startsWith(title)) continue;
      const sig = g.data.map(d => { const x = d.x || d.y; return x.length + '@' + x[x.length - 1]; }).join('|');
      if (sig !== last) { window.__updates.push(performance.now()); last = sig; }
      break;
    }
    requestAnimationFrame(poll);
  }
  requestAnimationFrame(poll);
}"""
COUNT = "() => window.__updates.length"
SHOWN_STEP = ("Array.from(document.querySelectorAll('[data-testid=stMetric]')).find(m => "
              "m.innerText.startsWith('Step')).querySelector('[data-testid=stMetricValue]').innerText")


def _serve(script, port):
    import subprocess

    return subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
                             "--server.headless", "true", "--browser.gatherUsageStats", "false"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)


def _rates(pg, doc, seconds):
    """Page reruns per second (the Step metric changing, 20 steps each in the baseline) and chart
    updates per second (``doc``: the document holding the chart, counted by WATCH)."""
    def step():
        return int(pg.evaluate(SHOWN_STEP).replace(",", ""))

    s0, n0, t0 = step(), doc.evaluate(COUNT), time.time()
    last, reruns = None, 0
    while time.time() - t0 < seconds:
        v = pg.evaluate(SHOWN_STEP)
        reruns, last = reruns + (v != last and last is not None), v
        pg.wait_for_timeout(10)
    n1, t1 = doc.evaluate(COUNT), time.time()
    return reruns / (t1 - t0), (n1 - n0) / (t1 - t0), step() - s0


def bench_browser(port=8650, seconds=8.0):
    """The lab in headless Chromium next to a minimal Streamlit fragment (one metric, one small
    st.plotly_chart, the same 50 ms timer) on the same machine: the floor a page rerun allows."""
    import tempfile

    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp()) / "baseline_app.py"
    tmp.write_text(BASELINE_APP)
    servers = [_serve(ROOT / "app" / "streamlit_app.py", port), _serve(tmp, port + 1)]
    load0 = Path("/proc/loadavg").read_text().split()[0]
    try:
        time.sleep(5)
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            pg = b.new_page(viewport={"width": 1600, "height": 1200})
            pg.set_default_timeout(120_000)
            pg.goto(f"http://localhost:{port + 1}/")
            pg.locator(".js-plotly-plot").first.wait_for()
            pg.evaluate(WATCH, [""])
            pg.wait_for_timeout(1000)
            base = _rates(pg, pg, seconds)
            pg.goto(f"http://localhost:{port}/train")
            epochs = pg.get_by_label("Epochs per Play")
            epochs.fill("5000")
            epochs.press("Enter")
            pg.wait_for_timeout(1500)
            chart = cost_chart_frame(pg)
            chart.evaluate(WATCH, ["Cost while training"])
            pg.get_by_role("button", name="Play").click()
            pg.get_by_role("button", name="Pause").wait_for()
            pg.wait_for_timeout(1500)
            lab = _rates(pg, chart, seconds)
            t = time.perf_counter()
            pg.get_by_role("button", name="Pause").click()
            pg.get_by_role("button", name="Play").wait_for()
            pause_s = time.perf_counter() - t
            b.close()
        load1 = Path("/proc/loadavg").read_text().split()[0]
        print(f"\nIn headless Chromium ({seconds:.0f} s each; load average {load0} before, {load1} after, "
              f"on {os.cpu_count()} CPUs):")
        print("  an update = the chart showing new data (a new point count or last x), seen on animation frames")
        print(f"  minimal fragment (1 metric, 1 st.plotly_chart) page reruns {base[0]:5.1f}/s, "
              f"chart updates {base[1]:5.1f}/s")
        print(f"  training lab (classic 2-2-2, cost curve)       page reruns {lab[0]:5.1f}/s, "
              f"chart updates {lab[1]:5.1f}/s, {lab[2] / seconds:,.0f} steps/s")
        print(f"  lab / minimal fragment: ×{lab[1] / base[1]:.2f} the chart updates")
        print(f"  Pause pressed while playing: Play back on the page after {pause_s:.2f} s "
              f"({pause_s * lab[0]:.1f} page reruns' time)")
    finally:
        for s in servers:
            s.terminate()
            s.wait(10)


def cost_chart_frame(pg, timeout_s=120):
    """The frame of the lab's live cost chart (app/lab/live_chart.py), once plotly.js has drawn it."""
    t0 = time.time()
    while time.time() - t0 < timeout_s:
        for f in pg.frames:
            if "live_chart" in f.url and f.evaluate(
                    "() => { const g = document.getElementById('chart');"
                    " return !!(g && g.layout && g.layout.title.text.startsWith('Cost while training')) }"):
                return f
        pg.wait_for_timeout(200)
    raise TimeoutError("the live cost chart did not appear")


if __name__ == "__main__":
    if "--browser-only" not in sys.argv:
        bench_steps()
        bench_page()
    if "--browser" in sys.argv or "--browser-only" in sys.argv:
        bench_browser()
