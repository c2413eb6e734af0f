"""What class mode draws: the sidebar part, the teacher's class bar and join screen (code, link, QR code)
for the projector, the question with its live count and the Reveal, and a student's prediction box.
Names and predictions are shown as plain text only (``st.text``, ``plain``); the QR code is a PNG."""

from __future__ import annotations

import io
import os
import re
from urllib.parse import urlsplit

import streamlit as st

from app.classroom import charts, rooms
from app.classroom import ui as cu
from app.classroom.rooms import Refused
from app.session import state
from app.walkthrough import quiz, stepping
from core.teaching import quiz as cq

COUNT_POLL = 0.4  # seconds between two counts on the projector (the teacher's session only)
_HOST = re.compile(r"[A-Za-z0-9.\-]+(:\d{1,5})?|\[[0-9A-Fa-f:.]+\](:\d{1,5})?")


def note() -> None:
    text = st.session_state.pop(cu.NOTE, None)
    if text:
        st.warning(plain(text))


def plain(text) -> str:
    from app.walkthrough.ui import plain as p

    return p(text)


def join_link(code: str) -> str:
    """The address students open: BP_PUBLIC_URL (when the projector's address is not the students'), else
    the address of the teacher's browser; only a plain scheme://host[:port][/path] is used."""
    base = os.environ.get("BP_PUBLIC_URL") or ""
    if not base:
        try:
            base = st.context.url or ""
        except Exception:  # noqa: BLE001 - no browser address (e.g. a test): a relative link
            base = ""
    u = urlsplit(base)
    path = re.sub(r"[^A-Za-z0-9/_.\-]", "", u.path).rstrip("/")
    for screen in ("/" + s for s in (*rooms.SCREENS, "join")):
        path = path.removesuffix(screen)
    root = f"{u.scheme}://{u.netloc}{path}" if u.scheme in ("http", "https") and _HOST.fullmatch(u.netloc) else ""
    return f"{root}/join?room={code}"


@st.cache_data(max_entries=32, show_spinner=False)
def qr_png(link: str) -> bytes:
    import segno

    buf = io.BytesIO()
    segno.make(link, error="m").save(buf, kind="png", scale=12, border=2)
    return buf.getvalue()


# ---- the sidebar ------------------------------------------------------------------------

def sidebar(name: str) -> None:
    st.divider()
    if cu.role() == "teacher":
        code = st.session_state[cu.CODE]
        st.markdown(f"**Teaching class {rooms.show_code(code)}**")
        st.toggle("Show the join code on the projector", key="class_show_join_toggle",
                  value=bool(st.session_state.get(cu.SHOW_JOIN)),
                  on_change=lambda: st.session_state.update({cu.SHOW_JOIN: st.session_state["class_show_join_toggle"]}))
        with st.expander("Control key (to resume after a restart)"):
            st.caption("Keep it secret: whoever has it drives the class. Resume on the Join screen.")
            st.code(st.session_state[cu.TOKEN], language=None)
        st.button("End the class", key="class_end", on_click=cu._end, width="stretch",
                  help="Deletes the room, its answers and its names now (else 4 hours after the last activity).")
    elif cu.role() == "student":
        st.markdown(f"**In class {rooms.show_code(st.session_state[cu.CODE])}**")
        if st.session_state.get(cu.NAME):
            st.caption("You are " + plain(st.session_state[cu.NAME]))
        st.button("Leave the class", key="class_leave", on_click=cu._leave_clicked, width="stretch")
    elif name != "join":
        st.button("Start a class", key="class_start", icon=":material/groups:", on_click=cu._start, args=(name,),
                  width="stretch", help="Students join with a code or a QR code, follow your screen and step, "
                                        "and predict values when you ask the class.")


# ---- the teacher ------------------------------------------------------------------------

def _question_of(room: dict) -> cq.Question | None:
    qn = room.get("question")
    if not qn:
        return None
    qs = quiz._questions(room["scenario"], qn["n"], qn["index"])
    return qs[qn["q"]] if 0 <= qn["q"] < len(qs) else None


def _record(name: str) -> int | None:
    """The trace record the teacher's screen is on (None: not a step of the neuron view)."""
    steps = state.current_trace().steps(state.example())
    a, b = stepping.phase_range(steps, name)
    if state.view_of(name) != "neuron":
        return None
    return a + stepping.clamp(state.step(name), b - a)


def _act(fn, *args) -> None:
    try:
        fn(cu.store(), st.session_state[cu.CODE], st.session_state.get(cu.TOKEN), *args)
    except Refused as e:
        cu._refused(e)
    cu.saw(st.session_state[cu.CODE])


def _ask(name: str, g: int, qnum: int, move_to: int | None = None) -> None:
    """Ask the class number ``qnum`` of record ``g`` (``move_to``: the screen's step to move to first)."""
    n = state.example()
    qs = quiz._questions(state.scenario_key(), n, g)
    if not 0 <= qnum < len(qs):
        return
    where = None
    if move_to is not None:
        state.set_step(name, move_to)
        where = cu.place(name)
        st.session_state[cu.PUBLISHED] = where
    st.session_state[cu.SHOW_JOIN] = False  # the question takes the projector
    _act(rooms.ask, qs[qnum], name, n, quiz.sigfigs(), where)


def teacher(name: str, room: dict) -> None:
    code = st.session_state[cu.CODE]
    question = room.get("question")
    live = COUNT_POLL if question and not question["revealed"] else max(cu.POLL, 1.0)
    st.fragment(_live, run_every=live)(code)  # first, at the top level: see _live
    note()
    if question:
        _teacher_question(name, room, question)
        state.write_url(name)
        st.stop()
    with st.container(border=True):
        c1, c2, c3 = st.columns([3, 2, 2], vertical_alignment="center")
        c1.markdown(f"**Class {rooms.show_code(code)}** · students follow this screen")
        g = _record(name) if name in cu.STEP_SCREENS else None
        if g is None:
            c2.caption("Ask the class on a step of the forward, backward or update screen (neuron view)."
                       if name in cu.STEP_SCREENS else "")
            return
        qs = quiz._questions(state.scenario_key(), state.example(), g)
        qnum = 0
        if len(qs) > 1:
            names = {i: q.name for i, q in enumerate(qs)}
            qnum = c2.selectbox("Number to ask", list(names), format_func=names.get, key="class_ask_which")
        c3.button("Ask the class", key="class_ask", type="primary", on_click=_ask, args=(name, g, qnum),
                  width="stretch", help="Every student predicts this value; the screen shows it after the Reveal.")
    _pass_summary(name, room)


def _live(code: str) -> None:
    """What the projector shows live, redrawn every few seconds (a fragment with ``run_every``): the join panel
    while it is shown, then "N students joined"; while a question is open, the question and "N of M answered".

    It is the teacher's only timed fragment and it is drawn first, at the top level, on every run of every screen.
    A timed fragment's run that was already asked for can still arrive after a full rerun has moved the layout
    around it, and Streamlit's browser side then writes it at its old place. Nested in a container that had become
    an element there, that crashed the page to white (streamlit's "'setIn' cannot be called on an ElementNode",
    seen in a stress run of Next clicks and join-panel toggles under load). At the top level no element lies on a
    late run's path, and its place moves only when presenter mode is switched."""
    s = cu.store()
    room = s.load(code)
    if room is None:
        return
    members, question, join = s.members(code), room.get("question"), st.session_state.get(cu.SHOW_JOIN)
    if join:
        _join_panel(code, members)
    q = _question_of(room) if question and not question["revealed"] else None
    if q is not None:
        _question_head(q)
        st.markdown(f"## {s.count(code, question['qid'])} of {len(members)} answered")
    elif not question and not join:
        st.caption(f"{len(members)} student{'s' * (len(members) != 1)} joined")


def _join_panel(code: str, names: dict) -> None:
    link = join_link(code)
    with st.container(border=True):
        c1, c2 = st.columns([3, 2], vertical_alignment="center")
        with c1:
            st.markdown("## Join the class")
            st.markdown(f"# {rooms.show_code(code)}")
            st.markdown(f"Open **[{link}]({link})** or scan the code, then type a name if you like.")
            st.markdown(f"### {len(names)} joined")
            shown = [n for n in names.values() if n][:60]
            if shown:
                st.text(", ".join(shown))  # plain text, never markup
        c2.image(qr_png(link), width="stretch", caption="Scan to join")  # 340 px overflowed the column at 1280


def _question_head(q: cq.Question) -> None:
    st.markdown(f"### The class predicts {plain(q.name)}")
    st.latex(rf"{q.symbol} = \;?")


def _teacher_question(name: str, room: dict, question: dict) -> None:
    """The open question's buttons under _live (which shows the question and counts the answers), or its Reveal."""
    q = _question_of(room)
    if q is not None and not question["revealed"]:
        c1, c2 = st.columns(2)
        c1.button("Reveal", key="class_reveal", type="primary", on_click=_act, args=(rooms.reveal,),
                  width="stretch", shortcut="A")
        c2.button("Cancel the question", key="class_cancel", on_click=_act, args=(rooms.close_question,),
                  width="stretch")
        return
    with st.container(border=True):
        if q is None:
            st.caption("This question no longer matches the network.")
            st.button("Go on", key="class_go_on", on_click=_act, args=(rooms.close_question,))
            return
        _question_head(q)
        _reveal(q, question, cu.store().answers(st.session_state[cu.CODE], question["qid"]))
        _next_actions(name, room, q)
    _pass_summary(name, room)


def _reveal(q: cq.Question, question: dict, answers: list[dict]) -> None:
    t = rooms.tally(answers, q.value)
    st.latex(q.reveal)
    c1, c2 = st.columns(2)
    c1.metric("Answered", t["answered"])
    c2.metric("Right", "–" if t["share"] is None else f"{100 * t['share']:.0f} %",
              help=cq.rule_text(question["sigfigs"]))
    if t["guesses"]:
        fig, off = charts.histogram(t["guesses"], q.value, question["sigfigs"], q.name)
        st.plotly_chart(fig, key="class_histogram", config={"displaylogo": False})
        if off:
            st.caption(f"{off} prediction{'s' * (off > 1)} far from the value {'are' if off > 1 else 'is'} not drawn.")
    for sentence, n in t["slips"]:
        st.markdown(f"**{n} student{'s' * (n > 1)}:** {plain(sentence)}")


def _next_actions(name: str, room: dict, q: cq.Question) -> None:
    question = room["question"]
    qs = quiz._questions(room["scenario"], question["n"], question["index"])
    cols = st.columns(4)
    cols[0].button("Ask again", key="class_again", on_click=_ask, args=(name, q.index, q.q), width="stretch",
                   help="After the class has talked it over: the same question, fresh answers.")
    if q.q + 1 < len(qs):
        cols[1].button("Ask the next number", key="class_next_number", on_click=_ask,
                       args=(name, q.index, q.q + 1), width="stretch")
    if name in ("forward", "backward") and state.view() == "neuron":
        steps = state.current_trace().steps(state.example())
        a, b = stepping.phase_range(steps, name)
        if q.index + 1 < b:
            cols[2].button("Next step and ask ▶", key="class_next_ask", type="primary", on_click=_ask,
                           args=(name, q.index + 1, 0, q.index + 1 - a), width="stretch")
    cols[3].button("Go on", key="class_go_on", on_click=_act, args=(rooms.close_question,), width="stretch",
                   help="Back to the screen.")


def _pass_summary(name: str, room: dict) -> None:
    """At the last step of a pass: the class's summary by kind of step."""
    if name not in cu.STEP_SCREENS:
        return
    steps = state.current_trace().steps(state.example())
    a, b = stepping.phase_range(steps, name)
    last = _record(name) == b - 1
    rows = rooms.summary(room.get("history"), name)
    if last and rows:
        import pandas as pd  # pandas (and pyarrow) load when a class's summary is shown, not on every screen

        st.subheader(f"The class on the {quiz.PASS_NAMES[name].lower()}")
        st.dataframe(pd.DataFrame(rows), hide_index=True)


# ---- a student --------------------------------------------------------------------------

def student(name: str, room: dict) -> None:
    note()
    question = room.get("question")
    if not question:
        st.caption(f"Following your teacher · class {rooms.show_code(st.session_state[cu.CODE])}")
        return
    q = _question_of(room)
    with st.container(border=True):
        if q is None:
            st.caption("Your teacher is asking about another network: wait a moment.")
        else:
            _student_question(q, question)
    state.write_url(name)
    st.stop()


def _send(qid: str, widget: str) -> None:
    room = cu.store().load(st.session_state.get(cu.CODE, ""))
    q = _question_of(room) if room else None
    if q is None or room["question"]["qid"] != qid:
        st.session_state[cu.NOTE] = "This question is closed: the teacher has moved on."
        return
    try:
        v = rooms.answer(cu.store(), st.session_state[cu.CODE], st.session_state[cu.STUDENT], q,
                         st.session_state.get(widget, ""))
    except cq.PredictionError as e:
        st.session_state[cu.TYPO] = (qid, str(e))
        return
    except Refused as e:
        return cu._refused(e)
    st.session_state.pop(cu.TYPO, None)
    st.session_state[cu.VERDICT] = {"qid": qid, "guess": v.guess, "right": v.right, "message": v.message}


def _student_question(q: cq.Question, question: dict) -> None:
    qid = question["qid"]
    mine = st.session_state.get(cu.VERDICT)
    mine = mine if mine and mine["qid"] == qid else None
    st.markdown(f"**Predict {plain(q.name)}**")
    st.latex(rf"{q.symbol} = \;?")
    if question["revealed"]:
        st.latex(q.reveal)
        if mine:
            (st.success if mine["right"] else st.error)(plain(mine["message"]))
        else:
            st.caption("You did not answer this one.")
        return
    if mine:
        st.info(plain(f"Your answer is in: {mine['guess']:.6g}. Wait for your teacher's Reveal."))
        return
    widget = f"class_guess_{qid}"
    with st.form("class_answer", border=False):
        st.text_input("Your prediction", key=widget, placeholder=cq.EXAMPLES, max_chars=cq.MAX_LENGTH)
        st.form_submit_button("Send", key="class_send", type="primary", on_click=_send, args=(qid, widget),
                              width="stretch")
    typo = st.session_state.get(cu.TYPO)
    if typo and typo[0] == qid:
        st.warning(plain(typo[1]))
