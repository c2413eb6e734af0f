"""Presenter mode in a real browser: P turns it on (sidebar hidden, the stage's labels larger, pm=1)
and off, and the stage's keys still step. (The stage's keys, clicks and readability in presenter
mode: tests/test_browser_stage.py.) Screenshots go to test-artifacts/. Same server and Chromium as
the other browser tests (conftest.py) (skipped without Chromium, failing in CI)."""

from __future__ import annotations

import re

from _server import wait_visible

from tests.test_browser import ARTIFACTS, _idle

STAGE = "iframe[title='app.walkthrough.stage.stage']"
LABEL = """() => Math.max(...[...document.querySelectorAll('#labels g.label text')].map(
  t => parseFloat(getComputedStyle(t).fontSize)))"""


def test_presenter_mode_with_p_on_the_stage(server, tabs):
    """P turns presenter mode on (sidebar hidden, the stage's labels larger, pm=1 in the link) and off;
    the stage's own keys (→ ← Home End Space) are tested in tests/test_browser_stage.py."""
    from playwright.sync_api import expect

    page = tabs.open(1600, 1000)
    page.set_default_timeout(60_000)
    try:
        page.goto(server + "/?p=forward&step=3")
        frame = page.frame_locator(STAGE).first
        wait_visible(page, "body[data-step='2']", frame=STAGE)  # at once, then Playwright's own wait
        _idle(page)
        page.get_by_role("heading", name="2 · Forward pass").click()  # the page has the keyboard focus
        fr = page.locator(STAGE).first.element_handle().content_frame()
        size0 = fr.evaluate(LABEL)
        sidebar = page.get_by_test_id("stSidebar")
        expect(sidebar).to_be_visible()
        page.keyboard.press("p")
        expect(sidebar).to_be_hidden(timeout=30_000)
        expect(page).to_have_url(re.compile(r"[?&]pm=1\b"), timeout=20_000)
        frame.locator("body.presenter[data-step='2']").wait_for()
        page.wait_for_timeout(800)
        fr = page.locator(STAGE).first.element_handle().content_frame()
        size1 = fr.evaluate(LABEL)
        assert size1 >= 1.25 * size0, (size0, size1)
        page.screenshot(path=str(ARTIFACTS / "presenter_forward.png"), full_page=True)
        page.get_by_role("heading", name="2 · Forward pass").click()
        page.keyboard.press("ArrowRight")  # the stage's key, in presenter mode too
        frame.locator("body[data-step='3']").wait_for()
        page.keyboard.press("p")  # leave presenter mode: the sidebar is back
        expect(sidebar).to_be_visible(timeout=30_000)
    finally:
        tabs.close(page)
