"""The graph view's stage data: a ``core.symbolic.graph`` pass as the stage (app/components/stage) plays it.
Pure functions (no Streamlit, no Plotly); every number is the pass's own value or gradient.

Same format as ``app.walkthrough.frames.stage``: the geometry once (each drawn node a stage node at its
column and row, with its operation's symbol inside, each input an edge into its user), then one frame
per step with only what it changes. ``mode`` "forward": one frame per operation node, inputs first,
its inputs' values travelling along its edges into it; "backward": one per operation node from the
output back, upstream × local travelling back along each input edge; "both" (the expression screen):
forward then backward in one stage.
"""

from __future__ import annotations

import html

from app.graph import graph_view
from app.graph.graph_view import View, fmt
from core.symbolic.graph import LEAVES, OPS
from core.symbolic.notation import short_number

MODES = ("forward", "backward", "both")
FEW_EDGES = 12  # up to this many edges, edges carry their numbers (else they travel along them, then hover)

# How the stage (app/components/stage/stage.js) draws a graph, in pixels: labels in 14 px text, each one
# first above its node (then below, right, left: the first free place); circles of radius 12; plot margins
# 10 px (40 px below); x from -0.55 to columns - 0.45, y from -(rows - 1)/2 - 0.45 to (rows - 1)/2 + 0.95.
# ``spread`` places the columns and rows so that the first place is free for every label at the smallest
# drawing the stage gives a whole graph (WIDTH px wide; 420 to 760 px tall); a wider one only adds room.
# The vertical room is not chosen here: the stage gives a graph 110 px a row (420 to 760 px), on a narrow screen too.
WIDTH, FONT, R = 760, 14, 12
GAP = 2  # pixels kept free between two boxes
EM = {**dict.fromkeys("0123456789abdeghnopqu#_", 0.556), **dict.fromkeys(" .:·fIt", 0.278),
      **dict.fromkeys("-r()²³¹", 0.333), **dict.fromkeys("cksvxyzJ", 0.5), **dict.fromkeys("ijl", 0.222),
      **dict.fromkeys("−+=×", 0.584), **dict.fromkeys("⁰⁴⁵⁶⁷⁸⁹₀₁₂₃₄₅₆₇₈₉", 0.401),
      **dict.fromkeys("mM½", 0.834), "w": 0.722, "∂": 0.494, "Σ": 0.618, "σ": 0.617, "^": 0.469, "W": 0.944,
      "÷": 0.549, "√": 0.549}  # the widths (in em) of the sans-serif the stage's labels are drawn in


def text_width(text: str) -> float:
    """A label's estimated width in pixels at the stage's font (its widest line); unknown characters 0.65 em."""
    return max(sum(EM.get(ch, 0.65) for ch in line) for line in text.split("<br>")) * FONT


def spread(geo: dict, texts: dict[int, list[str]]) -> None:
    """Set each node's x and y (in place) so that every label, above its node, is clear of the other labels
    and of the circles: the gap between two columns grows with their widest labels; when neighbouring
    columns' labels would still meet, every other column moves up by half a row (its labels then sit
    between the others' rows). ``texts``: every label each stage node ever shows."""
    nodes, n = geo["nodes"], len(geo["layers"])
    if n < 2:
        return
    wide = [0.0] * n
    for q, ts in texts.items():
        for t in ts:
            wide[nodes[q]["l"]] = max(wide[nodes[q]["l"]], text_width(t) + 8)
    ring = R + 2 + GAP  # half a column of a circle, as the stage keeps it free

    def need(stagger: bool) -> list[float]:
        """The least pixel gap between each column and the next."""
        out = []
        for c in range(n - 1):
            a, b = wide[c], wide[c + 1]
            g = max(a, b) / 2 + ring  # a label clear of the next column's circles
            if not stagger:
                g = max(g, (a + b) / 2 + GAP)  # and of its labels, at the same height
            out.append(g)
        if stagger:  # every other column's labels at the same height
            for c in range(n - 2):
                short = (wide[c] + wide[c + 2]) / 2 + GAP - out[c] - out[c + 1]
                if short > 0:
                    out[c] += short / 2
                    out[c + 1] += short / 2
        return out

    room = WIDTH - 20
    ends = wide[0] / 2 + GAP, wide[-1] / 2 + GAP  # the first and last labels inside the drawing
    gaps = need(False)
    stagger = sum(gaps) + sum(ends) > room
    if stagger:
        gaps = need(True)
    left = max(0.0, ends[0] - 10)
    extra = room - left - sum(gaps) - max(0.0, ends[1] - 10)
    if extra > 0:  # the room left over: shared in proportion to the gaps
        gaps = [g * (1 + extra / sum(gaps)) for g in gaps]
    else:  # too little room: every gap shrinks alike (the labels may meet)
        gaps = [g * (room - left - max(0.0, ends[1] - 10)) / sum(gaps) for g in gaps]
    at = [left]
    for g in gaps:
        at.append(at[-1] + g)
    for node in nodes:
        c = node["l"]
        node["x"] = at[c] / room * (n + 0.1) - 0.55
        if stagger:  # rows at quarter and three-quarter heights in turn (a column of even size sits between rows)
            shift = (0.25 + 0.5 * c - node["y"]) % 1
            node["y"] += shift - 1 if shift > 0.5 else shift


def num(v: float) -> str:
    """A number on the drawing: three significant figures, as the stage's compact labels."""
    return short_number(v, 3)


def symbol(op: str, param) -> str:
    """What the circle of an operation node shows."""
    if op == "pow" and param == 2:
        return "x²"
    if op == "scale":
        return "×" + short_number(param, 3)
    return "" if op in LEAVES else OPS[op].symbol


def _named(p, v: int) -> bool:
    n = p.graph.nodes[v]
    return n.op == "input" or n.role in ("z", "a", "cost")


def value_label(p, v: int) -> str:
    """A node's label once its value is known: its name and value (an unnamed operation: the value)."""
    n = p.graph.nodes[v]
    if n.op == "const":
        return n.label
    return f"{n.label} = {num(p.values[v])}" if _named(p, v) else num(p.values[v])


def grad_label(p, v: int, with_value: bool) -> str:
    """A node's label once its gradient is known (after its value's line when ``with_value``)."""
    n = p.graph.nodes[v]
    if n.op == "const":
        return n.label
    g = f"∂ {num(p.grads[v])}"
    if with_value:
        return value_label(p, v) + "<br>" + g
    return f"{n.label}: {g}" if _named(p, v) else g


def _pieces(line: str) -> list[str]:
    """One line of a card, cut at its " = " signs so that it wraps between them (escaped HTML)."""
    parts = line.split(" = ")
    return [f"<span>{html.escape(t)}</span>" for t in [parts[0]] + ["= " + q for q in parts[1:]]]


def card(heading: str, sentence: str, lines: list[str]) -> dict:
    return {"h": heading, "s": sentence, "rows": [[_pieces(line) for line in lines]] if lines else []}


def geometry(vw: View, with_values: bool) -> tuple[dict, dict[int, int], list[tuple[int, int, int]]]:
    """The stage geometry; the stage index of each drawn node; the edges as (input, user, k)."""
    p, nodes = vw.p, vw.p.graph.nodes
    columns: dict[int, list[int]] = {}
    for v in vw.shown:
        columns.setdefault(vw.pos[v][0], []).append(v)
    ncols = 1 + max(columns, default=0)
    for vs in columns.values():
        vs.sort(key=lambda v: -vw.pos[v][1])  # top to bottom
    order = [v for c in range(ncols) for v in columns.get(c, [])]
    q = {v: i for i, v in enumerate(order)}
    out = []
    for v in order:
        c, y = vw.pos[v]
        n = nodes[v]
        what = "input" if n.op == "input" else "constant" if n.op == "const" else n.op
        name = f"{graph_view.name(p, v)} ({what})"
        if with_values:
            name += f" = {fmt(p.values[v])}"
        if v in vw.boundary:
            name += ", from another neuron's graph" + (": click to open it" if n.group and n.group[0] > 1 else "")
        out.append({"l": c, "j": columns[c].index(v),
                    "x": float(c), "y": float(y), "name": name, "sym": symbol(n.op, n.param),
                    "ring": v in vw.boundary})
    edges = [(u, v, k) for v in order if v not in vw.boundary for k, u in enumerate(nodes[v].inputs) if u in q]
    few = len(edges) <= FEW_EDGES
    geo_edges = [{"l": out[q[v]]["l"], "j": out[q[v]]["j"], "k": k, "src": q[u], "dst": q[v],
                  "name": f"{graph_view.name(p, u)} → {graph_view.name(p, v)}", "few": few, "at": 0.5}
                 for u, v, k in edges]
    layers = [len(columns.get(c, [])) for c in range(ncols)]
    return ({"layers": layers, "nodes": out, "edges": geo_edges, "layer_names": [""] * ncols, "small": True,
             "graph": True},
            q, edges)


def shown_texts(base: dict, frames: list[dict]) -> dict[int, list[str]]:
    """Every label each stage node shows at some step: the base's, then each frame's."""
    out: dict[int, list[str]] = {}
    for d in [base] + [f["nodes"] for f in frames]:
        for q, t in d.items():
            out.setdefault(int(q), [])
            if t not in out[int(q)]:
                out[int(q)].append(t)
    return out


def _frame() -> dict:
    return {"nodes": {}, "edges": {}, "active_nodes": [], "active_edges": [], "flow": [], "cards": [], "desc": ""}


def _so_far(p, known: set[int]) -> str:
    """The expression's result as far as the backward pass has got: the value, and each variable's
    gradient once complete (every node it feeds has passed its gradient back)."""
    done, waiting = [], []
    for n in p.graph.nodes:
        if n.op == "input":
            (done.append(f"∂/∂{n.name} = {fmt(p.grads[n.id])}") if n.id in known else waiting.append(n.name))
    text = f"value {fmt(p.value)}" + (" · gradient " + ", ".join(done) if done else "")
    return text + (f" · not yet: ∂/∂{', ∂/∂'.join(waiting)}" if waiting else "")


def stage(vw: View, mode: str, network: bool = True) -> dict:
    """Everything the graph view shows at each of its steps, as ``app.walkthrough.frames.stage``."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    p, nodes = vw.p, vw.p.graph.nodes
    geo, q, edges = geometry(vw, with_values=mode == "backward")
    into: dict[int, dict[int, int]] = {v: {} for v in vw.steps}  # operation node -> {input position k: edge}
    for e, (_, v, k) in enumerate(edges):
        into[v][k] = e
    name = lambda v: graph_view.name(p, v)  # noqa: E731
    few = len(edges) <= FEW_EDGES  # else the number travels along the edge, then shows on hover
    F, frames, jumps = len(vw.steps), [], {}
    base = {str(q[v]): value_label(p, v) for v in vw.shown if v not in vw.steps}
    key = lambda v: f"{geo['nodes'][q[v]]['l']},{geo['nodes'][q[v]]['j']}"  # noqa: E731
    if mode != "backward":
        for i, v in enumerate(vw.steps):
            f = _frame()
            f["active_nodes"], f["active_edges"] = [q[v]], list(into[v].values())
            for k, e in into[v].items():
                u = nodes[v].inputs[k]
                f["flow"].append([e, 1, num(p.values[u])])
                f["edges"][str(e)] = [p.values[u], num(p.values[u]) if few else "",
                                      f"{name(u)} = {fmt(p.values[u])} into {name(v)}"]
            f["nodes"][str(q[v])] = value_label(p, v)
            text = graph_view.forward_text(p, v)
            f["cards"] = [card(f"Forward pass · step {i + 1} of {F}", "Its value from its inputs' values:", [text])]
            f["desc"] = f"Forward step {i + 1} of {F}: {text}."
            frames.append(f)
            jumps[key(v)] = i
        for _, v, k in edges:
            jumps[f"{key(v)},{k}"] = vw.steps.index(v)
    if mode != "forward":
        known: set[int] = set()
        a0 = 0 if mode == "backward" else F
        for i, v in enumerate(vw.steps[::-1]):
            f = _frame()
            now = graph_view.state(vw, "backward", i)[2]
            for w in sorted(now - known):
                f["nodes"][str(q[w])] = grad_label(p, w, with_value=mode == "both")
                if w not in vw.steps:  # a leaf: the step that completes its gradient
                    jumps.setdefault(key(w), a0 + i)
            known = now
            f["active_nodes"], f["active_edges"] = [q[v]], list(into[v].values())
            for k, (u, up, local, down) in enumerate(p.downstream(v)):
                e = into[v][k]
                f["flow"].append([e, -1, num(down)])
                f["edges"][str(e)] = [down, num(down) if few else "",
                                      f"{name(v)} passes {fmt(up)} × {fmt(local)} = {fmt(down)} back to {name(u)}"]
                jumps[f"{key(v)},{k}"] = a0 + i
            lines = graph_view.backward_lines(p, v)
            f["cards"] = [card(f"Backward pass · step {i + 1} of {F}", lines[0], lines[1:])]
            link = graph_view.link_text(p, v) if network else None
            if link:
                f["cards"].append(card("", link, []))
            if mode == "both":
                f["cards"].append(card("So far", _so_far(p, known), []))
            f["desc"] = f"Backward step {i + 1} of {F}: " + " ".join(lines)
            frames.append(f)
            if mode == "backward":
                jumps[key(v)] = i
    if mode == "forward":  # a leaf: the step of its first user
        for v in vw.shown:
            if v not in vw.steps and v not in vw.boundary:
                users = [i for i, w in enumerate(vw.steps) if v in nodes[w].inputs]
                if users:
                    jumps[key(v)] = users[0]
    picks = {key(v): list(nodes[v].group) for v in vw.boundary if nodes[v].group and nodes[v].group[0] > 1}
    spread(geo, shown_texts(base, frames))
    value_name = {"forward": "value", "backward": "gradient", "both": "value, then gradient"}[mode]
    return {"screen": mode, "view": "graph", "count": len(frames), "geometry": geo,
            "base": {"nodes": base, "edges": {}, "value_name": value_name}, "frames": frames, "jumps": jumps,
            "picks": picks}
