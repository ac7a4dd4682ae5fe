"""The OpenAPI document the front end's client is generated from."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db

MY_APPS = ("accounts", "workspaces", "datasets", "catalogue", "pipelines")


def view_names() -> set[str]:
    names = set()
    for app in MY_APPS:
        for pattern in importlib.import_module(f"designer.{app}.urls").urlpatterns:
            names.add(pattern.callback.view_class.__name__)
    return names


def about_these_apps(message: str) -> bool:
    return any(f"designer/{app}/" in message for app in MY_APPS) or any(f"[{v} " in message for v in view_names())


def test_the_schema_is_valid_openapi_3_and_covers_every_endpoint(as_viewer: Any) -> None:
    GENERATOR_STATS.reset()
    response = as_viewer.get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    validate_schema(schema)  # raises on an invalid OpenAPI 3 document
    assert schema["openapi"].startswith("3.")
    assert {
        "/api/auth/login/",
        "/api/auth/token/",
        "/api/workspaces/{id}/members/{user_id}/",
        "/api/datasets/",
        "/api/datasets/{id}/versions/{number}/preview/",
        "/api/modules/",
        "/api/port-types/",
        "/api/pipelines/{id}/versions/",
        "/api/pipelines/{id}/draft/",
        "/api/pipelines/validate/",
        "/api/pipelines/json-schema/",
    } <= set(schema["paths"])
    upload = schema["paths"]["/api/datasets/"]["post"]["requestBody"]["content"]
    assert list(upload) == ["multipart/form-data"]
    warnings = [w for w in GENERATOR_STATS._warn_cache if about_these_apps(w)]
    errors = list(GENERATOR_STATS._error_cache)
    assert warnings == []
    assert errors == []


def test_the_docs_page_renders(db: Any, api: Any) -> None:
    response = api(None).get("/api/docs/")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()
