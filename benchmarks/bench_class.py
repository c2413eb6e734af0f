"""Class mode with 60 students in one room: how fast the teacher's Next reaches every student, how fast
60 answers are counted on the projector, and what an idle follower costs the server.

Two set-ups, both on loopback with the production settings of the Dockerfile (no file watcher, no
forced GC after each run):
- "one": one replica with the SQLite store;
- "two": Redis and two replicas behind nginx (Debian's packages, started here with their own temp
  config and stopped after); the teacher's browser is sent to replica a, the students' to replica b
  (a cookie picks the replica: every test browser has the same loopback address).

The students: ``REAL`` real Chromium pages at 390 px (join with the link, follow through the app's own
poll, answer in the prediction box) and ``SIMULATED`` clients of the store (join, poll the room's
version every POLL s as the follower fragment does, answer through ``rooms.answer``). Times are wall
clock in ms (Chromium's Date.now() and Python's time.time() read the same clock): a Next from the click
event in the teacher's page to the moment a student's page shows the new "Step k of n" (a
MutationObserver in each page) or a simulated student sees the new step; the count from the last answer
stored to the projector's "60 of 60 answered". Server CPU: the students' replica's CPU time over IDLE_S
seconds with the real pages following, minus the same time before they joined, per page per minute.

Run: .venv/bin/python benchmarks/bench_class.py [one|two]   (figures also in test-artifacts/class_load.json)
"""

from __future__ import annotations

import json
import os
import re
import statistics
import sys
import threading
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from _server import ARGS, ARTIFACTS, CHROMIUM, STAGE, listen, streamlit_server  # noqa: E402
from _services import nginx_proxy, redis_server  # noqa: E402
from test_load import _cpu_s, _pct  # noqa: E402 - the class load test's readers of /proc and percentiles

from app.classroom import rooms  # noqa: E402
from app.classroom.store import RedisStore, SQLiteStore  # noqa: E402
from core import load_preset, trace  # noqa: E402
from core.teaching import quiz as cq  # noqa: E402

REAL, SIMULATED = 5, 55
NEXTS = 3  # Next clicks timed
IDLE_S = 15.0  # seconds of idle following for the CPU figure
SETTLE_S = 2.0  # seconds before each idle window (the last runs of a join end)
PAUSE_S = 2.0  # seconds between two Next clicks: the teacher says a word
POLL = 0.5  # how often a simulated student reads the room (the real ones wait on the watcher)
BOUND_S = 240  # every wait and loop of one set-up stops by itself within this
PRODUCTION = {"STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none", "STREAMLIT_SERVER_RUN_ON_SAVE": "false",
              "STREAMLIT_RUNNER_POST_SCRIPT_GC": "false", "STREAMLIT_CLIENT_SHOW_ERROR_DETAILS": "none"}
TARGETS = {"next_p95_ms": 1500, "count_ms": 1000, "idle_cpu_s_per_student_min": 0.2}

# click times, recorded in every frame (the stage's too) into the top window; and, in the top window only, a
# 20-ms scan of the page and of its same-origin frames: when each "Step k of n" first shows (the stage's
# step) and when "N of M answered" shows (the projector). A MutationObserver in the stage's frame recorded
# nothing (window.__seen stayed empty while the frame showed "Step 2 of 5": the harness waited forever), so
# the top window reads the frames' documents itself.
WATCH = """
const W = window.top;
W.__clicks = W.__clicks || [];
window.addEventListener('pointerdown', () => W.__clicks.push(Date.now()), true);
if (window === W) {
  W.__seen = {}; W.__answered = {};
  const docs = () => [document, ...Array.from(document.querySelectorAll('iframe'), f => {
    try { return f.contentDocument; } catch (e) { return null; } })].filter(Boolean);
  setInterval(() => {
    for (const d of docs()) {
      for (const e of d.querySelectorAll('#where')) {
        const m = e.textContent.trim().match(/^Step (\\d+) of \\d+$/);
        if (m && !(m[1] in W.__seen)) W.__seen[m[1]] = Date.now();
      }
    }
    for (const e of document.querySelectorAll('h2')) {
      const m = e.textContent.trim().match(/^(\\d+) of \\d+ answered$/);
      if (m && !(m[1] in W.__answered)) W.__answered[m[1]] = Date.now();
    }
  }, 20);
}
"""


@contextmanager
def _env(**kw):
    old = {k: os.environ.get(k) for k in kw}
    os.environ.update({k: v for k, v in kw.items()})
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@contextmanager
def setup(mode: str, tmp: Path):
    """(teacher's URL, students' URL, the students' server pid, a function opening a store client)."""
    with ExitStack() as stack:
        if mode == "one":
            db = str(tmp / "class.sqlite3")
            stack.enter_context(_env(BP_CLASS_DB=db, **PRODUCTION))
            os.environ.pop("REDIS_URL", None)
            url, proc = stack.enter_context(streamlit_server("server_class_load.log"))
            yield url, url, proc.pid, lambda: SQLiteStore(db)
        else:
            redis_url = stack.enter_context(redis_server())
            stack.enter_context(_env(REDIS_URL=redis_url, **PRODUCTION))
            url_a, _ = stack.enter_context(streamlit_server("server_class_a.log"))
            url_b, proc_b = stack.enter_context(streamlit_server("server_class_b.log"))
            port = lambda u: int(u.rsplit(":", 1)[1])  # noqa: E731
            proxy = stack.enter_context(nginx_proxy(port(url_a), port(url_b)))
            yield proxy, proxy, proc_b.pid, lambda: RedisStore(redis_url)


class Simulated(threading.Thread):
    """A student as a client of the store: joins, polls the room's version every POLL s, records when each
    step shows, and answers when told to."""

    def __init__(self, i: int, code: str, open_store, stop: threading.Event):
        super().__init__(daemon=True)
        self.i, self.code, self.stop = i, code, stop
        self.store = open_store()
        self.id = f"sim{i:04d}xx"
        self.seen: dict[int, float] = {}
        rooms.join(self.store, code, self.id, f"Sim {i}")

    def run(self) -> None:
        version, deadline = None, time.time() + BOUND_S
        while not self.stop.is_set() and time.time() < deadline:
            v = self.store.version(self.code)
            if v != version:
                version = v
                room = self.store.load(self.code)
                if room and room["screen"] == "forward":
                    self.seen.setdefault(room["step"] + 1, time.time() * 1000)
            self.stop.wait(POLL)


def _log(what: str) -> None:
    """A line of progress on stderr (BP_BENCH_LOG=1), to see where a run waits."""
    if os.environ.get("BP_BENCH_LOG"):
        print(f"{time.strftime('%H:%M:%S')} {what}", file=sys.stderr, flush=True)


def _wait(page, js: str, arg=None, timeout_s: float = 60, said: list[str] = ()) -> None:
    """Wait for ``js`` in ``page``; on a timeout, fail with what the page and the browsers showed (_stuck)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(js, arg=arg, timeout=timeout_s * 1000, polling=100)
    except PlaywrightTimeout:
        _stuck(page, f"{js!r} ({arg!r})", timeout_s, said)


def _shows(page, locator, timeout_s: float = 60, said: list[str] = (), teacher=None):
    """``locator`` once it is visible in ``page``; on a timeout, fail as _wait does (with the teacher's page too)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        locator.wait_for(timeout=timeout_s * 1000)
    except PlaywrightTimeout:
        _stuck(page, str(locator), timeout_s, said, teacher)
    return locator


def _stuck(page, what: str, timeout_s: float, said: list[str], teacher=None) -> None:
    """Fail with what the page (and the teacher's) showed, what the browsers said (``said``, _server.listen) and
    screenshots."""
    ARTIFACTS.mkdir(exist_ok=True)
    now = int(time.time())
    page.screenshot(path=str(ARTIFACTS / f"class_load_stuck_{now}.png"), full_page=True)
    seen = page.evaluate("() => JSON.stringify(window.__seen || {})")
    more = ""
    if teacher is not None and teacher is not page:
        teacher.screenshot(path=str(ARTIFACTS / f"class_load_stuck_{now}_teacher.png"), full_page=True)
        more = f"; the teacher's page ({teacher.url}) said: {teacher.locator('body').inner_text()[:600]!r}"
    raise AssertionError(f"waited {timeout_s:.0f} s for {what} in {page.url}; seen {seen}; the page said: "
                         f"{page.locator('body').inner_text()[:600]!r}{more}; the browsers said: {list(said)[-10:]}; "
                         f"screenshots class_load_stuck_{now}*.png")


def start_class(teacher) -> str:
    """Press Start a class on the teacher's page (a step screen); the room's code, read off its join link."""
    teacher.get_by_role("button", name="Start a class").click()
    teacher.get_by_role("heading", name="Join the class").wait_for()
    return re.search(r"/join\?room=([2-9A-HJKMNP-Z]{7})", teacher.locator("body").inner_text()).group(1)


def join_class(page, url: str, code: str, name: str = "") -> None:
    """Open the join link on a student's page, type ``name`` and join."""
    page.goto(f"{url}/join?room={code}")
    if name:
        page.get_by_label("Your name (optional, shown to the teacher only)").fill(name)
    page.get_by_role("button", name="Join the class").click()


def run(mode: str, tmp: Path) -> dict:
    from playwright.sync_api import sync_playwright

    t_start = time.time()
    t = trace(load_preset("classic_2-2-2"))
    out = {"mode": mode, "real": REAL, "simulated": SIMULATED, "poll_s": POLL, "loadavg_start": os.getloadavg()[0]}
    with setup(mode, tmp) as (teacher_url, student_url, pid, open_store), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        stop = threading.Event()
        sims: list[Simulated] = []
        try:
            tctx = browser.new_context(viewport={"width": 1280, "height": 720})
            said: list[str] = []  # what the browsers said of the pages (errors, a crash)
            teacher = listen(tctx.new_page(), "teacher", said)
            teacher.set_default_timeout(BOUND_S * 1000)
            teacher.add_init_script(WATCH)
            teacher.goto(teacher_url + "/?p=forward")
            _log("teacher: start a class")
            code = start_class(teacher)
            teacher.get_by_text("Show the join code on the projector").click()  # the class bar only
            _log(f"room {code}: idle base")
            time.sleep(SETTLE_S)
            cpu0, w0 = _cpu_s(pid), time.time()
            time.sleep(IDLE_S)
            base = (_cpu_s(pid) - cpu0) / (time.time() - w0)  # the students' replica without them

            phones = []
            for i in range(REAL):
                ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
                if mode == "two":
                    ctx.add_cookies([{"name": "bp_replica", "value": "b", "url": student_url}])
                page = listen(ctx.new_page(), f"phone {i}", said)
                page.set_default_timeout(BOUND_S * 1000)
                page.add_init_script(WATCH)
                join_class(page, student_url, code, f"Phone {i}")
                phones.append(page)
                _log(f"phone {i} joined")
            for i, page in enumerate(phones):
                page.frame_locator(STAGE).first.get_by_text("Step 1 of 5", exact=True).wait_for()
                _log(f"phone {i} shows step 1")
            sims = [Simulated(i, code, open_store, stop) for i in range(SIMULATED)]
            for s in sims:
                s.start()
            time.sleep(SETTLE_S)
            cpu0, w0 = _cpu_s(pid), time.time()
            time.sleep(IDLE_S)
            busy = (_cpu_s(pid) - cpu0) / (time.time() - w0)
            out["idle_cpu_s_per_student_min"] = round(max(0.0, busy - base) * 60 / REAL, 4)
            out["idle_cpu_server_base_s_per_min"] = round(base * 60, 3)

            next_ms: dict[str, list[float]] = {"real": [], "simulated": []}
            cpu0, w0 = _cpu_s(pid), time.time()
            for k in range(2, 2 + NEXTS):
                teacher.frame_locator(STAGE).first.get_by_role("button", name="Next step").click()
                _log(f"teacher: next to step {k}")
                for i, page in enumerate(phones):
                    _wait(page, "k => k in window.__seen", str(k), said=said)
                    _log(f"phone {i} shows step {k}")
                deadline = time.time() + 30
                while any(k not in s.seen for s in sims) and time.time() < deadline:
                    time.sleep(0.05)
                clicked = teacher.evaluate("window.__clicks[window.__clicks.length - 1]")
                next_ms["real"] += [page.evaluate("k => window.__seen[k]", str(k)) - clicked for page in phones]
                next_ms["simulated"] += [s.seen[k] - clicked for s in sims if k in s.seen]
                time.sleep(PAUSE_S)
            per_next = (_cpu_s(pid) - cpu0 - base * (time.time() - w0)) / (REAL * NEXTS)
            out["rerun_cpu_ms_per_student_next"] = round(1000 * per_next)
            missing = sum(NEXTS - sum(k in s.seen for k in range(2, 2 + NEXTS)) for s in sims)
            both = next_ms["real"] + next_ms["simulated"]
            out.update(next_p50_ms=round(statistics.median(both)), next_p95_ms=round(_pct(both, 0.95)),
                       next_real_p50_ms=round(statistics.median(next_ms["real"])),
                       next_real_p95_ms=round(_pct(next_ms["real"], 0.95)),
                       next_real_max_ms=round(max(next_ms["real"])),
                       next_sim_p95_ms=round(_pct(next_ms["simulated"], 0.95)), next_missed=missing)

            step = NEXTS  # the 0-based step the teacher is on (record index in the forward pass): its first number
            _log("teacher: ask the class")
            _shows(teacher, teacher.get_by_role("button", name="Ask the class"), said=said).click()
            q = cq.questions(t, step, 0)[0]
            right = f"{q.value:.4g}"
            for i, page in enumerate(phones):
                box = _shows(page, page.get_by_label("Your prediction"), said=said, teacher=teacher)
                box.fill(right if i % 2 == 0 else f"{2 * q.value:.4g}")
                page.get_by_role("button", name="Send").click()
            for page in phones:
                page.get_by_text("Your answer is in").wait_for()
            _log("phones answered")
            st_ = sims[0].store
            deadline = time.time() + 30
            while st_.load(code)["question"] is None and time.time() < deadline:
                time.sleep(0.05)
            for i, s in enumerate(sims):
                rooms.answer(s.store, code, s.id, q, right if i % 3 else f"{-q.value:.4g}")
            last = time.time() * 1000
            total = REAL + SIMULATED
            _wait(teacher, "n => n in window.__answered", str(total), said=said)
            out["count_ms"] = round(teacher.evaluate("n => window.__answered[n]", str(total)) - last)
            _log("counted; reveal")
            teacher.get_by_role("button", name="Reveal").click()
            teacher.locator(".js-plotly-plot").first.wait_for()
            teacher.get_by_text("students:").first.wait_for()
            expected_right = sum(i % 2 == 0 for i in range(REAL)) + sum(1 for i in range(SIMULATED) if i % 3)
            teacher.get_by_text(f"{round(100 * expected_right / total)} %", exact=True).first.wait_for()
            out["answers_counted"] = st_.count(code, st_.load(code)["question"]["qid"])
            ARTIFACTS.mkdir(exist_ok=True)
            teacher.screenshot(path=str(ARTIFACTS / f"class_load_{mode}_reveal.png"), full_page=True)
            phones[0].screenshot(path=str(ARTIFACTS / f"class_load_{mode}_phone.png"), full_page=True)
            out["exceptions"] = sum(pg.get_by_test_id("stException").count() for pg in [teacher, *phones])
        finally:
            stop.set()
            for s in sims:
                s.join(5)
            browser.close()
    out["loadavg_end"] = os.getloadavg()[0]
    out["duration_s"] = round(time.time() - t_start)
    return out


def report(results: list[dict]) -> list[str]:
    lines = []
    for r in results:
        lines.append(f"class mode ({r['mode']} replica{'s' if r['mode'] == 'two' else ''}, {r['real']} Chromium + "
                     f"{r['simulated']} simulated students, load {r['loadavg_start']:.1f}-{r['loadavg_end']:.1f}): "
                     f"Next p50 {r['next_p50_ms']} ms, p95 {r['next_p95_ms']} ms (real pages p95 "
                     f"{r['next_real_p95_ms']} ms, max {r['next_real_max_ms']}; target p95 <= 1500); "
                     f"60 answers counted {r['count_ms']} ms after the last (target <= 1000); idle follower "
                     f"{r['idle_cpu_s_per_student_min']} CPU-s per student per minute (target <= 0.2); a real "
                     f"page's rerun on a Next {r['rerun_cpu_ms_per_student_next']} server CPU-ms; "
                     f"{r['duration_s']} s")
    return lines


def main(modes: list[str]) -> None:
    import tempfile

    results = []
    for mode in modes:
        with tempfile.TemporaryDirectory() as d:
            results.append(run(mode, Path(d)))
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "class_load.json").write_text(json.dumps(results, indent=2))
    print("\n".join(report(results)))


if __name__ == "__main__":
    main(sys.argv[1:] or ["one", "two"])
