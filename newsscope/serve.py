"""`newsscope serve DIR --workers N`: N Streamlit processes on one machine behind nginx, supervised.

One Streamlit process runs every session's script under one GIL, so it uses one core however many visitors come.
With `--workers N` (N > 1) this module starts N `streamlit run app.py` processes, each on its own loopback port,
and one nginx in front of them on the public port:

- websockets pass through (`Upgrade`/`Connection` headers, HTTP/1.1, read timeouts of a day: a Streamlit session
  is one long-lived websocket);
- sticky per browser: nginx gives each browser a random `newsscope_route` cookie on its first request and hashes
  upstreams on it (`hash … consistent`), so a session's later requests (uploads, media, reconnects) reach the
  same worker; a client without the cookie (the first request, a script) is placed at random, so one address
  behind a NAT (a newsroom, a class) still spreads over the workers, which `ip_hash` would not do;
- failover: a worker that refuses connections is skipped (`proxy_next_upstream`, `max_fails=1 fail_timeout=5s`);
  Streamlit's frontend reconnects by itself and the new worker re-renders the page from the URL, which holds the
  whole view (filters and page-local parameters);
- supervised: a worker that dies is started again on its port (after `RESTART_DELAY`, so its visitors reconnect
  to the others first), nginx too; Ctrl-C or SIGTERM stops everything.

`--workers 1` (the default) is today's behaviour: one `streamlit run` on the public port, no proxy, nothing to
install. The nginx configuration this writes (into a run folder, with its pid and temporary paths there, so it
runs without root) is `nginx_config()`; docs/deploy.md shows it for a proxy of your own and for several hosts.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"
COOKIE = "newsscope_route"
RESTART_DELAY = 2.0  # seconds before a dead worker is started again (its sessions reconnect to the others first)
START_TIMEOUT = 120.0  # seconds a worker may take to answer /_stcore/health
NGINX_CANDIDATES = ("nginx", "/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx")


class ServeError(RuntimeError):
    """The server could not start (no nginx, a worker that never became healthy, a bad configuration)."""


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def find_nginx() -> str:
    for candidate in NGINX_CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    raise ServeError("--workers > 1 runs the workers behind nginx, which is not installed: `apt-get install nginx` "
                     "(Debian/Ubuntu), `brew install nginx`, or see docs/deploy.md for Caddy or a proxy of your own")


def streamlit_command(port: int, address: str | None, python: str = sys.executable, app: Path = APP) -> list[str]:
    command = [python, "-m", "streamlit", "run", str(app), "--server.port", str(port), "--server.headless", "true",
               "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    if address:
        command += ["--server.address", address]
    return command


def nginx_config(run_dir: Path, listen: str, upstreams: list[str]) -> str:
    """The nginx configuration: `listen` ("8501" or "127.0.0.1:8501") in front of `upstreams` ("127.0.0.1:8601", …).

    Every path nginx writes (pid, temporary files, error log) is inside `run_dir`, so it runs as any user.
    """
    servers = "\n".join(f"        server {u} max_fails=1 fail_timeout=5s;" for u in upstreams)
    temp = "\n".join(f"    {kind}_temp_path {run_dir / ('tmp-' + kind)};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""# Written by newsscope serve (newsscope/serve.py); regenerated on every start.
daemon off;
worker_processes 1;
pid {run_dir / 'nginx.pid'};
error_log {run_dir / 'nginx-error.log'} warn;
events {{
    worker_connections 4096;
}}
http {{
    access_log off;
{temp}
    # A browser without the route cookie gets a random one (the request id); every later request carries it.
    map $cookie_{COOKIE} $newsscope_route {{
        ""      $request_id;
        default $cookie_{COOKIE};
    }}
    map $http_upgrade $connection_upgrade {{
        default upgrade;
        ""      close;
    }}
    upstream newsscope {{
        hash $newsscope_route consistent;
{servers}
    }}
    server {{
        listen {listen};
        location / {{
            proxy_pass http://newsscope;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_connect_timeout 2s;
            proxy_read_timeout 1d;
            proxy_send_timeout 1d;
            proxy_next_upstream error timeout http_502 http_503;
            proxy_next_upstream_tries 0;
            client_max_body_size 200m;
            add_header Set-Cookie "{COOKIE}=$newsscope_route; Path=/; HttpOnly; SameSite=Lax" always;
        }}
    }}
}}
"""


def healthy(port: int, timeout: float = 2.0, host: str | None = None) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    host = host if host and host not in ("0.0.0.0", "::") else "127.0.0.1"
    try:
        with opener.open(f"http://{host}:{port}/_stcore/health", timeout=timeout) as response:
            return response.read().strip() == b"ok"
    except OSError:
        return False


def worker_env(corpus: Path, read_only: bool) -> dict[str, str]:
    """A worker's environment: the build, read-only or not, and glibc's malloc limited to 2 arenas.

    Streamlit runs each script run in a thread of its own; glibc gives threads arenas of their own (up to 8 per
    core), and the memory freed in them is rarely returned, so RSS creeps up with the number of runs. Two arenas
    keep it near what is in use (an environment variable of the process; set yours to override it).
    """
    env = {**os.environ, "NEWSSCOPE_DATA": str(Path(corpus).resolve())}
    env.setdefault("MALLOC_ARENA_MAX", "2")
    if read_only:
        env["NEWSSCOPE_READ_ONLY"] = "1"
    return env


@dataclass
class Worker:
    port: int
    log: Path
    proc: subprocess.Popen | None = None
    died_at: float | None = None
    restarts: int = 0


@dataclass
class Cluster:
    """N Streamlit workers and nginx; `start()`, then `supervise()` until stopped, then `stop()`."""

    corpus: Path
    workers: int
    port: int
    address: str | None = None  # the proxy's listen address; None: every interface (as `streamlit run` does)
    read_only: bool = False
    run_dir: Path | None = None
    python: str = sys.executable
    app: Path = APP
    quiet: bool = False
    pool: list[Worker] = field(default_factory=list)
    nginx: subprocess.Popen | None = None
    _stopping: bool = False

    def say(self, text: str) -> None:
        if not self.quiet:
            print(f"newsscope serve: {text}", file=sys.stderr, flush=True)

    def env(self) -> dict[str, str]:
        return worker_env(self.corpus, self.read_only)

    def _spawn(self, worker: Worker) -> None:
        log = worker.log.open("a")
        worker.proc = subprocess.Popen(streamlit_command(worker.port, "127.0.0.1", self.python, self.app), cwd=ROOT, env=self.env(),
                                       stdout=log, stderr=subprocess.STDOUT)
        log.close()
        worker.died_at = None

    def _wait_healthy(self, workers: list[Worker]) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        pending = list(workers)
        while pending:
            for worker in list(pending):
                if worker.proc.poll() is not None:
                    raise ServeError(f"worker on port {worker.port} exited with {worker.proc.returncode}; see {worker.log}")
                if healthy(worker.port):
                    pending.remove(worker)
            if pending and time.monotonic() > deadline:
                raise ServeError(f"{len(pending)} worker(s) did not answer /_stcore/health in {START_TIMEOUT:.0f} s; see {pending[0].log}")
            if pending:
                time.sleep(0.3)

    def start(self) -> None:
        nginx = find_nginx()
        if self.run_dir is None:
            self.run_dir = Path(tempfile.mkdtemp(prefix="newsscope-serve-"))
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.run_dir.chmod(0o755)  # nginx started as root runs its workers as `nobody`: they must reach their temp folders
        self.pool = [Worker(free_port(), self.run_dir / f"worker-{i}.log") for i in range(self.workers)]
        for worker in self.pool:
            self._spawn(worker)
        self.say(f"{self.workers} Streamlit workers starting on 127.0.0.1:{', '.join(str(w.port) for w in self.pool)} (logs in {self.run_dir})")
        self._wait_healthy(self.pool)
        listen = f"{self.address}:{self.port}" if self.address else str(self.port)
        conf = self.run_dir / "nginx.conf"
        conf.write_text(nginx_config(self.run_dir, listen, [f"127.0.0.1:{w.port}" for w in self.pool]), encoding="utf-8")
        self._nginx_command = [nginx, "-p", str(self.run_dir), "-e", str(self.run_dir / "nginx-error.log"), "-c", str(conf)]
        check = subprocess.run([*self._nginx_command, "-t", "-q"], capture_output=True, text=True)
        if check.returncode != 0:
            raise ServeError(f"nginx rejected its configuration {conf}: {check.stderr.strip()}")
        self._start_nginx()
        deadline = time.monotonic() + 15
        while not healthy(self.port, host=self.address):
            if self.nginx.poll() is not None or time.monotonic() > deadline:
                raise ServeError(f"nginx did not start on {listen}; see {self.run_dir / 'nginx-error.log'}")
            time.sleep(0.2)
        host = self.address if self.address and self.address != "0.0.0.0" else "localhost"
        self.say(f"serving {self.corpus} on http://{host}:{self.port} (nginx in front of {self.workers} workers); Ctrl-C stops")

    def _start_nginx(self) -> None:
        log = (self.run_dir / "nginx-stdout.log").open("a")
        self.nginx = subprocess.Popen(self._nginx_command, stdout=log, stderr=subprocess.STDOUT)
        log.close()

    def check(self) -> None:
        """One supervision step: start again what has died (a worker after RESTART_DELAY, nginx at once)."""
        now = time.monotonic()
        for worker in self.pool:
            if worker.proc is not None and worker.proc.poll() is not None:
                if worker.died_at is None:
                    worker.died_at = now
                    self.say(f"worker on port {worker.port} exited with {worker.proc.returncode}; its visitors reconnect to the others")
                elif now - worker.died_at >= RESTART_DELAY:
                    worker.restarts += 1
                    self.say(f"starting the worker on port {worker.port} again (restart {worker.restarts})")
                    self._spawn(worker)
        if self.nginx is not None and self.nginx.poll() is not None:
            self.say(f"nginx exited with {self.nginx.returncode}; starting it again (see {self.run_dir / 'nginx-error.log'})")
            self._start_nginx()

    def supervise(self) -> None:
        while not self._stopping:
            self.check()
            time.sleep(0.5)

    def stop(self) -> None:
        self._stopping = True
        procs = [w.proc for w in self.pool if w.proc is not None]
        if self.nginx is not None:
            procs.append(self.nginx)
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)  # nginx: fast shutdown; streamlit: stops its server
        deadline = time.monotonic() + 10
        for proc in procs:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def run(corpus: Path, workers: int = 1, port: int = 8501, read_only: bool = False, address: str | None = None) -> int:
    """Serve `corpus`; returns the exit code. One worker: `streamlit run` itself; more: workers behind nginx."""
    if workers <= 1:
        env = worker_env(corpus, read_only)
        command = [sys.executable, "-m", "streamlit", "run", str(APP), "--server.port", str(port)]
        if address:
            command += ["--server.address", address]
        return subprocess.call(command, env=env)
    cluster = Cluster(Path(corpus), workers, port, address=address, read_only=read_only)

    def stop(signum, frame):  # noqa: ARG001
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        cluster.start()
        cluster.supervise()
    except KeyboardInterrupt:
        cluster.say("stopping")
    except ServeError as error:
        print(f"error: {error}", file=sys.stderr)
        cluster.stop()
        return 2
    finally:
        cluster.stop()
    return 0
