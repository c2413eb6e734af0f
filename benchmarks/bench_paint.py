"""First paint of the forward screen from a cold server (issue 11: ≤ 3 s), broken down.

Each run starts the README's run command of its tree (``_server.run_command``, as ``bench_stage.py``
does), opens ``/?p=forward`` in Debian's Chromium as soon as ``/_stcore/health`` answers, and notes
(seconds from Popen, and the server's CPU seconds so far):

- server ready: ``/_stcore/health`` answers (Python, Streamlit and its web server started; no
  app code yet, the warm-up starts);
- page shell: Streamlit's own page (its JS bundle) has drawn its app container;
- first script run: the stage's iframe is in the page (the script has run up to the stage: imports of
  the app, the trace, the stage's frame data; the delta reached the browser);
- first paint: the step is drawn: its equation card, and its neurons (the stage's own discs while
  plotly.min.js is still being evaluated, or Plotly's points), with the edge lines and labels drawn with them;
- Plotly drawn: Plotly's drawing is in the iframe (plotly.min.js evaluated — about a second of the browser's CPU —
  and drawn: hover, clicks on neurons, the layers' names). In a tree before the discs, the two coincide.

The script run's own time, which the browser cannot see, is printed from the server's CPU time between
"server ready" and "first script run". Also printed: the size and load time of plotly.min.js as the
iframe fetched it (Resource Timing). The median of the runs is the figure to quote, with the load average.

Run: .venv/bin/python benchmarks/bench_paint.py [runs=3] [--against COMMIT]
     ``--against COMMIT`` also measures that commit (``git archive``d into a temporary directory; in a commit
     before the stage, such as 4b6f575, its page's Plotly chart stands for every mark after the shell), its runs
     alternating with this tree's so that both see the same load on a shared machine.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from _server import ARGS, CHROMIUM, STAGE, _free_port, run_command  # noqa: E402

PLOT = "body[data-step] .js-plotly-plot"


def wait_step_drawn(fl) -> None:
    """Until the stage (frame locator ``fl``) shows its step whole: the card, and the neurons — the stage's own discs
    while plotly.min.js is still being evaluated, or Plotly's points (the lines and labels are drawn with them)."""
    fl.locator("body[data-step] #cards .card").first.wait_for(timeout=60_000)
    fl.locator("body[data-step] #discs circle, body[data-step] .js-plotly-plot .point").first.wait_for(
        state="attached", timeout=60_000)


RESOURCE = """() => performance.getEntriesByType('resource').filter(e => e.name.includes('plotly.min.js'))
  .map(e => [e.duration, e.transferSize, e.decodedBodySize])"""


def cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def one(browser, root: Path = ROOT) -> dict:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [*run_command(root), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"], cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    out = {}

    def mark(name):
        out[name] = (time.perf_counter() - t0, cpu(proc.pid))

    try:
        while True:
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2):
                    break
            except OSError:
                if time.perf_counter() - t0 > 60:
                    raise RuntimeError("server did not start") from None
                time.sleep(0.05)
        mark("server ready")
        page.goto(url + "/?p=forward", wait_until="commit")
        page.locator("[data-testid='stAppViewContainer']").wait_for(timeout=60_000)
        mark("page shell")
        if not (root / "app" / "components" / "stage").exists():  # the round trip before the stage (4b6f575)
            page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
            for name in ("first script run", "first paint", "Plotly drawn"):
                mark(name)
            out["plotly.min.js"] = []
            return out
        page.locator(STAGE).first.wait_for(state="attached", timeout=60_000)
        mark("first script run")
        fl = page.frame_locator(STAGE).first
        wait_step_drawn(fl)
        mark("first paint")
        fl.locator(PLOT).wait_for(timeout=60_000)
        mark("Plotly drawn")
        fr = page.locator(STAGE).first.element_handle().content_frame()
        out["plotly.min.js"] = fr.evaluate(RESOURCE)
    finally:
        page.close()
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
    return out


def report(label: str, results: list) -> None:
    names = ("server ready", "page shell", "first script run", "first paint", "Plotly drawn")
    print(f"\n{label}: first paint of /?p=forward from a cold server, {len(results)} runs "
          "(s from Popen; server CPU s so far in brackets)")
    for k, r in enumerate(results, 1):
        print(f"  run {k}: " + "  ".join(f"{n} {r[n][0]:.2f} ({r[n][1]:.2f})" for n in names))
    med = {n: statistics.median(r[n][0] for r in results) for n in names}
    script_cpu = statistics.median(r["first script run"][1] - r["server ready"][1] for r in results)
    print(f"  server start-up to health      {med['server ready']:.2f} s  "
          f"({statistics.median(r['server ready'][1] for r in results):.2f} CPU-s)")
    print(f"  health to page shell           {med['page shell'] - med['server ready']:.2f} s  "
          "(Streamlit's page and JS bundle)")
    print(f"  page shell to stage iframe     {med['first script run'] - med['page shell']:.2f} s  "
          f"(the first script run: {script_cpu:.2f} CPU-s on the server from health to the iframe)")
    print(f"  stage iframe to the step drawn {med['first paint'] - med['first script run']:.2f} s  "
          "(component page, its data, the card and the drawing)")
    print(f"  then Plotly's drawing          {med['Plotly drawn'] - med['first paint']:.2f} s  "
          "(plotly.min.js evaluated, Plotly draws: hover, clicks on neurons, axis names)")
    print(f"  first paint (median)           {med['first paint']:.2f} s from Popen, "
          f"{med['first paint'] - med['server ready']:.2f} s from health (the browser's first request)")
    print(f"  Plotly drawn (median)          {med['Plotly drawn']:.2f} s from Popen, "
          f"{med['Plotly drawn'] - med['server ready']:.2f} s from health")
    js = [e for r in results for e in r["plotly.min.js"]]
    if js:
        print("  plotly.min.js fetched by the iframe in " + ", ".join(f"{d:.0f}" for d, _, _ in js)
              + f" ms ({js[0][1] / 1e6:.2f} MB sent for {js[0][2] / 1e6:.2f} MB)")


def main():
    from playwright.sync_api import sync_playwright

    args = sys.argv[1:]
    against = args[args.index("--against") + 1] if "--against" in args else None
    runs = int(next((a for a in args if a.isdigit() and a != against), 3))
    roots = {"this tree": ROOT}
    if against:
        tmp = Path(tempfile.mkdtemp(prefix="bench_paint_"))
        subprocess.run(f"git -C {ROOT} archive {against} | tar -x -C {tmp}", shell=True, check=True)
        roots = {f"commit {against}": tmp, "this tree": ROOT}
    print(f"load average before: {open('/proc/loadavg').read().split()[:3]}  (2 cores, shared)")
    results = {label: [] for label in roots}
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        for _ in range(runs):
            for label, root in roots.items():
                results[label].append(one(b, root))
        b.close()
    print(f"load average after:  {open('/proc/loadavg').read().split()[:3]}")
    for label, rs in results.items():
        report(label, rs)


if __name__ == "__main__":
    main()
