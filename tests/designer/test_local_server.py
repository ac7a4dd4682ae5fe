"""`make start`'s shape (TESSERA_ENV=local, SQLite, no Redis, daphne) with DEBUG off, as it now always is
unless TESSERA_DEBUG=true: the browser app and static files are still served (WhiteNoise with finders),
errors answer JSON without a debug page, hostile JSON is a 400, and failed sign-ins are throttled
through the database-backed throttle cache every process of the install shares."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.support.processes import LOG_DIR, ROOT, free_port

BIN = Path(sys.executable).parent
DIST = ROOT / "frontend" / "dist"


def _manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _local_env(data_dir: Path, **more: str) -> dict[str, str]:
    """``make start``'s environment: this one's without Tessera's, the database's and Redis's settings."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("TESSERA_", "DATABASE_URL", "REDIS_URL", "DJANGO_"))
    }
    env.update(TESSERA_ENV="local", TESSERA_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="designer.settings", **more)
    return env


@contextmanager
def _daphne(env: dict[str, str], log_name: str) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """Daphne serving the app as ``make start`` runs it, with ``env``; ``(process, port)``, stopped after."""
    port = free_port()
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    with open(LOG_DIR / log_name, "wb") as log:
        web = subprocess.Popen(
            [str(BIN / "daphne"), "-b", "127.0.0.1", "-p", str(port), "designer.asgi:application"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield web, port
        finally:
            web.terminate()
            try:
                web.wait(15)
            except subprocess.TimeoutExpired:
                web.kill()


@pytest.fixture
def local_server(tmp_path: Path) -> Iterator[str]:
    env = _local_env(tmp_path, TESSERA_LOGIN_FAILURES_PER_ACCOUNT="3")
    _manage(env, "migrate", "--noinput")
    create = "from django.contrib.auth.models import User; User.objects.create_user('lena', password='pw-lena-123456')"
    _manage(env, "shell", "-c", create)
    with _daphne(env, "local-server.log") as (_, port):
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{base}/healthz", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        yield base


def test_the_local_server_serves_the_app_without_debug_pages(local_server: str) -> None:
    with httpx.Client(base_url=local_server, timeout=30) as http:
        home = http.get("/")
        scripts = list((DIST / "assets").glob("*.js")) if DIST.is_dir() else []
        asset = max(scripts, key=lambda p: p.stat().st_size) if scripts else None  # big enough to be compressed
        # gzip, which httpx decodes without the brotli package; browsers also get the .br copy.
        served = http.get(f"/static/assets/{asset.name}", headers={"Accept-Encoding": "gzip"}) if asset else None
        drf_css = http.get("/static/rest_framework/css/bootstrap.min.css")
        docs = http.get("/api/docs/")
        missing_api = http.get("/api/no-such-thing/")
        missing_page = http.get("/no-such-page/")
        deep = http.post("/api/auth/token/", content=b"[" * 100_000, headers={"Content-Type": "application/json"})

    if asset is not None:  # the browser app is built (make start and make test build it first)
        assert home.status_code == 200 and home.text == (DIST / "index.html").read_text()
        assert served is not None and served.status_code == 200 and served.content == asset.read_bytes()
        # Hashed names: compressed (the copy the Vite build writes beside it) and cached for good; the page
        # naming them is never cached, so a new build is picked up on the next load.
        assert served.headers["content-encoding"] == "gzip"
        assert "immutable" in served.headers["cache-control"] and "max-age=315360000" in served.headers["cache-control"]
        assert home.headers["cache-control"] == "no-cache"
    else:
        assert home.status_code == 503 and "not built" in home.text
    assert drf_css.status_code == 200
    assert docs.status_code == 200
    assert (missing_api.status_code, missing_api.json()) == (404, {"detail": "Not found."})
    assert missing_page.status_code == 404
    assert "Technical" not in missing_page.text and "URLconf" not in missing_page.text  # no debug 404 page
    assert deep.status_code == 400 and "more than 100 levels deep" in deep.json()["detail"]


def test_the_local_server_throttles_failed_sign_ins_in_its_database_cache(local_server: str) -> None:
    with httpx.Client(base_url=local_server, timeout=30) as http:
        wrong = [
            http.post("/api/auth/token/", json={"username": "lena", "password": "nope"}).status_code for _ in range(3)
        ]
        right = http.post("/api/auth/token/", json={"username": "lena", "password": "pw-lena-123456"})

    assert wrong == [400, 400, 429]
    assert right.status_code == 429 and int(right.headers["Retry-After"]) > 0


def _open_files_under(pid: int, folder: Path) -> list[str]:
    found = []
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:  # closed meanwhile
            continue
        if target.startswith(f"{folder}/"):
            found.append(target)
    return found


def test_an_upload_in_flight_is_buffered_on_the_scratch_folder_not_in_the_system_temporary_folder(
    tmp_path: Path,
) -> None:
    import socket

    # given the web server as `make start` runs it, its system temporary folder and Tessera's scratch folder apart
    system_tmp, data = tmp_path / "system-tmp", tmp_path / "data"
    system_tmp.mkdir()
    with _daphne(_local_env(data, TMPDIR=str(system_tmp)), "local-server-upload.log") as (web, port):
        deadline = time.monotonic() + 60
        while True:
            try:
                client = socket.create_connection(("127.0.0.1", port), timeout=2)
                break
            except OSError:
                assert time.monotonic() < deadline and web.poll() is None, "daphne did not start"
                time.sleep(0.2)

        # when a client has sent part of a large upload
        with client:
            size = 8 * 2**20
            head = f"POST /api/datasets/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {size}\r\n"
            client.sendall(head.encode() + b"Content-Type: application/octet-stream\r\n\r\n" + b"x" * (size // 4))
            scratch = data / "scratch"
            buffered: list[str] = []
            deadline = time.monotonic() + 20
            while not buffered and time.monotonic() < deadline:
                buffered = _open_files_under(web.pid, scratch)
                time.sleep(0.1)

            # then the server buffers it in a file on the scratch folder, none in the system's
            assert buffered, f"no file open under {scratch}"
            assert _open_files_under(web.pid, system_tmp) == []
