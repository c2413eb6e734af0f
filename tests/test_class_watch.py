"""The process's watcher of rooms (app.classroom.watch): followers wake at once on a change made in this
process, within the watcher's period on a change made elsewhere, and otherwise after their hold; the
thread stops by itself when nobody watches."""

from __future__ import annotations

import threading
import time

from app.classroom.watch import Watcher


def test_a_change_in_this_process_wakes_the_followers_at_once():
    w = Watcher(lambda code: 1, every=10)  # the thread would not look again for 10 s
    w.saw("R", 1)
    got = []
    threads = [threading.Thread(target=lambda: got.append(w.wait("R", 1, hold=5))) for _ in range(20)]
    for t in threads:
        t.start()
    time.sleep(0.2)
    t0 = time.monotonic()
    w.saw("R", 2)
    for t in threads:
        t.join(5)
    assert got == [2] * 20 and time.monotonic() - t0 < 1.0


def test_a_change_elsewhere_is_seen_within_the_period_and_nothing_waits_past_its_hold():
    version = {"R": 1}
    w = Watcher(lambda code: version.get(code), every=0.05, idle=0.3)
    t0 = time.monotonic()
    assert w.wait("R", 1, hold=0.3) == 1 and 0.25 < time.monotonic() - t0 < 2  # no change: back after the hold
    threading.Timer(0.2, lambda: version.update(R=7)).start()
    t0 = time.monotonic()
    assert w.wait("R", 1, hold=5) == 7 and time.monotonic() - t0 < 2
    version.clear()  # the room expired: the follower wakes to say so
    assert w.wait("R", 7, hold=5) is None
    deadline = time.monotonic() + 5
    while w.thread is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert w.thread is None  # stopped by itself once nobody watched for `idle` seconds
