"""The graph view's drawing: a function returning a plotly Figure (no Streamlit here).

Columns left to right as ``app.graph.graph_view.layout`` places them; each node a circle with its operation
inside, its name above and its value (forward) or value and gradient (backward) below. The figure's
size follows the number of columns and rows, so no two labels meet (checked in Chromium).
"""

from __future__ import annotations

import plotly.graph_objects as go

from app.graph.graph_view import View, numbered
from app.walkthrough.figures import ACTIVE, DONE, MUTED, NEGATIVE, POSITIVE
from core.symbolic.graph import OPS
from core.symbolic.notation import short_number as fmt

COL_PX, ROW_PX = 92, 84  # one column and one row of the drawing, in pixels: room for the widest label
MARGIN = 24
INSIDE = {"const": "", "input": ""}  # leaves: no symbol inside, the name is above


def _symbol(op: str, param) -> str:
    if op == "pow" and param == 2:
        return "x²"
    if op == "scale":
        return "×" + fmt(param, 3)
    return INSIDE.get(op, OPS[op].symbol if op in OPS else op)


def graph_figure(vw: View, phase: str, active: int | None, valued: set[int], graded: set[int],
                 revision: int = 0) -> go.Figure:
    """The graph at one step: ``valued`` nodes show their value, ``graded`` ones their gradient too;
    ``active`` is the step's node (its edges drawn in orange)."""
    p, pos = vw.p, vw.pos
    nodes = p.graph.nodes
    edges = {"muted": ([], []), "active": ([], [])}
    for v in vw.shown:
        if v in vw.boundary:
            continue
        for u in nodes[v].inputs:
            if u in pos:
                kind = "active" if v == active else "muted"
                xs, ys = edges[kind]
                xs += [pos[u][0] + 0.16, pos[v][0] - 0.16, None]
                ys += [pos[u][1], pos[v][1], None]
    traces = [dict(type="scatter", x=xs, y=ys, mode="lines", hoverinfo="skip", showlegend=False,
                   line=dict(color=ACTIVE if kind == "active" else "rgba(140,140,140,0.7)",
                             width=3 if kind == "active" else 1.5))
              for kind, (xs, ys) in edges.items() if xs]
    xs, ys, inside, above, below, colours, hover, lines = [], [], [], [], [], [], [], []
    for v in vw.shown:
        n = nodes[v]
        x, y = pos[v]
        xs.append(x)
        ys.append(y)
        inside.append(_symbol(n.op, n.param))
        named = n.op in ("input", "const") or n.role in ("z", "a", "cost")
        above.append("" if n.op == "const" else n.label if named else f"#{v}" if numbered(p, v) else "")
        parts = []
        if v in valued:
            parts.append(fmt(p.values[v]))
        if v in graded:
            parts.append("∂ " + fmt(p.grads[v]))
        below.append("<br>".join(parts))
        if v == active:
            colours.append(ACTIVE)
        elif v in graded:
            colours.append(POSITIVE if p.grads[v] >= 0 else NEGATIVE)
        elif v in valued and phase == "forward":
            colours.append(DONE)
        else:
            colours.append(MUTED)
        lines.append("#222" if v in vw.boundary else "rgba(0,0,0,0)")
        hover.append(f"{n.label} ({n.op}) = {fmt(p.values[v], 6)}"
                     + (f"<br>gradient ∂/∂ = {fmt(p.grads[v], 6)}" if v in graded else "")
                     + ("<br>from outside this graph: click to open its graph" if v in vw.boundary else ""))
    traces.append(dict(type="scatter", x=xs, y=ys, mode="markers+text", text=inside, textposition="middle center",
                       textfont=dict(size=12, color="white"), customdata=[[v] for v in vw.shown],
                       hovertext=hover, hoverinfo="text", showlegend=False, name="nodes",
                       marker=dict(size=30, color=colours, line=dict(color=lines, width=2))))
    for text, where in ((above, "top center"), (below, "bottom center")):
        traces.append(dict(type="scatter", x=xs, y=ys, mode="text+markers", text=text, textposition=where,
                           textfont=dict(size=12), hoverinfo="skip", showlegend=False,
                           marker=dict(size=30, color="rgba(0,0,0,0)"),  # the offset from the node's circle
                           name="names" if where == "top center" else "numbers", cliponaxis=False))
    ncols = 1 + max((c for c, _ in pos.values()), default=0)
    half = max((abs(r) for _, r in pos.values()), default=0)
    rows = 2 * half + 1
    layout = dict(
        width=int(ncols * COL_PX + 2 * MARGIN), height=int(rows * ROW_PX + 2 * MARGIN + 40),
        margin=dict(l=MARGIN, r=MARGIN, t=MARGIN, b=MARGIN + 20),
        paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)", showlegend=False,
        xaxis=dict(range=[-0.5, ncols - 0.5], visible=False, fixedrange=True),
        yaxis=dict(range=[-half - 0.75, half + 0.5], visible=False, fixedrange=True),
        dragmode=False, hovermode="closest", meta=revision,
    )
    return go.Figure(dict(data=traces, layout=layout), _validate=False)
