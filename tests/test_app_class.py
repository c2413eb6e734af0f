"""Class mode with AppTest: a teacher's session and students' sessions of the whole app sharing one
SQLite store (a temp file). Start, join (code from the link, a name), follow the teacher's step and
screen, ask, answer (one per student, the quiz's rule and slips), reveal, ask again, go on, forged
requests, a wrong code, an ended class, names never shown as markup. Reference numbers: the classic
2-2-2 example (Mazur): z²₁ = 0.3775, a²₁ = 0.593269992."""

from __future__ import annotations

import json

import pytest
from conftest import APP, assert_no_crash

from tests._stage import figure, figures, report, stage, stages, step_caption

Z21, A21 = "0.3775", "0.593269992"


@pytest.fixture(autouse=True)
def own_store(tmp_path, monkeypatch):
    monkeypatch.setenv("BP_CLASS_DB", str(tmp_path / "class.sqlite3"))
    monkeypatch.delenv("REDIS_URL", raising=False)


def _session(page: str | None = None, **params):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    if page:
        at.switch_page(f"../pages/{page}.py").run()
    assert_no_crash(at)
    return at


def _store():
    from app.classroom import ui

    return ui.store()


def _text(at) -> str:
    parts = [x.value for kind in ("markdown", "latex", "caption", "success", "error", "warning", "info", "text")
             for x in getattr(at, kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [json.dumps(f, ensure_ascii=False) for f in figures(at)]
    parts += [json.dumps(a, ensure_ascii=False) for a in stages(at)]  # every value the stage could show
    return "\n".join(parts)


def _teacher():
    t = _session("forward")
    t.sidebar.button(key="class_start").click().run()
    assert_no_crash(t)
    return t, t.session_state["bp_class_code"]


def _join(code: str, name: str = ""):
    s = _session("join", room=code)
    assert s.text_input(key="class_join_code").value == code  # the link filled in the code
    s.text_input(key="class_join_name").input(name)
    s.button[0].click().run()  # "Join the class", the form's submit button
    s.run()  # the follower's next look at the room moves the screen
    assert_no_crash(s)
    return s


def _step_caption(at) -> str:
    return step_caption(at)  # the stage's "Step i of n", from its arguments


def _next(at, screen: str = "forward") -> None:
    """A Next click on the stage: the teacher's browser reports every step (report_all)."""
    assert stage(at)["report_all"] or stage(at)["follow"], "in a class the stage reports or follows"
    report(at, f"stage_{screen}_neuron", stage(at)["step"] + 1, "step")


def test_start_shows_the_code_the_link_and_the_qr_code():
    t, code = _teacher()
    text = _text(t)
    shown = f"{code[:4]}-{code[4:]}"
    assert f"# {shown}" in text and f"/join?room={code}" in text
    assert len(t.image) == 1 and t.image[0].captions == ["Scan to join"]  # the QR code
    room = _store().load(code)
    assert (room["screen"], room["step"]) == ("forward", 0)
    assert t.session_state["bp_class_token"] not in text  # the key is only in the sidebar's closed expander
    assert t.session_state["bp_class_token"] not in str(room)


def test_a_student_follows_the_teachers_step_and_screen():
    t, code = _teacher()
    s = _join(code, "  Ann  ")
    assert any(h.value == "2 · Forward pass" for h in s.title)
    assert _step_caption(s) == _step_caption(t) == "Step 1 of 5"
    assert _store().members(code) == {s.session_state["bp_class_student"]: "Ann"}
    _next(t)
    _next(t)
    assert _store().load(code)["step"] == 2
    s.run()
    assert _step_caption(s) == "Step 3 of 5"
    _next(s)  # a student's own Next: the step stays the teacher's
    assert _step_caption(s) == "Step 3 of 5"
    t.switch_page("../pages/backward.py").run()
    s.run()
    assert any(h.value == "3 · Backward pass" for h in s.title)


def test_ask_answer_reveal_ask_again_and_go_on():
    t, code = _teacher()
    ann, bob, cy = _join(code, "Ann"), _join(code, "Bob"), _join(code, "")
    t.selectbox(key="class_ask_which").set_value(1).run()  # a²₁, not z²₁
    t.button(key="class_ask").click().run()
    assert_no_crash(t)
    assert "0 of 3 answered" in _text(t)
    for s in (ann, bob, cy):
        s.run()
        text = _text(s)
        assert r"a^{2}_{1} = \;?" in text and A21 not in text and Z21 not in text  # the screen is hidden
    assert A21 not in _text(t) and Z21 not in _text(t)  # so is the projector's

    def send(s, typed):
        s.text_input(key=next(w.key for w in s.text_input if w.key.startswith("class_guess_"))).input(typed)
        s.button(key="class_send").click().run()
        assert_no_crash(s)

    send(ann, "0.593")  # right to 3 significant figures
    send(bob, "zero point five")
    assert "is not a number" in " ".join(w.value for w in bob.warning)
    send(bob, "0.3775")  # z instead of a
    send(cy, "0,5933")
    assert "Your answer is in: 0.593." in _text(ann) and "Right" not in _text(ann)  # no verdict before the Reveal
    t.run()
    assert "3 of 3 answered" in _text(t)
    t.button(key="class_reveal").click().run()
    assert_no_crash(t)
    text = _text(t)
    assert A21 in text and "Answered 3" in text and "Right 67 %" in text
    assert "**1 student:** That is z: the activation σ still has to be applied." in text
    fig = figure(t, "class_histogram")
    assert sorted(fig["data"][0]["x"]) == [0.3775, 0.593, 0.5933]  # the histogram of the predictions
    assert [s["x0"] for s in fig["layout"]["shapes"] if s["type"] == "line"] == [pytest.approx(0.593269992)]
    bob.run()
    assert A21 in _text(bob) and "That is z" in " ".join(e.value for e in bob.error)
    qid = _store().load(code)["question"]["qid"]
    t.button(key="class_again").click().run()  # ask again: the same question, fresh answers
    assert _store().load(code)["question"]["qid"] != qid and "0 of 3 answered" in _text(t)
    t.button(key="class_reveal").click().run()
    t.button(key="class_go_on").click().run()
    assert _store().load(code)["question"] is None and Z21 in _text(t)  # the screen again
    assert [h["answered"] for h in _store().load(code)["history"]] == [3, 0]


def test_next_step_and_ask_and_the_class_summary_at_the_end_of_the_pass():
    t, code = _teacher()
    s = _join(code, "Ann")
    for _ in range(3):
        _next(t)
    t.button(key="class_ask").click().run()  # step 4: z³₂... (the record's first number)
    t.button(key="class_reveal").click().run()
    t.button(key="class_next_ask").click().run()  # step 5, the cost, asked at once
    room = _store().load(code)
    assert room["step"] == 4 and room["question"]["kind"] == "cost C" and not room["question"]["revealed"]
    s.run()
    assert "Predict the cost C" in _text(s)
    s.text_input(key=next(w.key for w in s.text_input if w.key.startswith("class_guess_"))).input("0.2984")
    s.button(key="class_send").click().run()
    t.button(key="class_reveal").click().run()
    summary = next(df.value for df in t.dataframe)
    assert list(summary["kind of step"]) == ["cost C", "z of an output neuron"]  # worst first, unanswered last
    assert list(summary["share right"]) == ["100 %", "–"]  # C = 0.298371109 (Mazur's 0.298371109)


def test_forged_requests_are_refused():
    t, code = _teacher()
    s = _join(code, "Ann")
    before = _store().load(code)
    s.session_state["bp_class_role"] = "teacher"  # a student's session pretending to be the teacher
    s.session_state["bp_class_token"] = "forged"
    s.switch_page("../pages/backward.py").run()
    assert_no_crash(s)
    assert "Only the teacher who started this class can drive it." in _text(s)
    assert _store().load(code) == before
    from app.classroom import rooms

    with pytest.raises(rooms.Refused):
        rooms.reveal(_store(), code, s.session_state["bp_class_student"])


def test_a_wrong_code_and_an_ended_class_get_plain_messages():
    s = _session("join")
    s.text_input(key="class_join_code").input("K7QP-M3X")
    s.button[0].click().run()
    assert "There is no class K7QP-M3X" in _text(s).replace("\\", "")
    s.text_input(key="class_join_code").input("AB0O-1IL")
    s.button[0].click().run()
    assert "never 0, O, 1, I or L" in _text(s)
    t, code = _teacher()
    ann = _join(code, "Ann")
    t.sidebar.button(key="class_end").click().run()
    assert _store().load(code) is None and _store().members(code) == {}
    ann.run()
    assert "has ended or expired" in _text(ann)
    assert_no_crash(ann)


def test_names_and_answers_are_plain_text():
    t, code = _teacher()
    s = _join(code, "<img src=x>**Bo** [a](b)")
    caption = next(c.value for c in s.sidebar.caption if c.value.startswith("You are"))
    assert caption == r"You are \<img src=x\>\*\*Bo\*\* \[a\](b)"  # escaped for st.markdown
    t.run()
    assert [x.value for x in t.text] == ["<img src=x>**Bo** [a](b)"]  # the projector's list: st.text, plain
    assert not any("<img" in m.value for m in t.markdown)
    t.button(key="class_ask").click().run()
    s.run()
    s.text_input(key=next(w.key for w in s.text_input if w.key.startswith("class_guess_"))).input("<b>1</b>")
    s.button(key="class_send").click().run()
    assert r"“\<b\>1\</b\>” is not a number" in " ".join(w.value for w in s.warning)
    assert "<b>" not in _text(t)


def test_after_a_restart_a_phone_rejoins_from_its_address_and_the_teacher_resumes_with_the_key():
    t, code = _teacher()
    s = _join(code, "Ann")
    me = s.session_state["bp_class_student"]
    assert (s.query_params["room"], s.query_params["me"]) == (code, me)  # kept in the phone's address
    _next(t)
    token = t.session_state["bp_class_token"]
    again = _session(None, p="forward", room=code, me=me)  # a new session (the server restarted)
    assert again.session_state["bp_class_student"] == me and _store().members(code) == {me: "Ann"}
    assert _step_caption(again) == "Step 2 of 5"
    teacher = _session("join")
    teacher.text_input(key="class_resume_code").input(code)
    teacher.text_input(key="class_resume_key").input("not the key")
    teacher.button[1].click().run()
    assert "do not open a class you started" in _text(teacher)
    teacher.text_input(key="class_resume_key").input(token)
    teacher.button[1].click().run()
    teacher.switch_page("../pages/forward.py").run()
    _next(teacher)
    assert _store().load(code)["step"] == 1  # it drives again: now at its own step 2 (index 1)


def test_guessing_codes_is_rate_limited():
    t, code = _teacher()
    s = _session("join")
    wrong = "K7QPM3X" if code != "K7QPM3X" else "K7QPM3Y"
    for _ in range(10):
        s.text_input(key="class_join_code").input(wrong)
        s.button[0].click().run()
        assert "There is no class" in _text(s).replace("\\", "")
    s.text_input(key="class_join_code").input(code)  # even the right code must wait now
    s.button[0].click().run()
    assert "Too many wrong codes" in _text(s)
    assert "bp_class_role" not in s.session_state and _store().members(code) == {}
