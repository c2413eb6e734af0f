"""The graph view on screen: the Forward and Backward screens' third view (the network's step as a
graph of scalar operations) and the expression screen. Streamlit calls only; the view's data is
``app.graph.graph_view``, its drawing ``app.graph.graph_figures``, its numbers ``core.symbolic.graph``.
"""

from __future__ import annotations

from functools import lru_cache, partial

import streamlit as st

from app.graph import graph_url, graph_view
from app.graph.graph_figures import graph_figure
from app.session import state
from app.session.model import trace_of
from app.walkthrough import ui
from core.symbolic.graph import GraphError, Pass, run
from core.symbolic.graph_build import expression_graph, network_graph

EXPR, VALUES, URL_READ = "bp_graph_expr", "bp_graph_values", "bp_graph_url_read"  # the expression screen
GROUP = "bp_graph_group"  # the neuron (l, j) or ("cost",) whose graph a large network shows
PICKS = "bp_graph_picks"
MAX_FAN_IN = 32  # a neuron with more inputs than this is too tall to draw as a graph
CONFIG = {"modeBarButtons": [["toImage"]], "displaylogo": False,
          "toImageButtonOptions": {"format": "png", "filename": "graph", "scale": 2}}
HELP = (f"Every multiply, add, activation and piece of the cost as a node. Networks with more than "
        f"{graph_view.MAX_WHOLE_WEIGHTS} weights show one neuron's graph (or the cost's) at a time.")


@lru_cache(maxsize=32)
def network_pass(key: str, n: int) -> Pass | str:
    """The graph of example n's cost, evaluated by the graph (or why it cannot be)."""
    try:
        g, values = network_graph(trace_of(key).scenario, n)
        return run(g, values)
    except GraphError as e:
        return f"The graph view cannot show this network: {e}."


def _group_named(g: tuple) -> str:
    return "the cost" if g == ("cost",) else f"neuron {g[1] + 1} of layer {g[0]}"


def _set_group(g: tuple, phase: str) -> None:
    st.session_state[GROUP] = g
    state.set_step(phase, 0)


def _picked(key: str, phase: str, vw: graph_view.View, to_step=None) -> None:
    """A click on a node: an input from outside opens its neuron's graph; an operation, its step."""
    points = (st.session_state.get(key) or {}).get("selection", {}).get("points", [])
    for pt in points:
        try:
            v = int((pt.get("customdata") or [None])[0])
        except (TypeError, ValueError):
            continue
        if v not in vw.pos:
            continue
        node = vw.p.graph.nodes[v]
        if v in vw.boundary and node.group and node.group[0] > 1:
            _set_group(node.group, phase)
        elif v in vw.steps:
            i = vw.steps.index(v)
            state.set_step(*(to_step(i) if to_step else (phase, i if phase == "forward" else len(vw.steps) - 1 - i)))
        st.session_state[PICKS] = st.session_state.get(PICKS, 0) + 1
        return


def _draw(vw: graph_view.View, phase: str, i: int, key: str, to_step=None) -> None:
    active, valued, graded = graph_view.state(vw, phase, i)
    fig = graph_figure(vw, phase, active, valued, graded, revision=st.session_state.get(PICKS, 0))
    st.plotly_chart(fig, key=key, config=CONFIG, theme="streamlit", width="content",
                    on_select=partial(_picked, key, phase, vw, to_step), selection_mode="points")


def _card(p: Pass, phase: str, v: int, network: bool) -> None:
    with st.container(border=True, key=f"graph_card_{phase}"):
        if phase == "forward":
            st.markdown(ui.plain(graph_view.forward_text(p, v)))
            return
        st.markdown("  \n".join(ui.plain(line) for line in graph_view.backward_lines(p, v)))
        link = graph_view.link_text(p, v) if network else None
        if link:
            st.info(ui.plain(link), icon="🔗")


def step_screen(phase: str) -> None:
    """In the graph view, the rest of the Forward or Backward screen, then ``st.stop()``."""
    if state.view() != "graph":
        return
    key, n = state.scenario_key(), state.example()
    p = network_pass(key, n)
    if isinstance(p, str):
        st.warning(p)
        _stop(phase)
    s = state.current_scenario()
    group = None
    if not graph_view.whole(sum(W.size for W in s.weights)):
        options = graph_view.groups(p)
        if st.session_state.get(GROUP) not in options:
            st.session_state[GROUP] = options[0] if phase == "forward" else options[-1]
        wkey = f"{phase}_graph_group"
        st.session_state[wkey] = st.session_state[GROUP]
        st.selectbox("Whose graph (or click an input drawn with a dark ring)", options, key=wkey,
                     format_func=_group_named, on_change=lambda: _set_group(st.session_state[wkey], phase),
                     help=HELP)
        group = st.session_state[GROUP]
        if group != ("cost",) and s.layers[group[0] - 2] > MAX_FAN_IN:
            st.warning(f"This neuron has {s.layers[group[0] - 2]} inputs: the graph view draws neurons with at "
                       f"most {MAX_FAN_IN}. Pick the cost, or a neuron of a narrower layer.")
            _stop(phase)
    vw = graph_view.view(p, group)
    i = ui.stepper(phase, len(vw.steps))
    v = vw.steps[i] if phase == "forward" else vw.steps[::-1][i]
    _card(p, phase, v, network=True)
    _draw(vw, phase, i, key=f"{phase}_graph_fig")
    st.caption(ui.plain(LEGEND[phase]) + " " + HELP)
    _stop(phase)


LEGEND = {
    "forward": "Orange: this step's node and its inputs' edges. Blue: computed. Grey: not yet. Under each "
               "node: its value.",
    "backward": "Orange: this step's node. Blue / vermillion: gradient ≥ 0 / < 0, known once every node it "
                "feeds has passed its gradient back. Under each node: its value, then ∂ its gradient ∂C/∂node. "
                "Dark ring: an input from another neuron (click it for its graph).",
}


def _stop(phase: str) -> None:
    state.write_url(phase)  # the entry script's own call is skipped by the stop
    st.stop()


# ---- the expression screen ---------------------------------------------------------------

def read_url() -> None:
    """Once per session: the expression, values and step a shared link holds."""
    if st.session_state.get(URL_READ):
        return
    st.session_state[URL_READ] = True
    try:
        params = {k: st.query_params.get(k) for k in st.query_params}
    except Exception:  # noqa: BLE001 - a URL never breaks the screen
        params = {}
    expr, values, step, problem = graph_url.decode(params)
    st.session_state[EXPR], st.session_state[VALUES] = expr, values
    state.set_step("graph", step)
    if problem:
        state.set_notice(problem)


def url_params() -> dict[str, str]:
    """The expression screen's query parameters (``state.write_url`` adds them)."""
    if EXPR not in st.session_state:
        return {}
    return graph_url.encode(st.session_state[EXPR], st.session_state.get(VALUES, {}), state.step("graph"))


def _load(expr: str, values: dict) -> None:
    st.session_state[EXPR], st.session_state[VALUES] = expr, dict(values)
    st.session_state["graph_expr_input"] = expr
    st.session_state["graph_values_input"] = graph_url.format_values(values)
    state.set_step("graph", 0)


def _typed(expression: bool) -> None:
    """The expression (``expression``) or its values were edited: keep what parses, say what does not.
    A new expression keeps the values of the variables it still has and gives new ones 1."""
    expr = st.session_state.get("graph_expr_input", "")
    try:
        names = expression_graph(expr).names()
    except ValueError as e:
        st.session_state["graph_problem"] = str(e)
        return
    text = st.session_state.get("graph_values_input", "")
    try:
        if expression:
            old = st.session_state.get(VALUES, {})
            values = {k: old.get(k, 1.0) for k in names}
        else:
            values = graph_url.parse_values(text, names)
    except ValueError as e:
        st.session_state["graph_problem"] = f"values: {e}"
        return
    st.session_state.pop("graph_problem", None)
    if expr != st.session_state.get(EXPR):
        state.set_step("graph", 0)
    st.session_state[EXPR] = expr
    st.session_state[VALUES] = {k: values.get(k, 1.0) for k in names}
    if expression:
        st.session_state["graph_values_input"] = graph_url.format_values(st.session_state[VALUES])


EXAMPLES = {"(x + y) · z": graph_url.DEFAULT,
            "a sigmoid neuron": ("1/(1 + exp(-(w0*x0 + w1*x1 + w2)))",
                                 {"w0": 2.0, "x0": -1.0, "w1": -3.0, "x1": -2.0, "w2": -3.0})}


def expression_screen() -> None:
    """Type an expression and values; step through its graph forward, then backward."""

    expr, values = st.session_state[EXPR], st.session_state[VALUES]
    st.session_state.setdefault("graph_expr_input", expr)
    st.session_state.setdefault("graph_values_input", graph_url.format_values(values))
    c1, c2 = st.columns([3, 2])
    c1.text_input("Expression", key="graph_expr_input", on_change=_typed, args=(True,), max_chars=200,
                  help="Variables: letters, digits and _ (at most 16). Operations as for a custom activation: "
                       "+ − * / ^, exp, log, sqrt, tanh, sigmoid, max, min, …")
    c2.text_input("Values", key="graph_values_input", on_change=_typed, args=(False,),
                  max_chars=graph_url.MAX_VALUES_TEXT,
                  help="name = number, separated by commas, e.g. x = -2, y = 5, z = -4")
    cols = st.columns(len(EXAMPLES) + 2)
    for col, (label, (e, vals)) in zip(cols, EXAMPLES.items()):
        col.button(f"Example: {label}", key=f"graph_example_{label}", on_click=_load, args=(e, vals))
    problem = st.session_state.get("graph_problem")
    if problem:
        st.error(ui.plain(problem) + " — the graph below is still the last expression that worked.")
    g = expression_graph(expr)
    missing = [k for k in g.names() if k not in values]
    if missing:
        st.caption(ui.plain(f"No value given for {', '.join(missing)}: using 1."))
    try:
        p = run(g, {k: values.get(k, 1.0) for k in g.names()})
    except GraphError as e:
        st.error(ui.plain(f"{e}. Change the values (or the expression)."))
        return
    vw = graph_view.view(p)
    F = len(vw.steps)
    i = ui.stepper("graph", 2 * F)
    phase, k = ("forward", i) if i < F else ("backward", i - F)
    st.markdown(f"**{'Forward' if phase == 'forward' else 'Backward'} pass**, step {k + 1} of {F} · "
                f"value {graph_view.fmt(p.value)}" + ("" if phase == "forward" else " · gradient " + ui.plain(
                    ", ".join(f"∂/∂{n} = {graph_view.fmt(d)}" for n, d in p.gradient().items()))))
    v = vw.steps[k] if phase == "forward" else vw.steps[::-1][k]
    _card(p, phase, v, network=False)
    _draw(vw, phase, k, key="graph_expr_fig",
          to_step=lambda j: ("graph", j if phase == "forward" else 2 * F - 1 - j))
    st.caption(ui.plain(LEGEND[phase].replace(" Dark ring: an input from another neuron (click it for its graph).",
                                              "")) + " Click a node to jump to its step.")
