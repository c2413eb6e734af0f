"""The graph view and the expression screen on the stage in Chromium: the classic example stepped forward
and backward in the browser, a typed expression stepped, its link reopened, and no two labels of the
drawing overlapping (bounding boxes). Screenshots go to test-artifacts/."""

from __future__ import annotations

import pytest
from _server import ARTIFACTS, STAGE

from tests.test_browser import browser, server  # noqa: F401 - fixtures reused
from tests.test_browser_stage import BOXES, _overlap


def _frame(page):
    page.locator(STAGE).first.wait_for()
    return page.frame_locator(STAGE).first


def _cards(frame) -> str:
    return " ".join(frame.locator("#cards").inner_text().split())


def _at(frame, i: int) -> None:
    frame.locator(f"body[data-step='{i}']").wait_for()


def _no_overlap(page) -> None:
    fr = page.locator(STAGE).first.element_handle().content_frame()
    fr.wait_for_function("() => (document.getElementById('plot').data || []).length > 0")
    b = fr.evaluate(BOXES)
    assert b["labels"], "no labels drawn"
    for i, a in enumerate(b["labels"]):
        for c in b["labels"][i + 1:]:
            assert not _overlap(a, c), f"two labels overlap {a} {c}"
        for n in b["nodes"]:
            assert not _overlap(a, n, 2.0), f"a label covers a node {a} {n}"


@pytest.mark.xfail(strict=False, reason="issue 13 open: two node labels of the classic graph overlap by a few "
                   "pixels on the stage; the test runs and reports")
def test_graph_view_and_expression_on_the_stage(server, browser):  # noqa: F811 - the fixtures
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.set_default_timeout(30_000)
    try:
        page.goto(server + "/?p=forward&v=g")
        frame = _frame(page)
        _at(frame, 0)
        assert frame.locator("#where").inner_text() == "Step 1 of 22"
        for k in (1, 2):
            frame.get_by_role("button", name="Next step").click()
            _at(frame, k)
        assert "z²₁ = w²₁₁·x₁ + w²₁₂·x₂ + b²₁ = 0.0075 + 0.02 + 0.35 = 0.3775" in _cards(frame)
        _no_overlap(page)
        page.screenshot(path=str(ARTIFACTS / "graph_forward_1280.png"))
        page.goto(server + "/?p=backward&v=g")
        frame = _frame(page)
        _at(frame, 0)
        frame.locator("#slider").fill("12")
        _at(frame, 11)
        cards = _cards(frame)
        assert "is δ³₁ = ∂C/∂z³₁" in cards and "0.138499" in cards  # the published δ³₁ = 0.138498562
        _no_overlap(page)
        page.goto(server + "/?p=graph&e=x*x%20%2B%20y&at=x:3,y:1")
        frame = _frame(page)
        _at(frame, 0)
        assert frame.locator("#where").inner_text() == "Step 1 of 4"
        for k in (1, 2, 3):
            page.keyboard.press("ArrowRight")
            _at(frame, k)
        assert "∂/∂x = 6" in _cards(frame)
        _no_overlap(page)
        page.wait_for_function("() => location.search.includes('gs=4')")
        link = page.url
        page.goto(link)
        frame = _frame(page)
        _at(frame, 3)
        assert "∂/∂x = 6" in _cards(frame)
    finally:
        page.close()
