"""Class mode in the app: the teacher drives, every student follows and predicts.

``render(name, pages)`` runs on every screen before the screen itself (one hook line in
app/streamlit_app.py). For the teacher it publishes the network, screen, step, view and example to
the room whenever they change (``teacher_moved`` is the same for a client-side step player) and draws
the class bar; for a student it applies the room's place (switching screens) and polls the room's
version in a small fragment (``POLL`` seconds) that reruns the app only when the teacher changed
something. While a question is open, the teacher's screen (the projector) and every student's show
the question instead of the screen, so no value leaks before the Reveal.

Session keys: ``bp_class_*`` below. The control token lives only in the teacher's session.
"""

from __future__ import annotations

import os
import re
import secrets
import time

import streamlit as st

from app.classroom import rooms
from app.classroom.rooms import Refused
from app.classroom.store import open_store
from app.session import state
from app.session.model import trace_of
from app.session.screens import STEPPED
from app.walkthrough import stepping

ROLE, CODE, TOKEN, STUDENT, NAME = state.CLASS_ROLE, state.CLASS_CODE, state.CLASS_TOKEN, state.CLASS_STUDENT, \
    state.CLASS_NAME  # the keys live in app.session.state
SEEN, PUBLISHED, SHOW_JOIN, NOTE = state.CLASS_SEEN, state.CLASS_PUBLISHED, state.CLASS_SHOW_JOIN, state.CLASS_NOTE
TYPO, VERDICT, TRIES, LEFT = state.CLASS_TYPO, state.CLASS_VERDICT, state.CLASS_TRIES, state.CLASS_LEFT
URL_EXTRA = state.URL_EXTRA  # query parameters app.session.state.write_url adds (a student's room)
POLL = float(os.environ.get("BP_CLASS_POLL_S") or 1.5)  # the browser's timer for the follower fragment (< HOLD)
HOLD = float(os.environ.get("BP_CLASS_HOLD_S") or 30.0)  # seconds one follower run waits for a change
SLICE = 0.25  # how often a waiting follower lets the student's own clicks go first
FULL_RUN = state.CLASS_FULL_RUN  # set while render() draws the screen
TRIES_MAX, TRIES_WINDOW = 10, 600  # wrong codes per session per 10 minutes
STEP_SCREENS = STEPPED  # the screens whose step the room follows
_ID = re.compile(r"[A-Za-z0-9_-]{8,32}")


@st.cache_resource(show_spinner=False)
def _store_for(redis_url: str, db: str, ttl: str):
    return open_store({"REDIS_URL": redis_url, "BP_CLASS_DB": db, "BP_CLASS_TTL_HOURS": ttl})


def store():
    """The rooms' store the settings name (one per process, shared by every session)."""
    return _store_for(*_settings())


def _settings() -> tuple[str, str, str]:
    env = os.environ
    return env.get("REDIS_URL", ""), env.get("BP_CLASS_DB", ""), env.get("BP_CLASS_TTL_HOURS", "")


@st.cache_resource(show_spinner=False)
def _watcher_for(redis_url: str, db: str, ttl: str):
    from app.classroom.watch import Watcher

    return Watcher(_store_for(redis_url, db, ttl).version)


def _watcher():
    """The process's watcher of the rooms in the store the settings name (app.classroom.watch)."""
    return _watcher_for(*_settings())


def saw(code: str, version: int | None = None) -> None:
    """This process read or wrote the room (``version`` None: read it now): its followers here wake at once."""
    _watcher().saw(code, store().version(code) if version is None else version)


def role() -> str | None:
    return st.session_state.get(ROLE)


def _leave_clicked() -> None:
    _leave()
    st.session_state[LEFT] = True


def _leave() -> None:
    for k in (ROLE, CODE, TOKEN, SEEN, PUBLISHED, SHOW_JOIN, VERDICT, TYPO, URL_EXTRA):
        st.session_state.pop(k, None)


def _refused(e: Exception) -> None:
    st.session_state[NOTE] = str(e)


# ---- where the teacher is ---------------------------------------------------------------

def place(name: str) -> dict:
    """The teacher's network, screen, step (the update screen: the picked record), view and example."""
    step = 0
    if name in STEP_SCREENS:
        view = state.view_of(name)
        steps = state.current_trace().steps(state.example())
        step = stepping.clamp(state.step(name, view), stepping.count(steps, name, view))
    return {"scenario": state.scenario_key(), "screen": name, "step": step, "view": state.view(),
            "example": state.example()}


def _publish(name: str) -> None:
    here = place(name)
    if here == st.session_state.get(PUBLISHED):
        return
    code = st.session_state[CODE]
    try:
        saw(code, rooms.move(store(), code, st.session_state.get(TOKEN), here))
        st.session_state[PUBLISHED] = here
    except Refused as e:
        _refused(e)


def teacher_moved(screen: str, step: int) -> None:
    """Hook for a step player: the teacher's step on ``screen`` is now ``step`` (0-based; on the update
    screen the record's index). Sets the session's step and tells the room; nothing for a non-teacher."""
    if screen in STEP_SCREENS:
        state.set_step(screen, step)
    if role() == "teacher":
        _publish(screen)


def _start(name: str) -> None:
    try:
        here = place(name)
        code, token = rooms.start(store(), here)
    except Refused as e:
        return _refused(e)
    _leave()
    st.session_state.update({ROLE: "teacher", CODE: code, TOKEN: token, SHOW_JOIN: True, PUBLISHED: here})


def _end() -> None:
    try:
        rooms.end(store(), st.session_state.get(CODE, ""), st.session_state.get(TOKEN))
    except Refused as e:
        _refused(e)
    _leave()


# ---- joining ----------------------------------------------------------------------------

def _rate_limited() -> bool:
    now = time.time()
    tries = [t for t in st.session_state.get(TRIES, []) if now - t < TRIES_WINDOW]
    st.session_state[TRIES] = tries
    return len(tries) >= TRIES_MAX


def join(code_text: str, name: str, student: str | None = None) -> bool:
    """Join a room as a student (True), or leave a plain message under NOTE (False)."""
    if _rate_limited():
        st.session_state[NOTE] = "Too many wrong codes: wait a few minutes, then type the code again."
        return False
    try:
        code = rooms.normalise_code(code_text)
        student = student or st.session_state.get(STUDENT) or secrets.token_urlsafe(9)
        rooms.join(store(), code, student, name)
    except Refused as e:
        st.session_state.setdefault(TRIES, []).append(time.time())
        st.session_state[NOTE] = str(e)
        return False
    _leave()
    st.session_state.update({ROLE: "student", CODE: code, STUDENT: student, NAME: rooms.clean_name(name),
                             URL_EXTRA: {"room": code, "me": student}})
    return True


def _join_clicked() -> None:
    join(st.session_state.get("class_join_code", ""), st.session_state.get("class_join_name", ""))


def _resume_clicked() -> None:
    try:
        code = rooms.normalise_code(st.session_state.get("class_resume_code", ""))
    except Refused as e:
        return _refused(e)
    key = str(st.session_state.get("class_resume_key", "")).strip()
    if _rate_limited() or not rooms.is_teacher(store(), code, key):
        st.session_state.setdefault(TRIES, []).append(time.time())
        st.session_state[NOTE] = "That code and control key do not open a class you started (or it has expired)."
        return
    _leave()
    st.session_state.update({ROLE: "teacher", CODE: code, TOKEN: key, SHOW_JOIN: False})


def _from_url(name: str, pages: dict) -> None:
    """A join link (``room``) opens the join screen with its code; a student whose session was lost (a
    server restart, a reload) comes back with the same id (``room`` and ``me``)."""
    if role() or st.session_state.get(LEFT):
        return
    try:
        code, me = st.query_params.get("room"), st.query_params.get("me")
    except Exception:  # noqa: BLE001 - a URL never breaks the app
        return
    if code and not me and "class_join_code" not in st.session_state:
        st.session_state["class_join_code"] = str(code)[:40]
        if name != "join" and "join" in pages:
            st.switch_page(pages["join"])
    if code and me and _ID.fullmatch(me):
        try:
            name = store().members(rooms.normalise_code(code)).get(me, "")
        except Refused:
            return
        join(code, name, student=me)


def join_screen() -> None:
    """The join screen (pages/join.py): the code (from the link) and an optional display name."""
    from app.classroom import panels

    panels.note()
    if role() == "student":
        st.success(f"You are in class {rooms.show_code(st.session_state[CODE])}: this screen follows your teacher.")
        return
    with st.form("class_join", border=True):
        st.text_input("Class code", key="class_join_code", max_chars=12, placeholder="e.g. K7QP-M3X")
        st.text_input("Your name (optional, shown to the teacher only)", key="class_join_name",
                      max_chars=rooms.NAME_MAX)
        st.form_submit_button("Join the class", type="primary", on_click=_join_clicked, width="stretch")
    st.caption("The code is on the projector. You follow the teacher's screen and answer when the class is "
               "asked; nothing is kept but your answers and the name you type, and only while the class lasts.")
    with st.expander("I am the teacher of a class (resume after a restart)"):
        with st.form("class_resume", border=False):
            st.text_input("Code of the class you started", key="class_resume_code", max_chars=12)
            st.text_input("Control key", key="class_resume_key", type="password", max_chars=64)
            st.form_submit_button("Resume teaching", on_click=_resume_clicked)


# ---- every screen -----------------------------------------------------------------------

def render(name: str, pages: dict) -> None:
    """Class mode's part of every screen (see the module docstring); may stop the screen."""
    from app.classroom import panels

    _from_url(name, pages)
    with st.sidebar:
        panels.sidebar(name)
    if role() == "teacher":
        code = st.session_state[CODE]
        room = store().load(code)
        if room is None or not rooms.is_teacher(store(), code, st.session_state.get(TOKEN)):
            _leave()
            st.session_state[NOTE] = (f"Your class {rooms.show_code(code)} has ended or expired." if room is None
                                      else "Only the teacher who started this class can drive it.")
            return panels.note()
        _publish(name)
        panels.teacher(name, store().load(code))
    elif role() == "student":
        code = st.session_state[CODE]
        room = store().load(code)
        if room is None:
            _leave()
            st.session_state[NOTE] = (f"The class {rooms.show_code(code)} has ended or expired. To join another, "
                                      "type its code on the Join screen.")
            return panels.note()
        _watcher().saw(code, room["version"])
        _apply(room, name, pages)
        st.session_state[FULL_RUN] = True  # the follower does not wait in the run that draws the screen
        try:
            _follow(code, room["version"])
        finally:  # a run stopped here for a rerun must not leave the flag set: every later wait would return at once
            st.session_state[FULL_RUN] = False
        panels.student(name, room)


def _apply(room: dict, name: str, pages: dict) -> None:
    """Move this student's session to the teacher's place (the screen too)."""
    key = room["scenario"]
    if key != state.scenario_key():
        try:
            state.set_scenario(trace_of(key).scenario, "Your teacher opened another network; you follow it.")
        except Exception:  # noqa: BLE001 - the teacher's network was valid where it was made
            st.warning("Your teacher's network could not be opened here.")
            return
    state.set_view(room["view"])
    state.set_example(room["example"] if room["example"] < len(state.current_scenario().x) else 0)
    if room["screen"] in STEP_SCREENS:
        state.set_step(room["screen"], room["step"], room["view"])
    st.session_state[SEEN] = room["version"]
    if room["screen"] != name and room["screen"] in pages:
        st.switch_page(pages[room["screen"]])


@st.fragment(run_every=POLL)
def _follow(code: str, seen: int) -> None:
    """A student's follower: waits (up to HOLD seconds) for the room to change, then reruns the app. The
    browser asks for the next run every POLL seconds; the requests that arrive while a run waits are folded
    into one, which starts as soon as this one ends, so some run is always waiting."""
    if st.session_state.get(FULL_RUN):
        return
    watcher = _watcher()  # once: a cached resource's lookup costs about 0.1 ms, and this loop turns 4 times a second
    v, deadline = seen, time.monotonic() + HOLD
    while v == seen and time.monotonic() < deadline:
        v = watcher.wait(code, seen, min(SLICE, max(0.0, deadline - time.monotonic())))
        _ = FULL_RUN in st.session_state  # a yield point: the student's own click (a full rerun) goes first
    if v != seen:
        st.rerun(scope="app")
