"""The rules of a class: room codes, the teacher's control token, joining, asking, answering, revealing.

Pure Python over a ``Store`` (no Streamlit). Only the holder of a room's control token drives it: the
room keeps the token's SHA-256, compared with ``hmac.compare_digest``; a student's session never has
the token, so every driving call from it is ``Refused``. Checking a prediction is ``core.teaching.quiz`` (the
same parsing, "right" rule and slips as the quiz); the slip a wrong answer made is the sentence the
quiz would show, so the projector can count them.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import time
import unicodedata
from collections import Counter

from core.teaching import quiz as cq

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # 31 symbols: no 0/O, no 1/I/L
CODE_LENGTH = 7  # 31**7 ≈ 2.8e10 codes ≈ 34.7 bits
NAME_MAX = 24
MAX_MEMBERS = 300
MAX_HISTORY = 500  # revealed questions kept for the class summary
SCREENS = ("network", "forward", "backward", "update", "train", "worksheet")
CODE_BITS = CODE_LENGTH * math.log2(len(ALPHABET))


class Refused(Exception):  # noqa: N818 - a refusal, not an error of the program
    """A request the room does not allow; the message is for the person who made it (plain text)."""


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def show_code(code: str) -> str:
    """The code as written on the projector: ABCD-EFG."""
    return f"{code[:4]}-{code[4:]}"


def normalise_code(text: str) -> str:
    """A typed code in canonical form (case, spaces and dashes do not matter); Refused if it cannot be one."""
    s = "".join(c for c in str(text)[:40].upper() if c not in " -\t")
    if not s:
        raise Refused("Type the class code shown on the projector (7 letters and digits, e.g. K7QP-M3X).")
    bad = sorted({c for c in s if c not in ALPHABET})
    if bad:
        shown = "".join(c for c in bad if c.isprintable())[:10]
        raise Refused(f"A class code has only the letters and digits {ALPHABET} (never 0, O, 1, I or L); "
                      f"“{shown}” is not one of them: check the code on the projector.")
    if len(s) != CODE_LENGTH:
        raise Refused(f"A class code has {CODE_LENGTH} letters and digits; that one has {len(s)}.")
    return s


def clean_name(text: str | None) -> str:
    """A display name: trimmed, control characters and markup-free whitespace collapsed, at most 24 characters."""
    s = unicodedata.normalize("NFC", str(text or ""))
    s = "".join(c if unicodedata.category(c)[0] != "C" else " " for c in s)
    return " ".join(s.split())[:NAME_MAX].strip()


def hash_token(token: str) -> str:
    return hashlib.sha256(str(token).encode()).hexdigest()


def _teacher_room(store, code: str, token: str | None) -> dict:
    room = store.load(code)
    if room is None:
        raise Refused("This class has ended or expired.")
    if not token or not hmac.compare_digest(hash_token(token), room.get("token_hash", "")):
        raise Refused("Only the teacher who started this class can drive it.")
    return room


def is_teacher(store, code: str, token: str | None) -> bool:
    try:
        _teacher_room(store, code, token)
    except Refused:
        return False
    return True


def start(store, place: dict, clock=time.time) -> tuple[str, str]:
    """A new room at ``place`` (scenario, screen, step, view, example): (code, control token)."""
    token = secrets.token_urlsafe(32)
    room = dict(_place(place), token_hash=hash_token(token), started=clock(), question=None, history=[])
    for _ in range(20):
        code = new_code()
        if store.create(code, room):
            return code, token
    raise Refused("Could not find a free class code; try again.")  # 20 collisions in 2.8e10: not in practice


def _place(place: dict) -> dict:
    screen = place.get("screen")
    return {"scenario": str(place["scenario"]), "screen": screen if screen in SCREENS else "network",
            "step": max(0, int(place.get("step") or 0)),
            "view": "matrix" if place.get("view") == "matrix" else "neuron",
            "example": max(0, int(place.get("example") or 0))}


def move(store, code: str, token: str | None, place: dict) -> int:
    """The teacher's network, screen, step, view or example changed: the followers see it next."""
    room = _teacher_room(store, code, token)
    new = _place(place)
    if all(room.get(k) == v for k, v in new.items()):
        return room["version"]
    return store.save(code, dict(room, **new))


def ask(store, code: str, token: str | None, q: cq.Question, phase: str, n: int, sigfigs: int,
        place: dict | None = None) -> str:
    """Open a question on record ``q.index`` (number ``q.q``) for the class (optionally moving there
    first, in the same save, so no student sees the value before the question); returns its id."""
    room = _teacher_room(store, code, token)
    qid = secrets.token_hex(6)
    room = dict(room, **(_place(place) if place else {}))
    room["question"] = {"qid": qid, "index": q.index, "q": q.q, "n": int(n), "phase": phase, "kind": q.kind,
                        "name": q.name, "sigfigs": int(sigfigs), "revealed": False}
    store.save(code, room)
    return qid


def reveal(store, code: str, token: str | None) -> dict:
    """Show the class's answers; the question goes into the class summary."""
    room = _teacher_room(store, code, token)
    question = room.get("question")
    if not question:
        raise Refused("There is no open question to reveal.")
    if not question["revealed"]:
        answers = store.answers(code, question["qid"])
        entry = {k: question[k] for k in ("qid", "phase", "kind", "name")}
        entry.update(answered=len(answers), right=sum(bool(a.get("right")) for a in answers))
        room["history"] = (room.get("history") or [])[-(MAX_HISTORY - 1):] + [entry]
        room["question"] = dict(question, revealed=True)
        store.save(code, room)
    return room["question"]


def close_question(store, code: str, token: str | None) -> None:
    """Go on: back to the screen (the answers stay until the room expires)."""
    room = _teacher_room(store, code, token)
    if room.get("question"):
        store.save(code, dict(room, question=None))


def end(store, code: str, token: str | None) -> None:
    """The teacher ends the class: the room, its answers and names are deleted now."""
    _teacher_room(store, code, token)
    store.delete(code)


def join(store, code: str, student: str, name: str | None) -> dict:
    """A student joins (again); Refused with a plain message for a wrong, expired or full room."""
    room = store.load(code)
    if room is None:
        raise Refused(f"There is no class {show_code(code)} (it may have ended or expired): check the code on "
                      "the projector, or ask your teacher for a new one.")
    members = store.members(code)
    if student not in members and len(members) >= MAX_MEMBERS:
        raise Refused(f"This class is full ({MAX_MEMBERS} students).")
    store.add_member(code, student, clean_name(name))
    return room


def slip_of(v: cq.Verdict) -> str | None:
    """The quiz's sentence about the slip a wrong prediction made (None if it names none)."""
    if v.right:
        return None
    for side in ("too high.", "too low."):
        marker = f"your prediction is {side}"
        if marker in v.message:
            return v.message.split(marker, 1)[1].strip() or None
    return None


def answer(store, code: str, student: str, q: cq.Question, text: str) -> cq.Verdict:
    """A student's prediction for the open question: parsed and checked as in the quiz, stored once.
    Raises cq.PredictionError for text that is not a number (nothing stored: type again) and Refused
    when there is no open question, the student is not in the class, or has answered already."""
    room = store.load(code)
    if room is None:
        raise Refused("This class has ended or expired.")
    question = room.get("question")
    if not question or question["revealed"] or (question["index"], question["q"]) != (q.index, q.q):
        raise Refused("This question is closed: the teacher has moved on.")
    if student not in store.members(code):
        raise Refused("Join the class first.")
    guess = cq.parse_prediction(text)
    v = cq.check(guess, q.value, question["sigfigs"], q.mistakes, q.change)
    if not store.add_answer(code, question["qid"], student, {"guess": guess, "right": v.right, "slip": slip_of(v)}):
        raise Refused("You have answered this question already: one answer per question.")
    return v


def tally(answers: list[dict], value: float) -> dict:
    """What the projector shows on Reveal: how many answered, the share right, the slips most made first."""
    n = len(answers)
    right = sum(bool(a.get("right")) for a in answers)
    slips = Counter(a["slip"] for a in answers if a.get("slip"))
    return {"answered": n, "right": right, "share": right / n if n else None, "value": value,
            "guesses": [float(a["guess"]) for a in answers if math.isfinite(a.get("guess", math.nan))],
            "slips": slips.most_common(3)}


def summary(history: list[dict], phase: str) -> list[dict]:
    """The class's summary of a pass by kind of step: questions asked, answers, share right; worst first."""
    rows: dict[str, dict] = {}
    for h in history or []:
        if h.get("phase") != phase:
            continue
        r = rows.setdefault(h["kind"], {"kind of step": h["kind"], "questions": 0, "answers": 0, "right": 0})
        r["questions"] += 1
        r["answers"] += h["answered"]
        r["right"] += h["right"]
    for r in rows.values():
        r["share right"] = f"{100 * r['right'] / r['answers']:.0f} %" if r["answers"] else "–"
    worst = lambda r: (r["right"] / r["answers"] if r["answers"] else 2, r["kind of step"])  # unanswered last
    return sorted(rows.values(), key=worst)
