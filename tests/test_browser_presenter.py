"""Presenter controls in a real browser: the ← / → / Home keys step the forward pass (and do nothing
while a text input has focus), P turns presenter mode on (sidebar hidden, equations larger) and
off, and a mouse click on a neuron of the drawing jumps to its step. Screenshots go to
test-artifacts/. Same server and Chromium as tests/test_browser.py (skipped without Chromium,
failing in CI)."""

from __future__ import annotations

import re

from tests.test_browser import ARTIFACTS, _idle, browser, server  # noqa: F401 - fixtures reused

FONT = """() => { const e = document.querySelector('.katex-display > .katex');
  return [parseFloat(getComputedStyle(e).fontSize), e.getBoundingClientRect().height]; }"""
# the screen position of a point of the drawing, from plotly's own axes (data -> pixels)
POINT = """([x, y]) => { const gd = document.querySelector('.js-plotly-plot'), fl = gd._fullLayout;
  const r = gd.getBoundingClientRect();
  return [r.x + fl.xaxis._offset + fl.xaxis.l2p(x), r.y + fl.yaxis._offset + fl.yaxis.l2p(y)]; }"""


def _step(page, k: int, n: int = 5) -> None:
    page.get_by_text(f"Step {k} of {n}", exact=True).wait_for(timeout=60_000)


def test_keys_presenter_mode_and_a_click_on_a_neuron(server, browser):  # noqa: F811
    from playwright.sync_api import expect

    from app.figures import positions

    ctx = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = ctx.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(server + "/?p=forward")
        _step(page, 1)
        _idle(page)
        page.get_by_role("heading", name="2 · Forward pass").click()  # the page has the keyboard focus
        page.keyboard.press("ArrowRight")
        _step(page, 2)
        page.keyboard.press("ArrowRight")
        _step(page, 3)
        expect(page).to_have_url(re.compile(r"[?&]step=3\b"), timeout=20_000)
        page.keyboard.press("ArrowLeft")
        _step(page, 2)
        expect(page).to_have_url(re.compile(r"[?&]step=2\b"), timeout=20_000)
        page.keyboard.press("Home")
        _step(page, 1)
        page.get_by_role("slider").first.focus()  # → on the focused slider: one step, not two
        page.keyboard.press("ArrowRight")
        _step(page, 2)
        _idle(page)
        page.wait_for_timeout(1500)
        _step(page, 2)
        page.get_by_role("heading", name="2 · Forward pass").click()

        page.locator(".katex-display").first.wait_for()
        size0, height0 = page.evaluate(FONT)
        sidebar = page.get_by_test_id("stSidebar")
        expect(sidebar).to_be_visible()
        page.keyboard.press("p")
        expect(sidebar).to_be_hidden(timeout=30_000)
        expect(page).to_have_url(re.compile(r"[?&]pm=1\b"), timeout=20_000)
        _idle(page)
        size1, height1 = page.evaluate(FONT)
        assert size1 >= 1.3 * size0 and height1 >= 1.3 * height0, (size0, size1, height0, height1)
        page.screenshot(path=str(ARTIFACTS / "presenter_forward.png"), full_page=True)

        # a click on neuron 2 of layer 3 (the output), at its screen position: its step is the 4th
        x, y = positions((2, 2, 2))[2][1]
        page.mouse.click(*page.evaluate(POINT, [x, y]))
        _step(page, 4)
        expect(page).to_have_url(re.compile(r"[?&]step=4\b"), timeout=20_000)
        _idle(page)
        page.screenshot(path=str(ARTIFACTS / "presenter_forward_clicked.png"), full_page=True)

        page.keyboard.press("p")  # leave presenter mode: the sidebar is back
        expect(sidebar).to_be_visible(timeout=30_000)
        _step(page, 4)
        assert page.evaluate(FONT)[0] < size1

        # keys do not step while a text input has focus (the backward screen's weight chooser)
        page.get_by_test_id("stSidebarNav").get_by_text("3 · Backward pass", exact=True).click()
        _step(page, 1, 18)
        _idle(page)
        chooser = page.get_by_role("combobox", name="Choose a weight or bias")
        chooser.click()
        page.keyboard.type("w")
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(1500)
        page.keyboard.press("Escape")
        _idle(page)
        _step(page, 1, 18)
        page.get_by_role("heading", name="3 · Backward pass").click()
        page.keyboard.press("ArrowRight")
        _step(page, 2, 18)
    finally:
        ctx.close()
