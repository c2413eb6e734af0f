"""The rules of class mode (app.classroom.rooms) on the SQLite store: codes, names, the control token
(forged requests refused), joining, one answer per student, the quiz's rule and slips, the tally and
the summary. Reference numbers: the classic 2-2-2 example (Mazur): z²₁ = 0.3775, a²₁ = 0.593269992."""

from __future__ import annotations

import math
import re

import pytest

from app.classroom import rooms
from app.classroom.rooms import Refused
from app.classroom.store import SQLiteStore
from core import load_preset, trace
from core.teaching import quiz as cq


@pytest.fixture
def store(tmp_path):
    s = SQLiteStore(tmp_path / "rooms.sqlite3")
    yield s
    s.close()


def _place(step=0, screen="forward"):
    return {"scenario": "classic", "screen": screen, "step": step, "view": "neuron", "example": 0}


def _a21():
    """The question 'a of neuron 1 in layer 2' of the classic example (record 0, second number)."""
    return cq.questions(trace(load_preset("classic_2-2-2")), 0, 0)[1]


def test_codes_avoid_confusable_characters_and_carry_30_bits():
    assert not set("0O1IL") & set(rooms.ALPHABET) and len(set(rooms.ALPHABET)) == 31
    assert rooms.CODE_LENGTH * math.log2(31) >= 30  # 7 × 4.95 = 34.7 bits
    codes = {rooms.new_code() for _ in range(2000)}
    assert len(codes) == 2000 and all(re.fullmatch("[2-9A-HJKMNP-Z]{7}", c) for c in codes)
    assert rooms.show_code("K7QPM3X") == "K7QP-M3X"


def test_typed_codes_are_normalised_or_refused_plainly():
    assert rooms.normalise_code(" k7qp-m3x ") == "K7QPM3X"
    with pytest.raises(Refused, match="never 0, O, 1, I or L"):
        rooms.normalise_code("K7QP-M30")
    with pytest.raises(Refused, match="has 7 letters and digits; that one has 5"):
        rooms.normalise_code("K7QPM")
    with pytest.raises(Refused, match="Type the class code"):
        rooms.normalise_code("  ")


def test_display_names_are_trimmed_plain_and_short():
    assert rooms.clean_name("  Ann  ") == "Ann"
    assert rooms.clean_name("a\nb\x00c\u202ed") == "a b c d"  # control and bidi characters become spaces
    assert rooms.clean_name("x" * 40) == "x" * 24
    assert rooms.clean_name(None) == ""
    assert rooms.clean_name("<b>Bo</b>") == "<b>Bo</b>"  # kept as text: the app shows it as plain text


def test_only_the_control_token_drives_the_room(store):
    code, token = rooms.start(store, _place())
    assert rooms.is_teacher(store, code, token)
    rooms.join(store, code, "stu1", "Ann")
    before = store.load(code)
    q = _a21()
    for forged in (None, "", "stu1", code, token[:-1] + ("A" if token[-1] != "A" else "B"), before["token_hash"]):
        with pytest.raises(Refused, match="Only the teacher"):
            rooms.move(store, code, forged, _place(step=3))
        with pytest.raises(Refused, match="Only the teacher"):
            rooms.ask(store, code, forged, q, "forward", 0, 3)
        with pytest.raises(Refused, match="Only the teacher"):
            rooms.reveal(store, code, forged)
        with pytest.raises(Refused, match="Only the teacher"):
            rooms.end(store, code, forged)
    assert store.load(code) == before  # nothing a forged request sent changed the room
    assert rooms.move(store, code, token, _place(step=3)) == before["version"] + 1
    assert store.load(code)["step"] == 3
    assert "token" not in str(store.load(code)).replace("token_hash", "")  # only the hash is stored
    assert token not in str(store.load(code))


def test_a_wrong_or_expired_code_gets_a_plain_message(store, tmp_path):
    with pytest.raises(Refused, match="There is no class K7QP-M3X"):
        rooms.join(store, "K7QPM3X", "stu1", "Ann")
    now = [0.0]
    short = SQLiteStore(tmp_path / "short.sqlite3", ttl=60, clock=lambda: now[0])
    code, _ = rooms.start(short, _place(), clock=lambda: now[0])
    rooms.join(short, code, "stu1", "Ann")
    now[0] = 61
    with pytest.raises(Refused, match="may have ended or expired"):
        rooms.join(short, code, "stu2", "Bob")
    short.close()


def test_asking_answering_and_revealing(store):
    code, token = rooms.start(store, _place())
    for i, name in enumerate(["Ann", "Bob", "Cy", "Di", "Ed"]):
        rooms.join(store, code, f"s{i}", name)
    q = _a21()
    qid = rooms.ask(store, code, token, q, "forward", 0, 3)
    assert store.load(code)["question"]["qid"] == qid
    v = rooms.answer(store, code, "s0", q, "0.593")  # a²₁ = 0.593269992 to 3 significant figures
    assert v.right
    with pytest.raises(Refused, match="one answer per question"):
        rooms.answer(store, code, "s0", q, "0.1")
    with pytest.raises(cq.PredictionError):
        rooms.answer(store, code, "s1", q, "zero point six")  # not a number: nothing stored, type again
    assert not rooms.answer(store, code, "s1", q, "0.3775").right  # z, not a
    assert not rooms.answer(store, code, "s2", q, "0,3775").right  # the quiz's decimal comma
    assert rooms.answer(store, code, "s3", q, "5.933×10^-1").right
    assert not rooms.answer(store, code, "s4", q, "-0.5933").right  # the sign
    with pytest.raises(Refused, match="Join the class first"):
        rooms.answer(store, code, "stranger", q, "0.59")
    assert store.count(code, qid) == 5
    revealed = rooms.reveal(store, code, token)
    assert revealed["revealed"]
    with pytest.raises(Refused, match="closed"):
        rooms.answer(store, code, "s1", q, "0.59")
    t = rooms.tally(store.answers(code, qid), q.value)
    assert (t["answered"], t["right"], t["share"]) == (5, 2, 0.4)
    assert t["slips"][0] == ("That is z: the activation σ still has to be applied.", 2)
    assert t["slips"][1] == ("The size is right but the sign is wrong.", 1)
    assert sorted(t["guesses"]) == [-0.5933, 0.3775, 0.3775, 0.593, 0.5933]
    rooms.reveal(store, code, token)  # revealing twice counts the question once
    assert store.load(code)["history"] == [{"qid": qid, "phase": "forward", "kind": q.kind, "name": q.name,
                                            "answered": 5, "right": 2}]
    qid2 = rooms.ask(store, code, token, q, "forward", 0, 3)  # ask again: a new question, new answers
    assert qid2 != qid and rooms.answer(store, code, "s1", q, "0.5933").right
    rooms.close_question(store, code, token)
    assert store.load(code)["question"] is None
    with pytest.raises(Refused, match="closed"):
        rooms.answer(store, code, "s2", q, "0.59")


def test_next_and_ask_moves_and_opens_the_question_in_one_save(store):
    code, token = rooms.start(store, _place(step=0))
    v = store.version(code)
    q = cq.questions(trace(load_preset("classic_2-2-2")), 1, 0)[0]
    rooms.ask(store, code, token, q, "forward", 0, 3, place=_place(step=1))
    room = store.load(code)
    assert room["version"] == v + 1 and room["step"] == 1 and room["question"]["index"] == 1


def test_the_class_summary_by_kind_of_step():
    history = [{"phase": "forward", "kind": "z of a hidden neuron", "answered": 10, "right": 9},
               {"phase": "forward", "kind": "a (activation) of a hidden neuron", "answered": 10, "right": 4},
               {"phase": "forward", "kind": "z of a hidden neuron", "answered": 8, "right": 8},
               {"phase": "backward", "kind": "δ of an output neuron", "answered": 5, "right": 1}]
    rows = rooms.summary(history, "forward")
    assert [r["kind of step"] for r in rows] == ["a (activation) of a hidden neuron", "z of a hidden neuron"]
    assert rows[1] == {"kind of step": "z of a hidden neuron", "questions": 2, "answers": 18, "right": 17,
                       "share right": "94 %"}
    assert rooms.summary(history, "update") == []


def test_a_full_room_refuses_more_students(store, monkeypatch):
    monkeypatch.setattr(rooms, "MAX_MEMBERS", 3)
    code, _ = rooms.start(store, _place())
    for i in range(3):
        rooms.join(store, code, f"s{i}", "")
    with pytest.raises(Refused, match="full"):
        rooms.join(store, code, "s9", "")
    rooms.join(store, code, "s1", "again")  # a member rejoining is not a new one
