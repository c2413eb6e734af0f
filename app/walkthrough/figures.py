"""The network drawing: plain functions returning a plotly Figure (no Streamlit here).

Layer l is drawn at x = l − 1, its neurons top to bottom. Edges of one kind are drawn as ONE
trace each (bucketed by colour and width, segments separated by None), weight labels as one
text trace, so a rerun stays cheap. Colours are Okabe–Ito (colour-blind safe): blue for
positive, vermillion for negative, orange for the active step; backgrounds are transparent so
the light and the dark theme both read.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from core.engine.health import EXPLAIN
from core.symbolic.notation import compact, positions, weight_name
from core.teaching.svg import NEGATIVE, POSITIVE  # Okabe–Ito blue (> 0) and vermillion (< 0), as in the printed drawing

ACTIVE = "#E69F00"  # Okabe–Ito orange
DONE = "#56B4E9"  # Okabe–Ito sky blue: a neuron whose values are computed
MUTED = "rgba(140,140,140,0.45)"  # not reached yet
MARK = "#CC79A7"  # Okabe–Ito reddish purple: a saturated or dead neuron (a state, not an error)
WIDTHS = (1.5, 3.0, 5.0, 7.5)  # edge widths by |value| quartile of the largest
LABEL_AT = (0.3, 0.65)  # where along an edge the label sits: near the end of the wider layer, where edges fan out
LABEL_MAX_EDGES = 16  # between two layers with more edges than this (wider than 4-4), values show on hover


def network_figure(
    layers: Sequence[int],
    edge_values: Sequence[np.ndarray] | None = None,
    *,
    edge_shown: Sequence[np.ndarray] | None = None,
    edge_labels: Sequence[np.ndarray] | None = None,
    edge_hover: Sequence[np.ndarray] | None = None,
    node_labels: Sequence[Sequence[str]] | None = None,
    node_done: Sequence[Sequence[bool]] | None = None,
    active_nodes: Sequence[tuple[int, int]] = (),
    active_edges: Sequence[tuple[int, int, int]] = (),
    value_name: str = "weight",
    picked_edge: tuple[int, int, int] | None = None,
    node_marks: Sequence[Sequence[str]] | None = None,
    revision: int = 0,
    height: int | None = None,
) -> go.Figure:
    """Draw the network.

    Per-layer sequences are indexed by layer − 2 for edges (shape (n_l, n_{l−1}), entry [j, k] is
    w^l_{jk}) and by layer − 1 for nodes. ``edge_values`` colours (sign) and sizes (|value|) the
    edges that ``edge_shown`` marks (all when None); the others are thin grey. ``value_name``
    names the coloured quantity in the legend. ``node_marks`` (by layer − 2, from
    ``core.engine.health.neuron_health``) rings saturated and dead neurons, with a one-line explanation.
    """
    L = len(layers)
    pos = positions(layers)
    small = compact(layers)
    fig_traces: list[dict] = []

    # bucket edges: (colour, width) -> xs, ys
    buckets: dict[tuple[str, float], tuple[list, list]] = {}
    muted: tuple[list, list] = ([], [])
    vmax = 0.0
    if edge_values is not None:
        for i, V in enumerate(edge_values):
            shown = np.ones(V.shape, bool) if edge_shown is None else np.asarray(edge_shown[i], bool)
            finite = np.abs(np.where(shown & np.isfinite(V), V, 0.0))
            vmax = max(vmax, float(finite.max(initial=0.0)))
    lab_x, lab_y, lab_t, lab_h, lab_id = [], [], [], [], []
    for l in range(2, L + 1):
        i = l - 2
        V = None if edge_values is None else np.asarray(edge_values[i], float)
        shown = None if edge_shown is None else np.asarray(edge_shown[i], bool)
        for j in range(layers[l - 1]):
            x1, y1 = pos[l - 1][j]
            for k in range(layers[l - 2]):
                x0, y0 = pos[l - 2][k]
                if V is None or (shown is not None and not shown[j, k]) or not np.isfinite(V[j, k]):
                    xs, ys = muted
                else:
                    v = V[j, k]
                    q = 0 if vmax == 0 else min(3, int(4 * (abs(v) / vmax) - 1e-9)) if abs(v) > 0 else 0
                    w = WIDTHS[q] * (0.5 if small else 1.0)
                    xs, ys = buckets.setdefault((POSITIVE if v >= 0 else NEGATIVE, w), ([], []))
                xs += [x0, x1, None]
                ys += [y0, y1, None]
                if edge_labels is not None or edge_hover is not None:
                    at = LABEL_AT[layers[l - 2] < layers[l - 1]]
                    lab_x.append(x0 + at * (x1 - x0))
                    lab_y.append(y0 + at * (y1 - y0))
                    few = layers[l - 1] * layers[l - 2] <= LABEL_MAX_EDGES
                    lab_t.append("" if edge_labels is None or not few else str(edge_labels[i][j][k]))
                    lab_h.append(weight_name(l, j, k) if edge_hover is None else str(edge_hover[i][j][k]))
                    lab_id.append([l, j, k])  # a click on the label picks w^l_{jk}

    if muted[0]:
        fig_traces.append(dict(type="scatter", x=muted[0], y=muted[1], mode="lines", line=dict(color=MUTED, width=1.2),
                                     hoverinfo="skip", name="not reached yet", legendrank=3))
    seen = set()
    for (colour, width), (xs, ys) in sorted(buckets.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        label = f"{value_name} > 0" if colour == POSITIVE else f"{value_name} < 0"
        fig_traces.append(dict(type="scatter",
            x=xs, y=ys, mode="lines", line=dict(color=colour, width=width), hoverinfo="skip",
            name=label, legendgroup=colour, showlegend=colour not in seen, legendrank=1))
        seen.add(colour)
    if active_edges:
        xs, ys = [], []
        for l, j, k in active_edges:
            (x0, y0), (x1, y1) = pos[l - 2][k], pos[l - 1][j]
            xs += [x0, x1, None]
            ys += [y0, y1, None]
        fig_traces.append(dict(type="scatter", x=xs, y=ys, mode="lines", line=dict(color=ACTIVE, width=9), opacity=0.55,
                                     hoverinfo="skip", name="this step", legendgroup="active", legendrank=2))
    if picked_edge is not None:
        l, j, k = picked_edge
        if 2 <= l <= L and 0 <= j < layers[l - 1] and 0 <= k < layers[l - 2]:
            (x0, y0), (x1, y1) = pos[l - 2][k], pos[l - 1][j]
            fig_traces.append(dict(type="scatter", x=[x0, x1], y=[y0, y1], mode="lines", hoverinfo="skip",
                                   line=dict(color=ACTIVE, width=5, dash="dot"), name="picked"))
    if lab_x:
        fig_traces.append(dict(type="scatter",
            x=lab_x, y=lab_y, mode="markers+text", text=lab_t, hovertext=lab_h, hoverinfo="text", customdata=lab_id,
            unselected=dict(marker=dict(opacity=1)),
            textposition="top center",
            textfont=dict(size=13 if compact(layers) else 17),
            marker=dict(size=14, color="rgba(0,0,0,0)"), showlegend=False, name="edge labels"))

    # nodes: one trace, colour by state; labels above each node
    nx, ny, ncol, nline, nwidth, ntext, nhover, nid, nplace = [], [], [], [], [], [], [], [], []
    active = set(active_nodes)
    for l in range(1, L + 1):
        for j in range(layers[l - 1]):
            x, y = pos[l - 1][j]
            done = node_done is None or bool(node_done[l - 1][j])
            nx.append(x)
            ny.append(y)
            ncol.append(ACTIVE if (l, j) in active else DONE if done else "rgba(140,140,140,0.15)")
            nline.append(ACTIVE if (l, j) in active else "rgba(120,120,120,0.9)")
            nwidth.append(4 if (l, j) in active else 1.5)
            ntext.append("" if node_labels is None else node_labels[l - 1][j])
            nhover.append(f"neuron {j + 1} of layer {l}")
            nid.append([l, j])  # a click on the neuron jumps to its step
            # a neuron's edges leave towards the middle of the next column: its label goes on the outer side
            nplace.append("bottom center" if y < 0 else "top center")
    fig_traces.append(dict(type="scatter",
        x=nx, y=ny, mode="markers+text", text=ntext, textposition=nplace, hovertext=nhover,
        hoverinfo="text", textfont=dict(size=13 if compact(layers) else 18), customdata=nid,
        unselected=dict(marker=dict(opacity=1)),
        marker=dict(size=24 if small else 38, color=ncol, line=dict(color=nline, width=nwidth)),
        showlegend=False, name="neurons"))
    marked = [(l, j, m) for l, row in enumerate(node_marks or (), 2) for j, m in enumerate(row) if m]
    if marked:
        fig_traces.append(_marks_trace(pos, marked, small))
    if active_nodes:  # legend entry only
        fig_traces.append(dict(type="scatter", x=[None], y=[None], mode="markers", name="active neuron",
                                     marker=dict(size=14, color=ACTIVE), legendgroup="active", legendrank=2))

    top = max(layers)
    names = ["input (layer 1)"] + [f"layer {l}" for l in range(2, L)] + [f"output (layer {L} = L)"]
    layout = dict(
        height=height or int(max(460, min(760, 120 * top + 240))),
        margin=dict(l=10, r=10, t=10, b=10),
        paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)",
        showlegend=False,  # the page shows a legend with the same colours under the drawing
        xaxis=dict(range=[-0.5, L - 1 + 0.6], showgrid=False, zeroline=False, tickvals=list(range(L)),
                   ticktext=names, tickfont=dict(size=15), fixedrange=True),
        yaxis=dict(range=[-(top - 1) / 2 - 0.95, (top - 1) / 2 + 0.95], showgrid=False, zeroline=False,
                   showticklabels=False, fixedrange=True),
        dragmode=False, hovermode="closest",
        meta=revision,  # a new revision remounts the chart, clearing a click's selection (no dimmed points)
    )
    if marked:
        kinds = sorted({m for _, _, m in marked}, key=list(EXPLAIN).index)
        layout["annotations"] = [dict(text="<br>".join(f"⊘ {EXPLAIN[k]}" for k in kinds), showarrow=False,
                                      xref="paper", yref="paper", x=0, y=0, xanchor="left", yanchor="top", yshift=-34,
                                      align="left", font=dict(size=13, color=MARK))]
        layout["margin"]["b"] = 40 + 22 * len(kinds)
        layout["height"] += 40 + 22 * len(kinds)
    # Built from plain dicts without plotly's per-property validation (10× faster per rerun);
    # tests/test_figures.py validates the same dicts with go.Figure.
    return go.Figure(dict(data=fig_traces, layout=layout), _validate=False)


def _marks_trace(pos, marked, small: bool) -> dict:
    """A ring and a word beside each saturated or dead neuron, on the side away from its label (one trace)."""
    words = {"saturated": "saturated", "dead": "dead ReLU"}
    return dict(type="scatter", x=[pos[l - 1][j][0] for l, j, _ in marked],
                y=[pos[l - 1][j][1] for l, j, _ in marked], mode="markers+text",
                text=[f"⊘ {words[m]}" for _, _, m in marked],
                textposition=["top center" if pos[l - 1][j][1] < 0 else "bottom center" for l, j, _ in marked],
                textfont=dict(size=12 if small else 14, color=MARK),
                hovertext=[f"neuron {j + 1} of layer {l}: {words[m]}" for l, j, m in marked], hoverinfo="text",
                marker=dict(size=34 if small else 52, color="rgba(0,0,0,0)", line=dict(color=MARK, width=3),
                            symbol="circle"),
                showlegend=False, name="saturated or dead")
