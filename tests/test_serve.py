"""`make run`'s server (app/serve.py): `streamlit run app/streamlit_app.py` with the options it is given, and a
warm-up that imports the screens' modules once the server listens, silently and without failing."""

from __future__ import annotations

import os
import sys
import time

from _server import ARTIFACTS, run_command, streamlit_server

from app import serve


def test_the_options_reach_streamlit_run_and_the_warm_up_thread_starts(monkeypatch):
    import threading

    from streamlit.web import cli

    seen, started = [], []
    monkeypatch.setattr(cli, "main", lambda args, prog_name: seen.append((args, prog_name)) or 0)
    monkeypatch.setattr(threading.Thread, "start", lambda self: started.append(self.name))
    assert serve.main(["--server.port", "8765", "--server.headless", "true"]) == 0
    assert seen == [(["run", str(serve.ROOT / "app" / "streamlit_app.py"), "--server.port", "8765",
                      "--server.headless", "true"], "streamlit")]
    assert started == ["warm-up"]


def test_without_a_running_server_the_warm_up_gives_up_at_its_deadline():
    from streamlit.runtime import Runtime

    assert not Runtime.exists()
    t0 = time.perf_counter()
    serve.warm_up(timeout=0.2)
    assert 0.2 <= time.perf_counter() - t0 < 2


def test_the_test_servers_run_the_readme_command():
    assert run_command() == [sys.executable, "-m", "app.serve"]
    make = (serve.ROOT / "Makefile").read_text()
    assert "$(BIN)/python -m app.serve --server.port $(PORT)" in make


def test_once_the_server_listens_the_warm_up_runs_and_logs_its_time_and_no_warning():
    worker = os.environ.get("PYTEST_XDIST_WORKER")  # the name streamlit_server gives the log
    log = ARTIFACTS / (f"server_serve.{worker}.log" if worker else "server_serve.log")
    with streamlit_server("server_serve.log"):
        deadline = time.time() + 60
        while "Warmed up in" not in log.read_text() and time.time() < deadline:
            time.sleep(0.1)
        text = log.read_text()
    assert "Warmed up in" in text, text
    assert "Warm-up failed" not in text and "missing ScriptRunContext" not in text, text
