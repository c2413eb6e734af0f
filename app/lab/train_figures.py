"""The training lab's charts: plain functions from numbers to ``go.Figure`` (no Streamlit).

Okabe–Ito colours (safe for colour-blind viewers), transparent backgrounds so both the light
and the dark theme show through, large fonts for a projector, and one trace per line.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from core.engine.divergence import Reading
from core.engine.divergence import describe as read_as_words

OI = {"orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73", "yellow": "#F0E442",
      "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7", "grey": "#999999"}
SERIES = [OI["blue"], OI["orange"], OI["green"], OI["vermillion"], OI["purple"], OI["sky"], OI["yellow"]]
FONT = 17
MAX_POINTS = 1500  # a line is thinned to at most this many points before it is drawn


def _layout_dict(title: str, x: str, y: str, height: int = 380) -> dict:
    grid = dict(gridcolor="rgba(128,128,128,0.3)", zerolinecolor="rgba(128,128,128,0.5)")
    return dict(
        title=dict(text=title, font=dict(size=FONT + 3)), height=height, font=dict(size=FONT),
        paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)",
        margin=dict(l=10, r=10, t=50, b=10), legend=dict(orientation="h", y=-0.22, x=0),
        uirevision="keep",  # zoom and hidden traces survive live updates
        xaxis=dict(title_text=x, **grid), yaxis=dict(title_text=y, **grid),
    )


def _layout(fig: go.Figure, title: str, x: str, y: str, height: int = 380) -> go.Figure:
    fig.update_layout(_layout_dict(title, x, y, height))  # one call: each update_* costs milliseconds
    return fig


def _log_yaxis(values) -> dict:
    """A log axis labelled 10⁻³, 10⁻², … (a label every decade or more when the data span one or
    more, at most ~8; else at least 3 labels from 1, 2, 5 × 10ⁿ or finer)."""
    v = np.ravel(np.asarray(values, dtype=float))
    v = v[np.isfinite(v) & (v > 0)]
    axis = dict(type="log", exponentformat="power")
    if v.size:
        lo, hi = math.log10(v.min()), math.log10(v.max())
        axis["range"] = [lo - 0.15, hi + 0.15]
        if hi - lo >= 1.0:
            axis["dtick"] = max(1, math.ceil((hi - lo) / 8))
        else:
            for ms in ((1, 2, 5), (1, 1.5, 2, 3, 4, 5, 6, 7, 8), tuple(1 + i / 10 for i in range(90))):
                ticks = [m * 10.0**e for e in range(math.floor(lo), math.ceil(hi) + 1) for m in ms]
                ticks = [t for t in ticks if v.min() / 1.15 <= t <= v.max() * 1.15]
                if len(ticks) >= 3:
                    break
            ticks = ticks[:: max(1, math.ceil(len(ticks) / 8))] or [10 ** round(lo)]
            axis.update(tickvals=ticks, ticktext=[f"{t:.3g}" for t in ticks])
    return axis


def log_axis(fig: go.Figure, values) -> go.Figure:
    """The first y axis on a log scale (see ``_log_yaxis``)."""
    fig.update_layout(yaxis=_log_yaxis(values))
    return fig


def _thin(x, y):
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if len(x) > MAX_POINTS:
        idx = np.unique(np.linspace(0, len(x) - 1, MAX_POINTS).astype(int))
        x, y = x[idx], y[idx]
    return x, y


def _finite(y, log: bool):
    y = np.where(np.isfinite(y), y, np.nan)
    return np.where(y > 0, y, np.nan) if log else y


def cost_figure(step_index, step_costs, epoch_steps, epoch_costs, epoch_accuracy=None,
                diverged_at=None, log_y=True, show_steps=True) -> go.Figure:
    """The cost per step (the mini-batch each step saw) and per epoch (the whole set), with the
    accuracy on a second axis for classification and the step where training diverged.
    Built in one go (traces and layout together): it is redrawn 10+ times a second."""
    traces = []
    if show_steps and len(step_index):
        x, y = _thin(step_index, step_costs)
        traces.append(go.Scatter(x=x, y=_finite(y, log_y), name="cost per step (mini-batch)", mode="lines",
                                 line=dict(color=OI["sky"], width=2)))
    x, y = _thin(epoch_steps, epoch_costs)
    traces.append(go.Scatter(x=x, y=_finite(y, log_y), name="cost per epoch (whole set)",
                             mode="lines+markers" if len(x) <= 60 else "lines",
                             line=dict(color=OI["orange"], width=3), marker=dict(size=7)))
    layout = _layout_dict("Cost while training", "step (one update)", "cost C")
    if epoch_accuracy is not None and any(a is not None for a in epoch_accuracy):
        acc = [math.nan if a is None else a for a in epoch_accuracy]
        x, y = _thin(epoch_steps, acc)
        traces.append(go.Scatter(x=x, y=y, name="accuracy (right axis)", yaxis="y2", mode="lines",
                                 line=dict(color=OI["green"], width=3, dash="dash")))
        layout["yaxis2"] = dict(title_text="accuracy", overlaying="y", side="right", range=[0, 1.05],
                                tickvals=[0, 0.25, 0.5, 0.75, 1], ticktext=["0%", "25%", "50%", "75%", "100%"],
                                showgrid=False, type="linear")
    if diverged_at is not None:
        layout["shapes"] = [dict(type="line", x0=diverged_at, x1=diverged_at, y0=0, y1=1, yref="paper",
                                 line=dict(color=OI["vermillion"], width=3, dash="dot"))]
        layout["annotations"] = [dict(x=diverged_at, y=1, yref="paper", text=f"diverged at step {diverged_at}",
                                      showarrow=False, xanchor="right", font=dict(color=OI["vermillion"], size=FONT))]
    last = max([0, *list(step_index[-1:]), *list(epoch_steps[-1:])])
    if last < 10:
        layout["xaxis"]["range"] = [-0.3, 10.3]
    if log_y:
        costs = np.concatenate([np.asarray(step_costs, float), np.asarray(epoch_costs, float)])
        layout["yaxis"].update(_log_yaxis(costs))
        if np.any(costs == 0):  # log 0 = −∞: say so rather than leave a gap unexplained
            layout.setdefault("annotations", []).append(dict(
                x=0.5, y=0.5, xref="paper", yref="paper", xanchor="center", yanchor="middle", showarrow=False,
                text="a cost of exactly 0 is below every log scale:<br>untick Log scale to see it",
                font=dict(size=FONT - 2)))
    return go.Figure(data=traces, layout=layout)


VERDICT_MARK = {"converging": "circle", "slow": "square", "oscillating": "diamond", "diverging": "triangle-up",
                "diverged": "x"}


def rates_figure(runs, log_y=True) -> go.Figure:
    """Cost per epoch for several learning rates from the same initial weights, one line each."""
    fig = go.Figure()
    firsts = [float(r.epoch_costs[0]) for r in runs if len(r.epoch_costs)]
    top = max((c for c in firsts if math.isfinite(c) and c > 0), default=1.0)  # a cost of 0 has no log
    for i, r in enumerate(runs):
        y = np.asarray(r.epoch_costs, dtype=float)
        last = int(np.flatnonzero(np.isfinite(y))[-1]) if np.isfinite(y).any() else 0
        x, yy = _thin(np.arange(len(y)), y)
        colour = SERIES[i % len(SERIES)]
        rules = {r.optimizer["name"] for r in runs}
        what = f"η = {r.eta:g}" if len(rules) == 1 else r.label
        said = read_as_words(Reading(r.verdict, r.began), "epoch")
        fig.add_trace(go.Scatter(
            x=x, y=_finite(yy, log_y), name=f"{what} · {said}", mode="lines",
            line=dict(color=colour, width=3, dash="solid" if r.verdict != "diverged" else "dash")))
        if r.verdict in ("diverged", "diverging"):
            fig.add_trace(go.Scatter(x=[last], y=[min(y[last], top * 1e3)], mode="markers+text", showlegend=False,
                                     marker=dict(symbol=VERDICT_MARK[r.verdict], size=16, color=colour),
                                     text=[r.verdict], textposition="bottom right", textfont=dict(color=colour)))
    rules = sorted({r.optimizer["name"] for r in runs})
    _layout(fig, f"Same network, same start, different η ({', '.join(rules)})" if len(rules) == 1 else
            "Same network, same start, different rules and η", "epoch", "cost C (whole set)")
    if log_y:
        finite = [v for r in runs for v in np.asarray(r.epoch_costs, float) if np.isfinite(v) and v > 0]
        lo = math.log10(min(finite)) if finite else -3
        up = 3.0 if any(r.verdict in ("diverged", "diverging") for r in runs) else 0.2
        log_axis(fig, [10**lo, top * 10**up])
        fig.update_layout(yaxis_range=[lo - 0.2, math.log10(top) + up])  # diverging lines leave through the top
    return fig


def slice_figure(values, costs, label: str, w: float, c: float, slope: float, eta: float,
                 path_w=(), path_c=()) -> go.Figure:
    """Article 004's figure, live: C along one weight (the others held where they are), the
    tangent with slope ∂C/∂w at the current weight, the steps taken, and where the next lands."""
    span = (values[-1] - values[0]) / 6
    nxt = w - eta * slope
    traces = [
        go.Scatter(x=values, y=_finite(np.asarray(costs, float), False), mode="lines",
                   name=f"C as {label} varies", line=dict(color=OI["blue"], width=3)),
        go.Scatter(x=[w - span, w + span], y=[c - slope * span, c + slope * span], mode="lines",
                   name=f"tangent: slope ∂C/∂{label} = {slope:.3g}",
                   line=dict(color=OI["vermillion"], width=3, dash="dash")),
    ]
    if len(path_w):
        traces.append(go.Scatter(x=path_w, y=path_c, mode="lines+markers", name="gradient-descent steps",
                                 line=dict(color=OI["orange"], width=2), marker=dict(size=9)))
    traces += [
        go.Scatter(x=[w], y=[c], mode="markers", name=f"now: {label} = {w:.3g}",
                   marker=dict(color=OI["vermillion"], size=16, line=dict(width=2, color="white"))),
        go.Scatter(x=[nxt], y=[c], mode="markers", name=f"next: {label} − η·slope = {nxt:.3g}",
                   marker=dict(color=OI["green"], size=14, symbol="circle-open", line=dict(width=3))),
    ]
    layout = _layout_dict(f"Cost along {label}, every other parameter fixed", label, "cost C")
    layout["annotations"] = [dict(x=w, y=c, ax=nxt, ay=c, xref="x", yref="y", axref="x", ayref="y", text="",
                                  showarrow=True, arrowhead=0, arrowwidth=1, arrowcolor=OI["grey"],
                                  startarrowhead=2, arrowside="start")]
    return go.Figure(data=traces, layout=layout)


def contour_figure(u, v, grid, p_label: str, q_label: str, path_u=(), path_v=()) -> go.Figure:
    """C over two parameters (the others fixed where they are now) with the descent path."""
    z = np.where(np.isfinite(grid), grid, np.nan)
    traces = [go.Contour(x=u, y=v, z=z, colorscale="Viridis", ncontours=25, name="cost",
                         colorbar=dict(title=dict(text="C"), thickness=14), contours=dict(showlines=False))]
    if len(path_u):
        traces += [go.Scatter(x=path_u, y=path_v, mode="lines+markers", name="descent path",
                              line=dict(color=OI["vermillion"], width=3), marker=dict(size=5)),
                   go.Scatter(x=[path_u[-1]], y=[path_v[-1]], mode="markers", name="now",
                              marker=dict(symbol="star", size=18, color=OI["yellow"],
                                          line=dict(width=1, color="black")))]
    layout = _layout_dict(f"Cost over {p_label} and {q_label}", p_label, q_label)
    layout["legend"]["y"] = -0.25
    return go.Figure(data=traces, layout=layout)


BOUNDARY_SCALE = [[0.0, OI["blue"]], [0.485, "#EDEDED"], [0.5, "#777777"], [0.515, "#EDEDED"], [1.0, OI["orange"]]]
CLASS_SCALE = [[0.0, OI["blue"]], [1.0, OI["orange"]]]


def boundary_figure(xs, ys, out, x, y, multiclass=False) -> go.Figure:
    """For 2 inputs: the network's output over the plane as a heat map (0 blue, 1 orange, a grey
    band where it crosses 0.5: the decision boundary) under the data points coloured by class
    (target ≥ 0.5 for one output). One heat map, no contour trace: cheap to redraw live."""
    traces = [go.Heatmap(x=xs, y=ys, z=np.clip(out, 0, None if multiclass else 1), opacity=0.8,
                         colorscale=CLASS_SCALE if multiclass else BOUNDARY_SCALE, zmin=0,
                         zmax=max(1.0, float(np.nanmax(out))) if multiclass else 1.0,
                         colorbar=dict(title=dict(text="class" if multiclass else "a<sup>L</sup><sub>1</sub>"),
                                       thickness=14))]
    labels = np.argmax(y, axis=1) if y.shape[1] > 1 else (y[:, 0] >= 0.5).astype(int)
    for cls, colour, symbol in ((0, OI["blue"], "circle"), (1, OI["orange"], "diamond")):
        m = labels == cls if not multiclass or cls == 0 else labels >= 1
        name = f"class {cls}" if cls == 0 or not multiclass else "class ≥ 1"
        traces.append(go.Scatter(x=x[m, 0], y=x[m, 1], mode="markers", name=name, marker=dict(
            color=colour, symbol=symbol, size=12, line=dict(color="black", width=1.5))))
    layout = _layout_dict("Decision boundary", "x₁", "x₂")
    layout["yaxis"].update(scaleanchor="x", scaleratio=1)
    return go.Figure(data=traces, layout=layout)


def fit_figure(x, y, grid_x, pred) -> go.Figure:
    """For 1 input: the examples and the network's output along x."""
    fig = go.Figure(go.Scatter(x=x[:, 0], y=y[:, 0], mode="markers", name="examples",
                               marker=dict(color=OI["blue"], size=9, line=dict(color="black", width=1))))
    fig.add_trace(go.Scatter(x=grid_x, y=_finite(np.asarray(pred, float), False), mode="lines",
                             name="network output", line=dict(color=OI["orange"], width=4)))
    _layout(fig, "The network's output against the examples", "x", "y, a^L")
    return fig


def gradnorm_figure(step_index, norms, log_y=True) -> go.Figure:
    """‖∂C/∂W^l‖ per layer over time: in a deep sigmoid network the early layers' lines lie
    orders of magnitude below the last layer's (vanishing gradients)."""
    n, traces = np.asarray(norms, dtype=float), []
    for i in range(n.shape[1] if n.ndim == 2 else 0):
        x, y = _thin(step_index, n[:, i])
        traces.append(go.Scatter(x=x, y=_finite(y, log_y), mode="lines", name=f"layer {i + 2}: ‖∂C/∂W{_sup(i + 2)}‖",
                                 line=dict(color=SERIES[i % len(SERIES)], width=3)))
    layout = _layout_dict("Size of the gradient per layer", "step", "‖∂C/∂W‖ (Frobenius)")
    if log_y:
        layout["yaxis"].update(_log_yaxis(n))
    return go.Figure(data=traces, layout=layout)


def _sup(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))
