"""Class mode under load (marker ``load``): 60 students in one room, 5 of them real Chromium pages at
390 px and 55 clients of the store, first on one replica (SQLite), then on two replicas behind a
real nginx with Redis (teacher on replica a, students on replica b). The harness is
benchmarks/bench_class.py; here every student must see every Next, all 60 answers must be counted on
the projector and revealed, and no page may show an exception. The figures (latencies, idle CPU per
follower) go to test-artifacts/class_load_test.json and the terminal summary; no timed assertion
(the machine is shared), every wait is bounded (bench_class.BOUND_S)."""

from __future__ import annotations

import importlib.util
import json

import pytest
from _server import ARTIFACTS, ROOT, need_chromium, report_figures
from _services import need

pytestmark = [pytest.mark.load, pytest.mark.xfail(run=False, reason=(
    "issue 15 open: about 1 run in 5 at load average 5-10 a page stops following (one replica): once a phone "
    "stayed at step 1 for 60 s while the other four followed, once the teacher's page showed no 'Ask the class' "
    "for 240 s; the harness now fails with both pages' screenshots and what the browsers said. Run it with "
    "--runxfail, or benchmarks/bench_class.py"))]


def _bench():
    spec = importlib.util.spec_from_file_location("bench_class", ROOT / "benchmarks" / "bench_class.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.IDLE_S, mod.SETTLE_S, mod.PAUSE_S = 4.0, 1.0, 0.5  # shorter than the benchmark's, to keep the suite quick
    return mod


@pytest.mark.parametrize("mode", ["one", "two"])
def test_sixty_students_follow_answer_and_are_counted(mode, tmp_path, request):
    need_chromium()
    if mode == "two":
        need("redis-server", "redis-server")
        need("nginx", "nginx")
    bench = _bench()
    r = bench.run(mode, tmp_path)
    assert r["next_missed"] == 0, r  # every simulated student saw every Next (the real pages were waited for)
    assert r["answers_counted"] == bench.REAL + bench.SIMULATED == 60, r
    assert r["exceptions"] == 0, r
    assert r["idle_cpu_s_per_student_min"] >= 0 and r["next_real_p95_ms"] > 0 and r["count_ms"] > -1000, r
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "class_load_test.json"
    old = json.loads(path.read_text()) if path.exists() else {}
    path.write_text(json.dumps(dict(old, **{mode: r}), indent=2))
    report_figures(request, *bench.report([r]))
