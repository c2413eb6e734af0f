"""The graph view (Forward and Backward screens) and the expression screen, in AppTest; the expression
screen's link, pure."""

import html
import re

import pytest

from app.graph import graph_ui, graph_url
from tests._stage import report, stage, stages, step_caption
from tests.conftest import assert_clean, assert_no_crash
from tests.test_app_url import _open


def _cards(at) -> str:
    """The cards of the stage's frame at its step, as text."""
    a = stage(at)
    return "\n".join(" ".join([c["h"], c["s"]] + [" ".join(html.unescape(re.sub("<[^>]+>", "", p)) for p in line)
                                                 for row in c["rows"] for line in row])
                     for c in a["data"]["frames"][a["step"]]["cards"])


def _text(at) -> str:
    """What the screen says at the stage's step: the page's text, then the frame's cards and description."""
    a = stage(at)
    page = [m.value for m in at.markdown] + [i.value for i in at.info] + [c.value for c in at.caption]
    return "\n".join(page + [_cards(at), a["data"]["frames"][a["step"]]["desc"]])


def test_forward_graph_view_of_the_classic_example(app):
    app.goto("forward")
    app.toggle(key="forward_graph_view").set_value(True).run()
    assert_clean(app)
    # 8 products, 4 sums, 4 sigmoids, then the cost's 2 differences, 2 squares, the sum and the ½: 22 nodes
    assert step_caption(app) == "Step 1 of 22" and stage(app)["data"]["view"] == "graph"
    assert "w²₁₁·x₁ = w²₁₁ × x₁ = 0.15 × 0.05 = 0.0075" in _text(app)
    report(app, "stage_forward_graph", 2)  # the browser stepped to step 3 and says so
    assert step_caption(app) == "Step 3 of 22"
    assert "z²₁ = w²₁₁·x₁ + w²₁₂·x₂ + b²₁ = 0.0075 + 0.02 + 0.35 = 0.3775" in _text(app)  # 0.15·0.05+0.2·0.1+0.35
    assert app.query_params["v"] in (["g"], "g") and app.query_params["step"] in (["3"], "3")
    assert not app.get("plotly_chart")  # the stage draws it
    app.toggle(key="forward_graph_view").set_value(False).run()  # back to the neuron view, unchanged
    assert_clean(app)
    assert stage(app)["step"] == 0 and stage(app)["data"]["count"] == 5  # the stage, at its own first step


def test_onward_from_the_forward_graph_goes_to_the_backward_graph(app):
    app.goto("forward")
    app.toggle(key="forward_graph_view").set_value(True).run()
    report(app, "stage_forward_graph", 21, why="onward")
    assert_clean(app)
    assert stage(app)["data"]["screen"] == "backward" and step_caption(app) == "Step 1 of 22"


@pytest.mark.parametrize("step,words", [
    (1, ["C = ½·Σ is the output: its gradient is 1.", "Σ: upstream × local = 1 × 0.5 = 0.5"]),
    # δ³₁ = (a³₁ − y₁)·a³₁(1 − a³₁) = 0.138498562 in the published worked example
    (12, ["z³₁ has received its gradient", "is δ³₁ = ∂C/∂z³₁", "0.138499"]),
    # the product w³₁₁·a²₁ passes 0.138499 × 0.593270 = 0.082167 to w³₁₁: ∂C/∂w³₁₁ = 0.082167041 (published)
    (14, ["multiply gate", "to w³₁₁: upstream × local = 0.138499 × 0.59327 = 0.082167", "is ∂C/∂w³₁₁"]),
])
def test_backward_graph_view_links_delta_and_dC_dw(step, words):
    at = _open({"p": "backward", "v": "g", "step": str(step)})
    assert_clean(at)
    assert step_caption(at) == f"Step {step} of 22"
    text = _text(at)
    for w in words:
        assert w in text, (w, text)


def test_a_large_network_shows_one_neuron_at_a_time(app):
    app.selectbox(key="preset_select").set_value("article003_3-4-2").run()  # 20 weights > 12
    app.goto("forward")
    app.toggle(key="forward_graph_view").set_value(True).run()
    assert_clean(app)
    pick = app.selectbox(key="forward_graph_group")
    assert pick.value == (2, 0) and len(pick.options) == 4 + 2 + 1
    assert step_caption(app) == "Step 1 of 5"  # three products, the sum, the activation
    pick.set_value((3, 1)).run()
    assert_clean(app)
    assert step_caption(app) == "Step 1 of 6"  # four products, the sum, the activation
    app.goto("backward")
    assert_clean(app)
    assert app.selectbox(key="backward_graph_group").value == (3, 1)
    d = stage(app)["data"]
    assert d["picks"] and all(len(g) == 2 and g[0] == 2 for g in d["picks"].values())  # the a²ₖ drawn with a ring
    ringed = [n for n in d["geometry"]["nodes"] if n["ring"]]
    assert {f"{n['l']},{n['j']}" for n in ringed if "click to open it" in n["name"]} == set(d["picks"])
    group = next(iter(d["picks"].values()))
    report(app, "stage_backward_graph_3_1", 2, why="pick", pick=group)  # a click on a ringed input
    assert_clean(app)
    assert app.selectbox(key="backward_graph_group").value == tuple(group)
    assert step_caption(app) == "Step 1 of 5" and stage(app)["data"]["count"] == 5
    report(app, "stage_backward_graph_" + "_".join(map(str, group)), 0, why="pick", pick=[9, 9])  # tampered
    assert_clean(app)
    assert app.selectbox(key="backward_graph_group").value == tuple(group)


def test_expression_screen_steps_forward_then_backward(app):
    app.goto("graph")
    assert_clean(app)
    assert app.text_input(key="graph_expr_input").value == "(x + y) * z"
    assert step_caption(app) == "Step 1 of 4"  # two nodes forward, two back
    assert "x + y = (-2) + 5 = 3" in _text(app)
    app.text_input(key="graph_expr_input").set_value("x*x + y").run()
    app.text_input(key="graph_values_input").set_value("x = 3, y = 1").run()
    assert_clean(app)
    assert "x × x = 3 × 3 = 9" in _text(app)
    report(app, graph_ui.stage_key("x*x + y", (("x", 3.0), ("y", 1.0))), 3)  # the browser is at step 4
    text = _text(app)
    assert "∂/∂x = 6" in text and "∂/∂y = 1" in text  # d(x² + y)/dx = 2x = 6
    assert "multiply gate" in text and "to x: upstream × local = 1 × 3 = 3" in text
    params = dict(app.query_params)
    one = lambda v: v[-1] if isinstance(v, list) else v  # noqa: E731
    assert one(params["p"]) == "graph" and one(params["e"]) == "x*x + y" and one(params["at"]) == "x:3,y:1"
    assert one(params["gs"]) == "4"
    other = _open({k: one(v) for k, v in params.items()})  # the link reopens the same expression, values and step
    assert_clean(other)
    assert step_caption(other) == "Step 4 of 4"
    assert _cards(other).count("to x: upstream × local = 1 × 3 = 3") == 2  # x twice: 3 + 3 = 6


def _all(at) -> str:
    """Every text of the screen: the page's, and the stage's frame at its step if there is a stage."""
    page = [m.value for m in at.markdown] + [i.value for i in at.info] + [c.value for c in at.caption]
    return "\n".join(page) + (_text(at) if stages(at) else "")


def test_the_gradient_line_waits_for_the_backward_pass_to_reach_it():
    """x·x + y: backward step 1 passes the add node's gradient, so ∂/∂y = 1 is known but not yet ∂/∂x
    (the multiply node has not passed it back); step 2 completes ∂/∂x = 2x = 6."""
    at = _open({"p": "graph", "e": "x*x + y", "at": "x:3,y:1", "gs": "3"})
    assert_clean(at)
    text = _all(at)
    assert "∂/∂x = 6" not in text, "the final gradient shows before the backward pass reaches x"
    assert step_caption(at) == "Step 3 of 4"
    assert "∂/∂y = 1" in text and "∂/∂x = 6" not in text and "not yet: ∂/∂x" in text
    at = _open({"p": "graph", "e": "x*x + y", "at": "x:3,y:1", "gs": "4"})
    text = _all(at)
    assert "∂/∂x = 6" in text and "not yet" not in text
    at = _open({"p": "graph", "e": "x*x + y", "at": "x:3,y:1", "gs": "1"})
    assert "∂/∂" not in _all(at).replace("∂/∂node", "")  # forward: no gradient anywhere yet


@pytest.mark.parametrize("expr,values,words", [
    ("x.y", "x = 1", "'.'"), ("__import__('os')", "", "not allowed"), ("x +", "x = 1", "unexpected end"),
    ("x * 2", "x = abc", "not a number"), ("x * 2", "q = 1", "no variable 'q'"), ("log(x)", "x = -1", "log"),
])
def test_expression_screen_refusals_are_messages(app, expr, values, words):
    app.goto("graph")
    app.text_input(key="graph_expr_input").set_value(expr).run()
    app.text_input(key="graph_values_input").set_value(values).run()
    assert_no_crash(app)
    assert any(words in e.value for e in app.error), [e.value for e in app.error]


def test_a_new_expression_keeps_the_values_it_can(app):
    app.goto("graph")
    app.text_input(key="graph_expr_input").set_value("x * w").run()
    assert_clean(app)
    assert app.text_input(key="graph_values_input").value == "x = -2, w = 1"  # x kept, the new w starts at 1
    assert "x × w = (-2) × 1 = -2" in _text(app)


def test_a_tampered_expression_link_opens_the_default_with_a_notice():
    at = _open({"p": "graph", "e": "__import__('os').system('x')", "at": "x:1"})
    assert_no_crash(at)
    assert any("This link's expression could not be opened" in w.value for w in at.warning)
    assert at.text_input(key="graph_expr_input").value == "(x + y) * z"


def test_expression_link_round_trip_and_refusals():
    q = graph_url.encode("1/(1 + exp(-(w*x)))", {"w": 2.0, "x": -0.1}, 5)
    assert q == {"e": "1/(1 + exp(-(w*x)))", "at": "w:2,x:-0.10000000000000001", "gs": "6"}
    assert graph_url.decode(q) == ("1/(1 + exp(-(w*x)))", {"w": 2.0, "x": -0.1}, 5, None)
    assert graph_url.decode({}) == (graph_url.DEFAULT[0], graph_url.DEFAULT[1], 0, None)
    for bad in ({"e": "x" * 300}, {"e": "x + y", "at": "x:1"}, {"e": "x", "at": "x:inf"}, {"e": "x", "at": "y:1"},
                {"e": "x", "at": "x:" + "1" * 40}, {"e": "exp(", "at": ""}, {"e": ["x.y"], "at": ["x:1"]},
                {"e": "x", "at": "x=1"}):
        expr, values, step, problem = graph_url.decode(bad)
        assert (expr, values, step) == (graph_url.DEFAULT[0], graph_url.DEFAULT[1], 0)
        assert problem.startswith("This link's expression could not be opened (") and "\n" not in problem
    assert graph_url.decode({"e": "x", "at": "x:1", "gs": "²"})[2] == 0  # a bad step starts at the first


# ---- the stage's data of a graph (app/graph/graph_frames.py), pure: every number is the graph's ----

def _replay(d) -> list[list[str]]:
    """Every node's label at every step: the base, then each frame's changes (as the stage does)."""
    labels, out = [""] * len(d["geometry"]["nodes"]), []
    for i, v in d["base"]["nodes"].items():
        labels[int(i)] = v
    for f in d["frames"]:
        for i, v in f["nodes"].items():
            labels[int(i)] = v
        out.append(list(labels))
    return out


def _close(text: str, x: float) -> bool:
    """A number written to 3 significant figures is x's."""
    return abs(float(text) - x) <= 5e-3 * abs(x) + 1e-12


def _passes():
    from app.graph import graph_view
    from core import load_preset
    from core.symbolic.graph import run
    from core.symbolic.graph_build import expression_graph, network_graph

    g, v = network_graph(load_preset("classic_2-2-2"), 0)
    classic = run(g, v)
    g, v = network_graph(load_preset("article003_3-4-2"), 0)
    big = run(g, v)
    sig = run(expression_graph("1/(1 + exp(-(w0*x0 + w1*x1 + w2)))"),
              {"w0": 2.0, "x0": -1.0, "w1": -3.0, "x1": -2.0, "w2": -3.0})
    return [(graph_view.view(classic), m) for m in ("forward", "backward")] + [
        (graph_view.view(big, grp), "backward") for grp in ((3, 0), ("cost",))] + [(graph_view.view(sig), "both")]


@pytest.mark.parametrize("case", range(5))
def test_graph_frames_show_the_graphs_own_values_and_gradients(case):
    from app.graph.graph_frames import stage as graph_stage

    vw, mode = _passes()[case]
    p, d = vw.p, graph_stage(vw, mode, network=mode != "both")
    F = len(vw.steps)
    assert d["count"] == len(d["frames"]) == (2 * F if mode == "both" else F)
    nodes = d["geometry"]["nodes"]
    at = {(n["l"], n["j"]): q for q, n in enumerate(nodes)}  # column, then rank from the top
    rank = {v: sorted((w for w in vw.shown if vw.pos[w][0] == vw.pos[v][0]), key=lambda w: -vw.pos[w][1]).index(v)
            for v in vw.shown}
    q_of = {v: at[(vw.pos[v][0], rank[v])] for v in vw.shown}
    assert len(set(q_of.values())) == len(vw.shown) == len(nodes)  # one stage node per graph node
    for v in vw.shown:  # drawn where the layout puts it: columns left to right, rows top to bottom
        for w in vw.shown:
            if vw.pos[v][0] < vw.pos[w][0]:
                assert nodes[q_of[v]]["x"] < nodes[q_of[w]]["x"]
            elif vw.pos[v][0] == vw.pos[w][0] and vw.pos[v][1] > vw.pos[w][1]:
                assert nodes[q_of[v]]["y"] > nodes[q_of[w]]["y"]
    order = list(vw.steps) if mode == "forward" else list(vw.steps[::-1]) if mode == "backward" else \
        list(vw.steps) + list(vw.steps[::-1])
    edges = d["geometry"]["edges"]
    for i, (f, labels) in enumerate(zip(d["frames"], _replay(d))):
        v = order[i]
        back = mode == "backward" or i >= F
        assert f["active_nodes"] == [q_of[v]]
        ins = [e for e in f["active_edges"]]
        assert sorted(edges[e]["src"] for e in ins) == sorted(q_of[u] for u in p.graph.nodes[v].inputs)
        assert all(edges[e]["dst"] == q_of[v] for e in ins)
        # the motion: forward, each input's value into the node; backward, upstream × local back to each input
        for e, direction, text in f["flow"]:
            u = p.graph.nodes[v].inputs[edges[e]["k"]]
            assert edges[e]["src"] == q_of[u] and direction == (-1 if back else 1)
            want = p.grads[v] * p.local[v][edges[e]["k"]] if back else p.values[u]
            assert _close(text, want) and f["edges"][str(e)][0] == want
        assert len(f["flow"]) == len(p.graph.nodes[v].inputs)
        # every number beside a node is its value, then (∂) its gradient
        for w in vw.shown:
            lab = labels[q_of[w]]
            if not lab or p.graph.nodes[w].op == "const":
                continue
            for line in lab.split("<br>"):
                number = line.split("∂ ")[-1] if "∂" in line else line.split("= ")[-1]
                assert _close(number, p.grads[w] if "∂" in line else p.values[w]), (line, w)


def test_graph_frames_gradients_are_the_traces_delta_and_dC_dw():
    """The backward graph's last labels: every sum node's gradient is the trace's δ, every weight's ∂C/∂w."""
    from app.graph import graph_view
    from app.graph.graph_frames import stage as graph_stage
    from core import load_preset, trace
    from core.symbolic.graph import run
    from core.symbolic.graph_build import network_graph

    s = load_preset("classic_2-2-2")
    t = trace(s)
    g, v = network_graph(s, 0)
    vw = graph_view.view(run(g, v))
    d = graph_stage(vw, "backward")
    last = _replay(d)[-1]
    by_name = {n["name"].split(" (")[0]: last[q] for q, n in enumerate(d["geometry"]["nodes"])}
    for l in (2, 3):
        for j in range(2):
            assert _close(by_name[f"z{'²³'[l - 2]}{'₁₂'[j]}"].split("∂ ")[1], float(t.delta(l, 0)[j]))
            for k in range(2):
                w = by_name[f"w{'²³'[l - 2]}{'₁₂'[j]}{'₁₂'[k]}"]
                assert _close(w.split("∂ ")[1], float(t.dC_dW_examples[l - 2][0][j, k])), w


def test_graph_frames_jump_to_a_nodes_step_and_refuse_a_mode():
    from app.graph import graph_frames

    vw, _ = _passes()[4]
    d = graph_frames.stage(vw, "both", network=False)
    F = len(vw.steps)
    for q, n in enumerate(d["geometry"]["nodes"]):
        key = f"{n['l']},{n['j']}"
        if n["sym"]:  # an operation: its forward step makes it the active node
            assert d["frames"][d["jumps"][key]]["active_nodes"] == [q]
        elif n["name"].split(" (")[1].startswith("input"):  # a variable: the step that completes its gradient
            i = d["jumps"][key]
            assert i >= F and "∂" in _replay(d)[i][q] and "∂" not in _replay(d)[i - 1][q]
    with pytest.raises(ValueError):
        graph_frames.stage(vw, "sideways")
