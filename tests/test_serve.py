"""`newsscope serve --workers N` (newsscope/serve.py): N Streamlit workers behind nginx.

Fast: the nginx configuration (websockets, stickiness, failover) and nginx's own check of it; the missing-nginx
error. Slow (CI): two workers behind nginx on loopback, every page through the proxy in Chromium, then the
worker holding the tab's session is killed and the tab must render its view again from the other one.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

from conftest import ROOT, _free_port
from newsscope import serve
from test_browser import no_exception, shot, wait_idle

PAGES = {"overview": "", "timeline": "timeline", "actors": "actors", "quotes": "quotes", "coverage": "coverage", "articles": "articles"}
NGINX = next((shutil.which(c) for c in serve.NGINX_CANDIDATES if shutil.which(c)), None)


def test_nginx_config_passes_websockets_sticks_and_fails_over(tmp_path):
    conf = serve.nginx_config(tmp_path, "127.0.0.1:8080", ["127.0.0.1:9001", "127.0.0.1:9002"])
    for needed in ("proxy_http_version 1.1;", "proxy_set_header Upgrade $http_upgrade;", "proxy_set_header Connection $connection_upgrade;",
                   "proxy_read_timeout 1d;", "hash $newsscope_route consistent;", "proxy_next_upstream error timeout",
                   "server 127.0.0.1:9001 max_fails=1", "server 127.0.0.1:9002 max_fails=1", "listen 127.0.0.1:8080;",
                   f"{serve.COOKIE}=$newsscope_route", f"pid {tmp_path / 'nginx.pid'};"):
        assert needed in conf, needed
    # Nothing outside the run folder is written: every path in the file is under it.
    paths = [w for line in conf.splitlines() for w in line.replace(";", " ").split() if w.startswith("/") and w != "/"]
    assert paths and all(p.startswith(str(tmp_path)) for p in paths), paths


@pytest.mark.skipif(NGINX is None, reason="nginx is not installed (.ci/run installs Debian's nginx)")
def test_nginx_accepts_the_config(tmp_path):
    conf = tmp_path / "nginx.conf"
    conf.write_text(serve.nginx_config(tmp_path, f"127.0.0.1:{_free_port()}", ["127.0.0.1:9001", "127.0.0.1:9002"]))
    check = subprocess.run([NGINX, "-t", "-p", str(tmp_path), "-e", str(tmp_path / "e.log"), "-c", str(conf)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


def test_missing_nginx_is_a_clear_error(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(serve, "NGINX_CANDIDATES", ("no-such-nginx-here",))
    assert serve.run(tmp_path, workers=2, port=_free_port(), address="127.0.0.1") == 2
    assert "apt-get install nginx" in capsys.readouterr().err


def _healthy(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
            return response.read().strip() == b"ok"
    except OSError:
        return False


def _workers(pid: int) -> dict[int, psutil.Process]:
    """Listening port -> Streamlit worker process, under `newsscope serve` (pid)."""
    found = {}
    for child in psutil.Process(pid).children(recursive=True):
        try:
            if "streamlit" in " ".join(child.cmdline()):
                for c in child.net_connections(kind="tcp"):
                    if c.status == psutil.CONN_LISTEN:
                        found[c.laddr.port] = child
        except psutil.Error:
            pass
    return found


def _sessions(workers: dict[int, psutil.Process]) -> dict[int, int]:
    """Port -> established connections to it: the proxied websockets (nginx keeps no other upstream connection open)."""
    counts = {}
    for port, proc in workers.items():
        try:
            counts[port] = sum(c.status == psutil.CONN_ESTABLISHED and c.laddr.port == port for c in proc.net_connections(kind="tcp"))
        except psutil.Error:
            counts[port] = 0
    return counts


def _wait(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.25)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.skipif(NGINX is None, reason="nginx is not installed (.ci/run installs Debian's nginx)")
@pytest.mark.timeout(240)
def test_two_workers_behind_nginx_serve_every_page_and_survive_a_killed_worker(sample_build, page, tmp_path):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k not in ("NEWSSCOPE_DATA", "NEWSSCOPE_READ_ONLY")}
    log = (tmp_path / "serve.log").open("w+")
    proc = subprocess.Popen([sys.executable, "-m", "newsscope.cli", "serve", str(sample_build), "--workers", "2", "--port", str(port),
                             "--address", "127.0.0.1", "--read-only"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        _wait(lambda: _healthy(base) or proc.poll() is not None, 150, "the proxy to answer")
        assert proc.poll() is None, Path(log.name).read_text()
        workers = _workers(proc.pid)
        assert len(workers) == 2, workers

        for name, path in PAGES.items():
            page.goto(f"{base}/{path}")
            wait_idle(page)
            no_exception(page)
            assert page.locator("h1").first.inner_text().strip().lower() == name
        shot(page, "serve-workers-articles")

        # A view with a filter and a page-local parameter, held in the URL.
        page.goto(f"{base}/quotes?q=said")
        wait_idle(page)
        assert page.locator("h1").first.inner_text().strip() == "Quotes"
        held = _wait(lambda: [p for p, n in _sessions(workers).items() if n == 1] if sum(_sessions(workers).values()) == 1 else None,
                     20, "exactly one websocket through the proxy")
        victim = held[0]
        other = next(p for p in workers if p != victim)
        workers[victim].send_signal(signal.SIGKILL)
        workers[victim].wait(10)

        # The frontend reconnects by itself; the proxy sends it to the other worker, which renders the URL's view.
        _wait(lambda: _sessions({other: workers[other]})[other] >= 1, 60, "the tab to reconnect to the other worker")
        wait_idle(page)
        no_exception(page)
        assert page.locator("h1").first.inner_text().strip() == "Quotes"
        assert "q=said" in page.url
        assert page.locator('[data-testid="stSidebar"] input[aria-label="Search"]').input_value() == "said"
        shot(page, "serve-workers-recovered")

        # The supervisor starts the killed worker again on its port.
        _wait(lambda: _healthy(f"http://127.0.0.1:{victim}"), 90, "the killed worker to be restarted")
        assert proc.poll() is None
    finally:
        try:
            children = psutil.Process(proc.pid).children(recursive=True)  # the workers and nginx
        except psutil.Error:
            children = []
        proc.terminate()  # as `docker stop` or systemd would: SIGTERM to `newsscope serve` alone
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()
    # Everything stopped with it: no worker and no nginx left behind.
    gone, alive = psutil.wait_procs(children, timeout=5)
    assert not alive, alive
    assert proc.returncode == 0
