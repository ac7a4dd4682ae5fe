"""Error answers Django gives outside a view's own handling: JSON for the REST API (``{"detail"}``) and the
scoring and pipeline endpoint routes (``{"error": {"code", "message", "details"}}``), Django's plain pages elsewhere.

Registered as handler400/403/404/500 in both URL configurations (the app's and a scoring server's), so
an unexpected exception in an /api/ route never answers an HTML page, and with DEBUG off (the default)
no error page shows settings or source.

Overload is not an error of the app: a request that waited the pool timeout for a database connection
(``psycopg_pool.PoolTimeout``, which Django wraps in ``OperationalError``) answers 503 with Retry-After
and a body naming the cause, from any view (``OverloadMiddleware``) and from the scoring views
(``designer/endpoints/serving.py``, which also record the call). Nor is a full disk: a request whose
files could not be written (an upload received or spooled in the scratch folder, a table stored in the
artifact store) answers 507 saying so, from any view (``OverloadMiddleware`` again: DRF re-raises what its
handler leaves); what it was writing is left out whole (a dataset is recorded only once stored).
"""

from __future__ import annotations

import errno
import json
import logging
import shutil
import sys
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.deprecation import MiddlewareMixin
from django.views import defaults

OVERLOAD_CAUSE = "database_pool_timeout"
OUT_OF_SPACE_CAUSE = "disk_full"
#: A write that failed for want of room: no space left on the device, or the user's disk quota spent.
_OUT_OF_SPACE = (errno.ENOSPC, errno.EDQUOT)

log = logging.getLogger(__name__)

MESSAGES = {
    400: "Bad request.",
    403: "You do not have permission to perform this action.",
    404: "Not found.",
    500: "Internal server error; the error was logged.",
}


def _json(request: HttpRequest, status: int) -> JsonResponse | None:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": MESSAGES[status]}, status=status)
    if request.path.startswith(("/endpoints/", "/pipeline-endpoints/")):
        return JsonResponse({"error": {"code": status, "message": MESSAGES[status], "details": []}}, status=status)
    return None


def bad_request(request: HttpRequest, exception: Any) -> HttpResponse:
    return _json(request, 400) or defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Any) -> HttpResponse:
    return _json(request, 403) or defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Any) -> HttpResponse:
    return _json(request, 404) or defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    # Under WSGI the exception is still being handled here (under ASGI it is not: OverloadMiddleware).
    handled = sys.exc_info()[1]
    if is_overload(handled):
        return overload_response(request)
    if is_out_of_space(handled):
        return out_of_space_response(request, handled)
    return _json(request, 500) or defaults.server_error(request)


def is_overload(exc: BaseException | None) -> bool:
    """Whether ``exc``, or an exception it was raised from, is the connection pool's timeout."""
    try:
        from psycopg_pool import PoolTimeout
    except ImportError:  # no pool (SQLite, or TESSERA_DB_POOL_MAX=0 without psycopg_pool installed)
        return False
    return _caused_by(exc, lambda e: isinstance(e, PoolTimeout))


def is_out_of_space(exc: BaseException | None) -> bool:
    """Whether ``exc``, or an exception it was raised from, is a write that found no room on its disk."""
    return _caused_by(exc, lambda e: isinstance(e, OSError) and e.errno in _OUT_OF_SPACE)


def _caused_by(exc: BaseException | None, matches: Callable[[BaseException], bool]) -> bool:
    """Whether ``exc`` or one of the (at most 10) exceptions it was raised from ``matches``."""
    seen = 0
    while exc is not None and seen < 10:
        if matches(exc):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def out_of_space_message() -> str:
    return (
        "The server ran out of disk space while writing this request's data; nothing was stored. "
        "Ask the operator to free space in Tessera's scratch folder and artifact store, then try again."
    )


def out_of_space_response(request: HttpRequest, exc: BaseException | None) -> HttpResponse:
    """507 Insufficient Storage. The operator's log names the file and the free space on the scratch folder and
    the data folder; the caller's answer does not."""
    log.error("%s %s: out of disk space (%s); free: %s", request.method, request.path, exc, free_space())
    return _limit_response(request, 507, out_of_space_message(), "insufficient_storage", OUT_OF_SPACE_CAUSE)


def _limit_response(
    request: HttpRequest, status: int, message: str, code: str, cause: str, **more: Any
) -> HttpResponse:
    """A limit of the server's (not an error of the app), as ``limit_body`` words it for the request's path."""
    content_type, body = limit_body(request.path, status, message, code, cause, **more)
    return HttpResponse(body, status=status, content_type=content_type)


def limit_body(path: str, status: int, message: str, code: str, cause: str, **more: Any) -> tuple[str, bytes]:
    """``(content type, body)`` of a limit's answer: JSON ``{detail, code, cause}`` on the API, the error envelope
    on the scoring and pipeline endpoint routes (``cause`` and ``more`` as its one detail), plain text elsewhere.
    Also what Daphne answers itself when a body could not be buffered (``designer/daphne_requests.py``)."""
    if path.startswith("/api/"):
        return "application/json", json.dumps({"detail": message, "code": code, "cause": cause}).encode()
    if path.startswith(("/endpoints/", "/pipeline-endpoints/", "/metrics")):
        details = [{"cause": cause, **more}]
        envelope = {"error": {"code": status, "message": message, "details": details}}
        return "application/json", json.dumps(envelope).encode()
    return "text/plain; charset=utf-8", (message + "\n").encode()


def free_space() -> str:
    """The free space where Tessera writes large files, for the operator's log."""
    found = []
    for what in ("TESSERA_SCRATCH_DIR", "DATA_DIR"):
        folder = getattr(settings, what, None)
        if folder is not None:
            try:
                found.append(f"{what} {folder}: {shutil.disk_usage(folder).free / 2**20:,.0f} MB")
            except OSError:
                found.append(f"{what} {folder}: unknown")
    return "; ".join(found)


def retry_after_seconds() -> int:
    return int(settings.TESSERA_OVERLOAD_RETRY_AFTER_SECONDS)


def overload_message() -> str:
    waited = float(getattr(settings, "TESSERA_DB_POOL_TIMEOUT", 0.0))
    return (
        f"The server is overloaded: no database connection came free within {waited:g} s. "
        f"Try again in {retry_after_seconds()} s."
    )


def overload_envelope() -> dict[str, Any]:
    """The scoring routes' error body for an overloaded server."""
    details = [{"cause": OVERLOAD_CAUSE, "retry_after": retry_after_seconds()}]
    return {"error": {"code": 503, "message": overload_message(), "details": details}}


def overload_response(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: JSON on the API and scoring routes, plain text elsewhere."""
    response = _limit_response(
        request, 503, overload_message(), "overloaded", OVERLOAD_CAUSE, retry_after=retry_after_seconds()
    )
    response["Retry-After"] = str(retry_after_seconds())
    return response


class OverloadMiddleware(MiddlewareMixin):
    """Turns a connection pool timeout raised by any view (DRF views re-raise what their handler leaves)
    into 503 with Retry-After, and a full disk into 507, so neither answers 500."""

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_overload(exception):
            return overload_response(request)
        if is_out_of_space(exception):
            return out_of_space_response(request, exception)
        return None
