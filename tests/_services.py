"""Debian's redis-server and nginx for the class-mode tests: started on free loopback ports with their
own temporary configuration, stopped when the block ends. Skips locally (fails in CI) when missing."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def need(binary: str, package: str) -> str:
    path = shutil.which(binary) or next((p for p in (f"/usr/sbin/{binary}", f"/usr/bin/{binary}")
                                         if os.path.exists(p)), None)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{binary} is missing in CI: .ci/run should have installed Debian's {package}")
        pytest.skip(f"no {binary} here: install Debian's {package} (apt) to run this test")
    return path


def _wait_port(port: int, proc: subprocess.Popen, what: str, timeout: float = 20) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"{what} exited at start (code {proc.returncode})")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"{what} did not listen on port {port}")


@contextmanager
def _serving(cmd: list[str], port: int, what: str) -> Iterator[None]:
    """Run ``cmd`` until the block ends, once it listens on ``port``."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_port(port, proc, what)
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


@contextmanager
def redis_server() -> Iterator[str]:
    """The URL of a fresh redis-server on 127.0.0.1 (no persistence), until the block ends."""
    binary = need("redis-server", "redis-server")
    port = free_port()
    with tempfile.TemporaryDirectory() as d:
        cmd = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", d,
               "--protected-mode", "yes"]
        with _serving(cmd, port, "redis-server"):
            yield f"redis://127.0.0.1:{port}/0"


NGINX_CONF = """
worker_processes 1;
error_log {d}/error.log warn;
pid {d}/nginx.pid;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {d}/body; proxy_temp_path {d}/proxy; fastcgi_temp_path {d}/fcgi;
  uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;
  map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
  # sticky by a cookie here (every test browser has the same loopback address, so ip_hash would
  # send them all to one replica): "bp_replica=b" goes to replica b, everyone else to replica a
  upstream replica_a {{ server 127.0.0.1:{a}; }}
  upstream replica_b {{ server 127.0.0.1:{b}; }}
  map $cookie_bp_replica $pool {{ b replica_b; default replica_a; }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://$pool;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $host;
      proxy_read_timeout 3600s;
      proxy_buffering off;
    }}
  }}
}}
"""


@contextmanager
def nginx_proxy(port_a: int, port_b: int) -> Iterator[str]:
    """The URL of nginx on 127.0.0.1 in front of two replicas (see NGINX_CONF), until the block ends."""
    binary = need("nginx", "nginx")
    port = free_port()
    with tempfile.TemporaryDirectory() as d:
        os.chmod(d, 0o777)  # nginx's workers may run as another user when started as root
        conf = Path(d) / "nginx.conf"
        conf.write_text(NGINX_CONF.format(d=d, a=port_a, b=port_b, port=port))
        with _serving([binary, "-c", str(conf), "-p", d, "-g", "daemon off;"], port, "nginx"):
            yield f"http://127.0.0.1:{port}"
