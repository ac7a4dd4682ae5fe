"""The catalogue the browser builds its palette and forms from."""

from __future__ import annotations

from typing import Any

import pytest

from modules.sdk import PORT_TYPES, default_registry

pytestmark = pytest.mark.django_db


def test_the_catalogue_is_the_registrys(as_viewer: Any) -> None:
    response = as_viewer.get("/api/modules/")
    assert response.status_code == 200
    assert response.json() == default_registry().catalogue()
    assert {"dataset", "split_data", "train_model"} <= {m["id"] for m in response.json()}


def test_the_catalogue_is_revalidated_with_its_etag(as_viewer: Any) -> None:
    first = as_viewer.get("/api/modules/")
    etag = first["ETag"]
    assert etag.startswith('"') and first["Cache-Control"] == "private, no-cache"
    again = as_viewer.get("/api/modules/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    stale = as_viewer.get("/api/modules/", HTTP_IF_NONE_MATCH='"something-else"')
    assert stale.status_code == 200 and stale.json() == first.json()


def test_one_module_with_its_versions(as_viewer: Any) -> None:
    response = as_viewer.get("/api/modules/split_data/")
    assert response.status_code == 200
    body = response.json()
    expected = default_registry().get("split_data").describe()
    assert {k: body[k] for k in expected} == expected
    assert body["versions"] == [1, 2]  # version 2 added the expression split modes
    assert body["latest_version"] == 2
    assert [p["name"] for p in body["outputs"]] == ["results_dataset1", "results_dataset2"]


def test_a_pinned_module_version(as_viewer: Any) -> None:
    assert as_viewer.get("/api/modules/split_data/?version=1").json()["version"] == 1


def test_unknown_modules_and_versions_are_404(as_viewer: Any) -> None:
    assert as_viewer.get("/api/modules/no_such_module/").json() == {"detail": "Unknown module 'no_such_module'."}
    missing = as_viewer.get("/api/modules/split_data/?version=7")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Unknown version 7 of module 'split_data'."}


def test_a_version_that_is_not_a_number_is_named(as_viewer: Any) -> None:
    response = as_viewer.get("/api/modules/split_data/?version=latest")
    assert response.status_code == 400
    assert response.json()["fields"] == {"version": ["A valid integer is required."]}


def test_port_types_say_what_they_accept(as_viewer: Any) -> None:
    response = as_viewer.get("/api/port-types/")
    assert response.status_code == 200
    by_name = {t["name"]: t for t in response.json()}
    assert set(by_name) == set(PORT_TYPES)
    assert by_name["table"]["accepts"] == ["table"]
    assert by_name["table"]["label"] == "Data table"
    for name, cls in PORT_TYPES.items():
        assert by_name[name]["accepts"] == [o.name for o in PORT_TYPES.values() if cls.accepts(o)]


def test_the_catalogue_needs_a_signed_in_user(api: Any, db: Any) -> None:
    for url in ("/api/modules/", "/api/modules/split_data/", "/api/port-types/"):
        response = api(None).get(url)
        assert response.status_code == 403
        assert response.json() == {"detail": "Authentication credentials were not provided."}
