"""A live Plotly chart for the training lab: a small custom component (app/components/live_chart)
that stays mounted across reruns and updates its chart in place with ``Plotly.react``, so a
rerun sends new numbers and nothing is rebuilt (no blink). For a chart whose x is the training
step, the server sends the step counts at which frames end (``cuts``); the browser reveals
the chart up to each one in turn, spread over the time between reruns, so the chart moves
more often than the page can rerun.

Plotly.js comes from the installed plotly package (``plotly/package_data/plotly.min.js``), served
by Streamlit as a second component directory: nothing is copied and nothing is fetched from a
CDN. AppTest cannot run JavaScript: tests read the figure and the cuts from the component's
arguments (``json_args``: ``spec`` is the figure's JSON).
"""

from __future__ import annotations

from pathlib import Path

import plotly
import plotly.graph_objects as go
import plotly.io as pio
import streamlit.components.v1 as components

HTML_DIR = Path(__file__).resolve().parent.parent / "components" / "live_chart"
PLOTLY_JS_DIR = Path(plotly.__file__).resolve().parent / "package_data"


def _component():
    """The component, (re)registered with the running server; the page loads plotly.js from
    ``../app.lab.live_chart.plotlyjs/plotly.min.js``, next to its own address."""
    components.declare_component("plotlyjs", path=str(PLOTLY_JS_DIR))
    return components.declare_component("live_chart", path=str(HTML_DIR))


def live_chart(fig: go.Figure, key: str, cuts=(), grow: bool = False) -> None:
    """Draw ``fig`` in the mounted chart ``key``. ``grow``: x is the training step and the chart
    is revealed up to each of ``cuts`` (step counts, ascending) in turn; no cuts: drawn at once."""
    fig.layout.template = None  # the page's theme colours the text; the template is 6 kB a rerun
    _component()(spec=pio.to_json(fig, validate=False), cuts=[int(c) for c in cuts], grow=grow,
                 height=int(fig.layout.height or 450), key=key, default=None)
