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


# -- every version the server can run ---------------------------------------------------------------


def test_every_version_is_served_on_request_each_after_its_latest(as_viewer: Any) -> None:
    registry = default_registry()

    response = as_viewer.get("/api/modules/?versions=all")

    assert response.status_code == 200
    body = response.json()
    assert len(body) == len([m for m in registry if not m.hidden])  # hidden: placed by the planner only
    assert "script_component" not in {m["id"] for m in body}
    assert [(m["id"], m["version"]) for m in body if m["id"] == "split_data"] == [("split_data", 2), ("split_data", 1)]
    assert (
        next(m for m in body if (m["id"], m["version"]) == ("split_data", 1))
        == registry.get("split_data", 1).describe()
    )
    assert [m for m in body if m["version"] == registry.latest_version(m["id"])] == registry.catalogue()


def test_the_all_versions_catalogue_has_its_own_etag(as_viewer: Any) -> None:
    latest = as_viewer.get("/api/modules/")
    every = as_viewer.get("/api/modules/?versions=all")
    assert every["ETag"] != latest["ETag"]

    again = as_viewer.get("/api/modules/?versions=all", HTTP_IF_NONE_MATCH=every["ETag"])
    crossed = as_viewer.get("/api/modules/?versions=all", HTTP_IF_NONE_MATCH=latest["ETag"])

    assert again.status_code == 304 and again["ETag"] == every["ETag"]
    assert crossed.status_code == 200 and crossed.json() == every.json()


def test_an_unknown_versions_choice_is_named(as_viewer: Any) -> None:
    response = as_viewer.get("/api/modules/?versions=some")
    assert response.status_code == 400
    assert response.json()["fields"] == {"versions": ['"some" is not a valid choice.']}


def test_upgrading_split_data_1_previews_the_parameters_version_2_adds(as_editor: Any) -> None:
    response = as_editor.post(
        "/api/modules/split_data/upgrade/",
        {"from_version": 1, "params": {"fraction_of_rows_in_first_output_dataset": 0.7, "random_seed": 42}},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert response.json() == {
        "module": "split_data",
        "from_version": 1,
        "to_version": 2,
        "params": {"fraction_of_rows_in_first_output_dataset": 0.7, "random_seed": 42},
        "changes": [
            {"param": "regular_expression", "change": "added", "old": None, "new": ""},
            {"param": "relational_expression", "change": "added", "old": None, "new": ""},
        ],
        "problems": [],
        "ports": [],
    }


def test_an_upgrade_keeps_parameters_bound_to_pipeline_parameters(as_editor: Any) -> None:
    bound = {"random_seed": {"$param": "seed"}}

    body = as_editor.post(
        "/api/modules/split_data/upgrade/", {"from_version": 1, "params": bound}, format="json"
    ).json()

    assert body["params"] == bound
    assert body["problems"] == []


def test_an_upgrade_names_parameters_the_latest_version_refuses(as_editor: Any) -> None:
    body = as_editor.post(
        "/api/modules/split_data/upgrade/",
        {"from_version": 1, "params": {"fraction_of_rows_in_first_output_dataset": 3}},
        format="json",
    ).json()

    assert body["problems"] == [
        {"param": "fraction_of_rows_in_first_output_dataset", "message": "Input should be less than or equal to 1"}
    ]


def test_upgrading_an_unknown_module_or_version_is_404_naming_it(as_editor: Any) -> None:
    nothing = as_editor.post("/api/modules/no_such/upgrade/", {"from_version": 1}, format="json")
    future = as_editor.post("/api/modules/split_data/upgrade/", {"from_version": 9}, format="json")
    missing = as_editor.post("/api/modules/split_data/upgrade/", {}, format="json")

    assert (nothing.status_code, nothing.json()) == (404, {"detail": "Unknown module 'no_such'."})
    assert (future.status_code, future.json()) == (404, {"detail": "Unknown version 9 of module 'split_data'."})
    assert missing.status_code == 400 and missing.json()["fields"] == {"from_version": ["This field is required."]}


def test_the_upgrade_preview_needs_a_signed_in_user(api: Any, db: Any) -> None:
    response = api(None).post("/api/modules/split_data/upgrade/", {"from_version": 1}, format="json")
    assert response.status_code == 403
