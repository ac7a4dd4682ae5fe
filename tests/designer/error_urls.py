"""The app's URL configuration and error handlers, plus routes that fail on purpose (tests/designer/test_errors.py)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from designer.urls import handler400, handler403, handler404, handler500  # noqa: F401  (the handlers under test)
from designer.urls import urlpatterns as app_patterns


def fail(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug nobody caught")


def fill(request: HttpRequest) -> HttpResponse:
    """A write that finds the disk full: /dev/full refuses every write with ENOSPC."""
    with open("/dev/full", "wb") as full:
        full.write(b"rows")
    return HttpResponse("written")


urlpatterns = [
    path("api/fail/", fail),
    path("endpoints/fail/score", fail),
    path("fail/", fail),
    path("api/fill/", fill),
    path("endpoints/fill/score", fill),
    path("fill/", fill),
    *app_patterns,
]
