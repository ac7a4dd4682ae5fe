"""Comparing two saved versions over the API: semantic changes, layout-only changes, and the 4xx cases."""

from __future__ import annotations

from typing import Any

import pytest

from designer.datasets.models import Dataset
from designer.pipelines import services
from designer.pipelines.models import Pipeline
from designer.workspaces.models import Workspace
from tests.designer.factories import PipelineFactory

from .test_api import select_from

pytestmark = pytest.mark.django_db

DATA_EDGE = {"source": {"node": "data", "port": "dataset"}, "target": {"node": "select", "port": "dataset"}}


@pytest.fixture
def pipeline(workspace: Workspace, owner: Any, editor: Any, dataset: Dataset) -> Pipeline:
    """v1: data -> select(species). v2: select picks two columns, has a new version, and a pipeline
    parameter. v3: the same design, only moved on the canvas."""
    made = PipelineFactory(
        workspace=workspace, name="Iris columns", created_by=owner, document=select_from(dataset.pk, "species")
    )
    v2 = select_from(dataset.pk, "species", "petal_width")
    v2["nodes"][1]["version"] = 2
    v2["parameters"] = {"seed": 3}
    services.save_version(editor, made, v2, base_version=1)
    v3 = {**v2, "layout": {"data": {"x": 400, "y": 0}, "select": {"x": 0, "y": 120}}}
    services.save_version(editor, made, v3, message="tidy", base_version=2)
    return made


def diff_of(client: Any, pipeline: Pipeline, **query: Any) -> Any:
    return client.get(f"/api/pipelines/{pipeline.pk}/diff/", query)


def test_a_viewer_sees_what_changed_between_two_versions(as_viewer: Any, pipeline: Pipeline) -> None:
    response = diff_of(as_viewer, pipeline, **{"from": 1, "to": 2})

    assert response.status_code == 200, response.content
    assert response.json() == {
        "pipeline": pipeline.pk,
        "from_version": 1,
        "to_version": 2,
        "diff": {
            "format": 1,
            "summary": {
                "nodes_added": 0,
                "nodes_removed": 0,
                "nodes_changed": 1,
                "edges_added": 0,
                "edges_removed": 0,
                "parameters_changed": 1,
                "layout_changed": 0,
                "semantic": True,
                "layout_only": False,
                "empty": False,
            },
            "semantic": {
                "nodes_added": [],
                "nodes_removed": [],
                "nodes_changed": [
                    {
                        "id": "select",
                        "module": None,
                        "version": {"old": 1, "new": 2},
                        "regenerate": None,
                        "params": [
                            {
                                "name": "columns",
                                "change": "changed",
                                "old": ["species"],
                                "new": ["species", "petal_width"],
                            }
                        ],
                    }
                ],
                "edges_added": [],
                "edges_removed": [],
                "parameters": [{"name": "seed", "change": "added", "new": 3}],
            },
            "layout": {"nodes": [], "node_order": None, "edge_order": None},
        },
    }


def test_moving_nodes_is_reported_as_layout_only(as_viewer: Any, pipeline: Pipeline) -> None:
    body = diff_of(as_viewer, pipeline, **{"from": 2, "to": 3}).json()["diff"]

    assert (body["summary"]["semantic"], body["summary"]["layout_only"]) == (False, True)
    assert body["layout"]["nodes"] == [{"node": "data", "old": {"x": 0, "y": 0}, "new": {"x": 400, "y": 0}}]
    assert body["semantic"]["nodes_changed"] == []


def test_to_defaults_to_the_newest_version_and_backwards_works_too(as_editor: Any, pipeline: Pipeline) -> None:
    to_head = diff_of(as_editor, pipeline, **{"from": 1}).json()
    backwards = diff_of(as_editor, pipeline, **{"from": 2, "to": 1}).json()

    assert (to_head["from_version"], to_head["to_version"]) == (1, 3)
    assert to_head["diff"]["summary"]["layout_changed"] == 1
    [change] = backwards["diff"]["semantic"]["nodes_changed"]
    assert (change["version"], change["params"][0]["old"], change["params"][0]["new"]) == (
        {"old": 2, "new": 1},
        ["species", "petal_width"],
        ["species"],
    )
    assert backwards["diff"]["semantic"]["parameters"] == [{"name": "seed", "change": "removed", "old": 3}]


def test_rewiring_and_removing_a_node_are_listed(
    as_owner: Any, workspace: Workspace, owner: Any, dataset: Dataset
) -> None:
    # given a second select fed by the first, then one version where it goes and the edge is rewired
    first = select_from(dataset.pk, "species", "petal_width")
    first["nodes"].append(
        {"id": "narrow", "module": "select_columns", "version": 1, "params": {"columns": ["species"]}}
    )
    first["edges"].append(
        {"source": {"node": "select", "port": "results_dataset"}, "target": {"node": "narrow", "port": "dataset"}}
    )
    made = PipelineFactory(workspace=workspace, name="Two selects", created_by=owner, document=first)
    services.save_version(owner, made, select_from(dataset.pk, "species", "petal_width"), base_version=1)

    body = diff_of(as_owner, made, **{"from": 1, "to": 2}).json()["diff"]

    assert body["semantic"]["nodes_removed"] == [
        {
            "id": "narrow",
            "module": "select_columns",
            "version": 1,
            "params": {"columns": ["species"]},
            "regenerate": False,
        }
    ]
    assert body["semantic"]["edges_removed"] == [
        {"source": {"node": "select", "port": "results_dataset"}, "target": {"node": "narrow", "port": "dataset"}}
    ]
    assert body["semantic"]["edges_added"] == []
    assert DATA_EDGE in made.versions.get(number=2).document["edges"]


@pytest.mark.parametrize(
    ("query", "missing"),
    [({"from": 7, "to": 2}, 7), ({"from": 1, "to": 8}, 8), ({"from": 9}, 9)],
)
def test_an_unknown_version_is_404_naming_it(
    as_viewer: Any, pipeline: Pipeline, query: dict[str, int], missing: int
) -> None:
    response = diff_of(as_viewer, pipeline, **query)

    assert response.status_code == 404
    assert response.json() == {"detail": f"pipeline 'Iris columns' has no version {missing}"}


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ({}, {"from": ["This field is required."]}),
        ({"from": "one"}, {"from": ["A valid integer is required."]}),
        ({"from": 1, "to": 0}, {"to": ["Ensure this value is greater than or equal to 1."]}),
    ],
)
def test_a_bad_query_names_the_parameter(
    as_viewer: Any, pipeline: Pipeline, query: dict[str, Any], fields: dict[str, list[str]]
) -> None:
    response = diff_of(as_viewer, pipeline, **query)

    assert response.status_code == 400
    assert response.json() == {"detail": "Some fields are invalid.", "fields": fields}


def test_outsiders_and_anonymous_callers_get_no_diff(as_outsider: Any, api: Any, pipeline: Pipeline) -> None:
    hidden = diff_of(as_outsider, pipeline, **{"from": 1, "to": 2})
    anonymous = diff_of(api(None), pipeline, **{"from": 1, "to": 2})

    assert hidden.status_code == 404
    assert hidden.json() == {"detail": f"pipeline {pipeline.pk} does not exist"}
    assert anonymous.status_code == 403
    assert anonymous.json() == {"detail": "Authentication credentials were not provided."}


def test_reading_a_diff_changes_nothing(as_owner: Any, pipeline: Pipeline) -> None:
    before = list(pipeline.versions.order_by("number").values_list("number", "document"))

    assert diff_of(as_owner, pipeline, **{"from": 1, "to": 3}).status_code == 200
    assert list(pipeline.versions.order_by("number").values_list("number", "document")) == before
