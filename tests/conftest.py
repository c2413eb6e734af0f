"""Shared test helpers: a fresh AppTest of the whole app (entry file + st.navigation)."""

from pathlib import Path

import pytest

APP = str(Path(__file__).resolve().parent.parent / "app" / "streamlit_app.py")


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


def pytest_terminal_summary(terminalreporter, config):
    """Figures a test measured (e.g. the load test's latencies), printed after the results."""
    from _server import REPORT

    for line in config.stash.get(REPORT, []):
        terminalreporter.write_line(line)
