"""An endpoint's retraining policy over REST: editors write, viewers read; bad input names the field."""

from __future__ import annotations

from typing import Any

import pytest

from designer.activity.models import ActivityEvent
from designer.pipelines.services import create_pipeline
from designer.retraining.models import RetrainingPolicy
from tests.designer.runs.conftest import upload_sample
from tests.support.pipelines import train_score_evaluate
from tests.support.retraining import publish, published_retrainer

pytestmark = pytest.mark.django_db


def url(trained: Any, suffix: str = "") -> str:
    return f"/api/endpoints/{trained.endpoint.pk}/retraining/{suffix}"


def test_an_editor_sets_changes_and_removes_a_policy_that_a_viewer_reads(
    trained, retrainer, api, editor, viewer
) -> None:
    created = api(editor).put(url(trained), {"pipeline_endpoint": retrainer.pk, "metric": "AUC"}, format="json")
    read = api(viewer).get(url(trained))
    changed = api(editor).patch(url(trained), {"metric": "F1 Score", "margin": 0.02}, format="json")
    replaced = api(editor).put(url(trained), {"pipeline_endpoint": retrainer.pk, "metric": "Recall"}, format="json")

    assert created.status_code == 201, created.content
    body = read.json()
    assert body["pipeline_endpoint"] == retrainer.pk and body["pipeline_endpoint_name"] == "rt-retrain"
    assert body["dataset_parameter"] == "training_data" and body["values"] == {}
    assert (body["metric"], body["higher_is_better"], body["margin"], body["auto_promote"]) == ("AUC", True, 0.0, False)
    assert body["model_name"] == "rt-endpoint" and body["auto_promote_allowed"] is False
    assert (body["drift_window_minutes"], body["drift_min_rows"], body["drift_features"]) == (60, 100, None)
    assert body["alarm"]["state"] == "unchecked"
    assert changed.status_code == 200 and (changed.json()["metric"], changed.json()["margin"]) == ("F1 Score", 0.02)
    assert replaced.status_code == 200 and (replaced.json()["metric"], replaced.json()["margin"]) == ("Recall", 0.0)
    assert RetrainingPolicy.objects.count() == 1

    removed = api(editor).delete(url(trained))
    gone = api(viewer).get(url(trained))

    assert removed.status_code == 204 and gone.status_code == 404
    assert "has no retraining policy" in gone.json()["detail"]
    details = [e.detail["retraining_policy"] for e in ActivityEvent.objects.filter(verb="updated").order_by("id")]
    assert details == ["created", "changed", "changed", "removed"]


def test_a_viewer_cannot_write_and_nothing_is_saved(trained, retrainer, api, viewer) -> None:
    response = api(viewer).put(url(trained), {"pipeline_endpoint": retrainer.pk, "metric": "AUC"}, format="json")

    assert response.status_code == 403 and "editor" in response.json()["detail"]
    assert not RetrainingPolicy.objects.exists()


def refused(api: Any, editor: Any, trained: Any, body: dict[str, Any]) -> dict[str, Any]:
    response = api(editor).put(url(trained), body, format="json")
    assert response.status_code == 400, response.content
    assert not RetrainingPolicy.objects.exists()
    assert not ActivityEvent.objects.filter(verb="updated", object_type="endpoint").exists()
    fields: dict[str, Any] = response.json()["fields"]
    return fields


def test_a_pipeline_endpoint_of_another_workspace_is_refused(trained, api, editor, outsider, other_workspace) -> None:
    theirs = published_retrainer(outsider, other_workspace, upload_sample(outsider, other_workspace), "their-retrain")

    fields = refused(api, editor, trained, {"pipeline_endpoint": theirs.pk, "metric": "AUC"})

    assert list(fields) == ["pipeline_endpoint"]
    assert fields["pipeline_endpoint"] == [f"There is no pipeline endpoint {theirs.pk} in this endpoint's workspace."]


@pytest.mark.parametrize(
    ("change", "field", "phrase"),
    [
        ({"metric": "Mean Absolute Error"}, "metric", "does not report 'Mean Absolute Error' for the binary model"),
        ({"metric": "Log Loss"}, "metric", "(it reports: AUC, Accuracy, F1 Score, Precision, Recall)"),
        ({"margin": 1.5}, "margin", "could never be met"),
        ({"margin": -0.1}, "margin", "greater than or equal to 0"),
        ({"auto_promote": True}, "auto_promote", "TESSERA_RETRAINING_AUTO_PROMOTE"),
        ({"dataset_parameter": "labels"}, "dataset_parameter", "is not a dataset parameter"),
        ({"values": {"training_dat": {"dataset_id": 1}}}, "values", "There is no pipeline parameter 'training_dat'"),
        ({"values": {"training_data": "latest"}}, "values", "must name a dataset"),
        ({"drift_window_minutes": 0}, "drift_window_minutes", "greater than or equal to 1"),
        ({"drift_features": 0}, "drift_features", "greater than or equal to 1"),
        ({"colour": "red"}, "colour", "Unknown field"),
    ],
)
def test_bad_fields_are_refused_by_name(trained, retrainer, api, editor, change, field, phrase) -> None:
    fields = refused(api, editor, trained, {"pipeline_endpoint": retrainer.pk, "metric": "Accuracy"} | change)

    assert list(fields) == [field]
    assert phrase in " ".join(fields[field])


def test_a_dataset_of_another_workspace_in_the_values_is_refused(
    trained, retrainer, api, editor, outsider, other_workspace
) -> None:
    theirs = upload_sample(outsider, other_workspace)
    body = {"pipeline_endpoint": retrainer.pk, "metric": "AUC", "values": {"training_data": {"dataset_id": theirs.pk}}}

    fields = refused(api, editor, trained, body)

    assert fields == {
        "values": [f"Parameter 'training_data' names dataset {theirs.pk}, which is not in this workspace."]
    }


def test_a_pipeline_without_a_dataset_parameter_or_without_metrics_is_refused(
    trained, api, editor, owner, workspace
) -> None:
    plain = create_pipeline(owner, workspace, "Plain", document=train_score_evaluate(trained.dataset.pk, "diagnosis"))
    unparameterized = publish(owner, plain, "rt-plain")
    doc = {
        "schema_version": 1,
        "nodes": [
            {"id": "data", "module": "dataset", "version": 1, "params": {"dataset": {"$param": "training_data"}}}
        ],
        "edges": [],
        "parameters": {"training_data": {"type": "dataset", "default": {"dataset_id": trained.dataset.pk}}},
        "layout": {},
    }
    unmeasured = publish(owner, create_pipeline(owner, workspace, "No metrics", document=doc), "rt-unmeasured")

    no_parameter = refused(api, editor, trained, {"pipeline_endpoint": unparameterized.pk, "metric": "AUC"})
    no_metrics = refused(api, editor, trained, {"pipeline_endpoint": unmeasured.pk, "metric": "AUC"})

    assert "is not parameterized on its training dataset" in no_parameter["pipeline_endpoint"][0]
    assert "reports no metric" in no_metrics["pipeline_endpoint"][0]


def test_a_patch_without_a_policy_and_missing_required_fields(trained, retrainer, api, editor) -> None:
    patched = api(editor).patch(url(trained), {"metric": "AUC"}, format="json")
    missing = api(editor).put(url(trained), {"pipeline_endpoint": retrainer.pk}, format="json")

    assert patched.status_code == 404 and "has no retraining policy" in patched.json()["detail"]
    assert missing.status_code == 400 and list(missing.json()["fields"]) == ["metric"]
    assert not RetrainingPolicy.objects.exists()


def test_auto_promotion_is_accepted_where_the_operator_allows_it(trained, retrainer, api, editor, settings) -> None:
    settings.TESSERA_RETRAINING_AUTO_PROMOTE = True
    body = {"pipeline_endpoint": retrainer.pk, "metric": "Accuracy", "auto_promote": True, "margin": 0.01}

    response = api(editor).put(url(trained), body, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["auto_promote"] is True and response.json()["auto_promote_allowed"] is True


def test_the_options_offer_the_served_models_metrics_and_the_workspaces_pipeline_endpoints(
    trained, retrainer, api, viewer, owner, workspace
) -> None:
    plain = create_pipeline(owner, workspace, "Plain", document=train_score_evaluate(trained.dataset.pk, "diagnosis"))
    publish(owner, plain, "rt-plain")

    response = api(viewer).get(url(trained, "options/"))

    body = response.json()
    assert response.status_code == 200 and body["task"] == "binary" and body["problem"] == ""
    assert [m["name"] for m in body["metrics"]] == ["AUC", "Accuracy", "F1 Score", "Precision", "Recall"]
    assert [(p["name"], p["dataset_parameters"], p["problem"] == "") for p in body["pipeline_endpoints"]] == [
        ("rt-plain", [], False),
        ("rt-retrain", ["training_data"], True),
    ]
    assert body["auto_promote_allowed"] is False
