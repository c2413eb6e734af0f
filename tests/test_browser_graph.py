"""The graph view and the expression screen in Chromium: the classic example forward and backward, a typed
expression stepped through, its link reopened, and no two labels of the drawing overlapping (bounding
boxes), at 1280×720 and 1920×1080. Screenshots go to test-artifacts/."""

from __future__ import annotations

import pytest
from _server import ARTIFACTS

from tests.test_browser import _idle, browser, server  # noqa: F401 - fixtures reused

BOXES = """() => [...document.querySelectorAll('.js-plotly-plot .scatterlayer .textpoint text')]
  .filter(t => t.textContent.trim()).map(t => { const r = t.getBoundingClientRect();
    return [t.textContent, r.left, r.top, r.right, r.bottom]; })"""


def _no_overlap(page) -> int:
    boxes = page.evaluate(BOXES)
    assert boxes, "no labels drawn"
    for i, (ta, *a) in enumerate(boxes):
        for tb, *b in boxes[i + 1:]:
            inter = min(a[2], b[2]) - max(a[0], b[0]), min(a[3], b[3]) - max(a[1], b[1])
            assert inter[0] <= 0.5 or inter[1] <= 0.5, f"labels overlap: {ta!r} and {tb!r}"
    chart = page.locator(".js-plotly-plot").first.bounding_box()
    assert all(chart["x"] - 1 <= x0 and x1 <= chart["x"] + chart["width"] + 1 for _, x0, _, x1, _ in boxes)
    return len(boxes)


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_graph_view_forward_and_backward_on_the_classic_example(server, browser, size):  # noqa: F811 - the fixtures
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    page.set_default_timeout(30_000)
    try:
        page.goto(server + "/?p=forward")
        page.get_by_role("heading", name="2 · Forward pass").wait_for()
        page.get_by_text("Graph view (every operation a node)").click()
        page.get_by_text("Step 1 of 22", exact=True).wait_for()
        page.get_by_text("w²₁₁·x₁ = w²₁₁ × x₁ = 0.15 × 0.05 = 0.0075").wait_for()
        for k in (2, 3):
            page.get_by_role("button", name="Next ▶").click()
            page.get_by_text(f"Step {k} of 22", exact=True).wait_for()
        page.get_by_text("z²₁ = w²₁₁·x₁ + w²₁₂·x₂ + b²₁ = 0.0075 + 0.02 + 0.35 = 0.3775").wait_for()
        _idle(page)
        assert _no_overlap(page) > 40
        page.screenshot(path=str(ARTIFACTS / f"graph_forward_{size[0]}.png"), full_page=True)
        page.get_by_test_id("stSidebarNav").get_by_text("3 · Backward pass", exact=True).click()
        page.get_by_role("heading", name="3 · Backward pass").wait_for()
        page.get_by_text("Step 1 of 22", exact=True).wait_for()
        page.get_by_text("C = ½·Σ is the output: its gradient is 1.", exact=False).wait_for()
        for k in range(2, 13):
            page.get_by_role("button", name="Next ▶").click()
            page.get_by_text(f"Step {k} of 22", exact=True).wait_for()
        # z³₁'s gradient is δ³₁ = 0.138498562, the published worked example's value
        page.get_by_text("is δ³₁ = ∂C/∂z³₁", exact=False).wait_for()
        assert "0.138499" in page.get_by_test_id("stAlert").last.inner_text()
        _idle(page)
        assert _no_overlap(page) > 40
        page.locator(".js-plotly-plot").first.screenshot(path=str(ARTIFACTS / f"graph_backward_{size[0]}.png"))
    finally:
        page.close()


def test_expression_mode_typed_and_reopened_by_its_link(server, browser):  # noqa: F811 - the fixtures
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.set_default_timeout(30_000)
    try:
        page.goto(server + "/?p=graph")
        page.get_by_role("heading", name="7 · Computational graph").wait_for()
        page.get_by_text("Step 1 of 4", exact=True).wait_for()
        box = page.get_by_role("textbox", name="Expression")
        box.fill("1/(1 + exp(-(w0*x0 + w1*x1 + w2)))")
        box.press("Enter")
        page.get_by_text("Step 1 of 16", exact=True).wait_for()
        box = page.get_by_role("textbox", name="Values")
        expect(box).to_have_value("w0 = 1, x0 = 1, w1 = 1, x1 = 1, w2 = 1")  # new variables start at 1
        box.fill("w0 = 2, x0 = -1, w1 = -3, x1 = -2, w2 = -3")
        box.press("Enter")
        page.get_by_text("w0 × x0 = 2 × (-1) = -2").wait_for()
        for k in range(2, 11):
            page.get_by_role("button", name="Next ▶").click()
            page.get_by_text(f"Step {k} of 16", exact=True).wait_for()
        # backward step 2: the +1 node gets −1/1.368² = −0.534447 from 1/x and copies it (add gate)
        page.get_by_text("copies the upstream gradient", exact=False).wait_for()
        page.get_by_text("∂/∂w0 = -0.196612", exact=False).wait_for()
        _idle(page)
        _no_overlap(page)
        page.screenshot(path=str(ARTIFACTS / "graph_expression_1280.png"), full_page=True)
        link = page.url
        assert "p=graph" in link and "gs=10" in link
        other = browser.new_page(viewport={"width": 1920, "height": 1080})
        try:
            other.goto(link)
            other.get_by_role("heading", name="7 · Computational graph").wait_for()
            other.get_by_text("Step 10 of 16", exact=True).wait_for()
            expect(other.get_by_role("textbox", name="Expression")).to_have_value(
                "1/(1 + exp(-(w0*x0 + w1*x1 + w2)))", timeout=30_000)
            other.get_by_text("copies the upstream gradient", exact=False).wait_for()
            _idle(other)
            _no_overlap(other)
            other.screenshot(path=str(ARTIFACTS / "graph_expression_1920.png"), full_page=True)
        finally:
            other.close()
    finally:
        page.close()


def test_a_large_network_opens_a_neurons_graph_by_clicking_its_input(server, browser):  # noqa: F811 - the fixtures
    """3-4-2 has 20 weights (> 16): one graph at a time. On the backward screen the cost's graph comes
    first; clicking its input a³₁ (drawn with a dark ring) opens neuron 1 of layer 3's graph."""
    from app.session.url import encode_scenario
    from core import load_preset

    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.set_default_timeout(30_000)
    try:
        page.goto(server + "/?p=backward&v=g&s=" + encode_scenario(load_preset("article003_3-4-2")))
        page.get_by_role("heading", name="3 · Backward pass").wait_for()
        page.get_by_text("Step 1 of 6", exact=True).wait_for()  # ½, Σ, two squares, two differences
        page.get_by_text("C = ½·Σ is the output", exact=False).wait_for()
        _idle(page)
        _no_overlap(page)
        opened = page.get_by_text("a³₁ has received its gradient", exact=False)
        for _ in range(3):  # a click while the chart is still settling can miss: retry
            label = page.locator(".js-plotly-plot .textpoint text", has_text="a³₁").first
            label.evaluate("t => t.scrollIntoView({block: 'center'})")
            page.wait_for_timeout(500)
            box = label.bounding_box()
            page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] + 19)  # its circle, under it
            try:
                opened.wait_for(timeout=10_000)
                break
            except Exception:  # noqa: BLE001 - playwright's TimeoutError: click again
                continue
        opened.wait_for()
        page.get_by_text("Step 1 of 6", exact=True).wait_for()  # σ, the sum, four products
        _idle(page)
        _no_overlap(page)
    finally:
        page.close()
