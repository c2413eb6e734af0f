"""Session state: the one owner of every ``st.session_state`` key of the walkthrough, the one
"on new network" hook, and the one helper for a widget bound to a stored value.

Streamlit drops a widget's value when the widget is not rendered (e.g. on another page), so the
real values live here under keys no widget owns, and widgets only edit them (``bound``). When the
network changes, ``set_scenario`` forgets everything that belonged to the old one (``PER_NETWORK``).

The scenario, the screen, the step and the view are mirrored in the URL (``st.query_params``)
so that a shared link opens exactly there; ``app.session.url`` does the encoding. The training lab's
``tl_*`` keys are declared here too (``LAB_*``); ``app.lab.train_state`` works with them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import streamlit as st

from app.session import url
from app.session.model import trace_of
from app.session.screens import STEPPED, VIEWED
from core import Scenario, Trace, load_preset

# ---- the keys ---------------------------------------------------------------------------
SCENARIO = "bp_scenario"  # the current Scenario
SCENARIO_KEY = "bp_scenario_json"  # its canonical compact JSON: the cache key of traces and equations
VERSION = "bp_version"  # bumped on every change of scenario: widgets keyed on it (weight tables) start afresh
NOTICE = "bp_notice"  # a one-off message to show on the next screen drawn
STEP = "bp_step_{screen}_{view}"  # the step index (0-based) per screen and view
VIEW = "bp_view"  # "neuron", "matrix" or "graph"
EXAMPLE = "bp_example"  # which example of a batch is stepped through
SELECTED = "bp_selected"  # the weight whose chain-rule card the backward screen shows
MISTAKE = "bp_mistake"  # the update screen's "updated output weights by mistake" switch
PRESENTER = "bp_presenter"  # presenter mode: larger equations, no sidebar (``pm=1`` in the URL)
URL_READ = "bp_url_read"  # the URL was read (once per session)
START_SCREEN = "bp_start_screen"  # the screen a shared link asked for
DRAFT = "bp_draft"  # the network builder's fields (app.walkthrough.network_ui)
JSON_TEXT = "bp_json_text"  # the scenario JSON text area (app.walkthrough.network_ui)
ERRORS = "bp_errors"  # the Network screen's messages: {"build"|"import"|"preset"|"edit_<l>": message}
QUIZ_ON = "bp_quiz_on"  # the quiz switch (app.walkthrough.quiz)
QUIZ_SIGFIGS = "bp_quiz_sigfigs"  # the teacher's tolerance, in significant figures
QUIZ_PASSES = "bp_quiz_passes"  # (screen, example or None) -> core.teaching.quiz.PassScore of the current network
QUIZ_TYPO = "bp_quiz_typo"  # (screen, record, question, message) for a prediction that is not a number
WS_SETTINGS = "ws_settings"  # the worksheet teacher's choices (app.teaching.worksheet_ui)
WS_ZIP = "ws_zip"  # ((N, choices), bytes) of the last batch of worksheets made
URL_EXTRA = "bp_url_extra"  # more query parameters for write_url, e.g. {"room": code} (app.classroom)
# the training lab (app.lab.train_state): its settings are edited by widgets keyed LAB_WIDGET (``bound``)
LAB_SETTINGS = "tl_settings"  # data source, size, noise, seed, batch, epochs, η, the update rule, …
LAB_WIDGET = "tl_w_{setting}"  # the widget of one setting
LAB_STARTED_ON = "tl_started_on"  # the data set the lab chose itself, until the user picks one
LAB_SESSION = "tl_session"  # the core.lab.training.TrainingSession of the current network and data
LAB_DATA = "tl_data"  # the data settings the session was built from
LAB_REFUSED = "tl_refused"  # data settings that could not be used with the current network
LAB_NOTES = "tl_notes"  # how the network was adapted to the data
LAB_CSV_TEXT = "tl_csv_text"  # uploaded or pasted CSV examples
LAB_CSV_ERROR = "tl_csv_error"  # why the data cannot be used (or None)
LAB_PLAYING = "tl_playing"  # Play is on
LAB_TARGET = "tl_target"  # the epoch Play stops at
LAB_TICKS = "tl_ticks"  # times of the last ticks while playing (the tick rate)
LAB_CUTS = "tl_cuts"  # the step count after each frame of this tick (the live charts show them one by one)
LAB_RATES = "tl_rates"  # (key, runs) of the last comparison of update rules and η
LAB_CURVATURE = "tl_curvature"  # (session id, step, curvature) of the lab's last λ_max (app.lab.optim_lab)
LAB_EIGEN = "tl_eigen"  # (key, slice) of the lab's last cost along the top eigenvector (app.lab.optim_lab)
# the stage (app.walkthrough.stage)
STAGE_CHAINS = "bp_stage_chains"  # chain-rule cards asked for: (scenario key, example) -> set of keys
STAGE_SEEN = "bp_stage_seen"  # the last report handled per component key (reports are handled once)
# the graph view and the expression screen (app.graph.graph_ui)
GRAPH_EXPR = "bp_graph_expr"  # the expression screen's expression
GRAPH_VALUES = "bp_graph_values"  # … and its values
GRAPH_URL_READ = "bp_graph_url_read"  # its link parameters were read
GRAPH_PROBLEM = "graph_problem"  # why the typed expression or values cannot be used
GRAPH_GROUP = "bp_graph_group"  # the neuron (l, j) or ("cost",) whose graph a large network shows
# class mode (app.classroom)
CLASS_ROLE = "bp_class_role"  # "teacher" or "student"
CLASS_CODE = "bp_class_code"  # the room's code
CLASS_TOKEN = "bp_class_token"  # the teacher's control token (never in a URL, never sent to a student)
CLASS_STUDENT = "bp_class_student"  # this student's random id
CLASS_NAME = "bp_class_name"  # this student's name
CLASS_SEEN = "bp_class_seen"  # the room version this session last applied
CLASS_PUBLISHED = "bp_class_published"  # the place the teacher last published
CLASS_SHOW_JOIN = "bp_class_show_join"  # the projector shows the code, the link and the QR code
CLASS_NOTE = "bp_class_note"  # a one-off message of a refused action
CLASS_TYPO = "bp_class_typo"  # (qid, message) for a prediction that is not a number
CLASS_VERDICT = "bp_class_verdict"  # {qid, guess, right, message} of this student's last answer
CLASS_TRIES = "bp_class_tries"  # times of wrong codes typed (rate limit)
CLASS_LEFT = "bp_class_left"  # this session left a class: its URL does not rejoin it
CLASS_FULL_RUN = "bp_class_full_run"  # set while classroom.render draws the screen
PER_NETWORK = (SELECTED, DRAFT, JSON_TEXT, QUIZ_PASSES, QUIZ_TYPO,  # forgotten on a new network
               LAB_SESSION, LAB_DATA, LAB_REFUSED)  # the lab builds a fresh session on the new network

DEFAULT_PRESET = "classic_2-2-2"
CHANGED = "The network changed, so the steps start again from the first one."


def canonical_json(scenario: Scenario) -> str:
    """Compact JSON of the scenario: one string per network, used as cache key and in the URL."""
    return json.dumps(scenario.to_dict(), separators=(",", ":"), ensure_ascii=False)


def current_scenario() -> Scenario:
    """The scenario every page works on (the classic worked example until one is chosen)."""
    if SCENARIO not in st.session_state:
        s = load_preset(DEFAULT_PRESET)
        st.session_state[SCENARIO] = s
        st.session_state[SCENARIO_KEY] = canonical_json(s)
    return st.session_state[SCENARIO]


def scenario_key() -> str:
    """The canonical JSON of the current scenario."""
    s = current_scenario()
    if SCENARIO_KEY not in st.session_state:
        st.session_state[SCENARIO_KEY] = canonical_json(s)
    return st.session_state[SCENARIO_KEY]


def current_trace() -> Trace:
    """The forward and backward pass of the current scenario (cached per scenario, never mutated)."""
    return trace_of(scenario_key())


def version() -> int:
    return st.session_state.get(VERSION, 0)


def set_scenario(scenario: Scenario, notice: str | None = None) -> None:
    """Make ``scenario`` the current one (steps restart); ``notice`` is shown once."""
    key = canonical_json(scenario)
    changed = key != st.session_state.get(SCENARIO_KEY)
    st.session_state[SCENARIO] = scenario
    st.session_state[SCENARIO_KEY] = key
    if changed:
        _on_new_network(scenario)
    if notice or changed:
        st.session_state[NOTICE] = notice or CHANGED


def _on_new_network(scenario: Scenario) -> None:
    """The one place that forgets what belonged to the previous network: its steps, the chosen weight,
    the builder's draft and JSON text, the quiz's scores, the training lab's session; widgets keyed on
    the version start afresh."""
    st.session_state[VERSION] = version() + 1
    for k in list(st.session_state):
        if isinstance(k, str) and k.startswith(STEP.partition("{")[0]):
            del st.session_state[k]
    for k in PER_NETWORK:
        st.session_state.pop(k, None)
    if st.session_state.get(EXAMPLE, 0) >= len(scenario.x):
        st.session_state[EXAMPLE] = 0


def pop_notice() -> str | None:
    return st.session_state.pop(NOTICE, None)


def set_notice(text: str) -> None:
    st.session_state[NOTICE] = text


# ---- steps, view, example ---------------------------------------------------------------

def view() -> str:
    return st.session_state.get(VIEW, "neuron")


def set_view(v: str) -> None:
    st.session_state[VIEW] = v if v in ("matrix", "graph") else "neuron"


def example() -> int:
    n = st.session_state.get(EXAMPLE, 0)
    return n if 0 <= n < len(current_scenario().x) else 0


def set_example(n: int) -> None:
    """Step through example n of the batch (every example has the same steps, so the step stays)."""
    st.session_state[EXAMPLE] = int(n)


def view_of(screen: str, view_: str | None = None) -> str:
    """The view a screen's step belongs to: ``view_`` or the session's on a screen with several views
    (``VIEWED``), "neuron" on any other (the Update screen steps its parameters whatever the view)."""
    return (view_ or view()) if screen in VIEWED else "neuron"


def step(screen: str, view_: str | None = None) -> int:
    return st.session_state.get(STEP.format(screen=screen, view=view_of(screen, view_)), 0)


def set_step(screen: str, i: int, view_: str | None = None) -> None:
    st.session_state[STEP.format(screen=screen, view=view_of(screen, view_))] = max(0, int(i))


# ---- a widget bound to a stored value ------------------------------------------------------

def bound(kind: str, label: str, wkey: str, value: Any, store: Callable[[Any], None], container=st, **kw):
    """The widget ``container.<kind>`` (key ``wkey``) showing ``value``; every edit goes to ``store``.

    The widget's own value is reseeded from the stored one on every run, so the stored value is
    the truth and survives the widget not being drawn (another screen, a collapsed expander)."""
    st.session_state[wkey] = value
    return getattr(container, kind)(label, key=wkey, on_change=_bound_changed, args=(wkey, store), **kw)


def _bound_changed(wkey: str, store: Callable[[Any], None]) -> None:
    store(st.session_state[wkey])


def setter(key: str) -> Callable[[Any], None]:
    """A ``store`` for ``bound`` that keeps the value under a session-state key."""
    return lambda v: st.session_state.__setitem__(key, v)


# ---- the URL ----------------------------------------------------------------------------

def read_url() -> str | None:
    """Once per session: take scenario, screen, step, view and example from the URL.

    Returns the screen the link asked for (or None). A broken or tampered link opens the
    default example with a notice; nothing here raises.
    """
    if st.session_state.get(URL_READ):
        return st.session_state.get(START_SCREEN)
    st.session_state[URL_READ] = True
    try:
        params = {k: st.query_params.get(k) for k in st.query_params}
    except Exception:  # noqa: BLE001 - a URL never breaks the app
        params = {}
    link = url.decode_params(params, load_preset(DEFAULT_PRESET))
    if link.scenario is not None:
        set_scenario(link.scenario)
    st.session_state.pop(NOTICE, None)
    if link.problem:
        set_notice(link.problem)
    set_view(link.view)
    set_example(link.example if link.scenario is not None and link.example < len(link.scenario.x) else 0)
    if link.screen in STEPPED and link.step is not None:
        set_step(link.screen, link.step)
    st.session_state[PRESENTER] = params.get("pm") == "1"
    st.session_state[START_SCREEN] = link.screen
    return link.screen


def write_url(screen: str) -> None:
    """Mirror the current state into the URL (only the parameters that changed are written)."""
    s = current_scenario()
    step_ = step(screen) if screen in STEPPED else None
    want = url.encode_params(scenario_key(), s, screen, step_, view(), example(),
                             default_key=_default_key())
    if st.session_state.get(PRESENTER):
        want["pm"] = "1"
    if screen == "graph":
        from app.graph import graph_ui

        want.update(graph_ui.url_params())
    want.update(st.session_state.get(URL_EXTRA) or {})  # e.g. a class-mode student's room
    try:
        have = {k: st.query_params.get(k) for k in st.query_params}
        if have != want:
            st.query_params.from_dict(want)
    except Exception:  # noqa: BLE001 - writing the URL is a convenience, never an error
        pass


@st.cache_data(max_entries=1)
def _default_key() -> str:
    return canonical_json(load_preset(DEFAULT_PRESET))
