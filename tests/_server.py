"""The app's server and Debian's Chromium for the browser tests (test_browser, test_load).

``streamlit_server()`` starts the README's run command on a free loopback port and stops it
afterwards; ``need_chromium()`` skips locally (fails in CI) when /usr/bin/chromium is missing.
No browser is ever downloaded.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
STAGE = "iframe[title='app.walkthrough.stage.stage']"  # the step player of the step screens (app/walkthrough/stage.py)
FIGURE = "figure"  # a test's user property: a line for the terminal summary (conftest collects and prints them)


def report_figures(request, *lines: str) -> None:
    """Lines a test measured, printed after the results (they travel with the test's report, so they reach the
    terminal from pytest-xdist's workers too)."""
    request.node.user_properties.extend((FIGURE, line) for line in lines)


def need_chromium(api: str = "playwright.sync_api") -> None:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("/usr/bin/chromium is missing in CI: .ci/run should have installed it (apt chromium)")
        pytest.skip("no /usr/bin/chromium here: install Debian's chromium (apt) to run the browser test")
    pytest.importorskip(api)


# an element matching `sel` that Playwright would call visible (attached, a box of some size, not
# visibility:hidden), in the page or in the document of the first frame matching `frame` (same origin: the app's
# components); for a heading: one whose text contains `name`, ignoring case, as get_by_role("heading", name=...)
VISIBLE = """([frame, sel, name]) => {
  let doc = document;
  if (frame) { const f = document.querySelector(frame); doc = f && f.contentDocument; }
  if (!doc) return false;
  const shown = (e) => { const r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden'; };
  if (name === null) { const e = doc.querySelector(sel); return !!e && shown(e); }
  return [...doc.querySelectorAll(sel)].some(e => shown(e) && e.textContent.toLowerCase().includes(name));
}"""
HEADINGS = "h1, h2, h3, h4, h5, h6, [role='heading']"


def wait_visible(page, selector: str, frame: str | None = None, timeout_ms: float | None = None) -> None:
    """What ``locator(selector).first.wait_for()`` waits for (in the frame ``frame`` if given), checked on every
    animation frame: Playwright's own wait polls after 0, 20, 50, 100, 100 ms and then every 500 ms, so it saw a
    page load or a rerun that took about a second up to half a second late, at every such wait. Playwright's own
    wait follows (it returns at its first poll and keeps its own checks)."""
    page.wait_for_function(VISIBLE, arg=[frame, selector, None], polling="raf", timeout=timeout_ms)
    (page.frame_locator(frame).first if frame else page).locator(selector).first.wait_for(timeout=timeout_ms)


def wait_heading(page, name: str, timeout_ms: float | None = None) -> None:
    """``page.get_by_role("heading", name=name).first.wait_for()``, checked on every animation frame (wait_visible):
    a visible heading whose text contains ``name``, ignoring case; then Playwright's own wait."""
    page.wait_for_function(VISIBLE, arg=[None, HEADINGS, name.lower()], polling="raf", timeout=timeout_ms)
    page.get_by_role("heading", name=name).first.wait_for(timeout=timeout_ms)


def listen(page, name: str, said: list[str]):
    """``page``, with what its browser says of it (console errors and warnings, page errors, a crash, a navigation,
    its websocket closing) appended to ``said`` for a failure's message: a class page once went blank in the suite
    with nothing in the server's log."""
    page.on("console", lambda m: m.type in ("error", "warning") and said.append(f"{name} console {m.type}: {m.text}"))
    page.on("pageerror", lambda e: said.append(f"{name} page error: {e}"))
    page.on("crash", lambda _: said.append(f"{name}: the page crashed"))
    page.on("framenavigated", lambda f: f == page.main_frame and said.append(f"{name} navigated to {f.url}"))
    page.on("websocket", lambda ws: (said.append(f"{name} websocket opened"),
                                     ws.on("close", lambda _: said.append(f"{name} websocket closed"))))
    return page


# true once the app's script run is over and the page has not changed for `quiet` ms: Streamlit marks its root
# with the run's state (data-test-script-state, the attribute its own end-to-end tests wait on) and the elements
# of the previous run still on screen with data-stale; a MutationObserver on the whole document (the frames'
# heights included, not their insides) dates the last change
SETTLED = """(quiet) => {
  if (!window.__bpSettle) {
    window.__bpSettle = { last: performance.now() };
    new MutationObserver(() => { window.__bpSettle.last = performance.now(); }).observe(document,
      { subtree: true, childList: true, attributes: true, characterData: true });
  }
  const app = document.querySelector('[data-testid="stApp"]'), now = performance.now();
  if (!app || app.dataset.testScriptState !== 'notRunning' || app.dataset.testConnectionState !== 'CONNECTED' ||
      document.querySelector('[data-stale="true"]')) { window.__bpSettle.last = now; return false; }
  return now - window.__bpSettle.last >= quiet;
}"""


def settle(page, quiet_ms: int = 300, timeout_ms: int = 60_000) -> None:
    """Wait until the app's script run has finished (no run going, none asked for, no element of an earlier run
    left) and nothing on the page has changed for ``quiet_ms``: what fixed sleeps after a page load or a rerun
    waited for, without waiting longer than needed (or too little, on a loaded machine). Call it once something
    of the run awaited is on screen (a heading, a frame), so that the run has begun."""
    page.wait_for_function(SETTLED, arg=quiet_ms, polling=50, timeout=timeout_ms)


class Tabs:
    """The page a browser test drives, in a browser context shared by the tests of one process (conftest.py's
    ``tabs``), or in one of its own (``own_tabs``). ``open()`` gives a page with the window size, the system's
    colour scheme and motion preference a new context would have had (Playwright's defaults: 1280×720, light, no
    preference), set before anything is loaded; ``close(page)`` leaves the app for about:blank, which ends its
    Streamlit session as closing the page would.

    In the shared context the same page is reused from one test to the next: a page.goto() loads a new document
    (a new Streamlit session, nothing kept but Chromium's caches), but the page's renderer and Chromium's HTTP and
    code caches stay warm, so Streamlit's scripts and the stage's plotly.min.js are not fetched and compiled again
    for every test (a stage is up in about 1.4 s instead of 2.5-4 s). ``errors`` holds the page errors
    (``pageerror``) since the last ``open()``."""

    def __init__(self, context):
        self.context = context
        self.errors: list[str] = []
        self._page = None

    def open(self, width: int = 1280, height: int = 720, scheme: str = "light", reduced: bool = False):
        if self._page is None or self._page.is_closed():
            self._page = self.context.new_page()
            self._page.on("pageerror", lambda e: self.errors.append(str(e)))
        else:
            self.close(self._page)
        self.errors.clear()
        page = self._page
        page.set_default_timeout(30_000)  # Playwright's default: a test sets its own
        page.set_viewport_size({"width": width, "height": height})
        page.emulate_media(color_scheme=scheme, reduced_motion="reduce" if reduced else "no-preference")
        return page

    def new_page(self):
        """Another page of the context (for a test with several pages open at once); the test closes it."""
        return self.context.new_page()

    @staticmethod
    def close(page) -> None:
        if not page.is_closed():
            page.goto("about:blank")


def run_command(root: Path = ROOT) -> list[str]:
    """The README's run command (what `make run` runs) of the tree at ``root``, without its port: ``python -m
    app.serve``, or ``streamlit run app/streamlit_app.py`` in an older tree that has no app/serve.py."""
    if (root / "app" / "serve.py").exists():
        return [sys.executable, "-m", "app.serve"]
    return [sys.executable, "-m", "streamlit", "run", "app/streamlit_app.py"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_server(log_name: str = "server.log",
                     options: tuple[str, ...] = ()) -> Iterator[tuple[str, subprocess.Popen]]:
    """(url, process) of the app served on 127.0.0.1 at a free port, until the block ends; ``options`` are more
    of Streamlit's command-line options."""
    port = _free_port()
    worker = os.environ.get("PYTEST_XDIST_WORKER")  # two test files may name the same log in two workers
    if worker:
        log_name = f"{Path(log_name).stem}.{worker}.log"
    # the README's run command, on a free port, loopback only
    cmd = [*run_command(), "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
           *options]
    ARTIFACTS.mkdir(exist_ok=True)
    log = open(ARTIFACTS / log_name, "w")
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 90
        while True:
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                pytest.fail(f"the server did not start: see {ARTIFACTS / log_name}")
            time.sleep(0.3)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
