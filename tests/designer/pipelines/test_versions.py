"""Version history over the API: listing with author, time and message, opening one read-only, restoring."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from designer.datasets.models import Dataset
from designer.pipelines import services
from designer.pipelines.models import Pipeline, PipelineVersion
from designer.workspaces.models import Workspace
from tests.designer.factories import PipelineFactory

from .test_api import canonical, select_from

pytestmark = pytest.mark.django_db


@pytest.fixture
def pipeline(workspace: Workspace, owner: Any, editor: Any, dataset: Dataset) -> Pipeline:
    """Version 1 (olivia) picks species; version 2 (eddie) picks species and petal_width."""
    made = PipelineFactory(
        workspace=workspace, name="Iris columns", created_by=owner, document=select_from(dataset.pk, "species")
    )
    services.save_version(
        editor, made, select_from(dataset.pk, "species", "petal_width"), message="add petal width", base_version=1
    )
    return made


def restore_url(pipeline: Pipeline, number: int) -> str:
    return f"/api/pipelines/{pipeline.pk}/versions/{number}/restore/"


def history(pipeline: Pipeline) -> list[tuple[int, str, str | None, int | None, int | None]]:
    return [
        (v.number, v.message, v.author.username if v.author else None, v.base_number, v.restored_from)
        for v in PipelineVersion.objects.filter(pipeline=pipeline).order_by("number")
    ]


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# -- listing and reading ----------------------------------------------------------------------------


def test_the_history_lists_author_time_and_message_newest_first(as_viewer: Any, pipeline: Pipeline) -> None:
    response = as_viewer.get(f"/api/pipelines/{pipeline.pk}/versions/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    rows = body["results"]
    assert [{k: v for k, v in row.items() if k != "created_at"} for row in rows] == [
        {"number": 2, "message": "add petal width", "author": "eddie", "base_number": 1, "restored_from": None},
        {"number": 1, "message": "Created", "author": "olivia", "base_number": None, "restored_from": None},
    ]
    saved = {v.number: v.created_at for v in pipeline.versions.all()}
    assert [parse_time(row["created_at"]) for row in rows] == [saved[2], saved[1]]


@pytest.mark.parametrize("who", ["as_owner", "as_editor", "as_viewer"])
def test_every_member_opens_an_old_version_with_its_document(
    request: pytest.FixtureRequest, who: str, pipeline: Pipeline, dataset: Dataset
) -> None:
    response = request.getfixturevalue(who).get(f"/api/pipelines/{pipeline.pk}/versions/1/")

    assert response.status_code == 200
    body = response.json()
    assert (body["pipeline"], body["number"], body["author"], body["message"]) == (pipeline.pk, 1, "olivia", "Created")
    assert body["document"] == canonical(select_from(dataset.pk, "species"))


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_a_saved_version_is_read_only(as_editor: Any, pipeline: Pipeline, dataset: Dataset, method: str) -> None:
    response = getattr(as_editor, method)(
        f"/api/pipelines/{pipeline.pk}/versions/1/", {"document": select_from(dataset.pk)}, format="json"
    )

    assert response.status_code == 405
    assert PipelineVersion.objects.get(pipeline=pipeline, number=1).document == canonical(
        select_from(dataset.pk, "species")
    )
    assert pipeline.versions.count() == 2


def test_outsiders_and_anonymous_callers_see_no_history(as_outsider: Any, api: Any, pipeline: Pipeline) -> None:
    for url in (f"/api/pipelines/{pipeline.pk}/versions/", f"/api/pipelines/{pipeline.pk}/versions/1/"):
        hidden = as_outsider.get(url)
        anonymous = api(None).get(url)

        assert hidden.status_code == 404, url
        assert hidden.json() == {"detail": f"pipeline {pipeline.pk} does not exist"}
        assert anonymous.status_code == 403, url
        assert anonymous.json() == {"detail": "Authentication credentials were not provided."}


# -- restoring -------------------------------------------------------------------------------------


def test_an_editor_restores_an_old_version_as_the_new_head(
    as_editor: Any, as_viewer: Any, pipeline: Pipeline, dataset: Dataset
) -> None:
    # given versions 1 and 2, when eddie restores version 1 on top of version 2
    response = as_editor.post(restore_url(pipeline, 1), {"base_version": 2}, format="json")

    # then version 3 holds version 1's document, names what it was based on and what it restored
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["number"], body["message"], body["author"], body["base_number"], body["restored_from"]) == (
        3,
        "Restored version 1",
        "eddie",
        2,
        1,
    )
    assert body["document"] == canonical(select_from(dataset.pk, "species"))
    assert (body["validation"]["ok"], body["validation"]["problems"]) == (True, [])
    # and history only grew: versions 1 and 2 are as they were
    assert history(pipeline) == [
        (1, "Created", "olivia", None, None),
        (2, "add petal width", "eddie", 1, None),
        (3, "Restored version 1", "eddie", 2, 1),
    ]
    assert PipelineVersion.objects.get(pipeline=pipeline, number=2).document == canonical(
        select_from(dataset.pk, "species", "petal_width")
    )
    detail = as_viewer.get(f"/api/pipelines/{pipeline.pk}/").json()
    assert (detail["head_version"], detail["head"]["document"]) == (3, body["document"])


def test_a_restore_without_base_version_is_based_on_the_head_and_takes_a_message(
    as_owner: Any, pipeline: Pipeline
) -> None:
    response = as_owner.post(restore_url(pipeline, 1), {"message": "back to basics"}, format="json")

    assert response.status_code == 201
    assert history(pipeline)[-1] == (3, "back to basics", "olivia", 2, 1)


def test_restore_round_trip_gives_back_the_old_design_and_no_diff(
    as_editor: Any, as_viewer: Any, pipeline: Pipeline
) -> None:
    # given version 2 changed version 1, when version 1 is restored as version 3
    assert as_editor.post(restore_url(pipeline, 1), {"base_version": 2}, format="json").status_code == 201

    # then version 3 is version 1 again: nothing differs between them, and 2 -> 3 undoes 1 -> 2
    same = as_viewer.get(f"/api/pipelines/{pipeline.pk}/diff/", {"from": 1, "to": 3}).json()["diff"]
    forward = as_viewer.get(f"/api/pipelines/{pipeline.pk}/diff/", {"from": 1, "to": 2}).json()["diff"]
    back = as_viewer.get(f"/api/pipelines/{pipeline.pk}/diff/", {"from": 2, "to": 3}).json()["diff"]
    assert same["summary"]["empty"] is True
    [there] = forward["semantic"]["nodes_changed"]
    [again] = back["semantic"]["nodes_changed"]
    assert there["params"] == [
        {"name": "columns", "change": "changed", "old": ["species"], "new": ["species", "petal_width"]}
    ]
    assert again["params"] == [
        {"name": "columns", "change": "changed", "old": ["species", "petal_width"], "new": ["species"]}
    ]
    assert PipelineVersion.objects.get(pipeline=pipeline, number=3).document == (
        PipelineVersion.objects.get(pipeline=pipeline, number=1).document
    )


def test_a_stale_restore_is_refused_with_the_current_version(
    as_editor: Any, as_owner: Any, pipeline: Pipeline, dataset: Dataset
) -> None:
    # given olivia saved version 3 while eddie still looks at version 2
    services.save_version(pipeline.created_by, pipeline, select_from(dataset.pk, "sepal_length"), base_version=2)

    # when eddie restores version 1 believing version 2 is the head
    response = as_editor.post(restore_url(pipeline, 1), {"base_version": 2}, format="json")

    # then nothing is saved, and he gets version 3 to look at
    assert response.status_code == 409
    body = response.json()
    assert body["detail"] == (
        "You edited version 2, but version 3 was saved by olivia since. "
        "Reload the pipeline (the current version is attached), reapply your changes and save again."
    )
    current = body["current_version"]
    assert (current["number"], current["author"], current["base_number"], current["restored_from"]) == (
        3,
        "olivia",
        2,
        None,
    )
    assert current["document"] == canonical(select_from(dataset.pk, "sepal_length"))
    assert [v[0] for v in history(pipeline)] == [1, 2, 3]


def test_a_viewer_cannot_restore(as_viewer: Any, pipeline: Pipeline) -> None:
    response = as_viewer.post(restore_url(pipeline, 1), {"base_version": 2}, format="json")

    assert response.status_code == 403
    assert response.json() == {"detail": "you are a viewer in workspace 'Team'; editing needs the editor role"}
    assert [v[0] for v in history(pipeline)] == [1, 2]


def test_outsiders_and_anonymous_callers_cannot_restore(as_outsider: Any, api: Any, pipeline: Pipeline) -> None:
    hidden = as_outsider.post(restore_url(pipeline, 1), {}, format="json")
    anonymous = api(None).post(restore_url(pipeline, 1), {}, format="json")

    assert hidden.status_code == 404
    assert hidden.json() == {"detail": f"pipeline {pipeline.pk} does not exist"}
    assert anonymous.status_code == 403
    assert [v[0] for v in history(pipeline)] == [1, 2]


def test_restoring_an_unknown_version_is_404_naming_it(as_editor: Any, pipeline: Pipeline) -> None:
    response = as_editor.post(restore_url(pipeline, 9), {"base_version": 2}, format="json")

    assert response.status_code == 404
    assert response.json() == {"detail": "pipeline 'Iris columns' has no version 9"}
    assert [v[0] for v in history(pipeline)] == [1, 2]


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (
            {"base": 2},
            "base",
            "Unknown field 'base' (did you mean 'base_version'?); allowed fields: message, base_version.",
        ),
        ({"base_version": 0}, "base_version", "Ensure this value is greater than or equal to 1."),
        ({"message": "x" * 501}, "message", "Ensure this field has no more than 500 characters."),
    ],
)
def test_a_wrong_restore_body_names_the_field(
    as_editor: Any, pipeline: Pipeline, body: dict[str, Any], field: str, message: str
) -> None:
    response = as_editor.post(restore_url(pipeline, 1), body, format="json")

    assert response.status_code == 400
    assert response.json()["fields"] == {field: [message]}
    assert [v[0] for v in history(pipeline)] == [1, 2]


def test_restoring_drops_my_own_autosave_and_keeps_a_teammates(
    as_editor: Any, pipeline: Pipeline, owner: Any, editor: Any, dataset: Dataset
) -> None:
    # given eddie has an autosaved draft
    services.save_draft(editor, pipeline, select_from(dataset.pk), base_version=2)

    # when he restores version 1, his draft is replaced by the restored head
    assert as_editor.post(restore_url(pipeline, 1), {"base_version": 2}, format="json").status_code == 201
    pipeline.refresh_from_db()
    assert pipeline.draft is None

    # but when olivia's draft exists and eddie restores, hers stays (stale, for her to resolve)
    services.save_draft(owner, pipeline, select_from(dataset.pk, "sepal_width"), base_version=3)
    assert as_editor.post(restore_url(pipeline, 2), {"base_version": 3}, format="json").status_code == 201
    pipeline.refresh_from_db()
    assert (pipeline.draft_updated_by, pipeline.draft_base_version) == (owner, 3)


def test_the_new_routes_are_in_the_openapi_schema(as_viewer: Any) -> None:
    schema = as_viewer.get("/api/schema/?format=json").json()

    restore = schema["paths"]["/api/pipelines/{id}/versions/{number}/restore/"]["post"]
    diff = schema["paths"]["/api/pipelines/{id}/diff/"]["get"]
    assert set(restore["responses"]) == {"201", "404", "409"}
    assert restore["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/RestoreVersionRequest"
    }
    assert [(p["name"], p.get("required", False)) for p in diff["parameters"]] == [
        ("from", True),
        ("id", True),
        ("to", False),
    ]
    assert diff["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/PipelineVersionDiff"
    }
    assert "restored_from" in schema["components"]["schemas"]["PipelineVersionSummary"]["required"]
