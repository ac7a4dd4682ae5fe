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
def _daphne(
    env: dict[str, str], log_name: str, file_size_limit: int | None = None
) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """Daphne serving the app as ``make start`` runs it, with ``env``; ``(process, port)``, stopped after.
    ``file_size_limit``: the largest file the process may write (``ulimit -f``: a longer write fails, EFBIG)."""
    port = free_port()
    LOG_DIR.mkdir(parents=True, exist_ok=True)

    def limited() -> None:
        import resource
        import signal

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write fails instead of the process being killed
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_limit, file_size_limit))

    with open(LOG_DIR / log_name, "wb") as log:
        web = subprocess.Popen(
            [str(BIN / "daphne"), "-b", "127.0.0.1", "-p", str(port), "designer.asgi:application"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=limited if file_size_limit is not None else None,  # noqa: PLW1509 - no threads here yet
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
        yield _ready(port)


def _ready(port: int) -> str:
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{base}/healthz", timeout=2)
            break
        except httpx.TransportError:
            time.sleep(0.2)
    return base


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


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def _csv_file(path: Path, megabytes: int) -> int:
    """A CSV of about ``megabytes`` MB (x,y,label), written a block at a time; its row count."""
    block = "".join(f"{i}.25,{i % 7},{'yes' if i % 3 else 'no'}\n" for i in range(40_000))
    rows = 0
    with open(path, "w") as f:
        f.write("x,y,label\n")
        while f.tell() < megabytes * 2**20:
            f.write(block)
            rows += 40_000
    return rows


def test_a_large_upload_passes_through_daphne_without_being_held_in_its_memory(tmp_path: Path) -> None:
    """Twisted parses a multipart body into memory unless told not to, and Daphne queues the whole body for the
    app before it reads any (a 192 MB upload grew Daphne's resident set by 1.76 GB): the body now goes from
    Twisted's file to the app a megabyte at a time."""
    # given the web server as `make start` runs it, a user with a workspace, and a CSV of ~120 MB
    data = tmp_path / "data"
    env = _local_env(data, TESSERA_MAX_UPLOAD_MB="1000")
    _manage(env, "migrate", "--noinput")
    create = (
        "from django.contrib.auth.models import User; from designer.workspaces.models import Membership, Workspace; "
        "u = User.objects.create_user('ada', password='pw-ada-123456'); "
        "w = Workspace.objects.create(name='big', created_by=u); "
        "Membership.objects.create(workspace=w, user=u, role='owner'); print(w.pk)"
    )
    workspace = int(_manage(env, "shell", "-c", create).strip().splitlines()[-1])
    csv = tmp_path / "big.csv"
    rows = _csv_file(csv, 120)
    with _daphne(env, "local-server-large-upload.log") as (web, port):
        base = _ready(port)
        with httpx.Client(base_url=base, timeout=600) as http:
            token = http.post("/api/auth/token/", json={"username": "ada", "password": "pw-ada-123456"}).json()["token"]
            before = _peak_rss_mb(web.pid)

            # when it is uploaded twice: by someone not signed in, then by the user
            with open(csv, "rb") as f:
                form = {"workspace": str(workspace), "name": "x"}
                stranger = http.post("/api/datasets/", data=form, files={"file": f})
            after_stranger = _peak_rss_mb(web.pid)
            with open(csv, "rb") as f:
                created = http.post(
                    "/api/datasets/",
                    data={"workspace": str(workspace), "name": "big"},
                    files={"file": ("big.csv", f, "text/csv")},
                    headers={"Authorization": f"Token {token}"},
                )

    # then the stranger is refused without Daphne taking the file into memory, and the user's upload arrives whole
    assert stranger.status_code == 403
    assert after_stranger - before < 60, f"Daphne's peak grew by {after_stranger - before:.0f} MB for a 120 MB upload"
    assert created.status_code == 201, created.text
    assert created.json()["versions"][-1]["rows"] == rows


def test_a_disk_that_fills_while_daphne_buffers_a_body_answers_507_and_the_server_goes_on(tmp_path: Path) -> None:
    """Twisted writes a body to a file as it arrives; a write that finds no room raised out of its protocol and
    the connection was dropped without an answer. Here the process may write no file over 16 MB (the kernel
    refuses the write, EFBIG, as it refuses one on a full disk, ENOSPC)."""
    data = tmp_path / "data"
    env = _local_env(data)
    _manage(env, "migrate", "--noinput")
    body = tmp_path / "body.bin"
    body.write_bytes(b"x" * (24 * 2**20))
    with _daphne(env, "local-server-full-disk.log", file_size_limit=16 * 2**20) as (web, port):
        base = _ready(port)
        with httpx.Client(base_url=base, timeout=120) as http, open(body, "rb") as f:
            refused = http.post("/api/datasets/", content=f, headers={"Content-Type": "application/octet-stream"})
            health = http.get("/healthz")

    assert refused.status_code == 507, refused.text
    answer = refused.json()
    assert (answer["code"], answer["cause"]) == ("insufficient_storage", "disk_full")
    assert answer["detail"].startswith("The server ran out of disk space")
    assert health.status_code == 200  # the same process goes on serving
    assert "out of disk space while Daphne buffered the body" in (LOG_DIR / "local-server-full-disk.log").read_text()


def test_a_body_larger_than_any_route_takes_is_never_written_and_answers_413(tmp_path: Path) -> None:
    """Whoever sends it: declared too large (Content-Length), or chunked and found too large as it arrives."""
    import socket

    data = tmp_path / "data"
    env = _local_env(data, TESSERA_MAX_UPLOAD_MB="1", TESSERA_MAX_REQUEST_MB="2")
    _manage(env, "migrate", "--noinput")
    big = b"x" * (5 * 2**20)

    def chunked() -> Iterator[bytes]:
        for start in range(0, len(big), 2**16):
            yield big[start : start + 2**16]

    with _daphne(env, "local-server-too-large.log") as (web, port):
        base = _ready(port)
        scratch = data / "scratch"
        with httpx.Client(base_url=base, timeout=60) as http:
            declared = http.post("/api/datasets/", content=big, headers={"Content-Type": "application/octet-stream"})
            streamed = http.post("/api/auth/token/", content=chunked(), headers={"Content-Type": "application/json"})
            small = http.post("/api/auth/token/", json={"username": "nobody", "password": "x"})
        # while a declared-too-large body arrives, nothing is written for it
        with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
            head = b"POST /api/datasets/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5242880\r\n\r\n"
            client.sendall(head + big[: 3 * 2**20])
            time.sleep(0.5)
            written = _open_files_under(web.pid, scratch)

    assert declared.status_code == 413, declared.text
    assert declared.json()["cause"] == "request_too_large"
    assert "5,242,880 bytes (its Content-Length)" in declared.json()["detail"]
    assert streamed.status_code == 413 and "more than 2,097,152 bytes" in streamed.json()["detail"]
    assert small.status_code == 400  # a body under the cap reaches the app as before
    assert written == []
