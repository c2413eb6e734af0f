"""The graph view on screen: the Forward and Backward screens' third view (the network's step as a
graph of scalar operations) and the expression screen, both played on the stage (app/walkthrough/stage.py)
from ``app.graph.graph_frames``. Streamlit calls only; the numbers are ``core.symbolic.graph``'s.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache

import streamlit as st

from app.graph import graph_frames, graph_url, graph_view
from app.session import state
from app.session.model import trace_of
from app.walkthrough import stage, stepping, ui
from core.symbolic.graph import GraphError, Pass, run
from core.symbolic.graph_build import expression_graph, network_graph

EXPR, VALUES, URL_READ = state.GRAPH_EXPR, state.GRAPH_VALUES, state.GRAPH_URL_READ  # the expression screen
GROUP = state.GRAPH_GROUP  # the neuron (l, j) or ("cost",) whose graph a large network shows
MAX_FAN_IN = 32  # a neuron with more inputs than this is too tall to draw as a graph
HELP = (f"Every multiply, add, activation and piece of the cost as a node. Networks with more than "
        f"{graph_view.MAX_WHOLE_WEIGHTS} weights show one neuron's graph (or the cost's) at a time.")
HINT = "Click a node (or an edge's number) to jump to its step."


@lru_cache(maxsize=32)
def network_pass(key: str, n: int) -> Pass | str:
    """The graph of example n's cost, evaluated by the graph (or why it cannot be)."""
    try:
        g, values = network_graph(trace_of(key).scenario, n)
        return run(g, values)
    except GraphError as e:
        return f"The graph view cannot show this network: {e}."


def _json(d: dict) -> str:
    return json.dumps(d, separators=(",", ":"), ensure_ascii=False)


@lru_cache(maxsize=64)
def network_data(key: str, n: int, group: tuple | None, phase: str) -> str:
    """The stage of the network's graph (or one group's) on the Forward or Backward screen, as JSON."""
    return _json(graph_frames.stage(graph_view.view(network_pass(key, n), group), phase))


@lru_cache(maxsize=32)
def expression_data(expr: str, values: tuple) -> str:
    """The stage of an expression's graph, forward then backward, as JSON (values: (name, value) pairs)."""
    p = run(expression_graph(expr), dict(values))
    return _json(graph_frames.stage(graph_view.view(p), "both", network=False))


def stage_key(expr: str, values: tuple) -> str:
    """The expression's stage: a new one (at its first step) for each expression and values."""
    return "stage_graph_expr_" + hashlib.sha1(repr((expr, values)).encode()).hexdigest()[:10]


def _group_named(g: tuple) -> str:
    return "the cost" if g == ("cost",) else f"neuron {g[1] + 1} of layer {g[0]}"


def _set_group(g: tuple, phase: str) -> None:
    st.session_state[GROUP] = g
    state.set_step(phase, 0)


def _play(screen: str, payload: str, total: int, ckey: str, report, step_of: str, url_param: str = "step",
          hint: str = HINT) -> None:
    """The stage at the session's step of ``step_of``, after the browser's report (``report``, read
    already): its step becomes the session's, and "onward" goes on to the next screen."""
    i = stepping.clamp(state.step(step_of), total)
    if report is not None:
        try:
            i = stepping.clamp(int(report.get("step", i)), total)
        except (TypeError, ValueError):
            report = None
    state.set_step(step_of, i)
    if report is not None and report.get("why") == "onward" and screen in stage.NEXT:
        nxt = stage.NEXT[screen][0]
        state.set_step(nxt, 0, "graph")
        st.switch_page(f"../pages/{nxt}.py")
    stage.show(screen, payload, step=i, key=ckey, onward=screen in stage.NEXT, hint=hint + " " + stage.KEYS_HINT,
               url_param=url_param)


def _ckey(phase: str, group: tuple | None) -> str:
    return f"stage_{phase}_graph" + ("" if group is None else "_" + "_".join(map(str, group)))


def step_screen(phase: str) -> None:
    """The rest of the Forward or Backward screen in the graph view (the page has checked the view), then
    ``st.stop()``."""
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
        r = stage.report(_ckey(phase, st.session_state[GROUP]))
        picked = tuple(r.get("pick") or ()) if r is not None and r.get("why") == "pick" else None
        if picked in options:  # a click on an input drawn with a dark ring: its neuron's graph
            _set_group(picked, phase)
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
        r = None if picked is not None else r
    else:
        r = stage.report(_ckey(phase, None))
    total = len(graph_view.view(p, group).steps)
    _play(phase, network_data(key, n, group, phase), total, _ckey(phase, group), r, phase)
    st.caption(ui.plain(LEGEND[phase]) + " " + HELP)
    _stop(phase)


LEGEND = {
    "forward": "Forward: each step computes one node from its inputs, whose values travel along its edges "
               "into it. Beside each node: its value.",
    "backward": "Backward: each step, a node passes upstream × local gradient back along each input edge. "
                "Beside each node: ∂ its gradient ∂C/∂node, once every node it feeds has passed its gradient "
                "back. Dark ring: an input from another neuron (click it for its graph).",
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
        st.session_state[state.GRAPH_PROBLEM] = str(e)
        return
    text = st.session_state.get("graph_values_input", "")
    try:
        if expression:
            old = st.session_state.get(VALUES, {})
            values = {k: old.get(k, 1.0) for k in names}
        else:
            values = graph_url.parse_values(text, names)
    except ValueError as e:
        st.session_state[state.GRAPH_PROBLEM] = f"values: {e}"
        return
    st.session_state.pop(state.GRAPH_PROBLEM, None)
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
    problem = st.session_state.get(state.GRAPH_PROBLEM)
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
    values = tuple((k, float(values.get(k, 1.0))) for k in g.names())
    ckey = stage_key(expr, values)
    _play("graph", expression_data(expr, values), 2 * len(graph_view.view(p).steps), ckey, stage.report(ckey),
          "graph", url_param="gs")
    st.caption("Forward: each node's value from its inputs' values, which travel along its edges. Backward: "
               "each node passes upstream × local gradient back along its input edges; beside each node, ∂ its "
               "gradient once every node it feeds has passed its gradient back.")
