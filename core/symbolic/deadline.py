"""Work on text a user sent, bounded in time whatever the library underneath does.

SymPy cannot be interrupted from another thread, and a Streamlit script thread cannot be
killed. So such work runs in a worker process. One helper process (``serve``, started on first
use) imports SymPy once; for each task it forks a worker, which the kernel ends when it has
used ``CPU_SECONDS`` of CPU time (``ITIMER_PROF``, whose default action is to terminate); its
address space is capped at ``MEMORY_BYTES`` more than it started with. Only a JSON answer comes
back. Tasks run one at a time, so a class typing formulas shares one core with everything else
rather than taking them all.

CPU time, not wall time, decides a refusal: a task refused here is refused on a quiet machine
too, so the refusal can be remembered. A task that the machine is too busy to run within
``WALL_SECONDS`` is stopped and reported as ``BusyError`` (not to be remembered).
"""

from __future__ import annotations

import importlib
import json
import os
import resource
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

CPU_SECONDS = 1.0  # CPU time a task may use
WALL_SECONDS = 20.0  # backstop: the machine is too busy to give the task its CPU time
START_SECONDS = 60.0  # starting the helper imports SymPy
MEMORY_BYTES = 1 << 30  # address space a worker may add to what it inherits
TASKS = {"formula": ("core.symbolic.formula_vet", "prepare")}  # the only functions the helper runs
PRELOAD = ("core.symbolic.formula", "core.symbolic.latex")

_lock = threading.Lock()
_helper: subprocess.Popen | None = None


class OverBudgetError(Exception):
    """The task used its CPU time (what = "time"), its memory ("memory"), the recursion limit ("recursion")
    or crashed its worker ("crash") without finishing: the same would happen on any machine."""

    def __init__(self, what: str = "time"):
        super().__init__(what)
        self.what = what


class BusyError(Exception):
    """The machine was too busy to run the task now: try again (a refusal not to be remembered)."""


def _start() -> subprocess.Popen:
    root = Path(__file__).resolve().parents[2]
    return subprocess.Popen([sys.executable, "-c", "from core.symbolic.deadline import serve; serve()"], cwd=root,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=None, bufsize=0)


def _read_line(f, timeout: float) -> bytes:
    """One line from the helper's stdout within timeout seconds, or b"" (it hung or ended)."""
    buf, end = b"", time.monotonic() + timeout
    fd = f.fileno()
    while not buf.endswith(b"\n"):
        left = end - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            return b""
        chunk = os.read(fd, 65536)
        if not chunk:
            return b""
        buf += chunk
    return buf


def _stop_helper() -> None:
    global _helper
    if _helper is not None:
        _helper.kill()
        _helper.wait(5)
        _helper = None


def run(task: str, *args, cpu: float = CPU_SECONDS):
    """TASKS[task](*args) computed in a worker process within ``cpu`` seconds of CPU time; its JSON result.

    Raises OverBudgetError (time, memory, recursion or a crash: the same on any machine), BusyError (the machine
    could not run it within WALL_SECONDS, or another task held the helper that long), or OSError (no
    worker process can be started here).
    """
    global _helper
    if task not in TASKS:
        raise KeyError(task)
    if not _lock.acquire(timeout=WALL_SECONDS):
        raise BusyError("the helper is busy")
    try:
        if _helper is None or _helper.poll() is not None:
            _helper = _start()
            if _read_line(_helper.stdout, START_SECONDS) != b"ready\n":
                _stop_helper()
                raise BusyError("the helper did not start")
        try:
            _helper.stdin.write((json.dumps({"task": task, "args": list(args), "cpu": cpu}) + "\n").encode())
        except OSError:
            _stop_helper()
            raise BusyError("the helper ended") from None
        line = _read_line(_helper.stdout, WALL_SECONDS + 5)
        if not line:
            _stop_helper()
            raise BusyError("the helper did not answer")
    finally:
        _lock.release()
    answer = json.loads(line)
    if "ok" in answer:
        return answer["ok"]
    if answer.get("busy"):
        raise BusyError("the worker did not get its CPU time")
    raise OverBudgetError(answer.get("over", "crash"))


# --- the helper process -------------------------------------------------------------------------------


def _worker(fn, args, cpu: float, w: int) -> None:
    """In the forked worker: limits, the task, its answer on fd w; never returns."""
    code = 0
    try:
        signal.signal(signal.SIGPROF, signal.SIG_DFL)  # the kernel's CPU-time alarm ends this process
        try:
            with open("/proc/self/statm") as f:
                limit = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE") + MEMORY_BYTES
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        except (OSError, ValueError):
            pass
        signal.setitimer(signal.ITIMER_PROF, cpu)
        try:
            answer = {"ok": fn(*args)}
        except MemoryError:
            answer = {"over": "memory"}
        except RecursionError:
            answer = {"over": "recursion"}
        signal.setitimer(signal.ITIMER_PROF, 0)
        os.write(w, json.dumps(answer).encode())
    except BaseException:  # noqa: BLE001 - the worker reports a crash by ending without an answer
        code = 1
    finally:
        os._exit(code)


def _one(request: dict) -> dict:
    module, name = TASKS[request["task"]]
    fn = getattr(importlib.import_module(module), name)
    cpu = float(request.get("cpu", CPU_SECONDS))
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        _worker(fn, request["args"], cpu, w)
    os.close(w)
    data, end = b"", time.monotonic() + WALL_SECONDS
    try:
        while True:
            left = end - time.monotonic()
            if left <= 0 or not select.select([r], [], [], left)[0]:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return {"busy": True}
            chunk = os.read(r, 65536)
            if not chunk:
                break
            data += chunk
    finally:
        os.close(r)
    _, status = os.waitpid(pid, 0)
    if data:
        return json.loads(data)
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGPROF:
        return {"over": "time"}
    return {"over": "crash"}


def serve() -> None:
    """The helper: reads one JSON task a line on stdin, answers one JSON line on stdout."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C of the server: the helper ends with its stdin
    out = os.fdopen(os.dup(1), "wb", buffering=0)  # the answers; stray prints go to stderr instead
    os.dup2(2, 1)
    for m in PRELOAD:
        importlib.import_module(m)
    out.write(b"ready\n")
    for line in sys.stdin.buffer:
        try:
            answer = _one(json.loads(line))
        except Exception as e:  # noqa: BLE001 - a broken request gets an answer, never ends the helper
            answer = {"over": "crash", "why": e.__class__.__name__}
        try:
            out.write((json.dumps(answer) + "\n").encode())
        except OSError:  # the server has gone: so does the helper
            return
