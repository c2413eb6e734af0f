"""The class-mode store against both backends: SQLite in a temp dir and a real redis-server started
here. The same tests run on both: versions, one answer per student, members, expiry (injectable
clock) with the answers deleted, purge, a restart (a new store object on the same file or server)."""

from __future__ import annotations

import threading
import time

import pytest
from _services import redis_server

from app.classroom.store import TTL, RedisStore, SQLiteStore, open_store


class Clock:
    def __init__(self, now: float = 1_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def redis_url():
    with redis_server() as url:
        yield url


@pytest.fixture(params=["sqlite", "redis"])
def make(request, tmp_path, redis_url):
    """make(clock=..., ttl=...) → a store of the backend; every call opens a new connection to the same data."""
    opened = []
    prefix = f"t{time.monotonic_ns()}:"

    def make_(clock=None, ttl=TTL):
        clock = clock or Clock()
        if request.param == "sqlite":
            s = SQLiteStore(tmp_path / "rooms.sqlite3", ttl=ttl, clock=clock)
        else:
            s = RedisStore(redis_url, ttl=ttl, clock=clock, prefix=prefix)
        opened.append(s)
        return s

    yield make_
    for s in opened:
        s.close()


ROOM = {"scenario": "{}", "screen": "forward", "step": 0, "question": None}


def test_create_load_save_and_version(make):
    s = make()
    assert s.load("ABCDEFG") is None and s.version("ABCDEFG") is None
    assert s.create("ABCDEFG", ROOM)
    assert not s.create("ABCDEFG", dict(ROOM, step=5))  # the code is taken: the room is unchanged
    assert s.load("ABCDEFG") == dict(ROOM, version=1)
    assert s.save("ABCDEFG", dict(ROOM, step=3, version=99)) == 2  # the store owns the version
    assert s.load("ABCDEFG") == dict(ROOM, step=3, version=2)
    assert s.version("ABCDEFG") == 2
    assert s.save("NOROOM2", ROOM) is None


def test_one_answer_per_student_per_question(make):
    s = make()
    s.create("ROOM234", ROOM)
    assert s.add_answer("ROOM234", "q1", "ann", {"guess": 0.5})
    assert not s.add_answer("ROOM234", "q1", "ann", {"guess": 0.9})  # the second one is refused
    assert s.add_answer("ROOM234", "q1", "bob", {"guess": 0.7})
    assert s.add_answer("ROOM234", "q2", "ann", {"guess": 0.1})
    assert s.count("ROOM234", "q1") == 2 and s.count("ROOM234", "q2") == 1 and s.count("ROOM234", "q3") == 0
    assert sorted(a["guess"] for a in s.answers("ROOM234", "q1")) == [0.5, 0.7]
    assert not s.add_answer("NOROOM2", "q1", "ann", {"guess": 0.5})


def test_members(make):
    s = make()
    s.create("ROOM234", ROOM)
    assert s.add_member("ROOM234", "ann", "Ann") and s.add_member("ROOM234", "bob", "")
    s.add_member("ROOM234", "ann", "Ann B")  # joining again renames
    assert s.members("ROOM234") == {"ann": "Ann B", "bob": ""}
    assert not s.add_member("NOROOM2", "ann", "Ann")


def test_a_room_expires_after_its_last_activity_with_its_answers(make):
    clock = Clock()
    s = make(clock=clock, ttl=3600)
    s.create("ROOM234", ROOM)
    s.add_member("ROOM234", "ann", "Ann")
    s.add_answer("ROOM234", "q1", "ann", {"guess": 0.5})
    clock.now += 3000
    s.save("ROOM234", dict(ROOM, step=1))  # activity: the hour starts again
    clock.now += 3000
    assert s.load("ROOM234")["step"] == 1 and s.count("ROOM234", "q1") == 1
    clock.now += 601
    assert s.version("ROOM234") is None and s.load("ROOM234") is None
    assert s.answers("ROOM234", "q1") == [] and s.members("ROOM234") == {} and s.count("ROOM234", "q1") == 0
    assert s.create("ROOM234", ROOM)  # the code is free again, with nothing of the old room
    assert s.answers("ROOM234", "q1") == [] and s.members("ROOM234") == {}


def test_purge_deletes_every_expired_room(make):
    clock = Clock()
    s = make(clock=clock, ttl=100)
    s.create("OLDROOM", ROOM)
    s.add_answer("OLDROOM", "q1", "ann", {"guess": 1.0})
    clock.now += 60
    s.create("NEWROOM", ROOM)
    clock.now += 50
    assert s.purge() == 1
    assert s.load("NEWROOM") is not None
    clock.now -= 110  # even looked at with the old clock, the expired room's answers are gone
    assert s.answers("OLDROOM", "q1") == [] and s.load("OLDROOM") is None


def test_a_room_survives_a_restart(make):
    s = make()
    s.create("ROOM234", dict(ROOM, step=4))
    s.add_answer("ROOM234", "q1", "ann", {"guess": 0.25})
    s.add_member("ROOM234", "ann", "Ann")
    s.close()
    t = make()  # a new process would open exactly this
    assert t.load("ROOM234") == dict(ROOM, step=4, version=1)
    assert t.answers("ROOM234", "q1") == [{"guess": 0.25}] and t.members("ROOM234") == {"ann": "Ann"}


def test_answers_from_many_threads_are_all_counted_once(make):
    s = make()
    s.create("ROOM234", ROOM)
    added = []

    def student(i):
        for _ in range(3):  # a double click, twice more: still one answer
            added.append(s.add_answer("ROOM234", "q1", f"s{i}", {"guess": i}))

    threads = [threading.Thread(target=student, args=(i,)) for i in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(added) == 40 and s.count("ROOM234", "q1") == 40
    assert sorted(a["guess"] for a in s.answers("ROOM234", "q1")) == list(range(40))


def test_redis_itself_deletes_a_forgotten_room(redis_url):
    import redis

    s = RedisStore(redis_url, ttl=1, prefix="expiry:")
    s.create("ROOM234", ROOM)
    s.add_answer("ROOM234", "q1", "ann", {"guess": 0.5})
    s.add_member("ROOM234", "ann", "Ann")
    r = redis.Redis.from_url(redis_url)
    assert len(r.keys("expiry:*")) == 4
    deadline = time.time() + 5
    while r.keys("expiry:*") and time.time() < deadline:
        time.sleep(0.2)
    assert r.keys("expiry:*") == []
    s.close()
    r.close()


def test_the_settings_choose_the_backend(tmp_path, redis_url):
    s = open_store({"BP_CLASS_DB": str(tmp_path / "x.sqlite3"), "BP_CLASS_TTL_HOURS": "0.5"})
    assert isinstance(s, SQLiteStore) and s.ttl == 1800 and (tmp_path / "x.sqlite3").exists()
    assert s._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    s.close()
    r = open_store({"REDIS_URL": redis_url, "BP_CLASS_DB": str(tmp_path / "y.sqlite3")})
    assert isinstance(r, RedisStore) and r.ttl == TTL and not (tmp_path / "y.sqlite3").exists()
    r.close()
