"""The projector's figure on Reveal: a histogram of the class's predictions with the true value marked.
A plain function returning a ``go.Figure`` (no Streamlit); only numbers go into it, never names."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from core.symbolic.notation import short_number as fmt
from core.teaching import quiz as cq

TRUE, RIGHT_BAND, BARS = "#d62728", "rgba(44,160,44,0.18)", "#1f77b4"


def window(guesses: list[float], value: float, sigfigs: int) -> tuple[float, float]:
    """The range drawn: every prediction and the value; from 20 predictions on, the middle 90 % of them
    widened by half (so a few far-off ones, e.g. a slipped exponent, do not squash the rest)."""
    pts = np.array([*guesses, value], dtype=float)
    if len(guesses) >= 20:
        lo, hi = np.percentile(pts, [5, 95])
        lo, hi = lo - (hi - lo) / 2, hi + (hi - lo) / 2
    else:
        lo, hi = pts.min(), pts.max()
    lo, hi = min(lo, value), max(hi, value)
    pad = max((hi - lo) * 0.1, 4 * cq.tolerance(value, sigfigs), 1e-9)
    return float(lo - pad), float(hi + pad)


def histogram(guesses: list[float], value: float, sigfigs: int, symbol: str = "") -> tuple[go.Figure, int]:
    """(figure, how many predictions lie outside the drawn range)."""
    lo, hi = window(guesses, value, sigfigs)
    inside = [g for g in guesses if lo <= g <= hi]
    tol = cq.tolerance(value, sigfigs)
    fig = go.Figure(go.Histogram(x=inside, xbins=dict(start=lo, end=hi, size=(hi - lo) / 40), marker_color=BARS,
                                 name="predictions", hovertemplate="%{x}: %{y} predictions<extra></extra>"))
    fig.add_vrect(x0=value - tol, x1=value + tol, fillcolor=RIGHT_BAND, line_width=0, layer="below")
    fig.add_vline(x=value, line_color=TRUE, line_width=4,
                  annotation_text=f"true value {fmt(value, 6)}", annotation_position="top",
                  annotation_font=dict(size=20, color=TRUE))
    fig.update_layout(height=380, margin=dict(l=40, r=20, t=50, b=50), showlegend=False, bargap=0.05,
                      xaxis=dict(title=f"predicted {symbol}".strip(), range=[lo, hi]),
                      yaxis=dict(title="students", rangemode="tozero"), font=dict(size=16))
    return fig, len(guesses) - len(inside)
