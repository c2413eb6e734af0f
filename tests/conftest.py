"""Shared test helpers: a fresh AppTest of the whole app (entry file + st.navigation); the browser tests' server,
Chromium and browser context, one of each per test process (per pytest-xdist worker)."""

import os
import sys
from pathlib import Path

import pytest

# Bytecode is kept (in the __pycache__ folders .gitignore leaves out), even where the environment says not to write
# it (PYTHONDONTWRITEBYTECODE=1 on this machine): else every process of the run (the two workers, pytest's
# rewritten test modules, each server, each of the ~200 `python -m core` subprocesses) compiles the app, the
# engine and the tests from source again (about 4 s of each worker's collection, 60 of the 250 ms of a CLI run).
sys.dont_write_bytecode = False
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

APP = str(Path(__file__).resolve().parent.parent / "app" / "streamlit_app.py")


@pytest.fixture
def roomy_formula_budget(monkeypatch):
    """For tests of a typed formula's values, not of the server's limit on preparing one: the limit's 1 CPU-s
    is a guard for a shared server, and on a loaded 2-core CI machine (two test workers and browsers) a formula
    that prepares in well under it when quiet went over it (tests/test_robust_limits.py tests the limit)."""
    from core.symbolic import deadline

    monkeypatch.setattr(deadline, "CPU_SECONDS", 10.0)


@pytest.fixture(scope="session")
def server():
    """The app served with the README's run command (tests/_server.py), started once per test process and shared
    by the browser test files that need no server of their own. A test that measures the server itself (its CPU,
    its log, its start) or needs it configured otherwise starts its own: tests/test_robust_browser.py,
    tests/test_browser_class.py, tests/test_serve.py, tests/test_load.py.

    It serves as the README serves a class (and the Dockerfile): without watching the source for edits
    (server.fileWatcherType none; make run keeps Streamlit's watcher for a developer at a desk). Streamlit's
    watcher costs each new session about 0.3 CPU-s of the server (0.48 -> 0.18 CPU-s a page load, measured), and
    these files load some 100 pages."""
    from _server import need_chromium, streamlit_server

    need_chromium()
    with streamlit_server(options=("--server.fileWatcherType", "none")) as (url, _):
        yield url


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium (never a downloaded one), launched once per test process. It is the only Playwright
    instance of the process: a second sync_playwright() while it runs would fail, so every browser test uses it."""
    from _server import ARGS, CHROMIUM, need_chromium

    need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="session")
def tabs(browser):
    """A page in one browser context per test process, for the tests that need no context of their own: its
    renderer and caches stay warm from test to test (tests/_server.py's Tabs). A test that routes requests,
    downloads files, needs a phone (is_mobile, touch), several contexts or a cold cache makes its own context."""
    from _server import Tabs

    ctx = browser.new_context()
    yield Tabs(ctx)
    ctx.close()


@pytest.fixture
def own_tabs(browser):
    """Like ``tabs``, in a new browser context of this test's own (closed after it)."""
    from _server import Tabs

    ctx = browser.new_context()
    yield Tabs(ctx)
    ctx.close()


@pytest.fixture(scope="session", autouse=True)
def _component_scan_once():
    """Each new AppTest (streamlit.testing) scans every installed distribution's metadata for Streamlit
    components (components.v2.manifest_scanner.scan_component_manifests, ~60 ms, 10-20 % of a short AppTest
    test); the packages installed do not change during a run, so the scan is made once per test process and its
    result reused. Without that function (another Streamlit) nothing is changed."""
    try:
        from streamlit.components.v2 import manifest_scanner
    except ImportError:
        yield
        return
    import functools

    scan = manifest_scanner.scan_component_manifests
    manifest_scanner.scan_component_manifests = functools.lru_cache(maxsize=None)(scan)
    yield
    manifest_scanner.scan_component_manifests = scan


@pytest.fixture
def app():
    """A started app on its first screen; ``app.goto("forward")`` switches screens."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=60)

    def goto(page: str):
        at.switch_page(f"../pages/{page}.py")
        return at.run()

    at.goto = goto
    return at.run()


# The files that take longest (`pytest -n 0 --durations=0` per file), longest first. Under
# pytest-xdist's --dist loadfile a worker runs a whole file, and the files are handed out in the order they are
# collected (--no-loadscope-reorder in pyproject.toml; xdist's own order, most tests first, put these few-test
# browser files last, where each made a tail of its own): these go first, then the rest, most tests first.
LONGEST_FIRST = [  # seconds in one process at load 1-2 on 3 December, after this branch's changes
    "tests/test_browser_stage_readable.py",  # 95
    "tests/test_browser_a11y.py",  # 91
    "tests/test_browser_stage.py",  # 52
    "tests/test_robust_browser.py",  # 30
    "tests/test_browser_graph.py",  # 27
    "tests/test_robust_cli.py",  # 27
    "tests/test_browser.py",  # 26
    "tests/test_browser_class.py",  # 20
    "tests/test_browser_train.py",  # 19
    "tests/test_app_bad_input.py",  # 15
    "tests/test_graph.py",  # 14
    "tests/test_app_train.py",  # 14
    "tests/test_robust_app.py",  # 11
    "tests/test_derive.py",  # 11
]


def pytest_collection_modifyitems(config, items):
    """In a pytest-xdist worker: the files in the order of LONGEST_FIRST, then by their number of tests (a stable
    sort: the tests of a file keep their order). A run in one process keeps pytest's order."""
    if not hasattr(config, "workerinput"):
        return
    from collections import Counter

    def file_of(item):
        return item.nodeid.split("::")[0]

    rank = {f: i for i, f in enumerate(LONGEST_FIRST)}
    count = Counter(file_of(item) for item in items)
    items.sort(key=lambda item: (rank.get(file_of(item), len(rank)), -count[file_of(item)], file_of(item)))


_FIGURES: list[str] = []


def pytest_runtest_logreport(report):
    """Collect the figures a test measured (``_server.report_figures``), in this process or from a worker."""
    from _server import FIGURE

    _FIGURES.extend(v for k, v in getattr(report, "user_properties", ()) if k == FIGURE and report.when == "call")


def pytest_terminal_summary(terminalreporter, config):
    """Figures a test measured (e.g. the load test's latencies), printed after the results."""
    for line in _FIGURES:
        terminalreporter.write_line(line)


def assert_no_crash(at) -> None:
    """No exception escaped and the page's safety net did not have to catch one (messages are fine)."""
    assert not at.exception, [e.message for e in at.exception]
    assert not any("hit a problem" in e.value for e in at.error), "the safety net caught an exception"


def assert_clean(at) -> None:
    """No exception and no error message at all."""
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def error_text(at) -> str:
    """The error messages as the user reads them (the app escapes Markdown in them)."""
    return " ".join(e.value.replace("\\", "") for e in at.error)
