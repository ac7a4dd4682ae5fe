"""How Daphne hands a request body to the app: from the file it was buffered in, a megabyte at a time, never
whole in memory; a disk that fills while it arrives answers 507.

Daphne's ``WebRequest`` is Twisted's ``Request``, which, unless told otherwise, reads a whole POST body of
``multipart/form-data`` or ``application/x-www-form-urlencoded`` back into memory once it has arrived and
parses it into ``request.args`` (copies of every part) — before the app is called, so before any check of
who is asking or of the upload limit. Daphne never looks at ``request.args`` (the app gets the body from the
buffered file, over ASGI), so the parsing only costs memory: a 192 MB upload took Daphne's resident set from
190 MB to 1.95 GB, whoever sent it. ``install`` turns it off for every request Daphne makes.

Then Daphne reads that file back whole, in 8 kB chunks, into the app's message queue before the app reads any
of them (all of a 5 GB upload in Daphne's memory). ``install`` hands Daphne a stand-in for the file whose one
"chunk" is the file itself (``FileBody``); ``body_from_file`` (``designer/asgi.py`` wraps the app's
``receive`` with it) turns that message into the body's chunks, read from the file as the app asks for them.
Measured with a real Daphne on a 192 MB multipart upload: its resident set grew by 1.76 GB before, by 22 MB
after (``tests/designer/test_local_server.py`` checks a 120 MB one stays under 60 MB).

Twisted writes the body to a temporary file as it arrives (in the scratch folder: ``designer/asgi.py``). A write
that finds the disk full (or the process's file-size limit reached) raised out of Twisted's protocol, which
dropped the connection: the client saw a reset, no answer. ``install`` keeps that error, drops the rest of the
body as it arrives (the file is closed, its space given back) and answers 507 with the same JSON as a full disk
anywhere else (``designer/errors.py``) once the body has arrived, without calling the app.

A body larger than any route takes (``TESSERA_MAX_REQUEST_MB``: by default the upload limit and 16 MB of form
fields and framing) is not written at all: declared larger (``Content-Length``), or once more than that has
arrived (a chunked body), the rest is dropped as it arrives and the answer is 413, so that nobody can fill the
scratch disk with one request, signed in or not. The views check their own, smaller limits as before.

Daphne has no hook for any of this, so it is a patch on its ``WebRequest`` (daphne 4.2); the tests run a real
Daphne for each.
"""

from __future__ import annotations

import contextlib
import errno
import logging
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger(__name__)

#: Writes that found no room: a full disk or quota, or the process's file-size limit (``ulimit -f``).
_NO_ROOM = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


#: Daphne's own methods, each called by the one that replaces it.
_DAPHNE: dict[str, Any] = {}


def install() -> None:
    """Patch Daphne's ``WebRequest`` (once; nothing when Daphne is not installed)."""
    try:
        from daphne.http_protocol import WebRequest
    except ImportError:
        return
    if getattr(WebRequest, "_tessera_reads_bodies", False):
        return
    replaced = {"__init__": _init, "gotLength": _got_length, "handleContentChunk": _content_chunk, "process": _process}
    for name, method in replaced.items():
        _DAPHNE[name] = getattr(WebRequest, name)
        setattr(WebRequest, name, method)
    WebRequest._tessera_reads_bodies = True


def _init(self: Any, *args: Any, **kwargs: Any) -> None:
    _DAPHNE["__init__"](self, *args, **kwargs)
    self._parsePOSTFormSubmission = False  # Twisted's Request: no request.args from the body
    self.tessera_write_error = None
    self.tessera_too_large = None
    self.tessera_received = 0
    self.tessera_limit = _max_body()  # read once a request, not once a chunk


def _got_length(self: Any, length: int | None) -> None:
    if length is not None and length > self.tessera_limit:
        self.tessera_too_large = length
        self.content = _Emptied()  # nothing of it is written
        return
    _DAPHNE["gotLength"](self, length)


def _content_chunk(self: Any, data: bytes) -> None:
    if self.tessera_write_error is not None or self.tessera_too_large is not None:
        return  # the rest of a body that is not kept
    self.tessera_received += len(data)
    if self.tessera_received > self.tessera_limit:  # a chunked body, or one longer than it said
        self.tessera_too_large = self.tessera_received
        _drop(self)
        return
    try:
        _DAPHNE["handleContentChunk"](self, data)
    except OSError as exc:
        if exc.errno not in _NO_ROOM:
            raise
        self.tessera_write_error = exc
        _drop(self)


def _process(self: Any) -> Any:
    if self.tessera_too_large is not None:
        return _answer_too_large(self)
    if self.tessera_write_error is not None:
        return _answer_out_of_space(self)
    if self.content is not None:
        self.content = _OneChunk(self.content)
    return _DAPHNE["process"](self)


def _max_body() -> int:
    from django.conf import settings

    return int(settings.TESSERA_MAX_REQUEST_BYTES)


def _drop(request: Any) -> None:
    """Close the body's file (a temporary file without a name: its space comes back now); the rest goes nowhere."""
    with contextlib.suppress(OSError):
        request.content.close()
    request.content = _Emptied()


#: Bytes of the body handed to the app at a time.
CHUNK = 1 << 20


class FileBody:
    """The body of a request, in the file Twisted buffered it in: what Daphne queues instead of its chunks.
    ``len`` is 0 so that Daphne queues this one message and stops (it reads until a chunk is short)."""

    def __init__(self, file: Any, start: int) -> None:
        self.file = file
        self.position = start

    def __len__(self) -> int:
        return 0

    def next_chunk(self) -> tuple[bytes, bool]:
        """The next bytes of the body, and whether more follow (``b"", False`` once the file is closed: the
        client went away, and the disconnect follows in the queue)."""
        try:
            self.file.seek(self.position)
            data = self.file.read(CHUNK)
        except (OSError, ValueError):
            return b"", False
        self.position += len(data)
        return data, len(data) == CHUNK


class _OneChunk:
    """Twisted's body file, as Daphne's loop reads it (``read(buffer_size)``): one read gives the whole body as a
    ``FileBody``."""

    def __init__(self, file: Any) -> None:
        self.file = file
        self.given = False

    @property
    def closed(self) -> bool:
        return bool(self.file.closed)

    def seek(self, offset: int, whence: int = 0) -> int:
        return int(self.file.seek(offset, whence))

    def tell(self) -> int:
        return int(self.file.tell())

    def read(self, size: int = -1) -> Any:
        if size < 0:
            return self.file.read()  # all of it, as bytes: what Daphne replays into a WebSocket it upgrades to
        if self.given:
            return b""
        self.given = True
        return FileBody(self.file, self.file.tell())

    def close(self) -> None:
        self.file.close()


def body_from_file(receive: Callable[[], Awaitable[dict[str, Any]]]) -> Callable[[], Awaitable[dict[str, Any]]]:
    """``receive`` with a ``FileBody`` message turned into the body's chunks, each read when the app asks."""
    reading: FileBody | None = None

    async def next_message() -> dict[str, Any]:
        nonlocal reading
        if reading is None:
            message = await receive()
            body = message.get("body")
            if not isinstance(body, FileBody):
                return message
            reading = body
        data, more = reading.next_chunk()
        if not more:
            reading = None
        return {"type": "http.request", "body": data, "more_body": more}

    return next_message


class _Emptied:
    """What Twisted finds where the body's file was: nothing (it seeks and tells once the body has arrived)."""

    closed = False

    def write(self, data: bytes) -> int:
        return len(data)

    def tell(self) -> int:
        return 0

    def seek(self, offset: int, whence: int = 0) -> int:
        return 0

    def read(self, size: int = -1) -> bytes:
        return b""

    def close(self) -> None:
        self.closed = True


def _answer_too_large(request: Any) -> None:
    from designer.errors import limit_body

    limit, size = request.tessera_limit, request.tessera_too_large
    said = f"more than {limit:,} bytes" if request.tessera_received >= size else f"{size:,} bytes (its Content-Length)"
    message = (
        f"The request's body is {said}; this server takes at most {limit:,} bytes (TESSERA_MAX_REQUEST_MB). "
        "Nothing of it was kept."
    )
    path = request.path.decode("ascii", "replace")
    content_type, body = limit_body(path, 413, message, "too_large", "request_too_large")
    _reply(request, 413, content_type, body)


def _reply(request: Any, status: int, content_type: str, body: bytes) -> None:
    request.handle_reply(
        {"type": "http.response.start", "status": status, "headers": [(b"Content-Type", content_type.encode())]}
    )
    request.handle_reply({"type": "http.response.body", "body": body})


def _answer_out_of_space(request: Any) -> None:
    from designer.errors import OUT_OF_SPACE_CAUSE, free_space, limit_body, out_of_space_message

    path = request.path.decode("ascii", "replace")
    log.error(
        "%s %s: out of disk space while Daphne buffered the body (%s); free: %s",
        request.method.decode("ascii", "replace"),
        path,
        request.tessera_write_error,
        free_space(),
    )
    content_type, body = limit_body(path, 507, out_of_space_message(), "insufficient_storage", OUT_OF_SPACE_CAUSE)
    _reply(request, 507, content_type, body)
