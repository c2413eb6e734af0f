"""Predict, then reveal: the quiz switch of the forward, backward and update screens.

``screen(phase)`` draws the switch. In quiz mode it draws the step part of the screen itself and
returns True, and the page draws nothing else, so nothing the page would show (cards, metrics,
tables, the drawing) can leak the current step's value or a later one: the step card asks for one
number at a time (hint 1: the symbolic equation, hint 2: with the numbers, then the value), and the
drawing is the stage built with ``revealed_up_to`` (app/walkthrough/frames.py): the values revealed
so far and nothing after.
Checking and scoring are ``core.teaching.quiz``; the state lives under fixed
``bp_quiz_*`` keys, so it survives moving between pages.
"""

from __future__ import annotations

import streamlit as st

from app.session import state
from app.session.model import trace_of
from app.walkthrough import equations, frames, presenter, stage, stepping, ui
from app.walkthrough.ui import plain
from core.teaching import quiz as cq

ON, SIGFIGS, PASSES, TYPO = state.QUIZ_ON, state.QUIZ_SIGFIGS, state.QUIZ_PASSES, state.QUIZ_TYPO
# (the keys live in app.session.state)
REVEAL_KEY, HINT_KEY = "A", "H"  # keyboard shortcuts ("R" is reserved by Streamlit)
PASS_NAMES = {"forward": "Forward pass", "backward": "Backward pass", "update": "Update"}


@st.cache_data(max_entries=4000, show_spinner=False)
def _questions(key: str, n: int, index: int) -> list[cq.Question]:
    return cq.questions(trace_of(key), index, n)


def sigfigs() -> int:
    s = st.session_state.get(SIGFIGS, cq.SIGFIGS_DEFAULT)
    return s if cq.SIGFIGS[0] <= s <= cq.SIGFIGS[1] else cq.SIGFIGS_DEFAULT


def score(phase: str) -> cq.PassScore:
    """The quiz of this pass for the current network and example (the update is the same for all);
    the passes of another network are dropped."""
    key, n = state.scenario_key(), None if phase == "update" else state.example()
    passes = st.session_state.setdefault(PASSES, {})
    if any(p.key != key for p in passes.values()):
        passes = st.session_state[PASSES] = {k: p for k, p in passes.items() if p.key == key}
    return passes.setdefault((phase, n), cq.PassScore(phase, key))


def _neuron_view() -> None:
    """The quiz asks one number at a time: switch a matrix view to the neuron view (same place)."""
    if state.view() == "graph":
        state.set_view("neuron")
    if state.view() != "matrix":
        return
    steps = state.current_trace().steps(state.example())
    for phase in ("forward", "backward"):
        m = stepping.clamp(state.step(phase, "matrix"), stepping.count(steps, phase, "matrix"))
        state.set_step(phase, stepping.to_neuron(steps, phase, m), "neuron")
    state.set_view("neuron")


# --- callbacks (they run before the next script run) ---

def _check(phase: str, q: cq.Question, widget: str) -> None:
    try:
        guess = cq.parse_prediction(st.session_state.get(widget, ""))
    except cq.PredictionError as e:
        st.session_state[TYPO] = (phase, q.index, q.q, str(e))
        return
    st.session_state.pop(TYPO, None)
    score(phase).check(q, guess, sigfigs())


def _hint(phase: str, q: cq.Question) -> None:
    score(phase).hint(q)


def _reveal(phase: str, q: cq.Question) -> None:
    score(phase).reveal(q)


def _restart(phase: str) -> None:
    st.session_state.setdefault(PASSES, {}).pop((phase, None if phase == "update" else state.example()), None)
    state.set_step(phase, 0)


def _sigfigs_moved() -> None:
    st.session_state[SIGFIGS] = int(st.session_state["quiz_sigfigs"])


# --- the screen ---

def screen(phase: str) -> bool:
    """The quiz switch; when it is on, the quiz (step card, stage, score) and True: the page shows
    nothing more (the entry script still writes the URL, as on every screen)."""
    on = ui.bound_toggle("Quiz: predict each value before it is shown", ON, "quiz_toggle",
                         help="Each value stays hidden until you type your prediction and check it; hints show "
                              "the equation, then the equation with the numbers. Works on every pass.")
    if not on:
        return False
    _neuron_view()
    t, key, n = state.current_trace(), state.scenario_key(), state.example()
    steps = t.steps(n)
    a, b = stepping.phase_range(steps, phase)
    p = score(phase)
    _settings(phase, p)
    i = ui.stepper(phase, b - a)
    qs = _questions(key, n, a + i)
    left, right = ui.split(t.scenario.layers)
    with left:
        _card(phase, p, qs, key, n, a + i)
        if i == b - a - 1:
            _summary(phase, p)
    with right:  # the stage up to this step, with only the values revealed so far (nothing later is sent)
        shown = next((k for k, q in enumerate(qs) if not p.revealed(q)), frames.ALL)
        stage.show(phase, stage.quiz_data(key, n, phase, i, shown), step=i, key=f"quiz_stage_{phase}",
                   presenter=presenter.on(), follow=True, cards=False)
    return True


def _settings(phase: str, p: cq.PassScore) -> None:
    c1, c2, c3 = st.columns([2, 2, 1], vertical_alignment="center")
    st.session_state["quiz_sigfigs"] = sigfigs()
    c1.select_slider("Right to … significant figures", list(range(cq.SIGFIGS[0], cq.SIGFIGS[1] + 1)),
                     key="quiz_sigfigs", on_change=_sigfigs_moved, help=cq.rule_text(sigfigs()))
    c2.markdown(f"**{PASS_NAMES[phase]}: {p.right} of {p.asked} right first time**")
    c3.button("Start this quiz again", key="quiz_restart", on_click=_restart, args=(phase,), width="stretch")


def _result(a: cq.Attempt | None) -> str:
    if a is None or a.first_right is None:
        return ""
    if a.first_right:
        return f"✓ Right first time (you predicted {a.last.guess:.6g})."
    if a.last is not None and a.last.right:
        return f"✗ Wrong at first, right after {a.checks} predictions."
    if a.checks:
        return f"✗ Revealed after {a.checks} prediction{'s' * (a.checks > 1)}: {a.last.message}"
    return "Revealed without a prediction."


def _card(phase: str, p: cq.PassScore, qs: list[cq.Question], key: str, n: int, g: int) -> None:
    current = next((q for q in qs if not p.revealed(q)), None)
    with st.container(border=True):
        for q in qs:
            if q is current:
                break
            st.latex(q.reveal)
            st.caption(plain(_result(p.attempts.get((q.index, q.q)))))
        if current is None:
            st.caption("Every value of this step is revealed: the whole equation is below.")
        else:
            _ask(phase, p, current)
    if current is None:
        ui.equation_card(equations.step_equation(key, n, g))


def _ask(phase: str, p: cq.PassScore, q: cq.Question) -> None:
    a = p.attempts.get((q.index, q.q))
    hints = a.hints if a else 0
    st.markdown(f"**Predict {plain(q.name)}** ({plain(q.kind)})")
    st.latex(rf"{q.symbol} = \;?")
    if hints >= 1:
        st.latex(q.symbolic)
    if hints >= 2:
        st.latex(q.numeric)
    widget = f"quiz_guess_{phase}_{q.index}_{q.q}"
    with st.form(f"quiz_form_{phase}", border=False):
        c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
        c1.text_input("Your prediction", key=widget, placeholder=cq.EXAMPLES, max_chars=cq.MAX_LENGTH)
        c2.form_submit_button("Check", key="quiz_check", type="primary", on_click=_check, args=(phase, q, widget),
                              width="stretch")
    typo = st.session_state.get(TYPO)
    if typo and typo[:3] == (phase, q.index, q.q):
        st.warning(plain(typo[3]))
    elif a is not None and a.last is not None:
        (st.success if a.last.right else st.error)(plain(a.last.message))
    c1, c2 = st.columns(2)
    c1.button(f"Hint {min(hints + 1, 2)} of 2: {'the equation' if hints == 0 else 'with the numbers'}",
              key="quiz_hint", on_click=_hint, args=(phase, q), disabled=hints >= 2, shortcut=HINT_KEY,
              width="stretch")
    c2.button("Reveal the value", key="quiz_reveal", on_click=_reveal, args=(phase, q), shortcut=REVEAL_KEY,
              width="stretch")


def _summary(phase: str, p: cq.PassScore) -> None:
    st.subheader(f"Summary: {PASS_NAMES[phase].lower()}")
    rows = p.summary()
    if not rows:
        st.caption("Nothing predicted yet in this pass.")
        return
    wrong = p.went_wrong()
    st.markdown(f"**{p.right} of {p.asked} right first time.** " + (
        "Went wrong: " + "; ".join(plain(k) for k in wrong) + "." if wrong else "No kind of step went wrong."))
    import pandas as pd  # pandas (and pyarrow) load for the quiz's summary table, not on every step screen

    st.dataframe(pd.DataFrame(rows), hide_index=True)
