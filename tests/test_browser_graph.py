"""The graph view and the expression screen on the stage in Chromium: the classic example stepped forward
and backward in the browser, a typed expression stepped, its link reopened, and no two labels of the
drawing overlapping or cut at its edge (bounding boxes) at 1280×720 and 1920×1080, light and dark.
Screenshots go to test-artifacts/."""

from __future__ import annotations

from _server import ARTIFACTS, STAGE, wait_visible

from tests.test_browser_stage_readable import BOXES, _overlap


def _frame(page):
    """The stage's frame, once it shows a step (seen at once: _server.wait_visible)."""
    wait_visible(page, "body[data-step]", frame=STAGE)
    page.locator(STAGE).first.wait_for()
    return page.frame_locator(STAGE).first


def _cards(frame) -> str:
    return " ".join(frame.locator("#cards").inner_text().split())


def _at(frame, i: int) -> None:
    frame.locator(f"body[data-step='{i}']").wait_for()


def _content(page):
    return page.locator(STAGE).first.element_handle().content_frame()


def _no_overlap(page, where: str) -> None:
    """No label covers another label or a node, and every label lies inside the drawing (bounding boxes)."""
    fr = _content(page)
    fr.wait_for_function("() => (document.getElementById('plot').data || []).length > 0")
    b = fr.evaluate(BOXES)
    left, top, right, bottom = fr.evaluate("() => { const r = document.getElementById('plot').getBoundingClientRect(); "
                                           "return [r.left, r.top, r.right, r.bottom]; }")
    assert b["labels"], f"{where}: no labels drawn"
    for i, a in enumerate(b["labels"]):
        assert left - 1 <= a[0] and a[2] <= right + 1 and top - 1 <= a[1] and a[3] <= bottom + 1, \
            f"{where}: a label is cut at the drawing's edge {a} {left, top, right, bottom}"
        for c in b["labels"][i + 1:]:
            assert not _overlap(a, c), f"{where}: two labels overlap {a} {c}"
        for n in b["nodes"]:
            assert not _overlap(a, n, 2.0), f"{where}: a label covers a node {a} {n}"


SIZES = [(1280, 720), (1920, 1080)]


def _resize(page, width: int, height: int) -> None:
    """The same page at another size, once the stage has drawn it again at its new width."""
    fr = _content(page)
    before = fr.evaluate("() => document.getElementById('plot').clientWidth")
    page.set_viewport_size({"width": width, "height": height})
    fr.wait_for_function("""w0 => { const w = document.getElementById('plot').clientWidth;
        const svg = document.querySelector('#plot .main-svg');
        return w !== w0 && svg && Math.abs(+svg.getAttribute('width') - w) < 1; }""", arg=before)
    page.wait_for_timeout(150)  # the ResizeObserver's render, then the frame's new height


def _every_size(page, where: str, shot: str | None = None) -> None:
    """At 1280×720 and 1920×1080 in turn (the page is left at 1280×720): no label meets another, none is cut."""
    for w, h in SIZES:
        if page.viewport_size != {"width": w, "height": h}:
            _resize(page, w, h)
        _no_overlap(page, f"{where} at {w}×{h}")
        if shot:
            _content(page).locator("#drawing").screenshot(path=str(ARTIFACTS / f"{shot}_{w}.png"))
    _resize(page, *SIZES[0])


def _dark(fr) -> bool:
    """Whether the labels are drawn on a dark background."""
    fr.wait_for_selector("#labels g.label rect.bg", state="attached")
    return fr.evaluate("""() => { const r = document.querySelector('#labels g.label rect.bg');
        const c = getComputedStyle(r).fill.match(/[\\d.]+/g).map(Number); return c[0] + c[1] + c[2] < 300; }""")


def test_graph_view_and_expression_on_the_stage(server, tabs):
    """Forward and backward on the classic example and a typed expression, each at both sizes and in the light
    and the dark theme (one page: resized in place, the colour scheme switched in place)."""
    page = tabs.open(1280, 720)
    page.set_default_timeout(30_000)
    try:
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            tag = f"graph_{scheme}"
            page.goto(server + "/?p=forward&v=g")
            frame = _frame(page)
            _at(frame, 0)
            assert _dark(_content(page)) == (scheme == "dark")
            assert frame.locator("#where").inner_text() == "Step 1 of 22"
            for k in (1, 2):
                frame.get_by_role("button", name="Next step").click()
                _at(frame, k)
            assert "z²₁ = w²₁₁·x₁ + w²₁₂·x₂ + b²₁ = 0.0075 + 0.02 + 0.35 = 0.3775" in _cards(frame)
            _every_size(page, f"forward step 3 {scheme}", f"{tag}_forward")
            frame.locator("#slider").fill("22")  # every node's value shown
            _at(frame, 21)
            _every_size(page, f"forward step 22 {scheme}")
            page.goto(server + "/?p=backward&v=g")
            frame = _frame(page)
            _at(frame, 0)
            frame.locator("#slider").fill("12")
            _at(frame, 11)
            cards = _cards(frame)
            assert "is δ³₁ = ∂C/∂z³₁" in cards and "0.138499" in cards  # the published δ³₁ = 0.138498562
            _every_size(page, f"backward step 12 {scheme}")
            frame.locator("#slider").fill("22")  # every node's gradient shown
            _at(frame, 21)
            _every_size(page, f"backward step 22 {scheme}", f"{tag}_backward")
            for expr, at, last in [("(x%20%2B%20y)%20*%20z", "x:-2,y:5,z:-4", 4),
                                   ("1/(1%20%2B%20exp(-(w0*x0%20%2B%20w1*x1%20%2B%20w2)))",
                                    "w0:2,x0:-1,w1:-3,x1:-2,w2:-3", 16)]:
                page.goto(server + f"/?p=graph&e={expr}&at={at}")
                frame = _frame(page)
                _at(frame, 0)
                assert frame.locator("#where").inner_text() == f"Step 1 of {last}"
                for k in (last // 2 - 1, last - 1):  # the last forward step (every value), the last (every gradient)
                    frame.locator("#slider").fill(str(k + 1))
                    _at(frame, k)
                    _every_size(page, f"{expr} step {k + 1} {scheme}", f"{tag}_expr{last}" if k == last - 1 else None)
        page.emulate_media(color_scheme="light")
        page.set_viewport_size({"width": 1920, "height": 1080})  # presenter mode on a 1080p projector
        page.goto(server + "/?p=backward&v=g&pm=1")
        frame = _frame(page)
        page.get_by_test_id("stSidebar").wait_for(state="hidden")  # the graph keeps its 14 px labels (issue 13)
        _at(frame, 0)
        frame.locator("#slider").fill("22")
        _at(frame, 21)
        _no_overlap(page, "presenter mode, backward step 22 at 1920×1080")
        _content(page).locator("#drawing").screenshot(path=str(ARTIFACTS / "graph_presenter_backward_1920.png"))
        page.set_viewport_size({"width": 1280, "height": 720})
        page.goto(server + "/?p=graph&e=x*x%20%2B%20y&at=x:3,y:1")
        frame = _frame(page)
        _at(frame, 0)
        assert frame.locator("#where").inner_text() == "Step 1 of 4"
        for k in (1, 2, 3):
            page.keyboard.press("ArrowRight")
            _at(frame, k)
        assert "∂/∂x = 6" in _cards(frame)
        _no_overlap(page, "x*x + y")
        page.wait_for_function("() => location.search.includes('gs=4')")
        link = page.url
        page.goto(link)
        frame = _frame(page)
        _at(frame, 3)
        assert "∂/∂x = 6" in _cards(frame)
    finally:
        tabs.close(page)
