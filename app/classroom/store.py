"""Where the rooms of class mode live: one small interface, two backends.

- ``SQLiteStore`` (the default): a file next to the app (``BP_CLASS_DB`` to move it), WAL journal,
  one connection guarded by a lock, so every session thread of one server can use it.
- ``RedisStore`` (when ``REDIS_URL`` is set): shared by several replicas, so a student may land on
  another replica than the teacher. Every key of a room carries the room's expiry.

A room is a JSON document (its network, screen, step, question …) with a ``version`` the store bumps
on every save, so followers poll one integer. Answers are keyed by (question id, student id) and
added only if absent: one answer per student per question. Members are (student id, display name).
A room not touched for ``ttl`` seconds is gone: ``load``/``version`` treat it as absent and it is
deleted with its answers and members (``purge`` does it for every room). ``clock`` is injectable.
Nothing here knows about Streamlit.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Protocol

TTL = 4 * 3600  # seconds after the last activity
DEFAULT_DB = Path(__file__).resolve().parents[2] / "classroom.sqlite3"


class Store(Protocol):
    """The rooms' storage (see the module docstring for the rules)."""

    def create(self, code: str, room: dict) -> bool: ...  # False when the code is taken
    def load(self, code: str) -> dict | None: ...  # the room with its "version", None if absent/expired
    def save(self, code: str, room: dict) -> int | None: ...  # the new version, None if absent/expired
    def version(self, code: str) -> int | None: ...
    def add_answer(self, code: str, qid: str, student: str, answer: dict) -> bool: ...
    def answers(self, code: str, qid: str) -> list[dict]: ...
    def count(self, code: str, qid: str) -> int: ...
    def add_member(self, code: str, student: str, name: str) -> bool: ...  # False if the room is absent
    def members(self, code: str) -> dict[str, str]: ...
    def delete(self, code: str) -> None: ...
    def purge(self) -> int: ...  # rooms deleted


def _dump(d: dict) -> str:
    return json.dumps(d, separators=(",", ":"), ensure_ascii=False)


class SQLiteStore:
    """Rooms in one SQLite file (WAL), safe across the server's threads."""

    def __init__(self, path: str | os.PathLike = DEFAULT_DB, ttl: float = TTL, clock=time.time):
        self.path, self.ttl, self.clock = str(path), float(ttl), clock
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=10, isolation_level=None)
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(
                "CREATE TABLE IF NOT EXISTS rooms (code TEXT PRIMARY KEY, data TEXT NOT NULL,"
                " version INTEGER NOT NULL, touched REAL NOT NULL);"
                "CREATE TABLE IF NOT EXISTS answers (code TEXT, qid TEXT, student TEXT, data TEXT NOT NULL,"
                " PRIMARY KEY (code, qid, student));"
                "CREATE TABLE IF NOT EXISTS members (code TEXT, student TEXT, name TEXT NOT NULL,"
                " PRIMARY KEY (code, student));")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _live(self, code: str) -> tuple | None:
        """(data, version) of a room still alive; an expired one is deleted here."""
        row = self._db.execute("SELECT data, version, touched FROM rooms WHERE code=?", (code,)).fetchone()
        if row is None:
            return None
        if row[2] + self.ttl <= self.clock():
            self._drop(code)
            return None
        return row

    def _drop(self, code: str) -> None:
        for table in ("rooms", "answers", "members"):
            self._db.execute(f"DELETE FROM {table} WHERE code=?", (code,))  # noqa: S608 - fixed names

    def _touch(self, code: str) -> None:
        self._db.execute("UPDATE rooms SET touched=? WHERE code=?", (self.clock(), code))

    def create(self, code: str, room: dict) -> bool:
        with self._lock:
            self._live(code)  # an expired room of the same code is gone first
            cur = self._db.execute("INSERT OR IGNORE INTO rooms VALUES (?, ?, 1, ?)", (code, _dump(room), self.clock()))
            return cur.rowcount == 1

    def load(self, code: str) -> dict | None:
        with self._lock:
            row = self._live(code)
        return None if row is None else dict(json.loads(row[0]), version=row[1])

    def save(self, code: str, room: dict) -> int | None:
        data = _dump({k: v for k, v in room.items() if k != "version"})
        with self._lock:
            if self._live(code) is None:
                return None
            self._db.execute("UPDATE rooms SET data=?, version=version+1, touched=? WHERE code=?",
                             (data, self.clock(), code))
            return self._db.execute("SELECT version FROM rooms WHERE code=?", (code,)).fetchone()[0]

    def version(self, code: str) -> int | None:
        with self._lock:
            row = self._live(code)
        return None if row is None else row[1]

    def add_answer(self, code: str, qid: str, student: str, answer: dict) -> bool:
        with self._lock:
            if self._live(code) is None:
                return False
            cur = self._db.execute("INSERT OR IGNORE INTO answers VALUES (?, ?, ?, ?)",
                                   (code, qid, student, _dump(answer)))
            self._touch(code)
            return cur.rowcount == 1

    def answers(self, code: str, qid: str) -> list[dict]:
        with self._lock:
            if self._live(code) is None:
                return []
            rows = self._db.execute("SELECT data FROM answers WHERE code=? AND qid=? ORDER BY rowid",
                                    (code, qid)).fetchall()
        return [json.loads(r[0]) for r in rows]

    def count(self, code: str, qid: str) -> int:
        with self._lock:
            if self._live(code) is None:
                return 0
            return self._db.execute("SELECT COUNT(*) FROM answers WHERE code=? AND qid=?", (code, qid)).fetchone()[0]

    def add_member(self, code: str, student: str, name: str) -> bool:
        with self._lock:
            if self._live(code) is None:
                return False
            self._db.execute("INSERT OR REPLACE INTO members VALUES (?, ?, ?)", (code, student, name))
            self._touch(code)
            return True

    def members(self, code: str) -> dict[str, str]:
        with self._lock:
            if self._live(code) is None:
                return {}
            return dict(self._db.execute("SELECT student, name FROM members WHERE code=? ORDER BY rowid",
                                         (code,)).fetchall())

    def delete(self, code: str) -> None:
        with self._lock:
            self._drop(code)

    def purge(self) -> int:
        with self._lock:
            old = [r[0] for r in self._db.execute("SELECT code FROM rooms WHERE touched + ? <= ?",
                                                  (self.ttl, self.clock())).fetchall()]
            for code in old:
                self._drop(code)
            # answers or members whose room is gone (e.g. deleted by another process mid-write)
            self._db.execute("DELETE FROM answers WHERE code NOT IN (SELECT code FROM rooms)")
            self._db.execute("DELETE FROM members WHERE code NOT IN (SELECT code FROM rooms)")
        return len(old)


class RedisStore:
    """Rooms in Redis, shared by replicas. Keys ``{prefix}{code}:room|answers|members|counts``; each carries the
    room's expiry (refreshed on every activity), so Redis itself deletes a forgotten room's answers."""

    def __init__(self, url: str, ttl: float = TTL, clock=time.time, prefix: str = "bp:class:"):
        import redis

        self.ttl, self.clock, self.prefix = float(ttl), clock, prefix
        self.r = redis.Redis.from_url(url, decode_responses=True, socket_timeout=5, socket_connect_timeout=5,
                                      health_check_interval=30)

    def close(self) -> None:
        self.r.close()

    def _keys(self, code: str) -> tuple[str, str, str, str]:
        p = f"{self.prefix}{code}:"
        return p + "room", p + "answers", p + "members", p + "counts"

    def _live(self, code: str) -> dict | None:
        h = self.r.hgetall(self._keys(code)[0])
        if not h:
            return None
        if float(h.get("touched", 0)) + self.ttl <= self.clock():
            self.r.delete(*self._keys(code))
            return None
        return h

    def _touch(self, pipe, code: str) -> None:
        room = self._keys(code)[0]
        pipe.hset(room, "touched", repr(self.clock()))
        for key in self._keys(code):
            pipe.expire(key, max(1, int(self.ttl + 0.999)))

    def create(self, code: str, room: dict) -> bool:
        self._live(code)
        key = self._keys(code)[0]
        if not self.r.hsetnx(key, "data", _dump(room)):
            return False
        pipe = self.r.pipeline()
        pipe.hset(key, "version", 1)
        self._touch(pipe, code)
        pipe.execute()
        return True

    def load(self, code: str) -> dict | None:
        h = self._live(code)
        return None if h is None else dict(json.loads(h["data"]), version=int(h["version"]))

    def save(self, code: str, room: dict) -> int | None:
        if self._live(code) is None:
            return None
        key = self._keys(code)[0]
        pipe = self.r.pipeline()  # MULTI/EXEC: the data and its version change together
        pipe.hset(key, "data", _dump({k: v for k, v in room.items() if k != "version"}))
        pipe.hincrby(key, "version", 1)
        self._touch(pipe, code)
        return int(pipe.execute()[1])

    def version(self, code: str) -> int | None:
        v, touched = self.r.hmget(self._keys(code)[0], "version", "touched")
        if v is None or touched is None:
            return None
        if float(touched) + self.ttl <= self.clock():
            return None if self._live(code) is None else int(v)
        return int(v)

    def add_answer(self, code: str, qid: str, student: str, answer: dict) -> bool:
        if self._live(code) is None:
            return False
        added = self.r.hsetnx(self._keys(code)[1], f"{qid}|{student}", _dump(answer))
        pipe = self.r.pipeline()
        if added:
            pipe.hincrby(self._keys(code)[3], qid, 1)
        self._touch(pipe, code)
        pipe.execute()
        return bool(added)

    def answers(self, code: str, qid: str) -> list[dict]:
        if self._live(code) is None:
            return []
        return [json.loads(v) for _, v in self.r.hscan_iter(self._keys(code)[1], match=f"{qid}|*", count=500)]

    def count(self, code: str, qid: str) -> int:
        return int(self.r.hget(self._keys(code)[3], qid) or 0)

    def add_member(self, code: str, student: str, name: str) -> bool:
        if self._live(code) is None:
            return False
        pipe = self.r.pipeline()
        pipe.hset(self._keys(code)[2], student, name)
        self._touch(pipe, code)
        pipe.execute()
        return True

    def members(self, code: str) -> dict[str, str]:
        if self._live(code) is None:
            return {}
        return self.r.hgetall(self._keys(code)[2])

    def delete(self, code: str) -> None:
        self.r.delete(*self._keys(code))

    def purge(self) -> int:
        n = 0
        for key in self.r.scan_iter(match=f"{self.prefix}*:room", count=500):
            code = key[len(self.prefix):-len(":room")]
            if self.r.exists(key) and self._live(code) is None:
                n += 1
        return n


def open_store(env: dict | None = None, clock=time.time) -> Store:
    """The store the settings name: Redis when ``REDIS_URL`` is set, else SQLite at ``BP_CLASS_DB``
    (default: classroom.sqlite3 next to the app); ``BP_CLASS_TTL_HOURS`` sets the expiry."""
    env = os.environ if env is None else env
    ttl = float(env.get("BP_CLASS_TTL_HOURS") or TTL / 3600) * 3600
    if env.get("REDIS_URL"):
        return RedisStore(env["REDIS_URL"], ttl=ttl, clock=clock)
    return SQLiteStore(env.get("BP_CLASS_DB") or DEFAULT_DB, ttl=ttl, clock=clock)
