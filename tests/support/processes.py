"""Real processes for the tests: Celery workers, Celery beat and a Daphne server, started on the test database."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# One folder per pytest-xdist worker: their workers and servers are numbered alike (w1, w2, ...).
LOG_DIR = ROOT / "test-artifacts" / "logs" / os.environ.get("PYTEST_XDIST_WORKER", "main")


def service_env(**extra: str) -> dict[str, str]:
    """Environment for a child process that must see the same database, Redis and artifacts as the test."""
    db = connection.settings_dict
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="designer.settings",
        TESSERA_ENV="test",
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        REDIS_URL=settings.REDIS_URL or "",
        TESSERA_DATA_DIR=str(settings.DATA_DIR),
        TESSERA_ARTIFACT_STORE=str(settings.TESSERA_ARTIFACT_STORE),
        TESSERA_EXTRA_MODULES=os.environ.get("TESSERA_EXTRA_MODULES", ""),
        TESSERA_HEARTBEAT_SECONDS=str(settings.TESSERA_HEARTBEAT_SECONDS),
        TESSERA_STALE_AFTER_SECONDS=str(settings.TESSERA_STALE_AFTER_SECONDS),
        TESSERA_MAX_ATTEMPTS=str(settings.TESSERA_MAX_ATTEMPTS),
        TESSERA_REDISPATCH_AFTER_SECONDS=str(settings.TESSERA_REDISPATCH_AFTER_SECONDS),
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


class Worker:
    """A Celery worker process; the tests' pool uses ``--pool=solo``, ``pool="prefork"`` starts one as
    ``make start`` and compose do; ``env`` overrides the environment of :func:`service_env`."""

    def __init__(self, name: str, queues: str = "cpu", *, pool: str = "solo", concurrency: int = 1, **env: str) -> None:
        self.name = name
        self.hostname = f"{name}@tessera-test"
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        self.log_path = LOG_DIR / f"worker-{name}.log"
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [
                str(BIN / "celery"),
                "-A",
                "designer",
                "worker",
                "-Q",
                queues,
                f"--pool={pool}",
                "-c",
                str(concurrency),
                "-n",
                self.hostname,
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-l",
                "INFO",
            ],
            cwd=ROOT,
            env=service_env(**env),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker {self.name} exited: {self.log_path.read_text()[-3000:]}")
            if b" ready." in self.log_path.read_bytes():
                return
            time.sleep(0.1)
        raise TimeoutError(f"worker {self.name} not ready after {timeout} s: {self.log_path.read_text()[-3000:]}")

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL the whole worker, as a crashed machine would: no cleanup, no ack."""
        if self.alive:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.alive:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
        self._log.close()


class WorkerPool:
    """Keeps N workers alive across tests; a test that kills one gets it replaced for the next."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.workers: list[Worker] = []
        self._n = 0

    def ensure(self) -> list[Worker]:
        self.workers = [w for w in self.workers if w.alive]
        fresh = []
        while len(self.workers) < self.size:
            self._n += 1
            w = Worker(f"w{self._n}")
            self.workers.append(w)
            fresh.append(w)
        for w in fresh:
            w.wait_ready()
        return self.workers

    def by_hostname(self, hostname: str) -> Worker:
        return next(w for w in self.workers if w.hostname == hostname)

    def stop(self) -> None:
        for w in self.workers:
            w.stop()


class Beat:
    """A Celery beat process with the database scheduler (settings: CELERY_BEAT_SCHEDULER), as `make beat`
    starts it; ``max_interval`` seconds at most between looks at the schedule table."""

    def __init__(self, name: str, max_interval: int = 1) -> None:
        self.name = name
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        self.log_path = LOG_DIR / f"beat-{name}.log"
        self.log_path.write_bytes(b"")
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [
                str(BIN / "celery"),
                "-A",
                "designer",
                "beat",
                "--max-interval",
                str(max_interval),
                "--pidfile=",
                "-l",
                "INFO",
            ],
            cwd=ROOT,
            env=service_env(),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"beat {self.name} exited: {self.log_path.read_text()[-3000:]}")
            if b"beat: Starting..." in self.log_path.read_bytes():
                return
            time.sleep(0.1)
        raise TimeoutError(f"beat {self.name} not ready after {timeout} s: {self.log_path.read_text()[-3000:]}")

    def sent(self, entry: str) -> int:
        """How many messages this process sent for the beat entry named ``entry``."""
        return self.log_path.read_text().count(f"Sending due task {entry} ")

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        if self.alive:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self._log.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """Daphne serving the real ASGI app (HTTP + WebSocket) on a free port."""

    name = "daphne"

    def command(self) -> list[str]:
        return [str(BIN / "daphne"), "-b", "127.0.0.1", "-p", str(self.port), "designer.asgi:application"]

    def __init__(self, **env: str) -> None:
        self.port = free_port()
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        self.log_path = LOG_DIR / f"{self.name}-{self.port}.log"
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            self.command(),
            cwd=ROOT,
            env=service_env(**env),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log_path.read_text()[-3000:]}")
            if self.ready():
                return
            time.sleep(0.1)
        raise TimeoutError(f"{self.name} did not start")

    def ready(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                return True
        except OSError:
            return False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        self._log.close()


class ScoringServer(Server):
    """A scoring server as ``scripts/score`` starts it: gunicorn with Tessera's gthread worker class (it
    stamps each request with the moment its connection was handed to a thread: the time from accept),
    keep-alive 5 s, the app loaded once in the master and the workers forked from it, only the scoring routes."""

    name = "scoring"

    def __init__(self, workers: int = 2, threads: int = 2, **env: str) -> None:
        self.workers = workers
        self.threads = threads
        super().__init__(**env)

    def ready(self) -> bool:
        """A worker answers (the app is loaded, the endpoints preloaded: gunicorn's master listens before), and
        every worker has been forked (and so has drained the spool: a worker forked after traffic began would
        write that traffic's calls at once)."""
        try:
            if httpx.get(f"{self.url}/healthz", timeout=1).status_code != 200:
                return False
        except httpx.HTTPError:
            return False
        try:
            children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
            flusher = b"designer.endpoints.flusher"
            workers = [pid for pid in children if flusher not in Path(f"/proc/{pid}/cmdline").read_bytes()]
        except OSError:  # a child ended meanwhile: ask again
            return False
        return len(workers) >= self.workers

    def command(self) -> list[str]:
        bind = f"127.0.0.1:{self.port}"
        return [
            str(BIN / "gunicorn"),
            "designer.scoring_wsgi:application",
            "-b",
            bind,
            "-w",
            str(self.workers),
            "--worker-class",
            "designer.endpoints.gunicorn_worker.TimedThreadWorker",
            "--threads",
            str(self.threads),
            "--keep-alive",
            "5",
            "--preload",
            "--no-control-socket",
            "--config",
            "python:designer.endpoints.gunicorn_conf",
        ]
