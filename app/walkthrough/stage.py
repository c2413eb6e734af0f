"""The stage on a step screen: ``app.walkthrough.frames`` data (cached by content, like the trace) handed to the
stage component (app/components/stage), which steps, plays and animates in the browser.

The component tells Python its step only when it matters (``Report``): a pause of Play, two
seconds without a move, a request for a chain-rule card, going on to the next screen — or on
every move with ``report_all=True`` (a teacher driving a room). With ``follow=True`` the step is
the server's and the student cannot move it (hover and the cards still work).

Plotly.js comes from the installed plotly package, served by Streamlit as a second component
directory (as ``app.lab.live_chart`` does); nothing is fetched from a CDN. AppTest cannot run
JavaScript: tests read the component's arguments.
"""

from __future__ import annotations

import json
from pathlib import Path

import streamlit as st
import streamlit.components.v1 as components

from app import classroom
from app.lab.live_chart import PLOTLY_JS_DIR
from app.session import state
from app.session.model import trace_of
from app.walkthrough import frames, presenter, stepping, ui

HTML_DIR = Path(__file__).resolve().parent.parent / "components" / "stage"
CHAIN_BUDGET = 150_000  # bytes of chain-rule cards sent with a backward stage; the rest on request
CHAINS = state.STAGE_CHAINS  # chain-rule cards asked for: (scenario key, example) -> set of keys
SEEN = state.STAGE_SEEN  # the last report handled per component key (reports are handled once)
NEXT = {"forward": ("backward", "On to the backward pass"), "backward": ("update", "On to the update")}


@st.cache_data(max_entries=64, show_spinner=False)
def data(key: str, n: int, screen: str, view: str, cards: bool = True) -> str:
    """The stage of a screen as compact JSON (built once per network, example, screen and view)."""
    return json.dumps(frames.stage(trace_of(key), n, screen, view, cards=cards), separators=(",", ":"),
                      ensure_ascii=False)


@st.cache_data(max_entries=256, show_spinner=False)
def quiz_data(key: str, n: int, screen: str, i: int, q: int) -> str:
    """The stage up to step i with only its first q values revealed (no cards: the quiz asks)."""
    return json.dumps(frames.stage(trace_of(key), n, screen, "neuron", revealed_up_to=(i, q), cards=False),
                      separators=(",", ":"), ensure_ascii=False)


@st.cache_data(max_entries=64, show_spinner=False)
def _chain_all(key: str, n: int) -> dict:
    """Chain-rule cards of the backward screen, output layer first, as many as the budget allows."""
    t = trace_of(key)
    keys = frames.chain_keys(json.loads(data(key, n, "backward", "neuron"))["frames"])
    out, size = {}, 0
    for k, cards in frames.chain_cards(t, n, keys).items():
        size += len(json.dumps(cards, ensure_ascii=False))
        if size > CHAIN_BUDGET:
            break
        out[k] = cards
    return out


@st.cache_data(max_entries=512, show_spinner=False)
def _chain_one(key: str, n: int, k: str) -> list:
    return frames.chain_cards(trace_of(key), n, [k])[k]


def chain(key: str, n: int) -> str:
    """The chain-rule cards the backward stage holds: those within the budget and those asked for."""
    cards = dict(_chain_all(key, n))
    for k in sorted(st.session_state.get(CHAINS, {}).get((key, n), ())):
        cards.setdefault(k, _chain_one(key, n, k))
    return json.dumps(cards, separators=(",", ":"), ensure_ascii=False)


def _component():
    components.declare_component("plotlyjs", path=str(PLOTLY_JS_DIR))
    return components.declare_component("stage", path=str(HTML_DIR))


def report(key: str) -> dict | None:
    """The stage's report not handled yet ({"step", "why", "seq", …}), read before the stage is drawn so
    that the step it is given already is the reported one; None if there is none."""
    value = st.session_state.get(key)
    seen = st.session_state.setdefault(SEEN, {})
    if not isinstance(value, dict) or value.get("seq") == seen.get(key):
        return None
    seen[key] = value.get("seq")
    return value


def show(screen: str, payload: str, *, step: int, key: str, chain_json: str = "", presenter: bool = False,
         onward: bool = True, follow: bool = False, report_all: bool = False, cards: bool = True,
         hint: str = "", url_param: str = "step") -> None:
    """Mount the stage at ``step`` (the browser keeps its own step unless the server moves it; it
    writes it to the URL's ``url_param``)."""
    nxt = NEXT.get(screen) if onward and not follow else None
    _component()(data=payload, step=int(step), chain=chain_json, presenter=bool(presenter),
                 follow=bool(follow), report_all=bool(report_all), cards=bool(cards), hint=hint,
                 # JSON text, not a dict: a dict among a component's arguments makes Streamlit import pandas
                 # (0.2-0.3 s of a cold server's first run, measured by benchmarks/bench_paint.py)
                 onward=json.dumps({"screen": nxt[0], "label": nxt[1]}) if nxt else "",
                 url_step=url_param,
                 key=key, default=None)


def ask_chain(key: str, n: int, k) -> None:
    """Remember that the chain-rule card ``k`` was asked for (it is sent from the next run on); a key
    that is not one of the screen's (a tampered message) is ignored."""
    if isinstance(k, str) and k in frames.chain_keys(json.loads(data(key, n, "backward", "neuron"))["frames"]):
        st.session_state.setdefault(CHAINS, {}).setdefault((key, n), set()).add(k)


def screen(phase: str, view: str = "neuron", *, follow: bool | None = None, report_all: bool | None = None) -> None:
    """The stage of a step screen at the session's step; handles the browser's report.

    In class mode (by default, from the session's role) a teacher's stage reports every step, which goes to
    the room (``classroom.teacher_moved``), and a student's stage follows the step the server gives it."""
    role = classroom.role()
    data(state.scenario_key(), state.example(), phase, view)  # built here, where a failure reaches the screen's net
    _stage(phase, view, role == "student" if follow is None else follow,
           role == "teacher" if report_all is None else report_all)


@st.fragment
def _stage(phase: str, view: str, follow: bool, report_all: bool) -> None:
    """The stage and its report, as a fragment: a report (a pause, an idle moment) reruns this alone, not the
    whole screen, so telling the server the step costs it a few milliseconds (the page's other parts do not
    depend on the step; a teacher's move redraws the whole screen, the class panel included)."""
    try:
        _play(phase, view, follow, report_all)
    except Exception:  # noqa: BLE001 - a fragment's error would otherwise show as a traceback
        ui.recover("stage", f"recover_stage_{phase}", phase)


def _play(phase: str, view: str, follow: bool, report_all: bool) -> None:
    key, n = state.scenario_key(), state.example()
    steps = trace_of(key).steps(n)
    total = stepping.count(steps, phase, view)
    i = stepping.clamp(state.step(phase, view), total)
    state.set_step(phase, i, view)
    ckey = f"stage_{phase}_{view}"
    r = report(ckey)
    if r is not None and follow:  # the server's step stands; a following browser may only ask for a card
        if r.get("why") == "chain":
            ask_chain(key, n, r.get("chain"))
        r = None
    if r is not None:
        try:
            i = stepping.clamp(int(r.get("step", i)), total)
        except (TypeError, ValueError):
            r = None
    if r is not None:
        moved = i != state.step(phase, view)
        state.set_step(phase, i, view)
        if report_all:
            classroom.teacher_moved(phase, i)
            if moved:  # the class panel above was drawn at the old step: draw it again at the new one
                st.rerun()
        if r.get("why") == "chain":
            ask_chain(key, n, r.get("chain"))
        if r.get("why") == "onward" and phase in NEXT and not follow:
            nxt = NEXT[phase][0]
            state.set_step(nxt, 0)
            st.switch_page(f"../pages/{nxt}.py")
        state.write_url(phase)  # a fragment's rerun does not reach the entry script's own call
    chain_json = chain(key, n) if phase == "backward" and view == "neuron" else ""
    show(phase, data(key, n, phase, view), step=i, key=ckey, chain_json=chain_json,
         presenter=presenter.on(), follow=follow, report_all=report_all,
         hint=ui.CLICK_HINT[phase] + " " + KEYS_HINT)


KEYS_HINT = "Keys: ← → step · Home/End first/last · Space play/pause."
