"""The training lab in a real browser: Play makes the live cost chart (app/lab/live_chart.py, a
component that updates its Plotly chart in place) gain points over time without a page error,
Pause stops it. The rate is the benchmark's job (benchmarks/bench_train.py --browser); here it
is only checked that the chart changed more than once while playing.

Same server and browser as the other browser tests (conftest.py) (system Chromium, never downloaded).
"""

from __future__ import annotations

import time

from _server import ARTIFACTS, wait_heading

COST = "Cost while training"
POINTS = ("() => { const g = document.getElementById('chart');"
          " return g.data.reduce((n, t) => n + t.x.length, 0) }")
WATCH = """() => {  // count the chart's distinct data states, on every animation frame
  window.__updates = 0;
  let last = null;
  (function poll() {
    const g = document.getElementById('chart');
    const sig = g.data.map(t => t.x.length + '@' + t.x[t.x.length - 1]).join('|');
    if (sig !== last) { window.__updates++; last = sig; }
    requestAnimationFrame(poll);
  })();
}"""


def _cost_frame(page, timeout_s=90):
    """The frame of the live cost chart, once plotly.js has drawn it."""
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        for f in page.frames:
            if "live_chart" in f.url and f.evaluate(
                    "(t) => { const g = document.getElementById('chart');"
                    " return !!(g && g.layout && g.layout.title.text.startsWith(t)) }", COST):
                return f
        page.wait_for_timeout(200)
    raise AssertionError("the live cost chart did not appear")


def _wait(frame, expression, arg=None, timeout_s=60):
    frame.wait_for_function(expression, arg=arg, timeout=timeout_s * 1000)


def test_play_grows_the_live_cost_chart_and_pause_stops_it(server, own_tabs):
    # a context of its own, as before the shared one: it downloads two files (in the shared context, after other
    # tests, a download once never came: Chromium keeps a site's automatic downloads in check per profile)
    page = own_tabs.open(1600, 1100)
    page.set_default_timeout(60_000)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(server + "/train")
        wait_heading(page, "Training lab")  # at once, then Playwright's own wait
        epochs = page.get_by_label("Epochs per Play")
        epochs.fill("5000")  # long enough not to stop by itself during the test
        epochs.press("Enter")
        page.wait_for_timeout(1000)
        chart = _cost_frame(page)
        start = chart.evaluate(POINTS)
        assert start >= 1  # the cost before training
        chart.evaluate(WATCH)
        page.get_by_role("button", name="Play").click()
        page.get_by_role("button", name="Pause").wait_for()
        _wait(chart, f"() => ({POINTS})() > {start + 40}")  # more than two ticks' worth of steps
        _wait(chart, "() => window.__updates >= 4")  # it grew in several updates, not all at once
        grown = chart.evaluate(POINTS)
        _wait(chart, f"() => ({POINTS})() > {grown}")  # and it keeps growing
        page.screenshot(path=str(ARTIFACTS / "5_train_playing_light.png"))
        page.get_by_role("button", name="Pause").click()
        page.get_by_role("button", name="Play").wait_for()
        page.wait_for_timeout(1500)  # the frames already sent are drawn; nothing new comes
        stopped, updates = chart.evaluate(POINTS), chart.evaluate("() => window.__updates")
        page.wait_for_timeout(2000)
        assert chart.evaluate(POINTS) == stopped and chart.evaluate("() => window.__updates") == updates
        shown = int(page.get_by_test_id("stMetric").filter(has_text="Step").get_by_test_id(
            "stMetricValue").inner_text().replace(",", ""))
        # the curve holds every step up to the one the page reports (one cost per step and per epoch,
        # full batch: both traces), and the step counter has stopped too
        assert chart.evaluate("() => document.getElementById('chart').data.map(t => t.x[t.x.length - 1])")[-1] \
            == shown
        assert not chart.evaluate("() => document.getElementById('chart').dataset.error || ''")
        # the chart as a picture: the toolbar (on hover) saves it as PNG or SVG
        chart.locator("#chart").hover()
        for fmt, magic in (("png", b"\x89PNG"), ("svg", b"<svg")):
            with page.expect_download() as dl:
                chart.locator(f"button.modebar-btn[data-title='Download as {fmt.upper()}']").click()
            path = dl.value.path()
            assert dl.value.suggested_filename.endswith("." + fmt)
            assert open(path, "rb").read(64).lstrip().startswith(magic)
        assert not errors, errors
    finally:
        own_tabs.close(page)
