"""The stage in a real browser (Debian's Chromium, the README's run command on a free port): stepping
with the buttons, the keys and the slider; 50 quick clicks and 50 quick → keys, none lost; Play,
Pause and Space; motion and reduced motion; a click on a neuron and on a weight's number; the quiz
hides every hidden value (text, hover, MathML). Readability and axe-core: tests/test_browser_stage_readable.py.
Screenshots go to test-artifacts/."""

from __future__ import annotations

from _server import ARTIFACTS, STAGE, settle, wait_visible

from app.session import url as links
from app.session.state import canonical_json
from core import load_preset, load_scenario, trace
from core.symbolic.notation import short_number as fmt

WIDE = {"layers": [4, 8, 8, 3], "activations": ["tanh", "relu", "sigmoid"], "x": [0.5, -1, 0.25, 2],
        "y": [0, 1, 0], "init": {"scheme": "xavier", "seed": 7}}
DEEP = {"layers": [4, 4, 4, 1], "activations": ["sigmoid"] * 3, "x": [0.1, 0.2, 0.3, 0.4], "y": [1],
        "init": {"scheme": "xavier", "seed": 1}}


def link(page: str, s=None, step: int | None = None, pm: bool = False) -> str:
    s = s or load_preset("classic_2-2-2")
    q = links.encode_params(canonical_json(s), s, page, step, "neuron", 0,
                            default_key=canonical_json(load_preset("classic_2-2-2")))
    if pm:
        q["pm"] = "1"
    return "/?" + "&".join(f"{k}={v}" for k, v in q.items())


def _open(tabs, url, path, width=1280, height=720, scheme="light", reduced=False):
    """A page of the shared context (conftest.py) at ``path``, once the stage shows its step and the page settled."""
    page = tabs.open(width, height, scheme, reduced)
    page.set_default_timeout(60_000)
    page.goto(url + path)
    frame = _frame(page)
    wait_visible(page, "body[data-step]", frame=STAGE)  # at once, then Playwright's own wait
    settle(page)  # the page has settled
    return page, frame


def _frame(page):
    wait_visible(page, STAGE)  # at once, then Playwright's own wait
    return page.frame_locator(STAGE).first


def _frame_obj(page):
    return page.locator(STAGE).first.element_handle().content_frame()


def _at(frame, i: int, timeout: int = 20_000) -> None:
    frame.locator(f"body[data-step='{i}']").wait_for(timeout=timeout)


def _step(frame) -> int:
    return int(frame.locator("body").get_attribute("data-step"))


def _cards(frame) -> str:
    return frame.locator("#cards").inner_text().replace("\n", " ")


def test_buttons_keys_and_slider_step_in_the_browser(server, tabs):
    t = trace(load_preset("classic_2-2-2"))
    page, frame = _open(tabs, server, link("forward"))
    try:
        assert frame.locator("#where").inner_text() == "Step 1 of 5"
        frame.get_by_role("button", name="Next step").click()
        _at(frame, 1)
        assert "0.596884378" in _cards(frame)  # a²₂ (Mazur: out h2 = 0.596884378)
        frame.get_by_role("button", name="Last step").click()
        _at(frame, 4)
        assert f"{t.costs[0]:.9g}" in _cards(frame)  # the cost, 0.298371109
        frame.get_by_role("button", name="Previous step").click()
        _at(frame, 3)
        frame.get_by_role("button", name="First step").click()
        _at(frame, 0)
        page.get_by_role("heading", name="2 · Forward pass").click()  # the keys work from the page around it
        page.keyboard.press("ArrowRight")
        _at(frame, 1)
        page.keyboard.press("End")
        _at(frame, 4)
        page.keyboard.press("ArrowLeft")
        _at(frame, 3)
        page.keyboard.press("Home")
        _at(frame, 0)
        frame.get_by_role("slider", name="Step").fill("3")
        _at(frame, 2)
        # the step is in the address bar at once (no server round trip), and the server is told when idle
        page.wait_for_function("() => location.search.includes('step=3')")
        page.reload()
        _at(_frame(page), 2)
        # a text field on the page keeps its keys: nothing steps while typing
        page.goto(server + link("backward"))
        frame = _frame(page)
        _at(frame, 0)
        box = page.get_by_role("combobox", name="Choose a weight or bias")
        box.click()
        from playwright.sync_api import expect
        expect(box).to_be_focused()  # (under load the click can land before the box is ready: keys would step)
        page.keyboard.type("w")
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(500)
        assert _step(frame) == 0
    finally:
        tabs.close(page)


def test_fifty_quick_clicks_and_fifty_quick_keys_are_not_lost(server, tabs):
    page, frame = _open(tabs, server, link("backward", load_scenario(DEEP)))  # 55 steps
    try:
        box = page.locator(STAGE).first.bounding_box()
        nxt = frame.get_by_role("button", name="Next step").bounding_box()
        assert box and nxt
        for _ in range(50):
            page.mouse.click(nxt["x"] + nxt["width"] / 2, nxt["y"] + nxt["height"] / 2)
        page.wait_for_timeout(300)
        clicks = _frame_obj(page).evaluate("() => window.__stage.clicks")
        assert (clicks, _step(frame)) == (50, 50)
        page.wait_for_timeout(300)
        assert _step(frame) == 50
        frame.get_by_role("button", name="First step").click()
        _at(frame, 0)
        page.get_by_role("heading", name="3 · Backward pass").click()
        for _ in range(50):
            page.keyboard.press("ArrowRight")
        _at(frame, 50)
        page.wait_for_timeout(2500)  # the idle report reaches the server; the rerun does not move the stage
        assert _step(frame) == 50
        page.wait_for_function("() => location.search.includes('step=51')")
    finally:
        tabs.close(page)


def test_play_pause_space_and_motion(server, tabs):
    page, frame = _open(tabs, server, link("forward", load_scenario(DEEP)))
    try:
        frame.locator("#speed").select_option("4")
        frame.get_by_role("button", name="Play").click()
        frame.get_by_role("button", name="Pause").wait_for()
        page.wait_for_timeout(1000)  # 4×: a step every 375 ms
        assert _step(frame) >= 2
        frame.get_by_role("button", name="Pause").click()
        frame.get_by_role("button", name="Play").wait_for()
        page.wait_for_timeout(300)
        s = _step(frame)
        page.wait_for_timeout(900)
        assert _step(frame) == s
        frame.locator("#speed").select_option("1")
        frame.get_by_role("button", name="First step").click()
        _at(frame, 0)
        frame.get_by_role("button", name="Next step").click()
        frame.locator("svg#overlay circle").first.wait_for(state="attached", timeout=3000)  # w·a travels
        page.get_by_role("heading", name="2 · Forward pass").click()
        page.keyboard.press(" ")  # Space plays
        frame.get_by_role("button", name="Pause").wait_for()
        _at(frame, 9, timeout=15_000)  # … and stops at the end of the pass
        frame.get_by_role("button", name="Play").wait_for()
        page.wait_for_timeout(500)
        assert _step(frame) == 9
        times = page.evaluate("() => document.querySelector(\"" + STAGE.replace('"', '\\"') + "\")"
                              ".contentWindow.__stage.frameTimes.slice()")
        assert len(times) > 20  # the motion ran frame by frame
        # … and the frame times cover every frame while playing, not only the motions' (60 % of a step): the
        # 8 steps of 1.5 s from step 2 to step 10 at 1× (and the first Play's second before them)
        assert sum(times) >= 0.9 * 8 * 1500, (len(times), sum(times))
        # at the end of Play the drawing is Plotly's again: each output's a on its label and in its hover text
        t, last = trace(load_scenario(DEEP)), len(DEEP["layers"])
        fr = _frame_obj(page)
        hover = fr.evaluate("() => JSON.stringify(document.getElementById('plot').data.find("
                            "t => t.name === 'neurons').hovertext)")
        for a in t.a(last):
            assert frame.locator("#labels g.label", has_text=fmt(a)).count() >= 1
            assert fmt(a) in hover, hover
    finally:
        tabs.close(page)
    page, frame = _open(tabs, server, link("forward"), reduced=True)
    try:
        frame.get_by_role("button", name="Next step").click()
        _at(frame, 1)
        page.wait_for_timeout(200)
        assert frame.locator("svg#overlay circle").count() == 0  # prefers-reduced-motion: no motion
    finally:
        tabs.close(page)


POINT = """([x, y]) => { const gd = document.getElementById('plot'), fl = gd._fullLayout;
  return [fl.xaxis.l2p(x) + fl._size.l, fl.yaxis.l2p(y) + fl._size.t]; }"""


def test_clicking_a_neuron_and_a_weights_number(server, tabs):
    from app.walkthrough.figures import positions

    page, frame = _open(tabs, server, link("backward"))
    try:
        fr = _frame_obj(page)
        box = page.locator(STAGE).first.bounding_box()
        fr.locator("#plot").scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        plot = fr.locator("#plot").bounding_box()
        x, y = fr.evaluate(POINT, list(positions((2, 2, 2))[1][1]))  # neuron 2 of layer 2
        page.mouse.click(plot["x"] + x, plot["y"] + y)
        _at(frame, 16 - 5)  # its δ (CLASSIC index 16)
        assert "δ" in frame.locator("#desc").inner_text()
        # w³₁₁'s number is on the drawing once its ∂C/∂w is reached; a click on it opens that step
        frame.get_by_role("button", name="Last step").click()
        _at(frame, 17)
        xy = fr.evaluate("""() => { const t = document.getElementById('plot').data.find(t => t.name === 'edges');
            const q = t.customdata.findIndex(c => c.join() === '3,0,0'); return [t.x[q], t.y[q]]; }""")
        x, y = fr.evaluate(POINT, xy)  # where w³₁₁'s number is drawn (its hover point is there)
        fr.locator("#plot").scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        plot = fr.locator("#plot").bounding_box()
        dw = fmt(trace(load_preset("classic_2-2-2")).dC_dW[1][0, 0])  # ∂C/∂w³₁₁ from the engine
        number = fr.locator("#labels g.label", has_text=dw).first.bounding_box()
        assert number["x"] <= plot["x"] + x <= number["x"] + number["width"]  # the number is drawn there
        assert number["y"] <= plot["y"] + y <= number["y"] + number["height"]
        page.mouse.click(plot["x"] + x, plot["y"] + y)
        _at(frame, 9 - 5)  # ∂C/∂w³₁₁ (CLASSIC index 9)
        assert box
    finally:
        tabs.close(page)


EDGE_LINES = """() => {  // the edge lines (labels.js, under the plot) and the neurons' centres, in page pixels
  const gd = document.getElementById('plot'), e0 = document.getElementById('edges').getBoundingClientRect();
  const idx = gd.data.findIndex(t => t.name === 'neurons');
  const centre = (r) => [(r.left + r.right) / 2, (r.top + r.bottom) / 2];
  const nodes = [...gd.querySelectorAll('.scatterlayer .trace')[idx].querySelectorAll('path.point')]
    .map(p => centre(p.getBoundingClientRect()));
  const lines = [...document.querySelectorAll('#edges line')].map(l => ({
    q: +l.dataset.q, stroke: l.getAttribute('stroke'), width: +l.getAttribute('stroke-width'),
    ends: [[+l.getAttribute('x1') + e0.left, +l.getAttribute('y1') + e0.top],
           [+l.getAttribute('x2') + e0.left, +l.getAttribute('y2') + e0.top]] }));
  return { nodes, lines, lineTraces: gd.data.filter(t => t.mode === 'lines').length };
}"""


def test_the_edge_lines_join_their_neurons_and_show_the_new_weights_sign_and_size(server, tabs):
    """At the end of the update the lines are the new weights: from neuron k of layer l-1 to neuron j of layer l,
    blue for w >= 0 and vermilion below, wider for a larger |w|; Plotly draws no line of its own."""
    s = load_scenario(WIDE)
    t = trace(s)
    page, frame = _open(tabs, server, link("update", s), width=1920, height=1080)
    try:
        frame.get_by_role("button", name="Last step").click()
        _at(frame, len(t.steps(0)) - t.steps(0).phase_start("update") - 1)
        page.wait_for_timeout(300)
        got = _frame_obj(page).evaluate(EDGE_LINES)
        layers, offset = s.layers, [0]
        for n in layers:
            offset.append(offset[-1] + n)
        want = [(l, j, k) for l in range(2, len(layers) + 1)
                for j in range(layers[l - 1]) for k in range(layers[l - 2])]
        assert got["lineTraces"] == 0 and [ln["q"] for ln in got["lines"]] == list(range(len(want)))
        by_w = []
        for ln, (l, j, k) in zip(got["lines"], want):
            w = float(t.weights_new[l - 2][j, k])
            src, dst = got["nodes"][offset[l - 2] + k], got["nodes"][offset[l - 1] + j]
            assert all(abs(a - b) < 1.0 for a, b in zip(ln["ends"][0] + ln["ends"][1], src + dst)), (l, j, k, ln)
            assert ln["stroke"] == ("#0072B2" if w >= 0 else "#D55E00"), (l, j, k, w, ln)
            by_w.append((abs(w), ln["width"]))
        by_w.sort()
        assert all(a[1] <= b[1] for a, b in zip(by_w, by_w[1:])), "a larger |w| is never drawn thinner"
        assert len({wd for _, wd in by_w}) > 1 and {"#0072B2", "#D55E00"} <= {ln["stroke"] for ln in got["lines"]}
    finally:
        tabs.close(page)


DISCS = """() => [...document.querySelectorAll('#discs circle')].map(c => {
  const r = c.getBoundingClientRect(); return [(r.left + r.right) / 2, (r.top + r.bottom) / 2]; })"""


def test_before_plotly_has_run_the_step_shows_whole_and_plotly_then_takes_its_place(server, browser):
    """plotly.min.js held back: the card, the edge lines, the labels and the neurons (discs of our own) are drawn;
    once it runs, Plotly's neurons are where the discs were, and the discs are gone. (A context of its own: the
    route holds back plotly.min.js, and a route would turn off the HTTP cache of the shared context.)"""
    s = load_scenario(DEEP)
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    held = []
    ctx.route("**/plotly.min.js", lambda route: held.append(route))
    page = ctx.new_page()
    try:
        page.goto(server + link("forward", s, step=3))
        frame = _frame(page)
        _at(frame, 3)
        fr = _frame_obj(page)
        fr.wait_for_function("() => document.querySelectorAll('#discs circle').length > 0", timeout=20_000)
        assert held and fr.evaluate("() => !window.Plotly")
        discs = fr.evaluate(DISCS)
        assert len(discs) == sum(s.layers)
        assert fr.locator("#edges line").count() == sum(a * b for a, b in zip(s.layers, s.layers[1:]))
        assert fr.locator("#labels g.label").count() > 0 and "z" in _cards(frame)
        legend, plot = fr.locator("#legend").bounding_box(), fr.locator("#discs").bounding_box()
        assert legend["y"] >= plot["y"] + plot["height"] - 1, "the legend sits under the drawing, not under the discs"
        held[0].continue_()
        fr.wait_for_function("() => window.Plotly && document.querySelector('#plot .scatterlayer')", timeout=30_000)
        fr.wait_for_function("() => !document.querySelector('#discs circle')", timeout=10_000)
        points = fr.evaluate(EDGE_LINES)["nodes"]  # Plotly's neurons' centres
        assert len(points) == len(discs)
        for d, p in zip(discs, points):
            assert abs(d[0] - p[0]) < 1.0 and abs(d[1] - p[1]) < 1.0, (d, p)
    finally:
        ctx.close()


def test_a_weights_chain_rule_card_shows_on_its_step(server, tabs):
    page, frame = _open(tabs, server, link("backward", step=18 - 5))  # ∂C/∂w²₁₂: a hidden weight
    try:
        frame.locator("h3", has_text="The full chain rule for w²₁₂").first.wait_for()
    finally:
        tabs.close(page)


HIDDEN = ("0.3775", "0.5933", "0.593269992", "0.3925", "0.596884378", "1.106", "0.7514")


def _everything(page) -> str:
    """Every text the page holds: the page, the stage's DOM (its labels too), its plot's data and layout (hover
    text too)."""
    fr = _frame_obj(page)
    inner = fr.evaluate("() => document.documentElement.outerHTML + JSON.stringify("
                        "document.getElementById('plot').data || []) + JSON.stringify("
                        "document.getElementById('plot').layout || {})")
    return page.content() + inner


def test_the_quiz_hides_every_hidden_value_in_text_hover_and_mathml(server, tabs):
    page, frame = _open(tabs, server, link("forward"))
    try:
        assert "0.3775" in _everything(page)  # without the quiz the stage holds it
        page.get_by_text("Quiz: predict each value before it is shown").click()
        page.get_by_role("button", name="Reveal the value").wait_for()
        page.wait_for_timeout(1500)
        _frame(page).locator("body[data-step='0']").wait_for()
        text = _everything(page)
        assert not [v for v in HIDDEN if v in text]
        page.get_by_role("button", name="Reveal the value").click()  # z²₁ revealed, a²₁ not
        page.get_by_text("Revealed without a prediction.").wait_for()
        page.wait_for_timeout(1500)
        text = _everything(page)
        assert "0.3775" in text and not [v for v in HIDDEN[1:] if v in text]
        page.screenshot(path=str(ARTIFACTS / "stage_quiz.png"))
    finally:
        tabs.close(page)
