"""Issue 17 on the real server (the README's run command) in headless Chromium: four tabs open links whose
networks use the issue's hostile max/min formulas and are closed at once; the server's whole process tree
(Streamlit, the formula helper and its workers) is idle again within seconds, with no worker left behind.
Before, each such tab kept its script thread in SymPy for minutes after it closed. Also: a link with a
lone surrogate in its name shows the notice, with the sidebar drawn, and a screenshot is saved."""

from __future__ import annotations

import base64
import json
import os
import time
import zlib
from pathlib import Path

import pytest
from _server import ARTIFACTS, need_chromium, report_figures, streamlit_server, wait_heading

TICK = os.sysconf("SC_CLK_TCK")
HOSTILE = ["max(z, 0.5*z, -z, z^2, sin(z), cos(z))", "max(z,2*z,3*z,4*z,5*z,6*z,7*z,8*z)",
           "max(sin(z), cos(z), tanh(z), atan(z), erf(z), sigmoid(z), sign(z), abs(z))",
           "max(" + ",".join(f"{i}*z" for i in range(1, 30)) + ")",
           "max(min(max(min(max(min(max(min(max(min(z,sin(z)),cos(z)),tanh(z)),z^2),-z),0.5*z),atan(z)),erf(z)),"
           "abs(z)),z/2)"]


def _code(d) -> str:
    return "1" + base64.urlsafe_b64encode(zlib.compress(json.dumps(d).encode())).decode()


def _tree(pid: int) -> list[int]:
    """pid and all its descendants."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        for task in Path(f"/proc/{p}/task").glob("*"):
            try:
                todo += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                pass
    return out


def _cpu(pid: int) -> float:
    """CPU seconds used so far by the process tree (exited children included through cutime/cstime)."""
    total = 0.0
    for p in _tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(v) for v in fields[11:15]) / TICK
    return total


@pytest.fixture(scope="module")
def served():
    """A server of its own for the closed-tabs test (its process tree's CPU time is measured); Chromium is the
    shared one (conftest.py)."""
    need_chromium()
    with streamlit_server("robust_server.log") as (url, proc):
        yield url, proc


def test_closed_tabs_with_hostile_formulas_leave_the_server_idle_within_seconds(served, tabs, request):
    url, proc = served
    pages = []
    for k in range(4):
        acts = [f"{h} + {k + 1}e-3*z" for h in HOSTILE[k:k + 2]] + ["sigmoid"]  # new formulas in every tab
        link = f"{url}/?p=network&s={_code({'layers': [1, 1, 1, 1], 'activations': acts, 'x': [0.5], 'y': [0.2]})}"
        page = tabs.new_page()  # four tabs at once: pages of their own in the shared context
        page.goto(link, wait_until="commit")
        pages.append(page)
    start = time.monotonic()
    while len(_tree(proc.pid)) < 2 and time.monotonic() - start < 60:  # until formula work has begun
        time.sleep(0.2)
    assert len(_tree(proc.pid)) >= 2, "no tab reached its formulas"
    time.sleep(0.5)
    for page in pages:
        page.close()
    closed = time.monotonic()
    idle_after = None
    while time.monotonic() - closed < 90:
        c0 = _cpu(proc.pid)
        time.sleep(2.0)
        if _cpu(proc.pid) - c0 < 0.4 and len(_tree(proc.pid)) <= 2:  # no worker, under 20 % of a core: idle
            idle_after = time.monotonic() - closed - 2.0
            break
    assert idle_after is not None and idle_after < 60, "the server kept working after the tabs closed"
    report_figures(
        request, f"robust: 4 closed tabs with hostile formulas: server idle {max(idle_after, 0):.1f} s after closing "
        f"(load average {open('/proc/loadavg').read().split()[0]})")


def test_a_link_with_a_lone_surrogate_shows_the_notice_with_the_sidebar_drawn(server, tabs):
    url = server  # the shared server (conftest.py): only the test above measures its own
    page = tabs.open(1280, 720)
    page.set_default_timeout(60_000)
    d = {"layers": [2, 2, 1], "activations": ["sigmoid", "sigmoid"], "x": [0.05, 0.1], "y": [0.01], "name": "\ud800"}
    page.goto(f"{url}/?p=forward&s={_code(d)}")
    page.get_by_text("This link could not be opened", exact=False).first.wait_for()
    page.get_by_text("name: expected text, found an invalid character", exact=False).first.wait_for()
    page.get_by_test_id("stSidebar").get_by_text("Network", exact=False).first.wait_for()
    assert page.get_by_text("Traceback").count() == 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.wait_for_timeout(800)
    page.screenshot(path=str(ARTIFACTS / "robust_surrogate_link_1280.png"), full_page=False)
    tabs.close(page)


def test_the_lab_with_a_cost_of_exactly_zero_draws_its_charts_and_says_why_a_line_is_missing(server, tabs):
    url = server  # the shared server (conftest.py): only the test above measures its own
    d = {"layers": [1, 1], "activations": ["linear"], "weights": [[[2.0]]], "biases": [[1.0]], "x": [1.5], "y": [4.0]}
    for w, h in ((1920, 1080), (1280, 720)):
        page = tabs.open(w, h)
        page.set_default_timeout(60_000)
        page.goto(f"{url}/?p=train&s={_code(d)}")
        wait_heading(page, "Training lab")  # at once, then Playwright's own wait
        # a one-example scenario opens the lab on a learnable starter set: go back to its own example
        page.get_by_role("button", name="Use the scenario's own example").click()
        page.get_by_text("1 example(s), task", exact=False).wait_for(state="attached")
        chart = page.frame_locator("iframe[title*='live_chart']").first
        chart.get_by_text("a cost of exactly 0 is below every log scale", exact=False).first.wait_for()
        assert page.get_by_text("hit a problem").count() == 0
        page.wait_for_timeout(800)
        page.locator("iframe[title*='live_chart']").first.scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        page.screenshot(path=str(ARTIFACTS / f"robust_lab_cost_zero_{w}.png"))
        tabs.close(page)
