"""The graph view's label layout (app/graph/graph_frames.py), pure: at the smallest drawing the stage gives
a graph, every label drawn above its node (the stage's first choice) is clear of every other label and of
every circle, at every step of every preset's graph, forward and backward, and of the expression screen's
examples. The drawing's pixels are modelled here as app/components/stage/stage.js draws them."""

import pytest

from app.graph import graph_frames, graph_view
from core import load_preset
from core.engine.scenario import preset_names
from core.symbolic.graph import run
from core.symbolic.graph_build import expression_graph, network_graph

WIDTH = 760  # the narrowest drawing of a whole graph: 784 px at 1920×1080, 820 px at 1280×720
R, FONT = 12, 14  # stage.js: circle radius and label size of a graph; the label box's line is 1.3 em + 3 px


def _height(rows: int, narrow: bool) -> float:  # stage.js drawingHeight(): a graph is not capped when narrow
    return max(420, min(760, 110 * rows + 220))


def _boxes(st: dict, narrow: bool):
    """Each step's label boxes (above their nodes) and the circles' boxes, in pixels as stage.js draws them."""
    geo = st["geometry"]
    n, top = len(geo["layers"]), max(geo["layers"])
    H = _height(top, narrow)
    X = lambda x: 10 + (x + 0.55) / (n + 0.1) * (WIDTH - 20)  # noqa: E731
    Y = lambda y: 10 + ((top - 1) / 2 + 0.95 - y) / (top + 0.4) * (H - 50)  # noqa: E731
    circles = [(X(d["x"]) - R - 2, Y(d["y"]) - R - 2, X(d["x"]) + R + 2, Y(d["y"]) + R + 2) for d in geo["nodes"]]
    labels = dict(st["base"]["nodes"])
    for f in st["frames"]:
        labels.update(f["nodes"])
        out = []
        for q, t in labels.items():
            d = geo["nodes"][int(q)]
            w, h = graph_frames.text_width(t) + 8, (t.count("<br>") + 1) * (FONT * 1.3 + 3) + 4
            cx, cy = X(d["x"]), Y(d["y"])
            out.append((t, (cx - w / 2, cy - R - 3 - h, cx + w / 2, cy - R - 3)))
        yield out, circles


def _meet(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _check(st: dict, narrow: bool) -> None:
    for labels, circles in _boxes(st, narrow):
        for i, (t, a) in enumerate(labels):
            assert a[0] >= 0 and a[2] <= WIDTH and a[1] >= 0, f"{t!r} leaves the drawing: {a}"
            for u, b in labels[i + 1:]:
                assert not _meet(a, b), f"labels {t!r} and {u!r} overlap: {a} {b}"
            for c in circles:
                assert not _meet(a, c), f"label {t!r} covers a node: {a} {c}"


def _views(name: str):
    s = load_preset(name)
    p = run(*network_graph(s, 0))
    groups = [None] if graph_view.whole(sum(W.size for W in s.weights)) else graph_view.groups(p)
    return [graph_view.view(p, g) for g in groups]


@pytest.mark.parametrize("name,mode,narrow", [(name, mode, narrow) for name in preset_names()
                                              for mode in ("forward", "backward") for narrow in (True, False)])
def test_no_label_overlaps_on_every_preset_graph(name, mode, narrow):
    for v in _views(name):
        _check(graph_frames.stage(v, mode), narrow)


@pytest.mark.parametrize("expr,at", [("(x + y) * z", {"x": -2, "y": 5, "z": -4}),
                                     ("1/(1 + exp(-(w0*x0 + w1*x1 + w2)))",
                                      {"w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3}),
                                     ("x*x + y", {"x": 3, "y": 1})])
def test_no_label_overlaps_on_the_expression_screen(expr, at):
    st = graph_frames.stage(graph_view.view(run(expression_graph(expr), at)), "both", network=False)
    for narrow in (True, False):
        _check(st, narrow)


def test_the_classic_graph_is_staggered_and_spaced_by_its_labels():
    """Forward and backward on the classic 2-2-2 fit the 440 px drawing of a 1280×720 screen, with the weights'
    column (widest labels) further from the next than the difference's column is from the square's (short ones)."""
    (v,) = _views("classic_2-2-2")
    for mode in ("forward", "backward"):
        st = graph_frames.stage(v, mode)
        _check(st, narrow=True)
        x = {d["l"]: d["x"] for d in st["geometry"]["nodes"]}
        if mode == "backward":  # "w²₁₁: ∂ 0.000439" beside "b²₁: ∂ 0.00877"; "∂ 0.741" beside "∂ 0.5"
            assert x[1] - x[0] > 1.3 * (x[8] - x[7])
        rows = {(d["l"], round(d["y"] % 1, 2)) for d in st["geometry"]["nodes"]}
        assert {r for c, r in rows if c % 2} != {r for c, r in rows if c % 2 == 0}  # neighbours half a row apart


def test_label_widths_match_chromium():
    """The estimate against the widths Chromium measured for the stage's labels (14 px, getComputedTextLength;
    kerning is not modelled)."""
    for text, px in [("w²₁₁ = 0.15", 69.203), ("x₁ = 0.05", 55.828), ("w²₁₂ = 0.2", 61.422), ("b³₁ = 0.6", 53.484),
                     ("∂ 0.5", 30.281), ("C = ½·Σ: ∂ 1", 76.672), ("y₁ = 0.01", 55.828)]:
        assert graph_frames.text_width(text) == pytest.approx(px, abs=1.5), text  # GAP (2 px) covers the rest
