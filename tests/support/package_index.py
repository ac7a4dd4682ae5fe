"""A package index on localhost for environment tests: a wheel written here, served as a PEP 503 simple index.

No internet: the wheel is zipped by hand (the wheel format is a zip with a ``.dist-info`` folder) and
``http.server`` serves it from a thread, so a worker's pip installs it like any index package.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import http.server
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

from packaging.utils import canonicalize_name


def _record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def write_wheel(folder: Path, name: str, version: str, source: str) -> Path:
    """A pure-Python wheel ``name==version`` whose top-level module ``name`` holds ``source``."""
    dist = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": source.encode(),
        f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode(),
        f"{dist}/WHEEL": b"Wheel-Version: 1.0\nGenerator: tessera-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = "".join(f"{path},{_record_hash(data)},{len(data)}\n" for path, data in files.items())
    files[f"{dist}/RECORD"] = (record + f"{dist}/RECORD,,\n").encode()
    path = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in files.items():
            archive.writestr(member, data)
    return path


def write_index(root: Path, wheels: list[Path]) -> Path:
    """``root/simple/<project>/index.html`` linking each wheel (with its sha256), and the root page."""
    simple = root / "simple"
    projects: dict[str, list[Path]] = {}
    for wheel in wheels:
        projects.setdefault(str(canonicalize_name(wheel.name.split("-")[0])), []).append(wheel)
    for project, files in projects.items():
        folder = simple / project
        folder.mkdir(parents=True, exist_ok=True)
        links = []
        for wheel in files:
            (folder / wheel.name).write_bytes(wheel.read_bytes())
            digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
            links.append(f'<a href="{wheel.name}#sha256={digest}">{wheel.name}</a>')
        (folder / "index.html").write_text("<!DOCTYPE html><html><body>" + "".join(links) + "</body></html>")
    page = "".join(f'<a href="{p}/">{p}</a>' for p in projects)
    simple.mkdir(parents=True, exist_ok=True)
    (simple / "index.html").write_text(f"<!DOCTYPE html><html><body>{page}</body></html>")
    return simple


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@contextlib.contextmanager
def serve(root: Path) -> Iterator[str]:
    """Serve ``root`` on 127.0.0.1 (a free port) from a thread; yields the index URL (``.../simple``)."""
    handler = functools.partial(_Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/simple"
    finally:
        server.shutdown()
        server.server_close()
