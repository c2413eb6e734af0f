"""One watcher per server process: the followers of a room wait here for its version to change.

A student's follower fragment does not poll the store itself. It blocks in ``wait`` for up to
``hold`` seconds and wakes as soon as the room's version differs from the one its screen shows: at
once when the teacher is on this process (``saw`` after each save), within ``every`` seconds when
the teacher is on another replica (a daemon thread reads the version of each watched room from the
store, one read per room, however many followers). Each fragment run therefore costs the server one
Streamlit rerun per ``hold`` seconds instead of one per poll, and a change still arrives at once.
The thread stops by itself when no room has been watched for ``idle`` seconds. No Streamlit here.
"""

from __future__ import annotations

import logging
import threading
import time


class Watcher:
    def __init__(self, version_of, every: float = 0.1, idle: float = 30.0):
        self.version_of = version_of  # code -> version (None: the room is gone)
        self.every, self.idle = every, idle
        self.cond = threading.Condition()
        self.versions: dict[str, int | None] = {}
        self.wanted: dict[str, float] = {}  # code -> when a follower last waited on it
        self.thread: threading.Thread | None = None

    def saw(self, code: str, version: int | None) -> None:
        """A version read or written by this process: followers waiting on another one wake now."""
        with self.cond:
            if self.versions.get(code, -1) != version:
                self.versions[code] = version
                self.cond.notify_all()

    def wait(self, code: str, seen: int, hold: float) -> int | None:
        """The room's version once it differs from ``seen``, or ``seen`` after ``hold`` seconds."""
        with self.cond:
            self.wanted[code] = time.monotonic()
            if self.thread is None:
                self.thread = threading.Thread(target=self._loop, name="bp-class-watch", daemon=True)
                self.thread.start()
            self.cond.wait_for(lambda: self.versions.get(code, seen) != seen, hold)
            return self.versions.get(code, seen)

    def _loop(self) -> None:
        while True:
            now = time.monotonic()
            with self.cond:
                for code in [c for c, t in self.wanted.items() if now - t > self.idle]:
                    del self.wanted[code]
                    self.versions.pop(code, None)
                codes = list(self.wanted)
                if not codes:
                    self.thread = None
                    return
            for code in codes:
                try:
                    v = self.version_of(code)
                except Exception:  # noqa: BLE001 - a store hiccup: try again next time, keep the followers
                    logging.getLogger("backprop_stepper").warning("class watcher: reading room failed", exc_info=True)
                    continue
                self.saw(code, v)
            time.sleep(self.every)
