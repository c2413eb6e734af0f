"""Shared test helpers: a fresh AppTest of the whole app (entry file + st.navigation)."""

from pathlib import Path

import pytest

APP = str(Path(__file__).resolve().parent.parent / "app" / "streamlit_app.py")


@pytest.fixture
def roomy_formula_budget(monkeypatch):
    """For tests of a typed formula's values, not of the server's limit on preparing one: the limit's 1 CPU-s
    is a guard for a shared server, and on a loaded 2-core CI machine (two test workers and browsers) a formula
    that prepares in well under it when quiet went over it (tests/test_robust_limits.py tests the limit)."""
    from core.symbolic import deadline

    monkeypatch.setattr(deadline, "CPU_SECONDS", 10.0)


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
