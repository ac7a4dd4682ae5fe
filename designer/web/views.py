"""The single-page app: frontend/dist/index.html for every client-side route, with the CSRF cookie set.

Assets are served by WhiteNoise under /static/ (Vite builds with base "/static/"). Without a build the
page says how to make one instead of failing with a 500.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import ensure_csrf_cookie

NOT_BUILT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tessera: front end not built</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:640px;margin:12vh auto;padding:0 24px;color:#1d2433}
code{background:#eef1f5;padding:2px 6px;border-radius:4px}</style></head>
<body><h1>The front end is not built</h1>
<p>The designer's browser app has not been built on this server yet: run <code>make start</code>
(or <code>cd frontend &amp;&amp; npm ci &amp;&amp; npm run build</code>) and reload this page.</p>
<p>The REST API is available meanwhile at <a href="/api/docs/">/api/docs/</a>.</p></body></html>
"""


def index_path() -> Path:
    return Path(settings.FRONTEND_DIST) / "index.html"


@ensure_csrf_cookie
def spa(request: HttpRequest, path: str = "") -> HttpResponse:
    index = index_path()
    if not index.is_file():
        return HttpResponse(NOT_BUILT, status=503, content_type="text/html; charset=utf-8")
    response = HttpResponse(index.read_bytes(), content_type="text/html; charset=utf-8")
    # The HTML names hashed assets; it must never be cached, or a new build would load old code.
    response["Cache-Control"] = "no-cache"
    return response
