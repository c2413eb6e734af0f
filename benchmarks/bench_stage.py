"""The stage against the round-trip step screen it replaced (commit ``BASELINE``, main just before the
stage landed, checked out into a temporary directory with `git archive`) and a minimal Streamlit page
(one button, one st.latex, one small chart), all measured in one run in Debian's Chromium with the server
on this machine:

- Next click to the new equation and drawing on screen (median, p95), classic 2-2-2 and 4-4-4-1;
- server CPU per Next click (the server process's user + system time over the clicks);
- frame times while playing 8-8-8-8-1 forward at 4× (p95, median): every animation frame from the click on
  Play to the frame after Play stops, the steps' redraws included, not only the motion's frames; measured by
  one recorder injected into the stage's frame, on the stage as it is and on the stage at ``STAGE_BASELINE``
  (a third server, from `git archive` too), alternately, in the same run;
- what the browser receives for 4-4-4-1 and for the largest network the builder allows (8 inputs,
  6 hidden layers of 8, 8 outputs), and the time to build it;
- first paint of the forward screen from a cold server: the step drawn (card and neurons), and Plotly's drawing.

Run: .venv/bin/python benchmarks/bench_stage.py   (a few minutes; quote the load average printed)
     .venv/bin/python benchmarks/bench_stage.py --build   (the build figures alone, seconds)
     .venv/bin/python benchmarks/bench_stage.py --play    (the frame times alone, about a minute)
     .venv/bin/python benchmarks/bench_stage.py --passes  (this tree's frame times on each of the three screens)
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from _server import ARGS, CHROMIUM, STAGE, _free_port, run_command  # noqa: E402
from bench_paint import PLOT, wait_step_drawn  # noqa: E402 - one definition of "the step drawn"

from app.session import url as links  # noqa: E402
from app.session.state import canonical_json  # noqa: E402
from core import load_preset, load_scenario, trace  # noqa: E402

MINIMAL = '''import streamlit as st
n = st.session_state.setdefault("n", 0)
if st.button("Next"):
    st.session_state.n = n = n + 1
st.latex(rf"z^{{2}}_{{1}} = {n} \\cdot 0.15 + 0.35")
st.line_chart({"y": [n, n + 1, n + 3]}, height=200)
st.caption(f"Step {n + 1} of many")
'''
BASELINE = "4b6f575"  # main before the stage was merged (a0d541f): every Next a server rerun
STAGE_BASELINE = "244b200"  # the stage before issue 11's frame work: every step a Plotly.react with ~230 annotations
PLAY_ROUNDS = 2  # Play runs per stage (alternating): the machine is shared, its load drifts


def net(layers, seed=1):
    return load_scenario({"layers": layers, "activations": ["sigmoid"] * (len(layers) - 1),
                          "x": [0.1 * (k + 1) for k in range(layers[0])], "y": [0.5] * layers[-1],
                          "init": {"scheme": "xavier", "seed": seed}})


def link(page, s=None, step=None):
    s = s or load_preset("classic_2-2-2")
    q = links.encode_params(canonical_json(s), s, page, step, "neuron", 0,
                            default_key=canonical_json(load_preset("classic_2-2-2")))
    return "/?" + "&".join(f"{k}={v}" for k, v in q.items())


class Server:
    def __init__(self, root: Path, script: str):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.t0 = time.perf_counter()
        self.proc = subprocess.Popen(
            [*(run_command(root) if script == "app/streamlit_app.py" else [sys.executable, "-m", "streamlit", "run",
                                                                            script]),
             "--server.port", str(self.port), "--server.address",
             "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none"],  # as the README serves a class: no polling of the source
            cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def cpu(self) -> float:
        """User + system seconds of the server so far."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def wait(self):
        import urllib.request
        for _ in range(300):
            try:
                with urllib.request.urlopen(self.url + "/_stcore/health", timeout=2):
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("server did not start")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


CLICK_UNTIL = """async ([sel, want]) => {  // click, then wait until the text `want` is on the page; ms
  const t0 = performance.now();
  document.querySelector(sel).click();
  return await new Promise(res => { const poll = () => document.body.innerText.includes(want) ?
    requestAnimationFrame(() => res(performance.now() - t0)) : requestAnimationFrame(poll); poll(); });
}"""


def old_clicks(page, srv, n_clicks, total):
    """Today's page: click "Next ▶", wait for "Step k of n" (the rerun has drawn the new step)."""
    times, c0 = [], srv.cpu()
    for k in range(2, n_clicks + 2):
        page.get_by_role("button", name=re.compile("Next")).first.evaluate("b => b.setAttribute('data-bench', '1')")
        times.append(page.evaluate(CLICK_UNTIL, ["button[data-bench='1']", f"Step {k} of {total}"]))
        page.wait_for_timeout(250)
        page.get_by_test_id("stStatusWidget").wait_for(state="hidden")
    return times, (srv.cpu() - c0) / n_clicks


def idle_rate(srv, page, seconds=3.0) -> float:
    """CPU seconds per second the server spends with the page open and nobody clicking (its own timers)."""
    c0 = srv.cpu()
    page.wait_for_timeout(1000 * seconds)
    return (srv.cpu() - c0) / seconds


def stage_clicks(page, srv, n_clicks):
    fr = page.locator(STAGE).first.element_handle().content_frame()
    fr.evaluate("() => { window.__stage.renders.length = 0; }")
    c0, t0 = srv.cpu(), time.perf_counter()
    for _ in range(n_clicks):
        fr.locator("#next").click()
        page.wait_for_timeout(120)
    page.wait_for_timeout(2600)  # the idle report reaches the server once: counted
    times = fr.evaluate("() => window.__stage.renders.slice()")
    return times, (srv.cpu() - c0) / n_clicks, time.perf_counter() - t0


# Every animation frame while the stage plays: from the first frame that shows Pause (Play was clicked) to the second
# that shows Play again (the pass ended: the frame after it holds the end of Play's work, a redraw), ms between
# consecutive frames.
FRAME_RECORDER = """() => { const w = window, b = document.getElementById('play');
  w.__bench = []; w.__benchDone = false;
  let last = performance.now(), seen = false, after = 0;
  const f = (now) => {
    const on = b.getAttribute('aria-label') === 'Pause';
    if (on || seen) w.__bench.push(now - last);
    last = now;
    if (on) seen = true;
    if (seen && !on && ++after === 2) { w.__benchDone = true; return; }
    requestAnimationFrame(f);
  };
  requestAnimationFrame(f);
}"""


def play_frames(b, srv, s, last: int | None = None, screen: str = "forward", seconds: float = 0.0) -> tuple:
    """Play ``screen`` of s at 4×, to its step ``last`` (the end of the pass), or for ``seconds`` and then Pause
    (a long pass, such as 8-8-8-8-1's backward one, measured on a window of it): the recorder's frame times, the
    stage's own (window.__stage.frameTimes) and the server's CPU seconds meanwhile."""
    page = b.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(srv.url + link(screen, s))
        fl = page.frame_locator(STAGE).first
        fl.locator("body[data-step]").wait_for(timeout=60_000)
        page.wait_for_timeout(1500)
        fr = page.locator(STAGE).first.element_handle().content_frame()
        fl.locator("#speed").select_option("4")
        fr.evaluate("() => { window.__stage.frameTimes.length = 0; }")
        fr.evaluate(FRAME_RECORDER)
        c0 = srv.cpu()
        fl.locator("#play").click()
        if last is None:
            page.wait_for_timeout(1000 * seconds)
            fl.locator("#play").click()  # Pause
        else:
            fl.locator(f"body[data-step='{last}']").wait_for(timeout=60_000)
        fr.wait_for_function("() => window.__benchDone", timeout=60_000)
        page.wait_for_timeout(800)
        return (fr.evaluate("() => window.__bench.slice()"), fr.evaluate("() => window.__stage.frameTimes.slice()"),
                srv.cpu() - c0)
    finally:
        page.close()


def play_compare(b, stage_srv, tmp_stage: Path, servers: list) -> tuple:
    """8-8-8-8-1 forward played at 4×, the stage as it is and as it was (a server from tmp_stage), alternately."""
    was_srv = Server(tmp_stage, "app/streamlit_app.py")
    servers.append(was_srv)
    was_srv.wait()
    eight = net([8, 8, 8, 8, 1])
    last = trace(eight).steps(0).phase_start("backward") - 1
    ft, own, ft_was, play_cpu = [], [], [], 0.0
    for _ in range(PLAY_ROUNDS):
        rec, mine, cpu = play_frames(b, stage_srv, eight, last)
        ft += rec
        own += mine
        play_cpu = max(play_cpu, cpu)
        ft_was += play_frames(b, was_srv, eight, last)[0]
    return ft, own, ft_was, play_cpu


def print_play(ft, own, ft_was, play_cpu) -> None:
    print(f"\nplaying 8-8-8-8-1 forward at 4× ({PLAY_ROUNDS} passes each, every animation frame while Play runs):")
    print(f"  stage          {len(ft)} frames, p95 {pct(ft, 95):.1f} ms, median {statistics.median(ft):.1f} ms, "
          f"max {max(ft):.0f} ms; its own window.__stage.frameTimes: {len(own)} frames, p95 {pct(own, 95):.1f} ms, "
          f"median {statistics.median(own):.1f} ms")
    print(f"  stage at {STAGE_BASELINE} {len(ft_was)} frames, p95 {pct(ft_was, 95):.1f} ms, "
          f"median {statistics.median(ft_was):.1f} ms, max {max(ft_was):.0f} ms   "
          f"(p95 ratio {pct(ft_was, 95) / pct(ft, 95):.1f}×)")
    print(f"  server CPU for a whole pass {1000 * play_cpu:.0f} ms (the end-of-play report)")


def build_figures(deep, big) -> dict:
    """What the browser receives per screen and the server's time to build all three screens' stages
    (plus the backward screen's chain-rule cards within their budget), after a warm-up on the classic
    example (the server has SymPy loaded and σ's LaTeX derived by the time a new network comes)."""
    from app.walkthrough import frames, mathml
    from app.walkthrough.stage import CHAIN_BUDGET

    def build(s):
        mathml.lines.cache_clear()  # MathML shapes learnt on other networks cleared too: the worst case
        mathml._shape.cache_clear()
        t = trace(s)
        t0 = time.perf_counter()
        sizes = {scr: len(json.dumps(frames.stage(t, 0, scr), separators=(",", ":"), ensure_ascii=False).encode())
                 for scr in frames.SCREENS}
        t1 = time.perf_counter()
        keys = frames.chain_keys(frames.stage(t, 0, "backward", cards=False)["frames"])
        size = 0
        for k in keys:  # as app.walkthrough.stage._chain_all: output layer first, up to the budget
            size += len(json.dumps(frames.chain_cards(t, 0, [k])[k], ensure_ascii=False))
            if size > CHAIN_BUDGET:
                break
        return sizes, t1 - t0, time.perf_counter() - t1

    build(load_preset("classic_2-2-2"))
    return {name: build(s) for name, s in (("4-4-4-1", deep), ("8-8-8-8-8-8-8-8", big))}


def print_build(payload) -> None:
    for name, (sizes, build, chain) in payload.items():
        print(f"what the browser receives for {name}: " + ", ".join(f"{k} {v / 1024:.0f} KB" for k, v in sizes.items())
              + f"; all three built in {build:.2f} s (+ {chain:.2f} s for the chain-rule cards sent with it)")


def main():
    if "--build" in sys.argv:  # only the server's build figures (seconds, no browser)
        print(f"load average before: {open('/proc/loadavg').read().split()[:3]}  (2 cores, shared)")
        print_build(build_figures(net([4, 4, 4, 1]), net([8] * 8)))
        print(f"load average after:  {open('/proc/loadavg').read().split()[:3]}")
        return
    from playwright.sync_api import sync_playwright

    servers = []
    try:
        if "--passes" in sys.argv:
            play_passes(sync_playwright, servers)
        elif "--play" in sys.argv:
            play_only(sync_playwright, servers)
        else:
            run(sync_playwright, servers)
    finally:  # never leave a server behind, even when a measurement fails
        for srv in servers:
            srv.stop()
        for d in CHECKOUTS:
            shutil.rmtree(d, ignore_errors=True)


CHECKOUTS: list[Path] = []  # removed at the end (after the servers running from them have stopped)


def checkout(commit: str, prefix: str) -> Path:
    """The tree of `commit` in a new temporary directory (`git archive`)."""
    d = Path(tempfile.mkdtemp(prefix=prefix))
    CHECKOUTS.append(d)
    subprocess.run(f"git -C {ROOT} archive {commit} | tar -x -C {d}", shell=True, check=True)
    return d


def play_passes(sync_playwright, servers, seconds: float = 25.0):
    """Frame times while playing each of 8-8-8-8-1's three screens at 4× (this tree only)."""
    print(f"load average before: {open('/proc/loadavg').read().split()[:3]}  (2 cores, shared)")
    eight = net([8, 8, 8, 8, 1])
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        srv = Server(ROOT, "app/streamlit_app.py")
        servers.append(srv)
        srv.wait()
        out = {scr: play_frames(b, srv, eight, screen=scr, seconds=seconds)[0]
               for scr in ("forward", "backward", "update")}
        b.close()
    print(f"load average after:  {open('/proc/loadavg').read().split()[:3]}")
    print(f"\nplaying 8-8-8-8-1 at 4×, {seconds:.0f} s of each screen from its first step (every animation frame):")
    for scr, ft in out.items():
        print(f"  {scr:8s} {len(ft)} frames, p95 {pct(ft, 95):.1f} ms, median {statistics.median(ft):.1f} ms, "
              f"max {max(ft):.0f} ms, frames over 20 ms: {sum(t > 20 for t in ft)}")


def play_only(sync_playwright, servers):
    print(f"load average before: {open('/proc/loadavg').read().split()[:3]}  (2 cores, shared)")
    tmp_stage = checkout(STAGE_BASELINE, "bench_stage_was_")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        srv = Server(ROOT, "app/streamlit_app.py")
        servers.append(srv)
        srv.wait()
        play = play_compare(b, srv, tmp_stage, servers)
        b.close()
    print(f"load average after:  {open('/proc/loadavg').read().split()[:3]}")
    print_play(*play)


def run(sync_playwright, servers):
    print(f"load average before: {open('/proc/loadavg').read().split()[:3]}")
    tmp = checkout(BASELINE, "bench_stage_")
    tmp_stage = checkout(STAGE_BASELINE, "bench_stage_was_")
    (tmp / "minimal.py").write_text(MINIMAL)
    deep, big = net([4, 4, 4, 1]), net([8] * 8)

    payload = build_figures(deep, big)

    rows = {}
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        # first paint from cold
        cold = {}
        for label, root, done in (("stage", ROOT, "stage"), ("today", tmp, "plot")):
            srv = Server(root, "app/streamlit_app.py")
            servers.append(srv)
            page = b.new_page(viewport={"width": 1280, "height": 900})
            srv.wait()
            page.goto(srv.url + "/?p=forward")
            if done == "stage":  # the step drawn (bench_paint's marks), then Plotly's drawing
                fl = page.frame_locator(STAGE).first
                wait_step_drawn(fl)
                cold[label] = time.perf_counter() - srv.t0
                fl.locator(PLOT).wait_for(timeout=60_000)
                cold["stage, Plotly drawn"] = time.perf_counter() - srv.t0
            else:
                page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
                cold[label] = time.perf_counter() - srv.t0
            page.close()
            if label == "stage":
                stage_srv = srv
            else:
                old_srv = srv
        mini = Server(tmp, "minimal.py")
        servers.append(mini)
        mini.wait()

        for name, s, total_fwd in (("classic 2-2-2 backward", None, 18), ("4-4-4-1 backward", deep, 55)):
            page = b.new_page(viewport={"width": 1280, "height": 900})
            page.goto(stage_srv.url + link("backward", s))
            page.frame_locator(STAGE).first.locator("body[data-step]").wait_for(timeout=60_000)
            page.wait_for_timeout(1500)
            rate = idle_rate(stage_srv, page)
            st_t, st_cpu, took = stage_clicks(page, stage_srv, 15)
            own = rate * took / 15  # per click, what the server spends anyway with a page open
            page.close()
            page = b.new_page(viewport={"width": 1280, "height": 900})
            page.goto(old_srv.url + link("backward", s))
            page.get_by_text(f"Step 1 of {total_fwd}").wait_for(timeout=60_000)
            page.wait_for_timeout(1500)
            old_t, old_cpu = old_clicks(page, old_srv, 15, total_fwd)
            page.close()
            rows[name] = (st_t, st_cpu, own, old_t, old_cpu)
        page = b.new_page(viewport={"width": 1280, "height": 900})
        page.goto(mini.url)
        page.get_by_role("button", name="Next").wait_for(timeout=60_000)
        page.wait_for_timeout(1000)
        mt, c0 = [], mini.cpu()
        for k in range(1, 16):
            page.get_by_role("button", name="Next").first.evaluate("b => b.setAttribute('data-bench', '1')")
            mt.append(page.evaluate(CLICK_UNTIL, ["button[data-bench='1']", f"Step {k + 1} of many"]))
            page.wait_for_timeout(250)
        mini_cpu = (mini.cpu() - c0) / 15
        page.close()

        play = play_compare(b, stage_srv, tmp_stage, servers)
        b.close()

    print(f"load average after:  {open('/proc/loadavg').read().split()[:3]}  (2 cores, shared)")
    mm, mp = statistics.median(mt), pct(mt, 95)
    print(f"\nminimal Streamlit page (button + st.latex + small chart): click-to-render median {mm:.0f} ms, "
          f"p95 {mp:.0f} ms, server CPU {1000 * mini_cpu:.0f} ms/click")
    for name, (st_t, st_cpu, own, old_t, old_cpu) in rows.items():
        sm, sp, om, op = statistics.median(st_t), pct(st_t, 95), statistics.median(old_t), pct(old_t, 95)
        print(f"\n{name}: Next click to the new equation and drawing on screen")
        print(f"  stage   median {sm:6.1f} ms  p95 {sp:6.1f} ms   server CPU {1000 * st_cpu:6.1f} ms/click "
              f"(the one idle report included; {1000 * own:.1f} ms of it the idle server's own timers, "
              f"{1000 * max(st_cpu - own, 0):.1f} ms the clicks)")
        print(f"  today   median {om:6.1f} ms  p95 {op:6.1f} ms   server CPU {1000 * old_cpu:6.1f} ms/click")
        print(f"  ratio   today/stage {om / sm:5.1f}× (median)   minimal page/stage {mm / sm:5.1f}×   "
              f"CPU today/stage {old_cpu / max(st_cpu, 1e-4):5.1f}×")
    print_play(*play)
    print_build(payload)
    print(f"\nfirst paint of the forward screen from a cold server (s from the server's Popen): "
          f"stage {cold['stage']:.1f} s (Plotly's drawing {cold['stage, Plotly drawn']:.1f} s), "
          f"today {cold['today']:.1f} s "
          f"(ratio {cold['today'] / cold['stage']:.2f}×); benchmarks/bench_paint.py breaks it down")


if __name__ == "__main__":
    main()
