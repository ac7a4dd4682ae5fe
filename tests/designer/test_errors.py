"""Errors outside a view's own handling: JSON for /api/ and /endpoints/, never a debug page by default."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
from django.test import Client

from tests.support.processes import ROOT

pytestmark = pytest.mark.django_db


def _debug_in(**env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TESSERA_", "DJANGO_"))}
    code = "import designer.settings as s; print(s.DEBUG)"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip()


def test_debug_pages_are_off_unless_a_developer_turns_them_on(tmp_path) -> None:
    local = {"TESSERA_ENV": "local", "TESSERA_DATA_DIR": str(tmp_path)}
    production = {
        "TESSERA_ENV": "production",
        "TESSERA_DATA_DIR": str(tmp_path),
        "TESSERA_SECRET_KEY": "k" * 40,
        "TESSERA_ALLOWED_HOSTS": "example.com",
    }

    assert _debug_in(**local) == "False"  # what `make start` runs
    assert _debug_in(**production) == "False"
    assert _debug_in(**local, TESSERA_DEBUG="true") == "True"


def _every_route(name: str) -> tuple[Any, Any, Any]:
    """The answers of an API route, a scoring route and a page whose view does ``name`` (error_urls.py)."""
    client = Client(raise_request_exception=False)
    return client.get(f"/api/{name}/"), client.post(f"/endpoints/{name}/score"), client.get(f"/{name}/")


@pytest.mark.urls("tests.designer.error_urls")
def test_an_unhandled_error_answers_json_on_api_and_scoring_routes_and_a_plain_page_elsewhere() -> None:
    api, scoring, page = _every_route("fail")

    assert (api.status_code, api["Content-Type"]) == (500, "application/json")
    assert api.json() == {"detail": "Internal server error; the error was logged."}
    assert scoring.status_code == 500
    assert scoring.json() == {
        "error": {"code": 500, "message": "Internal server error; the error was logged.", "details": []}
    }
    assert page.status_code == 500 and page["Content-Type"].startswith("text/html")
    assert b"a bug nobody caught" not in api.content + scoring.content + page.content
    assert b"Traceback" not in page.content


@pytest.mark.urls("tests.designer.error_urls")
def test_a_full_disk_answers_507_naming_it_on_every_route_never_500() -> None:
    api, scoring, page = _every_route("fill")

    assert (api.status_code, api["Content-Type"]) == (507, "application/json")
    assert api.json()["code"] == "insufficient_storage" and api.json()["cause"] == "disk_full"
    assert api.json()["detail"].startswith("The server ran out of disk space")
    assert scoring.status_code == 507
    assert scoring.json()["error"]["code"] == 507 and scoring.json()["error"]["details"] == [{"cause": "disk_full"}]
    assert page.status_code == 507 and page["Content-Type"].startswith("text/plain")
    assert b"/dev/full" not in api.content + scoring.content + page.content  # the log says where; answers do not


def test_an_unknown_api_or_scoring_path_is_a_json_404() -> None:
    client = Client()

    api = client.get("/api/no-such-thing/")
    scoring = client.get("/endpoints/no/such/thing")

    assert (api.status_code, api.json()) == (404, {"detail": "Not found."})
    assert scoring.status_code == 404 and scoring.json()["error"]["code"] == 404


def test_a_scoring_server_has_the_same_error_handlers() -> None:
    from designer import urls
    from designer.endpoints import scoring_urls

    for code in (400, 403, 404, 500):
        assert getattr(scoring_urls, f"handler{code}") == getattr(urls, f"handler{code}")
