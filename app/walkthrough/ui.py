"""Building blocks the pages share: the stepper, equation cards, the drawing, notices."""

from __future__ import annotations

import logging

import streamlit as st

from app.session import state
from app.walkthrough import equations, stepping
from app.walkthrough.a11y import name_chart
from app.walkthrough.alt_text import drawing_alt
from app.walkthrough.figures import ACTIVE, DONE, NEGATIVE, POSITIVE, network_figure
from app.walkthrough.presenter import HINT, KEYS
from core import load_preset
from core.symbolic.latex import Equation
from core.symbolic.notation import compact


def _swatch(colour: str, text: str, node: bool = False) -> str:
    mark = "●" if node else "━━"
    return f'<span style="color:{colour};font-weight:900;font-size:1.3em">{mark}</span>&nbsp;{text}'


_ACTIVE = _swatch(ACTIVE, "this step", node=True)
_DONE = _swatch(DONE, "computed", node=True)
LEGEND = {  # fixed HTML, never user text
    "weight": " &nbsp; ".join([_swatch(POSITIVE, "weight &gt; 0"), _swatch(NEGATIVE, "weight &lt; 0"),
                               "thicker = larger |w|", _ACTIVE, _DONE]),
    "∂C/∂w": " &nbsp; ".join([_swatch(POSITIVE, "∂C/∂w &gt; 0"), _swatch(NEGATIVE, "∂C/∂w &lt; 0"),
                              "thicker = larger |∂C/∂w|", _swatch("#8c8c8c", "not reached yet"), _ACTIVE]),
    "network": " &nbsp; ".join([_swatch(POSITIVE, "weight &gt; 0"), _swatch(NEGATIVE, "weight &lt; 0"),
                                "thicker = larger |w|; a bias is written beside its neuron"]),
    "change": " &nbsp; ".join([_swatch(POSITIVE, "weight grows"), _swatch(NEGATIVE, "weight shrinks"),
                               "thicker = larger change; label = new weight"]),
}

CSS = """<style>
.katex-display > .katex { font-size: 1.35em; }
.katex-display { overflow-x: auto; overflow-y: hidden; padding: 0.15em 0; }
</style>"""  # larger equations for a projector; long ones scroll instead of being cut

# Every screen (the sidebar injects it): one type scale in rem, so presenter mode (a larger root
# size) scales all of it; text colours at 4.5:1 or more in both themes (Streamlit's faded caption
# grey is 3.8:1); button labels that wrap rather than end in "…". Fixed CSS, no user text.
APP_CSS = """<style>
[data-testid="stMarkdownContainer"] p { font-size: 1.15rem; }
[data-testid="stCaptionContainer"], [data-has-shortcut="true"], kbd { opacity: 1 !important; }
[data-testid="stCaptionContainer"] p, [data-testid="stCaptionContainer"] li, kbd {
  color: color-mix(in srgb, currentColor 76%, transparent) !important; }
[data-testid="stCaptionContainer"] { font-size: 0.95rem; }
[data-testid="stSliderThumbValue"], [data-testid="stSliderThumbValue"] p,
[data-testid="stSliderTickBarMin"], [data-testid="stSliderTickBarMax"] { color: inherit !important; }
[data-testid="stMetricLabel"] p { font-size: 0.95rem !important; }
[data-testid="stMetricValue"], [data-testid="stMetricValue"] * { font-size: 2.25rem !important; line-height: 1.25; }
[data-testid="stMetricDelta"] div { font-size: 0.95rem !important; }
button p, [data-testid="stPageLink"] p { white-space: normal !important; overflow: visible !important;
  text-overflow: clip !important; line-height: 1.25; }
button [data-testid="stMarkdownContainer"], button [data-testid="stMarkdownContainer"] p { font-size: 1rem; }
[data-testid="stWidgetLabel"] p { white-space: normal; }
@media (max-width: 640px) {  /* a phone: no plotly toolbar over the chart's title (full screen stays) */
  [data-testid="stPlotlyChart"] .modebar-container { display: none !important; }
}
.bp-sr-only { position: absolute !important; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%);
  white-space: nowrap; }
</style>"""


def app_css() -> None:
    """The app-wide CSS (every screen)."""
    st.html(APP_CSS)


def recover(where: str, key: str, screen: str) -> None:
    """The last safety net: a message and the way back, never a traceback on screen."""
    logging.getLogger("backprop_stepper").exception("%s of screen %s failed", where, screen)
    st.error(f"The {where} hit a problem it could not show with this network. Your network is kept: try the "
             "Network screen, or load the classic example. (The details are in the server log.)")
    if st.button("Open the classic 2-2-2 example", key=key):
        state.set_scenario(load_preset(state.DEFAULT_PRESET), "Opened the classic 2-2-2 example.")
        st.rerun()


def page_start(title: str, intro: str) -> None:
    """Title, larger equations, and the one-off notice (e.g. 'the network changed')."""
    st.markdown(CSS, unsafe_allow_html=True)  # fixed CSS, no user text
    st.title(title)
    st.caption(intro)
    notice = state.pop_notice()
    if notice:
        (st.warning if notice.startswith("This link") else st.info)(plain(notice), icon="ℹ️")


def _stepper_move(screen: str, n_steps: int, delta: int | None) -> None:
    i = 0 if delta is None else state.step(screen) + delta
    state.set_step(screen, max(0, min(i, n_steps - 1)))


def stepper(screen: str, n_steps: int) -> int:
    """Previous / Next / Reset and a step slider; returns the current step (0-based)."""
    i = max(0, min(state.step(screen), n_steps - 1))
    state.set_step(screen, i)
    # wide enough for "◀ Previous ←" on one line in presenter mode
    c1, c2, c3, c4 = st.columns([1.6, 1.2, 1.4, 3.8], vertical_alignment="center")
    c1.button("◀ Previous", key=f"{screen}_prev", disabled=i == 0, on_click=_stepper_move,
              args=(screen, n_steps, -1), width="stretch", shortcut=KEYS["previous"])
    c2.button("Next ▶", key=f"{screen}_next", disabled=i == n_steps - 1, on_click=_stepper_move,
              args=(screen, n_steps, 1), type="primary", width="stretch", shortcut=KEYS["next"])
    c3.button("⟲ Reset", key=f"{screen}_reset", on_click=_stepper_move, args=(screen, n_steps, None),
              width="stretch", shortcut=KEYS["reset"], help="Back to the first step")
    if n_steps > 1:
        state.bound("slider", "Step", f"{screen}_slider_{state.view()}", i + 1,
                    lambda v: state.set_step(screen, int(v) - 1), c4, min_value=1, max_value=n_steps,
                    label_visibility="collapsed")
    c4.caption(f"Step {i + 1} of {n_steps}", help=HINT)
    return i


def _view_changed(matrix: bool, screen: str) -> None:
    new = "matrix" if matrix else "neuron"
    if new == state.view():
        return
    if state.view() == "graph":  # the graph view keeps its own step
        state.set_view(new)
        return
    t = state.current_trace()
    steps = t.steps(state.example())
    i = state.step(screen)
    if new == "matrix":
        m = stepping.to_matrix(steps, screen, stepping.clamp(i, stepping.count(steps, screen, "neuron")))
    else:
        m = stepping.to_neuron(steps, screen, stepping.clamp(i, stepping.count(steps, screen, "matrix")))
    state.set_view(new)
    state.set_step(screen, m)


def view_toggle(screen: str) -> str:
    """Neuron view (one scalar equation), matrix view (one layer with its matrices) or graph view."""
    c1, c2 = st.columns(2)
    state.bound("toggle", "Matrix view (one layer at a time)", f"{screen}_matrix_view", state.view() == "matrix",
                lambda matrix: _view_changed(matrix, screen), container=c1,
                help="Neuron view: one scalar equation per step. Matrix view: one layer per step, "
                     "with the actual matrices and their shapes.")
    state.bound("toggle", "Graph view (every operation a node)", f"{screen}_graph_view", state.view() == "graph",
                lambda graph: state.set_view("graph" if graph else "neuron"), container=c2,
                help="The same step as a computational graph: every product, sum, activation and piece of the "
                     "cost a node, each passing back upstream × local gradient.")
    return state.view()


_MD = {c: "\\" + c for c in "\\`*_$~[]<>|#"}


def plain(text: str) -> str:
    """Text shown literally by st.markdown (a typed formula like z*z stays z*z, never markup)."""
    return "".join(_MD.get(c, c) for c in str(text))


def equation_card(eq: Equation, *, heading: str | None = None) -> None:
    """Symbols, numbers, value, and one plain sentence."""
    with st.container(border=True):
        if heading:
            st.markdown(f"**{heading}**")
        st.markdown(plain(eq.sentence))
        st.latex(eq.symbolic)
        if eq.numeric:
            st.latex(eq.numeric)
        if eq.value:
            st.latex(eq.value)


def drawing(kwargs: dict, key: str, legend: str | None = None) -> None:
    """The network drawing (a PNG from its camera button) with its legend and its text alternative."""
    layers = state.current_scenario().layers
    with st.container(key=f"bp_fig_{key}"):
        st.plotly_chart(network_figure(layers, **kwargs), key=key,
                        config={"modeBarButtons": [["toImage"]], "displaylogo": False,  # camera only: saves a PNG
                                "toImageButtonOptions": {"format": "png", "filename": "network", "scale": 2}},
                        theme="streamlit")
        name_chart(f"bp_fig_{key}", drawing_alt(layers, kwargs))  # what a screen reader says instead
    st.markdown(LEGEND.get(legend or kwargs.get("value_name", "weight"), ""), unsafe_allow_html=True)  # fixed


CLICK_HINT = {
    "forward": "Click a neuron (or a weight's number) to jump to that neuron's step.",
    "backward": "Click a neuron for its δ step, or a weight's number for its ∂C/∂w step and its chain rule "
                "(its edge lights up).",
    "update": "Click a weight's number for its update, or a neuron for its bias's update.",
}


def notation_expander() -> None:
    with st.expander("Notation used on every screen"):
        st.markdown(
            "Layer 1 is the input (a¹ = x) and layer L the output. **w^l_{jk} joins neuron k of layer l−1 "
            "to neuron j of layer l** (first index = the neuron the edge goes into), so W^l has shape "
            "(n_l, n_{l−1}). δ^l = ∂C/∂z^l. Every gradient uses the weights from *before* the update.")
        for line in equations.notation():
            st.latex(line)


def bound_select(label: str, options: list, state_key: str, format_func, widget_key: str):
    """A selectbox whose value lives under ``state_key`` (kept across screens); None until chosen."""
    value = st.session_state.get(state_key)
    state.bound("selectbox", label, widget_key, value if value in options else None, state.setter(state_key),
                options=options, format_func=format_func, index=None, placeholder="Choose…")
    return st.session_state.get(state_key) if st.session_state.get(state_key) in options else None


def bound_toggle(label: str, state_key: str, widget_key: str, help: str | None = None) -> bool:
    """A toggle whose value lives under ``state_key`` (kept across screens)."""
    state.bound("toggle", label, widget_key, bool(st.session_state.get(state_key, False)), state.setter(state_key),
                help=help)
    return bool(st.session_state.get(state_key, False))


def split(layers) -> tuple:
    """Equations beside the drawing for small networks; the drawing below, full width, for big ones."""
    if compact(layers):
        return st.container(), st.container()
    return tuple(st.columns([7, 5], gap="large"))
