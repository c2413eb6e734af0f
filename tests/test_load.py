"""A class on one server: 10 students at once, each with a different network, stepping through
the forward pass in their own browser.

One server (the README's run command, loopback only) and one headless Chromium with a browser
context (own cookies, own Streamlit session) per student, all driven concurrently (Playwright's
async API). In turn the students pick a preset on the Network screen, upload a scenario file of
their own, or open a shared link to their own network; then each clicks Next several times.
Every click must show that student's own next value (a or C of ``core.trace`` of their own
scenario, 9 significant digits, values unique to that student); in the end no page shows a
Streamlit exception, a JavaScript error, a connection error or another student's numbers.

Reports the click-to-render latency (from the click event to the new step's value in the DOM,
timed inside the page) as p50/p95, and the server's CPU time and memory per session, in the terminal
summary and in test-artifacts/load.json. The browsers share the machine's cores with the server, so
the latencies are an upper bound for a class on their own laptops. No timed assertion: a hang
fails at OVERALL_TIMEOUT, with every unfinished student's progress and a screenshot.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import statistics
import time

import pytest
from _server import ARGS, ARTIFACTS, CHROMIUM, STAGE, need_chromium, report_figures, streamlit_server

from app.session.url import encode_scenario
from core import Scenario, load_preset, load_scenario, trace

pytestmark = [pytest.mark.load, pytest.mark.xfail(run=False, reason=(
    "passes (66 s alone on 3 December, click p95 6.8 s) but would add about half a minute to make test's 6-minute "
    "budget (issue 14); run it with --runxfail"))]

N_SESSIONS = 10  # in turn: preset, upload, link
MAX_CLICKS = 5
OVERALL_TIMEOUT = 300  # seconds for the whole class (1.5–3.5 min on the shared 2-core machine at load average 3–30)
ARRIVAL = 0.3  # seconds between two students opening the app
PRESETS = ["article000_4-2-2-1", "article001_2-3-1", "article002_3-2-1", "article003_3-4-2"]  # not the default
BUILT = [[2, 3, 2], [3, 4, 1], [2, 4, 2], [3, 3, 2], [2, 2, 3, 1], [4, 3, 2], [2, 5, 1], [3, 2, 2, 1]]

# the press of a click, recorded in every frame (the stage's too) before the page's own handlers run (a capturing
# listener on the window: the stage's frame does not pass its clicks to one on the document)
CLICK_CLOCK = "window.addEventListener('pointerdown', () => { window.__bpClick = performance.now(); }, true);"
# in the stage's frame: ms from the last click to the moment it shows `step` and `value` (falsy until then)
RENDERED = """([step, value]) => {
  const where = document.getElementById('where'), cards = document.getElementById('cards');
  if (!where || where.textContent.trim() !== step || !cards) return false;
  const shown = cards.textContent.replace(/\u2212/g, '-').includes(value);
  return shown ? Math.max(performance.now() - window.__bpClick, 0.001) : false;
}"""


def _built(i: int) -> Scenario:
    """A network a student builds: its own sizes, activations, seed and input."""
    layers = BUILT[i]
    acts = ["tanh" if (i + l) % 2 else "sigmoid" for l in range(len(layers) - 2)] + ["sigmoid"]
    return load_scenario({
        "name": f"Student {i + 1}'s network", "layers": layers, "activations": acts, "loss": "mse",
        "init": {"scheme": "xavier", "seed": 100 + i},
        "x": [round(0.1 * (i + 1) + 0.07 * k, 3) for k in range(layers[0])], "y": [0.5] * layers[-1],
        "learning_rate": 0.5})


def _value(r) -> str:
    """What the equation card of a forward record shows: a^l_j, or the cost."""
    return f"{r.a if hasattr(r, 'a') else r.cost:.9g}"


def _plan() -> list[dict]:
    sessions = []
    for i in range(N_SESSIONS):
        kind = ("preset", "upload", "link")[i % 3]
        s = load_preset(PRESETS[i // 3]) if kind == "preset" else _built(i - i // 3 - 1)
        t = trace(s)
        steps = t.steps(0)
        count = steps.phase_start("backward")
        values = [_value(steps[k]) for k in range(count)]
        sessions.append(dict(i=i, kind=kind, scenario=s, count=count, clicks=min(MAX_CLICKS, count - 1),
                             values=values))
    for a in sessions:  # a leak would show: nobody else's step shows any of these numbers
        checked = set(a["values"][:a["clicks"] + 1])
        others = {v for b in sessions if b is not a for v in b["values"]}
        assert len(checked) == a["clicks"] + 1 and not checked & others, (a["kind"], a["i"])
    return sessions


def _rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds the process has used."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(q * (len(xs) - 1))))]


async def _idle(page) -> None:
    """Streamlit's rerun is over (the page may still be drawing)."""
    await page.get_by_test_id("stStatusWidget").wait_for(state="hidden")


async def _shown(page, js: str, arg: list, value: bool = False):
    """The stage's frame once ``js`` holds in it (and what ``js`` returned): the frame is looked up again
    whenever a rerun has replaced the stage's iframe."""
    while True:
        try:
            frame = await (await page.locator(STAGE).first.element_handle()).content_frame()
            got = await frame.wait_for_function(js, arg=arg, polling="raf", timeout=5_000)
            return (frame, await got.json_value()) if value else frame
        except Exception as e:  # noqa: BLE001 - a detached frame or not yet: look again (the overall bound decides)
            why = str(e).lower()
            if "Timeout" not in type(e).__name__ and "detached" not in why and "closed" not in why:
                raise


async def _student(browser, url: str, plan: dict, tmp_path, errors: list[str], progress: dict, pages: dict,
                   delay: float = 0, pid: int | None = None) -> dict:
    """One student's visit; with ``pid``, also the server's CPU time spent on their clicks."""
    await asyncio.sleep(delay)  # students arrive over a few seconds, not in the same millisecond
    ctx = await browser.new_context(viewport={"width": 1024, "height": 768})
    page = await ctx.new_page()
    page.set_default_timeout(OVERALL_TIMEOUT * 1000)  # the overall bound decides
    page.on("pageerror", lambda e: errors.append(f"student {plan['i']}: {e}"))
    await page.add_init_script(CLICK_CLOCK)
    who = f"student {plan['i']} ({plan['kind']})"
    s, count, values = plan["scenario"], plan["count"], plan["values"]
    t0 = time.perf_counter()
    log = progress.setdefault(who, [])
    pages[who] = page
    think = random.Random(plan["i"])

    def mark(what: str) -> None:
        log.append(f"{time.perf_counter() - t0:.1f}s {what}")

    try:
        if plan["kind"] == "link":
            await page.goto(f"{url}/?p=forward&s={encode_scenario(s)}", wait_until="commit")
        else:
            await page.goto(url, wait_until="commit")
            await page.get_by_role("heading", name="1 · Network").wait_for()
            await _idle(page)
            mark("network screen")
            if plan["kind"] == "preset":
                await page.get_by_role("combobox", name="Preset").click()
                await page.get_by_role("option", name=s.name, exact=True).click()
                await page.get_by_text("Loaded the preset", exact=False).wait_for()
            else:
                path = tmp_path / f"student_{plan['i']}.json"
                path.write_text(json.dumps(s.to_dict()), encoding="utf-8")
                await page.get_by_text("Import or export the scenario as JSON").click()
                await page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path))
                await page.get_by_text(f"Opened {path.name}", exact=False).wait_for()
            mark("network chosen")
            await _idle(page)
            await page.get_by_test_id("stSidebarNav").get_by_text("2 · Forward pass", exact=True).click()
        await page.get_by_role("heading", name="2 · Forward pass").wait_for()
        stage = await _shown(page, RENDERED.replace("performance.now() - window.__bpClick", "1"),
                             [f"Step 1 of {count}", values[0]])
        opened = time.perf_counter() - t0
        mark("forward screen, step 1")
        latencies = []
        await _idle(page)
        cpu0 = _cpu_s(pid) if pid else 0.0
        for k in range(1, plan["clicks"] + 1):
            await _idle(page)
            await page.wait_for_timeout(think.uniform(200, 600))  # a student reads, then clicks
            await page.frame_locator(STAGE).first.get_by_role("button", name="Next step").click()
            stage, ms = await _shown(page, RENDERED, [f"Step {k + 1} of {count}", values[k]], value=True)
            latencies.append(ms)
            mark(f"step {k + 1}: {latencies[-1]:.0f} ms")
        await _idle(page)
        cpu = (_cpu_s(pid) - cpu0) if pid else None
        body = await page.evaluate("document.body.textContent") + await stage.evaluate("document.body.textContent")
        return dict(who=who, page=page, ctx=ctx, opened=opened, latencies=latencies, body=body, server_cpu_s=cpu,
                    exceptions=await page.get_by_test_id("stException").count())
    except Exception:
        await page.screenshot(path=str(ARTIFACTS / f"load_student_{plan['i']}.png"), full_page=True)
        raise


async def _class(url: str, pid: int, tmp_path) -> tuple[list[dict], dict, list[str]]:
    """Every student's result, the server's figures, and any JavaScript error; fails after OVERALL_TIMEOUT
    with each unfinished student's progress and a screenshot of their page."""
    from playwright.async_api import async_playwright

    deadline = time.perf_counter() + OVERALL_TIMEOUT
    plan = _plan()
    errors: list[str] = []
    progress: dict[str, list[str]] = {}
    pages: dict = {}
    server = {"rss_idle_kib": _rss_kib(pid)}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            # one student first, so the one-time imports (SymPy, Plotly) are not counted per session
            warm = await asyncio.wait_for(_student(browser, url, dict(plan[0], i=-1), tmp_path, errors, progress,
                                                   pages, pid=pid), OVERALL_TIMEOUT / 2)
            await warm["ctx"].close()
            server["cpu_ms_per_click_alone"] = 1000 * warm["server_cpu_s"] / len(warm["latencies"])
            server["click_ms_alone"] = statistics.median(warm["latencies"])
            server.update(rss_warm_kib=_rss_kib(pid), cpu_s=_cpu_s(pid), wall_s=time.perf_counter(),
                          loadavg=os.getloadavg()[0])
            tasks = {q["i"]: asyncio.create_task(_student(browser, url, q, tmp_path, errors, progress, pages,
                                                          ARRIVAL * q["i"])) for q in plan}
            done, pending = await asyncio.wait(tasks.values(), timeout=max(1.0, deadline - time.perf_counter()),
                                               return_when=asyncio.FIRST_EXCEPTION)
            failed = [t for t in done if t.exception() is not None]
            if failed:
                for t in pending:
                    t.cancel()
                raise failed[0].exception()
            if pending:
                stuck = {who: progress[who] for who, page in pages.items() if who in progress}
                for who, page in pages.items():
                    if not page.is_closed():
                        await page.screenshot(path=str(ARTIFACTS / f"load_{who.split(' (')[0].replace(' ', '_')}.png"))
                for t in pending:
                    t.cancel()
                pytest.fail(f"the class did not finish in {OVERALL_TIMEOUT} s: {len(pending)} students still "
                            f"waiting; progress: {json.dumps(stuck)}")
            results = [tasks[q["i"]].result() for q in plan]
            server.update(rss_class_kib=_rss_kib(pid), cpu_s=_cpu_s(pid) - server["cpu_s"],
                          wall_s=time.perf_counter() - server["wall_s"])
            for r in results:
                await r["ctx"].close()
        finally:
            (ARTIFACTS / "load_progress.json").write_text(json.dumps(progress, indent=1), encoding="utf-8")
            await browser.close()
    for q, r in zip(plan, results):
        r["values"] = set(q["values"][:q["clicks"] + 1])
    return results, server, errors


def test_a_class_of_ten_on_one_server(tmp_path, request):
    need_chromium("playwright.async_api")
    with streamlit_server("server_load.log") as (url, proc):
        results, server, errors = asyncio.run(_class(url, proc.pid, tmp_path))
    assert not errors, errors
    for r in results:
        assert r["exceptions"] == 0, f"{r['who']} shows a Streamlit exception"
        for bad in ("Connection error", "Traceback", "hit a problem it could not show"):
            assert bad not in r["body"], (r["who"], bad)
        for other in results:  # nobody sees another student's numbers
            if other is not r:
                assert not any(v in r["body"] for v in other["values"]), (r["who"], other["who"])
    clicks = [ms for r in results for ms in r["latencies"]]
    opened = [r["opened"] for r in results]
    assert len(clicks) >= 4 * N_SESSIONS
    n = len(results)
    report = {
        "sessions": n, "clicks": len(clicks), "cpus": os.cpu_count(), "load_average_at_start": server["loadavg"],
        "click_to_render_ms": {"p50": round(statistics.median(clicks)), "p95": round(_pct(clicks, 0.95)),
                               "max": round(max(clicks))},
        "open_to_first_step_s": {"p50": round(statistics.median(opened), 1), "max": round(max(opened), 1)},
        "class_wall_s": round(server["wall_s"], 1),
        "one_student_alone": {"click_to_render_ms_p50": round(server["click_ms_alone"]),
                              "server_cpu_ms_per_click": round(server["cpu_ms_per_click_alone"])},
        "server_cpu_s": {"class": round(server["cpu_s"], 2), "per_session": round(server["cpu_s"] / n, 2)},
        "server_rss_mib": {"idle": round(server["rss_idle_kib"] / 1024),
                           "after_one_session": round(server["rss_warm_kib"] / 1024),
                           f"with_{n}_more": round(server["rss_class_kib"] / 1024),
                           "per_session": round((server["rss_class_kib"] - server["rss_warm_kib"]) / 1024 / n, 1)},
    }
    (ARTIFACTS / "load.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    c, cpu, mem = report["click_to_render_ms"], report["server_cpu_s"], report["server_rss_mib"]
    report_figures(
        request, f"load test: {n} concurrent sessions, {len(clicks)} clicks, {report['cpus']} CPUs (load average "
        f"{server['loadavg']:.1f}): click-to-render p50 {c['p50']} ms, p95 {c['p95']} ms (alone: "
        f"{report['one_student_alone']['click_to_render_ms_p50']} ms); server "
        f"{report['one_student_alone']['server_cpu_ms_per_click']} CPU-ms per click, {cpu['per_session']} CPU-s "
        f"and {mem['per_session']} MiB per session (test-artifacts/load.json)")
