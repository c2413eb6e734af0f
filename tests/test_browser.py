"""The app in a real browser: start the server with the README's command, step through the
forward pass of the default example, check the displayed a^L against the engine, and save
screenshots of every screen (light and dark) into test-artifacts/.

Uses the system Chromium at /usr/bin/chromium (``.ci/run`` installs it); never downloads a
browser. Without it the test is skipped locally and fails in CI (env CI set).
"""

from __future__ import annotations

import re
from pathlib import Path

from _server import ARTIFACTS, ROOT, STAGE, settle, wait_heading, wait_visible

from core import load_preset, trace
from core.symbolic.notation import short_number as fmt
from core.symbolic.notation import sub, sup


def _open(tabs, url: str, scheme: str):
    """A page at 1600×1000 in the ``scheme`` theme on the Network screen (the server, Chromium and the page: the
    ``server``, ``browser`` and ``tabs`` or ``own_tabs`` fixtures of conftest.py)."""
    page = tabs.open(1600, 1000, scheme)
    page.set_default_timeout(30_000)
    page.goto(url)
    wait_heading(page, "1 · Network")  # at once, then Playwright's own wait
    return page


def _go(page, title: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_text(title, exact=True).click()
    wait_heading(page, title)
    page.wait_for_timeout(400)


def _idle(page) -> None:
    """Wait until Streamlit's rerun is done and the drawing is drawn."""
    settle(page)
    # a drawing, or the stage's
    page.locator(".js-plotly-plot, iframe[title='app.walkthrough.stage.stage']").first.wait_for()
    settle(page)


def _shot(page, name: str) -> None:
    _idle(page)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def test_forward_pass_in_a_browser_matches_the_engine(server, tabs):
    from playwright.sync_api import expect

    t = trace(load_preset("classic_2-2-2"))
    L = len(t.scenario.layers)
    n_steps = t.steps(0).phase_start("backward")
    page = _open(tabs, server, "light")
    try:
        _shot(page, "1_network_light.png")
        _go(page, "2 · Forward pass")
        stage = page.frame_locator("iframe[title='app.walkthrough.stage.stage']").first
        stage.locator("#where").get_by_text(f"Step 1 of {n_steps}", exact=True).wait_for()
        steps = t.steps(0)
        for k in range(2, n_steps + 1):
            stage.get_by_role("button", name="Next step").click()
            stage.locator(f"body[data-step='{k - 1}']").wait_for()
            r = steps[k - 1]
            if getattr(r, "l", None) == L:  # an output neuron: its equation shows a^L_j from the engine
                shown = stage.locator("#cards").inner_text().replace("\n", "")
                assert f"{t.a(L)[r.j]:.9g}" in shown, shown
        assert stage.get_by_role("button", name="On to the backward pass").is_visible()  # Next goes on
        for j, a in enumerate(t.a(L)):  # the drawing shows every a^L at the last step
            stage.locator("#labels g.label", has_text=f"a{sup(L)}{sub(j + 1)} = {fmt(a)}").first.wait_for()
        assert f"{t.costs[0]:.9g}" in stage.locator("#cards").inner_text()  # the cost at the last step
        # the stage writes the step into the address bar itself (no rerun needed)
        expect(page).to_have_url(re.compile(rf"[?&]step={n_steps}\b"), timeout=10_000)
        _shot(page, "2_forward_light.png")
        stage.get_by_role("button", name="On to the backward pass").click()  # on to the backward pass
        wait_heading(page, "3 · Backward pass")
        stage = page.frame_locator("iframe[title='app.walkthrough.stage.stage']").first
        wait_visible(page, "body[data-step='0']", frame=STAGE)
        for k in range(1, 5):
            stage.get_by_role("button", name="Next step").click()
            stage.locator(f"body[data-step='{k}']").wait_for()
        stage.locator("#labels g.label", has_text=fmt(t.dC_dW[1][0, 0])).first.wait_for()  # ∂C/∂w³₁₁ reached
        _shot(page, "3_backward_light.png")
        _go(page, "4 · Update")
        _shot(page, "4_update_light.png")
    finally:
        tabs.close(page)


def test_edit_a_weight_in_its_table_and_download_the_handout(server, own_tabs):
    page = _open(own_tabs, server, "light")  # a context of its own for the download (as the lab test)
    try:
        _idle(page)
        with page.expect_download() as download:
            page.get_by_role("button", name="Worked-example handout").click()
        text = Path(download.value.path()).read_text(encoding="utf-8")
        assert download.value.suggested_filename.endswith(".md") and "0.298371109" in text
        editor = page.get_by_test_id("stDataFrame").first  # W² and b²
        for attempt in range(4):  # the grid is a canvas: click where w²₁₁ is drawn, retry if it moved
            editor.scroll_into_view_if_needed()
            page.wait_for_timeout(800)
            box = editor.bounding_box()
            x, y = box["x"] + box["width"] * 0.25, box["y"] + 52  # row j=1, column k=1: w²₁₁ = 0.15
            page.mouse.click(x, y)  # the first click after the download only focuses the page
            page.wait_for_timeout(300)
            page.mouse.click(x, y)  # select the cell; typing then opens its editor with what is typed
            page.wait_for_timeout(400)
            page.keyboard.type("0.9", delay=60)
            page.wait_for_timeout(300)
            page.keyboard.press("Enter")
            try:  # edited: the network (no longer the default) is now in the link
                page.wait_for_function("() => location.search.includes('s=')", timeout=15_000)
                break
            except Exception:
                page.screenshot(path=str(ARTIFACTS / f"edit_attempt_{attempt}.png"))
                if attempt == 3:
                    raise
        page.get_by_text("the steps start again", exact=False).wait_for()
        _idle(page)
        _shot(page, "1_network_edited_light.png")
        page.get_by_text("Import or export the scenario as JSON").click()
        page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
            str(ROOT / "core" / "presets" / "article002_3-2-1.json"))
        page.get_by_text("Opened article002_3-2-1.json", exact=False).wait_for()
        assert "3-2-1" in page.get_by_test_id("stSidebar").inner_text()
    finally:
        own_tabs.close(page)


def test_shared_link_and_dark_theme_screenshots(server, tabs):
    page = _open(tabs, server, "dark")
    try:
        _shot(page, "1_network_dark.png")
        page.goto(server + "/?p=backward&step=7")
        wait_heading(page, "3 · Backward pass")
        wait_visible(page, "body[data-step='6']", frame=STAGE)
        _idle(page)
        _shot(page, "3_backward_dark.png")
        page.goto(server + "/?p=forward&step=3&v=m")
        wait_heading(page, "2 · Forward pass")
        _idle(page)
        _shot(page, "2_forward_matrix_dark.png")
        page.goto(server + "/?p=update&s=garbage")
        page.get_by_text("This link could not be opened", exact=False).wait_for()
        _shot(page, "4_update_bad_link_dark.png")
    finally:
        tabs.close(page)
