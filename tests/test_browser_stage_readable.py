"""The stage's readability in a real browser (Debian's Chromium, the README's run command on a free port), by
bounding boxes: no label over a label or a neuron or crossing an edge line, no equation cut or scrolling,
presenter mode fits 1280×720, label size and contrast, no truncated button, a 390 px phone; on the presets and
a 4-8-8-3 network, light and dark, 1280×720 and 1920×1080, presenter mode on and off. axe-core on the three
step screens in both themes. Screenshots go to test-artifacts/. (Stepping, Play, clicks and the quiz:
tests/test_browser_stage.py, whose page helpers these tests share.)"""

from __future__ import annotations

import re

import pytest
from _server import ARTIFACTS, STAGE

from core import load_preset, load_scenario, preset_names, trace
from tests.test_browser_stage import WIDE, _at, _frame_obj, _open, link

BOXES = """() => {
  const gd = document.getElementById('plot');
  const rect = (e) => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const groups = [...document.querySelectorAll('#labels g.label')];  // the drawing's labels (labels.js)
  const labels = groups.map(a => rect(a.querySelector('rect.bg') || a));
  const idx = gd.data.findIndex(t => t.name === 'neurons');
  const nodes = [...gd.querySelectorAll('.scatterlayer .trace')[idx].querySelectorAll('path.point')].map(rect);
  const texts = groups.map(a => a.querySelector('text'));
  const style = texts.map(t => [getComputedStyle(t).fill, parseFloat(getComputedStyle(t).fontSize)]);
  const bgs = groups.map(a => getComputedStyle(a.querySelector('rect.bg')).fill);
  const lines = [...document.querySelectorAll('#cards .line')].map(l => [l.scrollWidth, l.clientWidth]);
  const maths = [...document.querySelectorAll('#cards math')].map(m => [rect(m), rect(m.closest('.card'))]);
  const mathSize = Math.max(0, ...[...document.querySelectorAll('#cards math')].map(
    m => parseFloat(getComputedStyle(m).fontSize)));
  const buttons = [...document.querySelectorAll('button:not([hidden])')].filter(b => b.offsetParent)
    .map(b => [b.textContent.trim(), b.scrollWidth, b.clientWidth]);
  // the edge lines (labels.js draws them under the plot) and each label's name, anchor and halo flag, in pixels
  const fl = gd._fullLayout, g0 = gd.getBoundingClientRect();
  const px = (x, y) => [g0.left + fl._size.l + fl.xaxis.l2p(x), g0.top + fl._size.t + fl.yaxis.l2p(y)];
  const e0 = document.getElementById('edges').getBoundingClientRect();
  const edges = [...document.querySelectorAll('#edges line')].map(l => ['x1', 'y1', 'x2', 'y2'].map(
    (k, i) => +l.getAttribute(k) + (i % 2 ? e0.top : e0.left)));
  const bg = getComputedStyle(document.body).backgroundColor;
  const meta = groups.map(a => {  // the anchor: the label's data point, in pixels by Plotly's own axes
    const r = a.querySelector('rect.bg');
    return { name: a.dataset.name || '', halo: a.dataset.halo === '1', text: a.textContent,
             anchor: px(+a.dataset.x, +a.dataset.y),
             pageBg: !!r && getComputedStyle(r).fill === bg && +(getComputedStyle(r).fillOpacity || 1) === 1 };
  });
  return { labels, nodes, style, bgs, lines, maths, mathSize, buttons, edges, meta };
}"""


def _rgb(css: str) -> tuple[float, ...]:
    return tuple(float(v) for v in re.findall(r"[\d.]+", css)[:3])


def _contrast(a, b) -> float:
    def lum(c):
        c = [v / 255 for v in c]
        c = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in c]
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]
    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _meets(b, top: float, bottom: float) -> bool:
    return b[0] < b[2] and b[1] < b[3] and top < bottom


def _overlap(a, b, slack=1.0) -> bool:
    return a[0] + slack < b[2] and b[0] + slack < a[2] and a[1] + slack < b[3] and b[1] + slack < a[3]


def _crosses(s, b, slack=1.0) -> bool:
    """Whether the segment s = (x0, y0, x1, y1) enters the box b = (left, top, right, bottom) shrunk by slack."""
    (x0, y0, x1, y1), (l, t, r, bo) = s, (b[0] + slack, b[1] + slack, b[2] - slack, b[3] - slack)
    lo, hi = 0.0, 1.0
    for p, q in ((x0 - x1, x0 - l), (x1 - x0, r - x0), (y0 - y1, y0 - t), (y1 - y0, bo - y0)):
        if p == 0:
            if q < 0:
                return False
        elif p < 0:
            lo = max(lo, q / p)
        else:
            hi = min(hi, q / p)
        if lo > hi:
            return False
    return True


def _distance(s, pt) -> float:
    (x0, y0, x1, y1), (x, y) = s, pt
    dx, dy = x1 - x0, y1 - y0
    t = max(0.0, min(1.0, ((x - x0) * dx + (y - y0) * dy) / (dx * dx + dy * dy or 1)))
    return ((x0 + t * dx - x) ** 2 + (y0 + t * dy - y) ** 2) ** 0.5


def _edge_crossings(b) -> list[str]:
    """Every visible label that an edge line crosses, but a weight's number on its own edge (the one line through
    its anchor) and a label the stage drew with a halo (an opaque background the page's colour)."""
    edges = list({tuple(round(v, 1) for v in e) for e in b["edges"]})  # the active edges are drawn twice
    bad = []
    for box, m in zip(b["labels"], b["meta"]):
        if m["halo"] and m["pageBg"]:
            continue
        others = edges
        if m["name"].startswith("edge"):
            own = min(edges, key=lambda e: _distance(e, m["anchor"]))
            if _distance(own, m["anchor"]) < 2:
                others = [e for e in edges if e != own]
        n = sum(_crosses(e, box) for e in others)
        if n:
            bad.append(f"{m['text']!r} ({m['name']}) crosses {n} edge(s)")
    return bad


def _check_readable(page, frame, where: str, presenter: bool, height: int) -> None:
    fr = _frame_obj(page)
    fr.wait_for_function("() => (document.getElementById('plot').data || []).length > 0")
    b = fr.evaluate(BOXES)
    for i, a in enumerate(b["labels"]):
        for c in b["labels"][i + 1:]:
            assert not _overlap(a, c), f"{where}: two labels overlap {a} {c}"
        for n in b["nodes"]:
            assert not _overlap(a, n, 2.0), f"{where}: a label covers a neuron {a} {n}"
    assert b["edges"] and len(b["meta"]) == len(b["labels"]), f"{where}: no edge lines or labels measured"
    crossing = _edge_crossings(b)
    assert not crossing, f"{where}: {len(crossing)} label(s) cross an edge line: " + "; ".join(crossing)
    for sw, cw in b["lines"]:
        assert sw <= cw + 1, f"{where}: an equation line scrolls ({sw} > {cw})"
    for m, card in b["maths"]:
        assert m[0] >= card[0] - 1 and m[2] <= card[2] + 1, f"{where}: an equation is cut at its card's edge"
    for text, sw, cw in b["buttons"]:
        assert sw <= cw + 1, f"{where}: the button {text!r} is truncated"
    for (fill, size), bg in zip(b["style"], b["bgs"]):
        assert _contrast(_rgb(fill), _rgb(bg)) >= 4.5, f"{where}: label contrast {fill} on {bg}"
        if presenter:
            assert size >= b["mathSize"] - 0.5, f"{where}: a {size} px label next to {b['mathSize']} px equations"
    if presenter and height == 720:  # one step fits the screen: controls, drawing, the card with its value
        page.evaluate("() => window.scrollTo(0, 0)")
        top = page.locator(STAGE).first.bounding_box()["y"]
        inner = fr.evaluate("""() => [document.getElementById('controls').getBoundingClientRect().bottom,
            document.getElementById('plot').getBoundingClientRect().bottom,
            Math.max(...[...document.querySelectorAll('#cards .card')].map(c => c.getBoundingClientRect().bottom))]""")
        assert all(top + y <= height + 1 for y in inner), f"{where}: the step does not fit 720 px: {top} + {inner}"


CASES = [(name, "forward", 2) for name in preset_names()] + [(name, "backward", 6) for name in preset_names()]


@pytest.mark.parametrize("name,screen,step", CASES)
def test_no_label_overlaps_and_no_equation_is_cut_on_every_preset(server, tabs, name, screen, step):
    s = load_preset(name)
    n = trace(s).steps(0)
    step = min(step, (n.phase_start("backward") if screen == "forward" else n.phase_start("update") -
                      n.phase_start("backward")) - 1)
    page, frame = _open(tabs, server, link(screen, s, step), width=1280, height=720)
    try:
        _check_readable(page, frame, f"{name} {screen}", False, 720)
    finally:
        tabs.close(page)


# each screen is opened once per network and presenter mode; its four cases are switched in place (the
# stage re-lays out on a new window size and a new system theme, which _relayout checks before measuring)
LOOKS = [((1280, 720), "light"), ((1280, 720), "dark"), ((1920, 1080), "dark"), ((1920, 1080), "light")]
SETTLED = """(dark) => {
  const gd = document.getElementById('plot'), fl = gd._fullLayout, bg = getComputedStyle(document.body).backgroundColor;
  const lum = bg.match(/[\\d.]+/g).slice(0, 3).reduce((s, v) => s + +v, 0) / 3;
  const rects = [...document.querySelectorAll('#labels g.label rect.bg')];
  return !!fl && (lum < 128) === dark && Math.abs(fl.width - document.getElementById('drawing').clientWidth) <= 1 &&
    rects.length > 0 && rects.every(r => getComputedStyle(r).fill === bg) &&
    !(document.body.dataset.error || '').replace(/^ResizeObserver loop .*/, '');  // that one is benign
}"""
SIGNATURE = """() => JSON.stringify([window.frameElement.getBoundingClientRect().height,
  [...document.querySelectorAll('#labels g.label rect.bg, #cards .card')].map(e => e.getBoundingClientRect())])"""


def _relayout(page, size, scheme: str) -> None:
    """Switch the window size and the system theme in place and wait until the stage has drawn itself again."""
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.emulate_media(color_scheme=scheme)
    fr = _frame_obj(page)
    fr.wait_for_function(SETTLED, arg=scheme == "dark", timeout=20_000)
    last = None
    for _ in range(40):  # until nothing moves (the frame's height follows the drawing)
        sig = fr.evaluate(SIGNATURE)
        if sig == last:
            return
        last = sig
        page.wait_for_timeout(250)
    raise AssertionError(f"the stage kept moving at {size} {scheme}")


@pytest.mark.parametrize("presenter", [False, True])
@pytest.mark.parametrize("net", ["classic", "4-8-8-3"])
def test_readability_in_both_themes_sizes_and_presenter_mode(server, tabs, presenter, net):
    """16 cases: 2 networks × presenter on/off × 1280×720 and 1920×1080 × light and dark, on the three screens;
    every failing case is reported."""
    s = load_preset("classic_2-2-2") if net == "classic" else load_scenario(WIDE)
    bad = []
    for screen, step in (("forward", 4 if net == "classic" else 12), ("backward", 12), ("update", 3)):
        page, frame = _open(tabs, server, link(screen, s, step, pm=presenter), *LOOKS[0][0],
                                 scheme=LOOKS[0][1])
        try:
            _at(frame, step)  # the link's step, the Update screen's too
            for size, scheme in LOOKS:
                _relayout(page, size, scheme)
                where = f"{net} {screen} {scheme} {size} pm={presenter}"
                try:
                    _check_readable(page, frame, where, presenter, size[1])
                except AssertionError as e:
                    bad.append(str(e).split("\n")[0])
                if screen == "backward" and (size == (1280, 720) or net != "classic"):
                    name = f"stage_{net}_{screen}_{scheme}_{size[0]}_pm{int(presenter)}.png"
                    page.screenshot(path=str(ARTIFACTS / name))
        finally:
            tabs.close(page)
    assert not bad, f"{len(bad)} of 12 screen cases fail:\n" + "\n".join(bad)


def test_on_a_phone_the_controls_equation_and_drawing_are_near_the_top(server, tabs):
    page, frame = _open(tabs, server, link("backward", step=4), width=390, height=844)
    try:
        top = page.locator(STAGE).first.bounding_box()["y"] + page.evaluate("() => window.scrollY")
        fr = _frame_obj(page)
        inner = fr.evaluate("""() => ['controls', 'cards', 'plot'].map(
            id => document.getElementById(id).getBoundingClientRect().top)""")
        assert all(top + y < 2200 for y in inner), (top, inner)  # today the drawing starts 3,400 px down
        _check_readable(page, frame, "phone", False, 844)
        page.screenshot(path=str(ARTIFACTS / "stage_phone_backward.png"), full_page=True)
    finally:
        tabs.close(page)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_violation_on_the_stage(server, tabs, scheme):
    from _axe import axe, describe

    for screen in ("forward", "backward", "update"):
        page, frame = _open(tabs, server, link(screen, step=2), 1366, 768, scheme=scheme)
        try:
            bad = axe(_frame_obj(page))
            assert not bad, f"{screen} {scheme}: " + describe(bad)
            names = _frame_obj(page).evaluate("() => [...document.querySelectorAll('button')].filter("
                                              "b => b.offsetParent).map(b => b.getAttribute('aria-label') || "
                                              "b.textContent.trim())")
            assert {"First step", "Previous step", "Next step", "Play", "Last step"} <= set(names)
            assert frame.locator("#desc").inner_text().startswith("Step 3 of")  # the drawing's text alternative
        finally:
            tabs.close(page)
