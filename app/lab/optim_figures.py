"""Charts of the lab's optimizer sections: plain functions from numbers to ``go.Figure``.

Same look as app/lab/train_figures.py (Okabe–Ito colours, large fonts, transparent backgrounds).
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from app.lab.train_figures import OI, SERIES, _layout_dict, log_axis


def paths_figure(u, v, grid, p_label: str, q_label: str, paths) -> go.Figure:
    """C over two parameters at the common start (the others fixed there) and each run's path
    through them: ``paths`` is a list of (label, us, vs)."""
    z = np.where(np.isfinite(grid), grid, np.nan)
    traces = [go.Contour(x=u, y=v, z=z, colorscale="Greys", reversescale=True, ncontours=25, name="cost",
                         showscale=False, contours=dict(showlines=True), opacity=0.55)]
    for i, (label, pu, pv) in enumerate(paths):
        colour = SERIES[i % len(SERIES)]
        traces.append(go.Scatter(x=pu, y=pv, mode="lines+markers", name=label, line=dict(color=colour, width=3),
                                 marker=dict(size=5)))
    if paths and len(paths[0][1]):
        traces.append(go.Scatter(x=[paths[0][1][0]], y=[paths[0][2][0]], mode="markers", name="common start",
                                 marker=dict(symbol="star", size=18, color=OI["yellow"],
                                             line=dict(width=1, color="black"))))
    layout = _layout_dict(f"Paths over {p_label} and {q_label} (cost at the start)", p_label, q_label, 440)
    layout["legend"]["y"] = -0.25
    layout["xaxis"]["range"] = [float(u[0]), float(u[-1])]
    layout["yaxis"]["range"] = [float(v[0]), float(v[-1])]
    return go.Figure(data=traces, layout=layout)


def state_figure(history, names, label: str, rule: str) -> go.Figure:
    """The optimizer state of one parameter after each recorded step: ``history`` rows are
    (step, g, *state) and ``names`` names the state columns."""
    h = np.asarray(history, dtype=float).reshape(-1, 2 + len(names))
    fig = go.Figure()
    for i, name in enumerate(["g = ∂C/∂" + label, *names]):
        fig.add_trace(go.Scatter(x=h[:, 0], y=h[:, 1 + i], mode="lines", name=name,
                                 line=dict(color=SERIES[i % len(SERIES)], width=3, dash="dot" if i == 0 else "solid")))
    fig.update_layout(_layout_dict(f"{rule}: the state of {label} over the steps", "step", "value"))
    return fig


def weights_histogram(w_start, w_now, zero_band: float) -> go.Figure:
    """The weights at the start and now; ``zero_band`` > 0 marks |w| ≤ band (within one L1 step of 0)."""
    lo = float(min(np.min(w_start), np.min(w_now)))
    hi = float(max(np.max(w_start), np.max(w_now)))
    size = max((hi - lo) / 40, 1e-6)
    bins = dict(start=lo, end=hi + size, size=size)
    fig = go.Figure([
        go.Histogram(x=w_start, xbins=bins, name="at the start", marker_color=OI["grey"], opacity=0.6),
        go.Histogram(x=w_now, xbins=bins, name="now", marker_color=OI["blue"], opacity=0.8),
    ])
    layout = _layout_dict("The weights (not the biases)", "weight value", "how many")
    layout["barmode"] = "overlay"
    if zero_band > 0:
        layout["shapes"] = [dict(type="rect", x0=-zero_band, x1=zero_band, y0=0, y1=1, yref="paper",
                                 fillcolor=OI["orange"], opacity=0.25, line=dict(width=0))]
    fig.update_layout(layout)
    return fig


def health_figure(h) -> go.Figure:
    """Per layer: the spread of the activations and the size of the gradient (log scale)."""
    x = [f"layer {l}" for l in range(2, len(h.layers) + 1)]
    act = np.maximum(np.asarray(h.act_std), 1e-300)
    grad = np.maximum(np.asarray(h.grad_rms), 1e-300)
    fig = go.Figure([
        go.Bar(x=x, y=act, name="spread of a^l (standard deviation)", marker_color=OI["blue"]),
        go.Bar(x=x, y=grad, name="size of ∂C/∂W^l (root mean square)", marker_color=OI["vermillion"]),
    ])
    fig.update_layout(_layout_dict("Before training, layer by layer", "", "value (log scale)"))
    fig.update_layout(barmode="group")
    shown = np.concatenate([act[act > 1e-300], grad[grad > 1e-300]])
    return log_axis(fig, shown if shown.size else [1.0])


def eigen_figure(es, eta_max) -> go.Figure:
    """The cost along the top eigenvector u and the gradient-descent steps on that slice."""
    traces = [
        go.Scatter(x=es.t, y=es.cost, mode="lines", name="C(θ + t·u) along the steepest direction u",
                   line=dict(color=OI["blue"], width=3)),
        go.Scatter(x=es.path_t, y=es.path_cost, mode="lines+markers+text",
                   name=f"gradient-descent steps, η = {es.eta:g}",
                   text=[str(i) for i in range(len(es.path_t))], textposition="top center",
                   line=dict(color=OI["vermillion"], width=2), marker=dict(size=10)),
    ]
    bound = f"2/λ_max = {eta_max:.3g}" if eta_max else "no bound (λ_max ≤ 0)"
    layout = _layout_dict(f"Why η diverges: λ_max = {es.lambda_max:.3g}, {bound}", "t (distance along u)", "cost C")
    finite = es.cost[np.isfinite(es.cost)]
    if finite.size:
        top = float(np.max(finite))
        layout["yaxis"]["range"] = [float(np.min(finite)) - 0.05 * (top - float(np.min(finite))) - 1e-12, top * 1.05]
    return go.Figure(data=traces, layout=layout)
