"""The client against the live server: the real `tessera` command as a subprocess, the SDK in-process."""

from __future__ import annotations

import contextlib
import os
import socket
import struct
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from designer.datasets.samples import SAMPLES

TESSERA = Path(sys.executable).parent / "tessera"
PASSWORD = "pw-ada-123456"  # the `ada` fixture's


@dataclass(frozen=True)
class Result:
    code: int
    stdout: str
    stderr: str

    @property
    def lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]


def run_tessera(
    home: Path, *args: str, input: str | None = None, env: dict[str, str] | None = None, cwd: Path | None = None
) -> Result:
    """`tessera ARGS` in a clean environment whose HOME and profile file are under ``home`` (run in ``cwd``)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TESSERA_")}
    clean |= {"HOME": str(home), "TESSERA_CONFIG": str(home / ".config" / "tessera" / "config.toml")}
    done = subprocess.run(
        [str(TESSERA), *args],
        input=input,
        capture_output=True,
        text=True,
        timeout=300,
        env=clean | (env or {}),
        cwd=cwd,
    )
    return Result(done.returncode, done.stdout, done.stderr)


Tessera = Callable[..., Result]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture
def ada_signs_in(ada: Any) -> Any:
    """ada's password hashed as the live server hashes passwords (the test settings use MD5, which the
    server, on the production settings, does not accept)."""
    hasher = PBKDF2PasswordHasher()
    ada.password = hasher.encode(PASSWORD, hasher.salt())
    ada.save(update_fields=["password"])
    return ada


@pytest.fixture
def tessera(home: Path, server: Any, ada_signs_in: Any, lab: Any) -> Tessera:
    """`tessera ...` as ada, signed in to the live server with the real `tessera login`."""
    signed_in = run_tessera(
        home, "login", "--url", server.url, "--username", "ada", "--workspace", "Lab", input=f"{PASSWORD}\n"
    )
    assert signed_in.code == 0, signed_in.stderr
    return lambda *args, **kwargs: run_tessera(home, *args, **kwargs)


def sample_csv(path: Path, name: str = "Breast cancer (Wisconsin diagnostic)") -> Path:
    df = next(s for s in SAMPLES if s.name == name).build()
    df.to_csv(path, index=False)
    return path


def assert_one_line(result: Result, code: int, *fragments: str) -> str:
    """The command failed with ``code`` and one line on stderr naming every fragment, no traceback."""
    assert result.code == code, (result.code, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    assert len(result.lines) == 1, result.stderr
    line = result.lines[0]
    assert line.startswith("error: "), line
    for fragment in fragments:
        assert fragment in line, (fragment, line)
    return line


class CuttingProxy:
    """A TCP proxy to the server that drops a connection (with a reset) once more than ``limit`` bytes went
    upstream on it: small requests pass, a large upload breaks off in the middle."""

    def __init__(self, upstream_port: int, limit: int) -> None:
        self.upstream_port = upstream_port
        self.limit = limit
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.cuts = 0
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            threading.Thread(target=self._pipe, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, False), daemon=True).start()

    def _pipe(self, source: socket.socket, target: socket.socket, counted: bool) -> None:
        sent = 0
        try:
            while chunk := source.recv(65536):
                sent += len(chunk) if counted else 0
                if sent > self.limit:
                    self.cuts += 1
                    for s in (source, target):
                        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # reset
                        s.close()
                    return
                target.sendall(chunk)
        except OSError:
            pass
        finally:
            for s in (source, target):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.listener.close()
