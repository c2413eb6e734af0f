"""Every screen readable and usable in a real browser: axe-core (tests/_axe.py, pinned in
package-lock.json) finds no serious or critical violation on the six screens, light and dark, at
1366×768; no button or label is cut short at 1280–1920 px; the drawings say what they show; every
button has a name made of words; values are larger than their labels and presenter mode scales the
captions too; the lab's default Play lasts long enough to watch; on a phone the lab's chart toolbar
leaves the chart titles free. Screenshots go to test-artifacts/a11y_*.png.

Same server and Chromium as the other browser tests (conftest.py) (skipped without Chromium or without `npm ci`,
failing in CI).
"""

from __future__ import annotations

import re
import time

import pytest
from _axe import axe, axe_version, describe, need_axe
from _server import ARTIFACTS, settle, wait_heading

from core import load_preset, trace
from core.symbolic.notation import short_number as fmt
from core.symbolic.notation import sub, sup

SCREENS = [("network", "1 · Network"), ("forward", "2 · Forward pass"), ("backward", "3 · Backward pass"),
           ("update", "4 · Update"), ("train", "Training lab"), ("worksheet", "6 · Worksheets")]
# what can be cut short with an ellipsis: button texts, widget labels, metric labels and values, tabs
CUT = """() => [...document.querySelectorAll(`button p, [data-testid="stWidgetLabel"] p, label p,
  [data-testid="stMetricLabel"] p, [data-testid="stMetricValue"] div, [data-testid="stPageLink"] p,
  [role="tab"] p`)].filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1)
  .map(e => `${e.innerText} (${e.scrollWidth} > ${e.clientWidth})`)"""
# a button's name as a screen reader says it: aria-label, else its text without the shortcut hint
NAMES = """() => [...document.querySelectorAll('button')].filter(b => b.offsetParent !== null).map(b => {
  if (b.getAttribute('aria-label')) return b.getAttribute('aria-label');
  const c = b.cloneNode(true); c.querySelectorAll('kbd, [data-testid="stIconMaterial"]').forEach(k => k.remove());
  return c.textContent.trim() || b.getAttribute('title') || ''; })"""
SIZE = ("(sel) => [...document.querySelectorAll(sel)].filter(e => e.offsetParent)"
        ".map(e => parseFloat(getComputedStyle(e).fontSize))")

STAGE = "iframe[title='app.walkthrough.stage.stage']"  # the step player of the step screens


def _page(tabs, server, scheme="light", width=1366, height=768, path=""):
    page = tabs.open(width, height, scheme)
    page.set_default_timeout(60_000)
    page.goto(server + "/" + path)
    return page, tabs.errors  # the page's errors from now on


def _settle(page, title: str) -> None:
    wait_heading(page, title)  # at once, then Playwright's own wait
    settle(page)  # the run is over, the drawings and the live charts are drawn


def _go(page, title: str, name: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=re.compile(re.escape(title) + "$")).click()
    _settle(page, title)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_or_critical_violation_on_any_screen(server, tabs, scheme):
    need_axe()
    page, errors = _page(tabs, server, scheme)
    found = {}
    try:
        _settle(page, "1 · Network")
        for name, title in SCREENS:
            if name != "network":
                _go(page, title, name)
            bad = axe(page)
            if bad:
                found[name] = describe(bad)
            page.screenshot(path=str(ARTIFACTS / f"a11y_{name}_{scheme}_1366.png"), full_page=False)
        assert not found, f"axe-core {axe_version()}, {scheme}:\n" + "\n".join(
            f"== {n}\n{d}" for n, d in found.items())
        assert not errors, errors
    finally:
        tabs.close(page)


SIZES = [(1280, 720), (1440, 900), (1920, 1080)]


def test_no_label_is_cut_short_and_every_button_has_a_name_in_words(server, tabs):
    page, _ = _page(tabs, server, width=SIZES[0][0], height=SIZES[0][1])
    cut, nameless = {}, {}
    try:
        _settle(page, "1 · Network")
        for name, title in SCREENS:
            if name != "network":
                _go(page, title, name)
            for width, height in SIZES:  # one visit of each screen, resized in place
                page.set_viewport_size({"width": width, "height": height})
                page.wait_for_timeout(400)  # Streamlit's layout and the charts follow the new width
                if c := page.evaluate(CUT):
                    cut[f"{name} {width}"] = c
                if n := [x for x in page.evaluate(NAMES) if not re.search(r"[A-Za-z]{3}", x)]:
                    nameless[f"{name} {width}"] = n
                if width in (1280, 1920):
                    page.screenshot(path=str(ARTIFACTS / f"a11y_{name}_{width}.png"), full_page=True)
            page.set_viewport_size({"width": SIZES[0][0], "height": SIZES[0][1]})
        assert not cut, cut
        assert not nameless, nameless  # e.g. "◀" alone is read as "left-pointing triangle"
    finally:
        tabs.close(page)


def test_the_drawings_say_what_they_show(server, tabs):
    s = load_preset("classic_2-2-2")
    t = trace(s)
    page, errors = _page(tabs, server)
    try:
        _settle(page, "1 · Network")
        img = page.locator('[data-testid="stPlotlyChart"] svg.main-svg[role="img"]').first
        img.wait_for(state="attached")
        label = img.get_attribute("aria-label")
        assert label.startswith("Drawing of the 2-2-2 network: layer 1 (input) 2 neurons, layer 2 (hidden) 2 "
                                "neurons, layer 3 (output) 2 neurons.")
        for l, W in enumerate(s.weights, 2):  # every weight of the preset, by name, and every bias
            for j in range(W.shape[0]):
                for k in range(W.shape[1]):
                    assert f"w{sup(l)}{sub(j + 1)}{sub(k + 1)} = {fmt(W[j, k], 6)}" in label, (l, j, k, label)
        assert f"b{sup(2)}{sub(1)} = {fmt(s.biases[0][0])}" in label
        # the drawing's text labels are hidden from screen readers (the label above says it all)
        hidden = page.evaluate("""() => [...document.querySelectorAll('[data-testid="stPlotlyChart"] svg.main-svg')]
                                  .slice(1).every(e => e.getAttribute('aria-hidden') === 'true')""")
        assert hidden
        # the primary action reads as a button
        page.get_by_role("button", name="Start the forward pass →").click()
        _settle(page, "2 · Forward pass")
        stage = page.frame_locator(STAGE).first  # the step screens' drawing is the stage's; it says its step
        stage.get_by_role("button", name="Next step").click()
        z, a = t.z(2, 0), t.a(2, 0)
        desc = stage.locator("#desc[role='status']")
        desc.filter(has_text="Step 2 of").wait_for()
        assert stage.locator("#plot").get_attribute("aria-hidden") == "true"  # its labels are not read out one by one
        text = desc.inner_text()
        assert "Neuron 2 of layer 2" in text and f"z{sup(2)}{sub(2)} = {fmt(z[1])}" in text \
            and f"a{sup(2)}{sub(2)} = {fmt(a[1])}" in text, text
        # the worksheet's drawing: an image whose text alternative names the network and its numbers
        _go(page, "6 · Worksheets", "worksheet")
        alt = page.locator('[data-testid="stImage"] img').first.get_attribute("alt")
        assert re.match(r"The \d(-\d)+ network: layer 1 \(input\)", alt) and "Weights: w²₁₁ = " in alt \
            and "Biases: b²₁ = " in alt, alt
        assert not errors, errors
    finally:
        tabs.close(page)


def test_values_are_larger_than_their_labels_and_presenter_mode_scales_everything(server, tabs):
    page, _ = _page(tabs, server, path="?p=update")
    try:
        _settle(page, "4 · Update")
        page.get_by_test_id("stMetric").first.wait_for()
        label = page.evaluate(SIZE, '[data-testid="stMetricLabel"] p')
        value = page.evaluate(SIZE, '[data-testid="stMetricValue"] p, [data-testid="stMetricValue"] div')
        assert label and value and min(value) >= 1.6 * max(label), (label, value)
        # the update screen opens on the first parameter's update equation
        # w²₁₁ of the 2-2-2's 8 weights and 4 biases, on the stage
        page.frame_locator(STAGE).first.get_by_text("Step 1 of 12", exact=True).wait_for()
        caption0 = max(page.evaluate(SIZE, '[data-testid="stMain"] [data-testid="stCaptionContainer"] p'))
        value0 = max(value)
        page.get_by_role("heading", name="4 · Update").click()
        page.keyboard.press("p")
        page.get_by_role("button", name="Leave presenter mode").wait_for()
        page.wait_for_timeout(800)
        caption1 = max(page.evaluate(SIZE, '[data-testid="stMain"] [data-testid="stCaptionContainer"] p'))
        value1 = max(page.evaluate(SIZE, '[data-testid="stMetricValue"] p, [data-testid="stMetricValue"] div'))
        assert caption1 >= 1.2 * caption0 and value1 >= 1.2 * value0, (caption0, caption1, value0, value1)
        page.screenshot(path=str(ARTIFACTS / "a11y_update_presenter.png"), full_page=False)
        page.keyboard.press("p")
    finally:
        tabs.close(page)


STEPS_DONE = """(n) => [...document.querySelectorAll('[data-testid="stMetric"]')].some(m =>
  m.querySelector('[data-testid="stMetricLabel"]').innerText.trim() === 'Step' &&
  m.querySelector('[data-testid="stMetricValue"]').innerText.trim() === n)"""
WATCH = """() => {  // count the cost chart's distinct data states, on every animation frame
  window.__updates = 0; let last = null;
  (function poll() {
    const g = document.getElementById('chart');
    const sig = g && g.data ? g.data.map(t => t.x.length + '@' + t.x[t.x.length - 1]).join('|') : null;
    if (sig !== last) { window.__updates++; last = sig; }
    requestAnimationFrame(poll);
  })(); }"""


def _cost_frame(page):
    deadline = time.time() + 60
    while time.time() < deadline:
        for f in page.frames:
            if "live_chart" in f.url and f.evaluate("() => { const g = document.getElementById('chart');"
                                                    " return !!(g && g.layout && g.layout.title.text"
                                                    ".startsWith('Cost while training')) }"):
                return f
        page.wait_for_timeout(200)
    raise AssertionError("the live cost chart did not appear")


def test_the_lab_opens_on_a_learnable_set_and_its_default_play_is_long_enough_to_watch(server, tabs):
    page, errors = _page(tabs, server, path="train")
    try:
        _settle(page, "Training lab")
        page.get_by_text("too few to watch a network learn").wait_for()
        chart = _cost_frame(page)
        chart.evaluate(WATCH)
        start = time.time()
        page.get_by_role("button", name="Play").click()
        page.get_by_role("button", name="Pause", exact=True).wait_for()
        page.wait_for_function(STEPS_DONE, arg="200", timeout=120_000)  # the default 200 epochs, one step each
        seconds, updates = time.time() - start, chart.evaluate("() => window.__updates")
        page.get_by_role("button", name="Play", exact=True).wait_for()  # it stopped by itself
        # 100 frames are sent (tests/test_app_a11y.py counts them); how many the browser draws depends on
        # the machine (26 in 10.6 s at load average 10-16, where a tick brings several frames at once):
        # here only that it is watched for seconds, in many updates (the issue found 4 in 0.75 s)
        assert seconds >= 3 and updates >= 12, (seconds, updates)
        acc = page.get_by_test_id("stMetric").filter(has_text="Accuracy").get_by_test_id("stMetricValue").inner_text()
        assert acc.endswith("%") and int(acc[:-1]) >= 90, acc  # it learned
        # one click back to the scenario's own example
        page.get_by_role("button", name="Use the scenario's own example").click()
        page.get_by_text("too few to watch a network learn").wait_for(state="detached")
        page.get_by_text("1 example(s), task", exact=False).wait_for(state="attached")
        assert not errors, errors
    finally:
        tabs.close(page)


OVERLAP = """(root) => { const box = e => { if (!e || getComputedStyle(e).display === 'none') return null;
    const r = e.getBoundingClientRect(); return r.width && r.height ? [r.left, r.top, r.right, r.bottom] : null; };
  const t = box(root.querySelector('.gtitle')), m = box(root.querySelector('.modebar'));
  return [t, m, !!(t && m && t[0] < m[2] && m[0] < t[2] && t[1] < m[3] && m[1] < t[3])]; }"""


def test_on_a_phone_the_lab_toolbars_leave_the_chart_titles_free(server, tabs):
    page, _ = _page(tabs, server, width=390, height=844, path="train")
    try:
        _settle(page, "Training lab")
        chart = _cost_frame(page)
        chart.frame_element().scroll_into_view_if_needed()
        chart.locator("#chart").hover()  # the toolbar shows on hover (a tap on a phone)
        page.wait_for_timeout(500)
        title, bar, overlap = chart.evaluate(f"() => ({OVERLAP})(document)")
        assert title and not overlap, (title, bar)
        page.screenshot(path=str(ARTIFACTS / "a11y_train_390.png"), full_page=False)
        rates = page.locator(".st-key-tl_chart_rates")  # a Streamlit Plotly chart: its long title spans the width
        rates.scroll_into_view_if_needed()
        rates.hover()
        page.wait_for_timeout(500)
        title, bar, overlap = rates.evaluate(OVERLAP)
        assert title and not overlap, (title, bar)
        page.screenshot(path=str(ARTIFACTS / "a11y_train_rates_390.png"), full_page=False)
    finally:
        tabs.close(page)
