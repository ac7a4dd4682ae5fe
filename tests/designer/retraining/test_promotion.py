"""Champion against challenger, then approval, rejection or automatic promotion (nodes run in-process)."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import pytest
from rest_framework.test import APIClient

from designer.activity.models import ActivityEvent
from designer.artifacts import artifact_store
from designer.endpoints import services as endpoint_services
from designer.endpoints.models import Endpoint
from designer.engine.execute import load_output
from designer.engine.graph import parse_graph
from designer.published.services import start_run
from designer.registry.models import RegisteredModel
from designer.retraining import services
from designer.retraining.models import Challenger
from designer.runs import services as run_services
from designer.runs.models import Run
from tests.designer.runs.conftest import drain
from tests.support.retraining import LABEL, request_rows, upload_drifted_version

from .conftest import evaluated

pytestmark = pytest.mark.django_db
S = Challenger.Status


def score(endpoint: Endpoint, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {endpoint.primary_key}")
    body = json.dumps({"Inputs": {"WebServiceInput0": rows}, "GlobalParameters": {}})
    response = client.generic("POST", f"/endpoints/{endpoint.name}/score", body, content_type="application/json")
    assert response.status_code == 200, response.content
    answer: list[dict[str, Any]] = response.json()["Results"]["WebServiceOutput0"]
    return answer


def output_of(run: Run, node: str, port: str) -> Any:
    record = run.nodes.get(node_id=node).outputs[port]
    return load_output(artifact_store(), record["type"], record["digest"])


def served_model(endpoint: Endpoint) -> str:
    endpoint.refresh_from_db()
    graph = parse_graph(endpoint.document)
    return next(str(n.params["artifact"]) for n in graph.nodes.values() if n.module == "saved_trained_model")


def retrain(retrainer: Any, kind: str = "schedule") -> Run:
    run = drain(start_run(retrainer, kind=kind))
    assert run.status == Run.Status.COMPLETED, run.error
    return run


def verbs(**filters: Any) -> list[tuple[str, str]]:
    events = ActivityEvent.objects.filter(**filters).order_by("created_at", "id")
    return [(e.verb, e.object_type) for e in events]


def test_a_finished_run_is_measured_against_the_served_model_on_its_held_out_rows(
    trained, retrainer, policy, owner
) -> None:
    upload_drifted_version(owner, trained.dataset)
    run = retrain(retrainer)

    services.tick()
    services.tick()  # a second pass finds the same run claimed: still one challenger
    challenger = Challenger.objects.get()
    assert challenger.status == S.EVALUATING and challenger.run == run
    assert Challenger.objects.count() == 1 and Run.objects.filter(trigger__kind="retraining_evaluation").count() == 1
    challenger = evaluated(run)

    assert challenger.status == S.PENDING, challenger.error
    assert challenger.metric == "Accuracy" and challenger.higher_is_better is True
    # the challenger side is what the retraining run's own Evaluate Model measured: same model, rows, scoring
    own = output_of(run, "evaluate", "evaluation_results").values
    assert challenger.challenger_value == own["Accuracy"]
    assert set(challenger.challenger_metrics) >= {"AUC", "Accuracy", "F1 Score", "Precision", "Recall"}
    # the champion side is the served model on the same held-out rows, as the endpoint itself scores them
    held_out = output_of(run, "split", "results_dataset2").df
    assert challenger.held_out_artifact == run.nodes.get(node_id="split").outputs["results_dataset2"]["digest"]
    served = pd.DataFrame(score(trained.endpoint, request_rows(held_out)))
    assert challenger.champion_value == pytest.approx((served["Scored Labels"] == held_out[LABEL]).mean())
    assert challenger.champion_artifact == served_model(trained.endpoint) == trained.model.artifact
    assert challenger.improvement == pytest.approx(challenger.challenger_value - challenger.champion_value)
    assert challenger.improvement > 0.2 and challenger.wins is True
    assert [v for v in verbs(object_type="challenger")] == [("created", "challenger"), ("finished", "challenger")]
    finished = ActivityEvent.objects.get(verb="finished", object_type="challenger")
    assert finished.detail["status"] == "pending" and finished.detail["wins"] is True


def test_approval_registers_the_model_and_serves_the_challengers_inference_pipeline(
    trained, retrainer, policy, owner, api, editor
) -> None:
    upload_drifted_version(owner, trained.dataset)
    run = retrain(retrainer)
    challenger = evaluated(run)
    revision = trained.endpoint.revision
    before = ActivityEvent.objects.latest("id").pk

    response = api(editor).post(f"/api/challengers/{challenger.pk}/approve/", {"note": "ship it"}, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "promoted" and body["decided_by"] == "eddie" and body["automatic"] is False
    model = RegisteredModel.objects.get(name="rt-endpoint")
    assert (model.version, model.run_id, model.node_id, model.artifact) == (
        1,
        run.pk,
        "train",
        challenger.challenger_artifact,
    )
    assert body["registered_model"] == {"id": model.pk, "name": "rt-endpoint", "version": 1}
    endpoint = Endpoint.objects.get(pk=trained.endpoint.pk)
    assert endpoint.revision == revision + 1 and endpoint.version_number == body["deployed_version"] == 2
    assert served_model(endpoint) == challenger.challenger_artifact
    # the endpoint now answers what the challenger run's Score Model computed for the same rows
    scored = output_of(run, "score", "scored_dataset").df
    answer = pd.DataFrame(score(endpoint, request_rows(scored.drop(columns=["Scored Labels", "Scored Probabilities"]))))
    assert list(answer["Scored Labels"]) == list(scored["Scored Labels"])
    assert answer["Scored Probabilities"].tolist() == pytest.approx(scored["Scored Probabilities"].tolist())
    assert verbs(pk__gt=before) == [
        ("approved", "challenger"),
        ("created", "model"),
        ("created", "pipeline"),  # the inference pipeline derived from the challenger run
        ("saved", "pipeline"),  # ... saved as the next version of the endpoint's pipeline
        ("redeployed", "endpoint"),
        ("promoted", "challenger"),
    ]

    again = api(editor).post(f"/api/challengers/{challenger.pk}/approve/", {}, format="json")

    assert again.status_code == 409 and "promoted" in again.json()["detail"]
    assert RegisteredModel.objects.filter(name="rt-endpoint").count() == 1
    assert Endpoint.objects.get(pk=endpoint.pk).revision == revision + 1


def test_rejecting_keeps_the_champion(trained, retrainer, policy, owner, api, editor) -> None:
    upload_drifted_version(owner, trained.dataset)
    challenger = evaluated(retrain(retrainer))
    models = RegisteredModel.objects.count()

    rejected = api(editor).post(f"/api/challengers/{challenger.pk}/reject/", {"note": "not yet"}, format="json")
    approved_after = api(editor).post(f"/api/challengers/{challenger.pk}/approve/", {}, format="json")

    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert rejected.json()["note"] == "not yet"
    assert approved_after.status_code == 409
    endpoint = Endpoint.objects.get(pk=trained.endpoint.pk)
    assert endpoint.revision == trained.endpoint.revision and served_model(endpoint) == trained.model.artifact
    assert RegisteredModel.objects.count() == models
    assert ActivityEvent.objects.filter(verb="rejected", object_id=challenger.pk, actor__username="eddie").exists()
    assert not ActivityEvent.objects.filter(verb__in=["approved", "promoted", "redeployed"]).exists()


@pytest.mark.parametrize("margin", [0.05, 0.0])
def test_promotion_is_automatic_when_allowed_and_the_challenger_wins_by_the_margin(
    trained, retrainer, owner, settings, margin
) -> None:
    settings.TESSERA_RETRAINING_AUTO_PROMOTE = True
    body = {"pipeline_endpoint": retrainer.pk, "metric": "Accuracy", "auto_promote": True, "margin": margin}
    services.save_policy(trained.endpoint, owner, body)
    upload_drifted_version(owner, trained.dataset)

    challenger = evaluated(retrain(retrainer, kind="data"))

    assert challenger.status == S.PROMOTED and challenger.automatic is True and challenger.decided_by is None
    assert served_model(trained.endpoint) == challenger.challenger_artifact
    assert RegisteredModel.objects.filter(name="rt-endpoint").count() == 1
    promoted = ActivityEvent.objects.get(verb="promoted")
    assert promoted.actor is None and promoted.detail["automatic"] is True
    assert not ActivityEvent.objects.filter(verb="approved").exists()


def test_no_automatic_promotion_when_the_margin_is_not_met(trained, retrainer, owner, settings) -> None:
    settings.TESSERA_RETRAINING_AUTO_PROMOTE = True
    body = {"pipeline_endpoint": retrainer.pk, "metric": "Accuracy", "auto_promote": True, "margin": 0.9}
    services.save_policy(trained.endpoint, owner, body)
    upload_drifted_version(owner, trained.dataset)

    challenger = evaluated(retrain(retrainer))

    assert challenger.status == S.PENDING and challenger.wins is False and 0.2 < challenger.improvement < 0.9
    assert challenger.note == "Not promoted automatically: it did not win by the margin (0.9 Accuracy)."
    assert served_model(trained.endpoint) == trained.model.artifact
    assert not RegisteredModel.objects.filter(name="rt-endpoint").exists()
    assert not ActivityEvent.objects.filter(verb__in=["promoted", "redeployed"]).exists()


def test_no_automatic_promotion_once_the_operator_forbids_it(trained, retrainer, owner, settings) -> None:
    settings.TESSERA_RETRAINING_AUTO_PROMOTE = True
    body = {"pipeline_endpoint": retrainer.pk, "metric": "Accuracy", "auto_promote": True}
    services.save_policy(trained.endpoint, owner, body)
    settings.TESSERA_RETRAINING_AUTO_PROMOTE = False
    upload_drifted_version(owner, trained.dataset)

    challenger = evaluated(retrain(retrainer))

    assert challenger.status == S.PENDING and challenger.wins is True
    assert challenger.note == "Not promoted automatically: the operator does not allow automatic promotion."
    assert served_model(trained.endpoint) == trained.model.artifact
    assert not ActivityEvent.objects.filter(verb__in=["promoted", "redeployed"]).exists()


def test_the_same_data_retrained_does_not_win(trained, retrainer, policy) -> None:
    challenger = evaluated(retrain(retrainer))

    assert challenger.status == S.PENDING
    assert challenger.challenger_artifact == challenger.champion_artifact  # same rows, same seed: the same model
    assert challenger.improvement == 0 and challenger.wins is False


def test_a_cancelled_run_is_a_failed_challenger_and_earlier_runs_are_ignored(trained, owner, workspace) -> None:
    from tests.support.retraining import published_retrainer

    retrainer = published_retrainer(owner, workspace, trained.dataset, "rt-other")
    earlier = retrain(retrainer)
    policy, _ = services.save_policy(trained.endpoint, owner, {"pipeline_endpoint": retrainer.pk, "metric": "AUC"})
    upload_drifted_version(owner, trained.dataset)  # new rows: nothing of the run is cached, so it can be cancelled
    run = start_run(retrainer, kind="rest")
    run_services.cancel_run(run)

    services.tick()

    challenger = Challenger.objects.get()
    assert challenger.run == run and challenger.status == S.FAILED
    assert challenger.error == f"Retraining run {run.pk} cancelled: cancelled by user"
    assert not Challenger.objects.filter(run=earlier).exists()
    assert ActivityEvent.objects.get(object_type="challenger").detail["status"] == "failed"
    policy.refresh_from_db()
    assert policy.alarm_since is not None  # decided: the alarm measures later traffic only


def test_a_redeploy_supersedes_a_pending_challenger(trained, retrainer, policy, owner, api, editor) -> None:
    upload_drifted_version(owner, trained.dataset)
    challenger = evaluated(retrain(retrainer))
    endpoint_services.redeploy(trained.endpoint, 1, owner)  # someone serves the pipeline's version 1 again

    services.tick()
    response = api(editor).post(f"/api/challengers/{challenger.pk}/approve/", {}, format="json")

    challenger.refresh_from_db()
    assert challenger.status == S.SUPERSEDED
    assert response.status_code == 409
    assert not RegisteredModel.objects.filter(name="rt-endpoint").exists()


def test_challengers_list_both_metrics_and_the_detail_draws_both_models(
    trained, retrainer, policy, owner, api, viewer
) -> None:
    upload_drifted_version(owner, trained.dataset)
    challenger = evaluated(retrain(retrainer))

    listed = api(viewer).get(f"/api/endpoints/{trained.endpoint.pk}/challengers/")
    detail = api(viewer).get(f"/api/challengers/{challenger.pk}/")
    refused = api(viewer).post(f"/api/challengers/{challenger.pk}/approve/", {}, format="json")

    assert listed.status_code == 200
    [row] = listed.json()["results"]
    assert row["id"] == challenger.pk and row["status"] == "pending" and row["trigger"]["kind"] == "schedule"
    assert row["champion"]["value"] == challenger.champion_value
    assert row["challenger"]["metrics"]["Accuracy"] == challenger.challenger_value
    roc = detail.json()["figures"]["roc"]
    assert [t["name"] for t in roc["data"][:2]] == ["challenger", "champion"]
    assert "(challenger)" in roc["layout"]["title"]["text"]
    assert refused.status_code == 403
    assert Challenger.objects.get().status == S.PENDING
