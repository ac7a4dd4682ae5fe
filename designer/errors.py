"""Error answers Django gives outside a view's own handling: JSON for the REST API (``{"detail"}``) and the
scoring and pipeline endpoint routes (``{"error": {"code", "message", "details"}}``), Django's plain pages elsewhere.

Registered as handler400/403/404/500 in both URL configurations (the app's and a scoring server's), so
an unexpected exception in an /api/ route never answers an HTML page, and with DEBUG off (the default)
no error page shows settings or source.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

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
    return _json(request, 500) or defaults.server_error(request)
