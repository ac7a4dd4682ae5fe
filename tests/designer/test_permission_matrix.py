"""Every route x five callers: who may do what, and that a refused write changes nothing.

Routes are discovered from the URL configuration (recursively) and cross-checked against the OpenAPI
schema, so a new route fails here until it is given a row in MATRIX (or a reason in NOT_IN_MATRIX).

Outcome classes:
- allowed: a 2xx, so the request bodies below are ones that really succeed;
- forbidden: 403 naming the role needed (a member whose role is too low);
- invisible: 404 (not a member: existence is never revealed);
- unauthenticated: 401/403 "credentials were not provided" (anonymous).

The world (a workspace with a dataset, a pipeline with two versions, a completed run, a deployed
endpoint and two registered models, one of them not served; another workspace with a dataset of its
own) is built once for the module and committed; each case runs in a transaction that is rolled back,
so an allowed DELETE does not disturb the next case.

The last part holds artifact references: every module that takes an artifact digest, given another
workspace's digest (an outsider's, a removed member's, another workspace's dataset), is refused with
a 400 naming the node and the parameter wherever a document is written, submitted or deployed, and
given its own workspace's digest is accepted.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django_celery_beat.models import PeriodicTask
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from designer.artifacts.models import ArtifactOwnership
from designer.components import services as component_services
from designer.datasets import services as dataset_services
from designer.datasets.models import DatasetRegistration
from designer.endpoints import services as endpoint_services
from designer.endpoints.models import Endpoint
from designer.environments import services as environment_services
from designer.pipelines import services as pipeline_services
from designer.pipelines.models import PipelineVersion
from designer.published import services as published_services
from designer.registry import services as registry_services
from designer.runs import services as run_services
from designer.schedules import services as schedule_services
from designer.schedules.models import Schedule
from designer.workspaces.models import Membership, Workspace
from designer.workspaces.permissions import Role
from designer.workspaces.services import create_workspace
from modules.sdk import artifact_params, default_registry
from tests.designer.factories import IRIS_CSV, PASSWORD
from tests.designer.runs.conftest import drain
from tests.support.pipelines import document, train_score_evaluate
from tests.support.retraining import pending_challenger, published_retrainer
from tests.support.world import train_and_deploy

MARKER = "hush"  # in every world object's name: an outsider's or anonymous response must never contain it
CALLERS = ("owner", "editor", "viewer", "outsider", "anonymous")
CALLER_ROLE = {"owner": Role.OWNER, "editor": Role.EDITOR, "viewer": Role.VIEWER}
SIGNED_IN = "signed in"  # any authenticated user; lists and creation are scoped inside the view
PUBLIC = "public"  # anyone, anonymous included


# -- the world --------------------------------------------------------------------------------------


@dataclass
class World:
    users: dict[str, Any]
    workspace: int
    other_workspace: int
    dataset: int
    column: str
    pipeline: int
    run: int
    inference_pipeline: int
    endpoint: int
    endpoint_name: str
    endpoint_key: str
    example: Any
    model: int
    unserved_model: int
    extra_member: int
    trained_model: str  # digest of the run's trained model: the team's own artifact
    elsewhere_dataset: str  # digest of a dataset version uploaded to the other workspace
    tokens: dict[str, str] = field(default_factory=dict)
    # a pipeline endpoint publishing the trained pipeline: version 1 (default, ran once), version 2 (never ran)
    pipeline_endpoint: int = 0
    pipeline_endpoint_name: str = ""
    pipeline_endpoint_key: str = ""
    # a schedule of that endpoint, and a data trigger (on the team's dataset) of another one whose pipeline
    # reads a dataset parameter
    schedule: int = 0
    data_trigger: int = 0
    trigger_endpoint: int = 0
    # a retraining policy on the endpoint (a pipeline endpoint parameterized on its dataset), a pending challenger
    retraining_pipeline_endpoint: int = 0
    challenger: int = 0
    component: int = 0  # a graph component with two versions, used by no pipeline
    environment: int = 0  # an environment with one version
    dataset_registration: int = 0  # an upload a worker registered (Prefer: respond-async) as the dataset's version 1


def _build_world() -> World:
    users = get_user_model().objects
    people = {name: users.create_user(f"mx_{name}", f"mx_{name}@example.com", PASSWORD) for name in CALLERS[:4]}
    extra = users.create_user("mx_extra", "mx_extra@example.com", PASSWORD)
    users.create_user("mx_newbie", "mx_newbie@example.com", PASSWORD)
    owner = people["owner"]
    team = create_workspace(user=owner, name=f"Team {MARKER}")
    for name, role in (("editor", "editor"), ("viewer", "viewer")):
        Membership.objects.create(workspace=team, user=people[name], role=role)
    Membership.objects.create(workspace=team, user=extra, role="viewer")
    elsewhere = create_workspace(user=people["outsider"], name="Elsewhere")
    theirs = dataset_services.create_dataset(people["outsider"], elsewhere, "Theirs", _csv(None))

    trained = train_and_deploy(owner, team, MARKER)
    dataset, pipeline, run, endpoint, model = (
        trained.dataset,
        trained.pipeline,
        trained.run,
        trained.endpoint,
        trained.model,
    )
    inference = trained.inference
    dataset_services.update_dataset(dataset, name=f"Cancer {MARKER}")
    # A model no endpoint serves, so that deleting it can succeed (the served one answers 409).
    retrained = pipeline_services.create_pipeline(
        owner, team, f"Retrained {MARKER}", document=train_score_evaluate(dataset.pk, "diagnosis", random_seed=7)
    )
    rerun = drain(run_services.submit_run(user=owner, pipeline=retrained))
    assert rerun.status == "completed", rerun.error
    unserved = registry_services.register_model(owner, rerun, "train", f"{MARKER}-unserved")
    assert unserved.artifact != model.artifact
    published = published_services.create_endpoint(workspace=team, user=owner, name=f"{MARKER}-pub", pipeline=pipeline)
    published_services.publish_version(published, user=owner)
    drain(published_services.start_run(published, kind="rest"))
    schedule = schedule_services.create_schedule(
        published, user=owner, data={"cron": "0 6 * * *", "name": f"{MARKER} schedule"}
    )
    reads = document(
        [("data", "dataset", {"dataset": {"$param": "data"}}), ("split", "split_data", {})],
        ["data.dataset -> split.dataset"],
    )
    reads["parameters"] = {"data": {"type": "dataset", "default": {"dataset_id": dataset.pk, "version": None}}}
    reader = pipeline_services.create_pipeline(owner, team, f"Reader {MARKER}", document=reads)
    trigger_endpoint = published_services.create_endpoint(
        workspace=team, user=owner, name=f"{MARKER}-reader", pipeline=reader
    )
    trigger = schedule_services.create_trigger(
        trigger_endpoint, user=owner, data={"dataset": dataset.pk, "parameter": "data", "name": f"{MARKER} trigger"}
    )
    retrainer = published_retrainer(owner, team, dataset, f"{MARKER}-retrain")
    challenger = pending_challenger(owner, endpoint, retrainer, rerun)
    component = component_services.create_component(
        owner, team, f"Pick {MARKER}", "", "first", _component_doc(["diagnosis"])
    )
    component_services.save_version(owner, component, _component_doc(["diagnosis", "radius"]), "second", 1)
    environment = environment_services.create_environment(
        owner, team, name=f"Env {MARKER}", requirements=["tabulate==0.9.0"]
    )
    return World(
        environment=environment.pk,
        component=component.pk,
        users=people,
        workspace=team.pk,
        other_workspace=elsewhere.pk,
        dataset=dataset.pk,
        column="diagnosis",
        pipeline=pipeline.pk,
        run=run.pk,
        inference_pipeline=inference.pk,
        endpoint=endpoint.pk,
        endpoint_name=endpoint.name,
        endpoint_key=endpoint.primary_key,
        example=endpoint.example,
        model=model.pk,
        unserved_model=unserved.pk,
        extra_member=extra.pk,
        trained_model=model.artifact,
        elsewhere_dataset=theirs.versions.get().digest,
        tokens={name: Token.objects.create(user=user).key for name, user in people.items()},
        pipeline_endpoint=published.pk,
        pipeline_endpoint_name=published.name,
        pipeline_endpoint_key=published.primary_key,
        schedule=schedule.pk,
        data_trigger=trigger.pk,
        trigger_endpoint=trigger_endpoint.pk,
        retraining_pipeline_endpoint=retrainer.pk,
        challenger=challenger.pk,
        dataset_registration=DatasetRegistration.objects.create(
            workspace=team,
            name=dataset.name,
            source_name="data.csv",
            staged_digest="0" * 64,
            size_bytes=1,
            status=DatasetRegistration.COMPLETED,
            version=dataset.versions.get(version=1),
            created_by=owner,
        ).pk,
    )


def _tear_down(world: World) -> None:
    schedules = Schedule.objects.filter(endpoint__workspace_id=world.workspace)
    PeriodicTask.objects.filter(pk__in=schedules.values("periodic_task_id")).delete()  # beat entries
    Endpoint.objects.filter(workspace_id__in=[world.workspace, world.other_workspace]).delete()
    Workspace.objects.filter(pk__in=[world.workspace, world.other_workspace]).delete()
    get_user_model().objects.filter(username__startswith="mx_").delete()


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    """Built once and committed (the WebSocket consumer reads it from another connection); removed after."""
    with django_db_blocker.unblock():
        # Nodes are executed in-process by ``drain``; nothing must be sent to a broker meanwhile.
        with mock.patch("designer.runs.services._dispatch"):
            built = _build_world()
        try:
            yield built
        finally:
            _tear_down(built)


def _client(world: World, caller: str) -> APIClient:
    client = APIClient()
    if caller != "anonymous":
        client.force_authenticate(world.users[caller])
    return client


def _fingerprint() -> dict[str, list[dict[str, Any]]]:
    """Every row of every designer model, users and tokens: a refused write must leave all of it as it was."""
    models = [m for m in apps.get_models() if m.__module__.startswith("designer.")]
    models += [get_user_model(), Token]
    return {m._meta.label: list(m.objects.order_by("pk").values()) for m in models}


# -- the matrix -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    method: str
    template: str  # as the OpenAPI schema writes it
    rule: Any  # Role (minimum role in the object's workspace), SIGNED_IN or PUBLIC
    ids: dict[str, str] = field(default_factory=dict)  # template parameter -> World attribute
    query: Callable[[World], dict[str, Any]] | None = None
    body: Callable[[World], dict[str, Any]] | None = None
    multipart: bool = False

    def path(self, w: World) -> str:
        values = {k: getattr(w, v) if hasattr(w, v) else v for k, v in self.ids.items()}
        return self.template.format(**values)


def _csv(w: World | None) -> SimpleUploadedFile:
    return SimpleUploadedFile("mx.csv", IRIS_CSV.encode(), content_type="text/csv")


def _doc(w: World) -> dict[str, Any]:
    return pipeline_services.empty_document()


def _component_doc(columns: list[str]) -> dict[str, Any]:
    return {
        "kind": "graph",
        "graph": document([("a", "select_columns", {"columns": columns})], []),
        "inputs": [{"name": "dataset", "targets": [{"node": "a", "port": "dataset"}]}],
        "outputs": [{"name": "picked", "source": {"node": "a", "port": "results_dataset"}}],
        "parameters": [],
    }


def _two_nodes(w: World) -> dict[str, Any]:
    return document(
        [("a", "select_columns", {"columns": ["x"]}), ("b", "select_columns", {"columns": ["x"]})],
        ["a.results_dataset -> b.dataset"],
    )


def _uses_component(w: World) -> dict[str, Any]:
    doc = document([("c", f"component:{w.component}", {})], [])
    return doc


V, E, OWN = Role.VIEWER, Role.EDITOR, Role.OWNER
WS = {"id": "workspace"}
DS = {"id": "dataset", "number": "1"}
PL = {"id": "pipeline"}
CMP = {"id": "component"}
RUN = {"id": "run"}
OUT = {"id": "run", "node_id": "split", "port": "results_dataset1"}
EP = {"id": "endpoint"}
PEP = {"id": "pipeline_endpoint"}
SCH = {"id": "schedule"}
TRG = {"id": "data_trigger"}
CREDENTIALS = {"username": "mx_outsider", "password": PASSWORD}  # logging in reveals only their own

MATRIX = [
    # accounts
    Case("GET", "/api/auth/csrf/", PUBLIC),
    Case("POST", "/api/auth/login/", PUBLIC, body=lambda w: CREDENTIALS),
    Case("POST", "/api/auth/logout/", PUBLIC),
    Case("GET", "/api/auth/me/", SIGNED_IN),
    Case("POST", "/api/auth/token/", PUBLIC, body=lambda w: CREDENTIALS),
    # workspaces and members
    Case("GET", "/api/workspaces/", SIGNED_IN),
    Case("POST", "/api/workspaces/", SIGNED_IN, body=lambda w: {"name": "mx new"}),
    Case("GET", "/api/workspaces/{id}/", V, WS),
    Case("PATCH", "/api/workspaces/{id}/", OWN, WS, body=lambda w: {"name": "mx renamed"}),
    Case("DELETE", "/api/workspaces/{id}/", OWN, WS),
    Case("GET", "/api/workspaces/{id}/members/", V, WS),
    Case("POST", "/api/workspaces/{id}/members/", OWN, WS, body=lambda w: {"user": "mx_newbie", "role": "viewer"}),
    Case("PATCH", "/api/workspaces/{id}/members/{user_id}/", OWN, {**WS, "user_id": "extra_member"},
         body=lambda w: {"role": "editor"}),
    Case("DELETE", "/api/workspaces/{id}/members/{user_id}/", OWN, {**WS, "user_id": "extra_member"}),
    Case("GET", "/api/workspaces/{id}/activity/", V, WS),
    # environments
    Case("GET", "/api/workspaces/{id}/environments/", V, WS),
    Case("POST", "/api/workspaces/{id}/environments/", E, WS,
         body=lambda w: {"name": "mx env", "requirements": ["tabulate==0.9.0"]}),
    Case("GET", "/api/workspaces/{id}/environments/{environment_id}/", V, {**WS, "environment_id": "environment"}),
    Case("POST", "/api/workspaces/{id}/environments/{environment_id}/versions/", E,
         {**WS, "environment_id": "environment"}, body=lambda w: {"requirements": ["tabulate==0.9.1"]}),
    # datasets
    Case("GET", "/api/datasets/", SIGNED_IN),
    Case("POST", "/api/datasets/", E, multipart=True,
         body=lambda w: {"workspace": w.workspace, "name": "mx upload", "file": _csv(w)}),
    Case("POST", "/api/datasets/preview/", E, multipart=True,
         body=lambda w: {"workspace": w.workspace, "file": _csv(w)}),
    Case("GET", "/api/dataset-registrations/", SIGNED_IN),
    Case("GET", "/api/dataset-registrations/{id}/", V, {"id": "dataset_registration"}),
    Case("DELETE", "/api/dataset-registrations/{id}/", E, {"id": "dataset_registration"}),
    Case("GET", "/api/datasets/{id}/", V, {"id": "dataset"}),
    Case("PATCH", "/api/datasets/{id}/", E, {"id": "dataset"}, body=lambda w: {"description": "mx"}),
    Case("DELETE", "/api/datasets/{id}/", E, {"id": "dataset"}),
    Case("GET", "/api/datasets/{id}/versions/", V, {"id": "dataset"}),
    Case("POST", "/api/datasets/{id}/versions/", E, {"id": "dataset"}, multipart=True,
         body=lambda w: {"file": _csv(w)}),
    Case("GET", "/api/datasets/{id}/versions/{number}/", V, DS),
    Case("GET", "/api/datasets/{id}/versions/{number}/preview/", V, DS),
    Case("GET", "/api/datasets/{id}/versions/{number}/download/", V, DS),
    Case("GET", "/api/datasets/{id}/versions/{number}/figures/", V, DS, query=lambda w: {"column": w.column}),
    # catalogue
    Case("GET", "/api/modules/", SIGNED_IN),
    Case("GET", "/api/modules/{module_id}/", SIGNED_IN, {"module_id": "split_data"}),
    Case(
        "POST",
        "/api/modules/{module_id}/upgrade/",
        SIGNED_IN,
        {"module_id": "split_data"},
        body=lambda w: {"from_version": 1, "params": {}},
    ),
    Case("GET", "/api/port-types/", SIGNED_IN),
    Case("GET", "/api/compute-targets/", SIGNED_IN),
    # pipelines
    Case("GET", "/api/pipelines/", SIGNED_IN),
    Case("POST", "/api/pipelines/", E, body=lambda w: {"workspace": w.workspace, "name": "mx new"}),
    Case("GET", "/api/pipelines/json-schema/", SIGNED_IN),
    Case("POST", "/api/pipelines/validate/", V, body=lambda w: {"workspace": w.workspace, "document": _doc(w)}),
    Case("POST", "/api/pipelines/import/", E, body=lambda w: {"workspace": w.workspace, "file": _doc(w)}),
    Case("GET", "/api/pipelines/{id}/", V, PL),
    Case("PATCH", "/api/pipelines/{id}/", E, PL, body=lambda w: {"description": "mx"}),
    Case("DELETE", "/api/pipelines/{id}/", E, PL),
    Case("GET", "/api/pipelines/{id}/versions/", V, PL),
    Case("POST", "/api/pipelines/{id}/versions/", E, PL, body=lambda w: {"document": _doc(w)}),
    Case("GET", "/api/pipelines/{id}/versions/{number}/", V, {**PL, "number": "1"}),
    Case("POST", "/api/pipelines/{id}/versions/{number}/restore/", E, {**PL, "number": "1"}, body=lambda w: {}),
    Case("GET", "/api/pipelines/{id}/diff/", V, PL, query=lambda w: {"from": 1}),
    Case("GET", "/api/pipelines/{id}/draft/", V, PL),
    Case("PUT", "/api/pipelines/{id}/draft/", E, PL, body=lambda w: {"document": _doc(w)}),
    Case("DELETE", "/api/pipelines/{id}/draft/", E, PL),
    Case("POST", "/api/pipelines/{id}/validate/", V, PL, body=lambda w: {}),
    Case("POST", "/api/pipelines/{id}/clone/", E, PL, body=lambda w: {}),
    Case("GET", "/api/pipelines/{id}/export/", V, PL),
    Case("GET", "/api/pipelines/{id}/export-script/", V, PL),
    Case("GET", "/api/sample-pipelines/", SIGNED_IN),
    # components
    Case("GET", "/api/components/", SIGNED_IN),
    Case("POST", "/api/components/", E,
         body=lambda w: {"workspace": w.workspace, "name": "mx new", "document": _component_doc(["x"])}),
    Case("GET", "/api/components/catalogue/", V, query=lambda w: {"workspace": w.workspace}),
    Case("POST", "/api/components/group/", E,
         body=lambda w: {"workspace": w.workspace, "name": "mx grouped", "document": _two_nodes(w),
                         "node_ids": ["a", "b"]}),
    Case("POST", "/api/components/ungroup/", V,
         body=lambda w: {"workspace": w.workspace, "document": _uses_component(w), "node_id": "c"}),
    Case("GET", "/api/components/{id}/", V, CMP),
    Case("PATCH", "/api/components/{id}/", E, CMP, body=lambda w: {"description": "mx"}),
    Case("DELETE", "/api/components/{id}/", E, CMP),
    Case("GET", "/api/components/{id}/versions/", V, CMP),
    Case("POST", "/api/components/{id}/versions/", E, CMP,
         body=lambda w: {"document": _component_doc(["y"]), "base_version": 2}),
    Case("GET", "/api/components/{id}/versions/{number}/", V, {**CMP, "number": "1"}),
    Case("DELETE", "/api/components/{id}/versions/{number}/", E, {**CMP, "number": "2"}),
    Case("GET", "/api/components/{id}/diff/", V, CMP, query=lambda w: {"from": 1, "to": 2}),
    Case(
        "POST",
        "/api/sample-pipelines/{slug}/open/",
        E,
        {"slug": "multiclass-penguins"},
        body=lambda w: {"workspace": w.workspace},
    ),
    # runs
    Case("GET", "/api/runs/", SIGNED_IN),
    Case("POST", "/api/runs/", E, body=lambda w: {"pipeline": w.pipeline}),
    Case("GET", "/api/runs/compare/", V, query=lambda w: {"a": w.run, "b": w.run}),
    Case("GET", "/api/runs/{id}/", V, RUN),
    Case("POST", "/api/runs/{id}/cancel/", E, RUN),
    Case("GET", "/api/runs/{id}/events/", V, RUN),
    Case("GET", "/api/runs/{id}/export-script/", V, RUN),
    Case("GET", "/api/runs/{id}/nodes/{node_id}/log/", V, {**RUN, "node_id": "train"}),
    Case("GET", "/api/runs/{id}/nodes/{node_id}/live/", V, {**RUN, "node_id": "train"}),
    Case("GET", "/api/runs/{id}/nodes/{node_id}/outputs/{port}/", V, OUT),
    Case("GET", "/api/runs/{id}/nodes/{node_id}/outputs/{port}/profile/", V, OUT),
    Case("GET", "/api/runs/{id}/nodes/{node_id}/outputs/{port}/download/", V, OUT),
    Case("GET", "/api/runs/{id}/nodes/{node_id}/outputs/{port}/figures/", V, OUT, query=lambda w: {"column": w.column}),
    Case("GET", "/api/runs/{id}/nodes/{node_id}/training-curve/", V, {**RUN, "node_id": "train"}),
    Case("POST", "/api/runs/{id}/inference-pipeline/", E, RUN, body=lambda w: {}),
    Case("POST", "/api/runs/{id}/batch-inference-pipeline/", E, RUN, body=lambda w: {}),
    # endpoints
    Case("GET", "/api/endpoints/", SIGNED_IN),
    Case("POST", "/api/endpoints/", E,
         body=lambda w: {"workspace": w.workspace, "name": "mx-new", "pipeline": w.inference_pipeline}),
    Case("GET", "/api/endpoints/{id}/", V, EP),
    Case("PATCH", "/api/endpoints/{id}/", E, EP, body=lambda w: {"description": "mx"}),
    Case("DELETE", "/api/endpoints/{id}/", E, EP),
    Case("POST", "/api/endpoints/{id}/regenerate-key/", E, EP, body=lambda w: {"key": "secondary"}),
    Case("GET", "/api/endpoints/{id}/openapi/", V, EP),
    Case("GET", "/api/endpoints/{id}/monitoring/", V, EP),
    Case("GET", "/api/endpoints/{id}/drift/", V, EP),
    Case("GET", "/api/endpoints/{id}/bundle/", V, EP),
    # ONNX export (designer/onnx_export)
    Case("GET", "/api/endpoints/{id}/onnx/", V, EP),
    Case("GET", "/api/pipelines/{id}/onnx/", V, {"id": "inference_pipeline"}),
    Case("POST", "/api/models/{id}/onnx/", E, {"id": "model"}),
    Case("GET", "/api/models/{id}/formats/{format_name}/", V, {"id": "model", "format_name": "native"}),
    Case("GET", "/api/onnx/modules/", SIGNED_IN),
    # retraining
    Case("GET", "/api/endpoints/{id}/retraining/", V, EP),
    Case("PUT", "/api/endpoints/{id}/retraining/", E, EP,
         body=lambda w: {"pipeline_endpoint": w.retraining_pipeline_endpoint, "metric": "Accuracy"}),
    Case("PATCH", "/api/endpoints/{id}/retraining/", E, EP, body=lambda w: {"margin": 0.01}),
    Case("DELETE", "/api/endpoints/{id}/retraining/", E, EP),
    Case("GET", "/api/endpoints/{id}/retraining/options/", V, EP),
    Case("GET", "/api/endpoints/{id}/challengers/", V, EP),
    Case("GET", "/api/challengers/{id}/", V, {"id": "challenger"}),
    Case("POST", "/api/challengers/{id}/approve/", E, {"id": "challenger"}, body=lambda w: {"note": "mx"}),
    Case("POST", "/api/challengers/{id}/reject/", E, {"id": "challenger"}, body=lambda w: {"note": "mx"}),
    # model registry
    Case("GET", "/api/models/", SIGNED_IN),
    Case("POST", "/api/models/", E,
         body=lambda w: {"workspace": w.workspace, "run": w.run, "node": "train", "name": "mx-model"}),
    Case("GET", "/api/models/{id}/", V, {"id": "model"}),
    Case("PATCH", "/api/models/{id}/", E, {"id": "model"}, body=lambda w: {"description": "mx"}),
    Case("DELETE", "/api/models/{id}/", E, {"id": "unserved_model"}),
    # pipeline endpoints (published pipelines)
    Case("GET", "/api/pipeline-endpoints/", SIGNED_IN),
    Case("POST", "/api/pipeline-endpoints/", E,
         body=lambda w: {"workspace": w.workspace, "name": "mx-pub-new", "pipeline": w.pipeline}),
    Case("GET", "/api/pipeline-endpoints/{id}/", V, PEP),
    Case("PATCH", "/api/pipeline-endpoints/{id}/", E, PEP, body=lambda w: {"description": "mx", "default_version": 2}),
    Case("DELETE", "/api/pipeline-endpoints/{id}/", E, PEP),
    Case("GET", "/api/pipeline-endpoints/{id}/versions/", V, PEP),
    Case("POST", "/api/pipeline-endpoints/{id}/versions/", E, PEP, body=lambda w: {"make_default": True}),
    Case("DELETE", "/api/pipeline-endpoints/{id}/versions/{number}/", E, {**PEP, "number": "2"}),
    Case("POST", "/api/pipeline-endpoints/{id}/regenerate-key/", E, PEP, body=lambda w: {"key": "secondary"}),
    Case("GET", "/api/pipeline-endpoints/{id}/runs/", V, PEP),
    Case("POST", "/api/pipeline-endpoints/{id}/runs/", E, PEP, body=lambda w: {"parameters": {}}),
    Case("GET", "/api/pipeline-endpoints/{id}/openapi/", V, PEP),
    # schedules and data triggers of pipeline endpoints
    Case("GET", "/api/pipeline-endpoints/{id}/schedules/", V, PEP),
    Case("POST", "/api/pipeline-endpoints/{id}/schedules/", E, PEP, body=lambda w: {"cron": "0 7 * * *"}),
    Case("GET", "/api/pipeline-endpoints/{id}/data-triggers/", V, {"id": "trigger_endpoint"}),
    Case("POST", "/api/pipeline-endpoints/{id}/data-triggers/", E, {"id": "trigger_endpoint"},
         body=lambda w: {"dataset": w.dataset, "parameter": "data"}),
    Case("POST", "/api/schedules/preview/", SIGNED_IN, body=lambda w: {"cron": "0 7 * * *"}),
    Case("GET", "/api/schedules/{id}/", V, SCH),
    Case("PATCH", "/api/schedules/{id}/", E, SCH, body=lambda w: {"name": "mx"}),
    Case("DELETE", "/api/schedules/{id}/", E, SCH),
    Case("POST", "/api/schedules/{id}/pause/", E, SCH),
    Case("POST", "/api/schedules/{id}/resume/", E, SCH),
    Case("GET", "/api/schedules/{id}/ticks/", V, SCH),
    Case("GET", "/api/data-triggers/{id}/", V, TRG),
    Case("PATCH", "/api/data-triggers/{id}/", E, TRG, body=lambda w: {"name": "mx"}),
    Case("DELETE", "/api/data-triggers/{id}/", E, TRG),
    Case("POST", "/api/data-triggers/{id}/pause/", E, TRG),
    Case("POST", "/api/data-triggers/{id}/resume/", E, TRG),
    Case("GET", "/api/data-triggers/{id}/firings/", V, TRG),
    Case("POST", "/api/runs/{id}/schedule/", E, RUN, body=lambda w: {"cron": "0 7 * * *"}),
]  # fmt: skip

#: Routes outside the role matrix, by URL name (or namespace), each with the reason and its own check below.
NOT_IN_MATRIX = {
    "admin": "Django admin: staff-only pages behind their own login, not part of the REST API",
    "schema": "public: the OpenAPI document describes routes and holds no workspace data",
    "api-docs": "public: the Swagger UI page for the schema",
    "home": "public: the browser app's HTML shell; its data comes from the API",
    "spa": "public: client-side routes of the browser app (the same HTML shell)",
    "scoring-health": "public: liveness probe of scoring servers, no data",
    "metrics": "operators only: a staff user or TESSERA_METRICS_TOKEN, never a workspace role",
    "endpoint-score": "key-governed: the endpoint's key, not a workspace role",
    "endpoint-invocations": "key-governed: the endpoint's key, not a workspace role",
    "endpoint-swagger": "key-governed: the endpoint's key, not a workspace role",
    "pipeline-endpoint-start": "key-governed: the pipeline endpoint's key, not a workspace role",
    "pipeline-endpoint-start-version": "key-governed: the pipeline endpoint's key, not a workspace role",
    "pipeline-endpoint-run": "key-governed: the pipeline endpoint's key, not a workspace role",
    "pipeline-endpoint-run-output": "key-governed: the pipeline endpoint's key, not a workspace role",
    "pipeline-endpoint-swagger": "key-governed: the pipeline endpoint's key, not a workspace role",
}


def expected(rule: Any, caller: str) -> str:
    if rule == PUBLIC:
        return "allowed"
    if caller == "anonymous":
        return "unauthenticated"
    if rule == SIGNED_IN:
        return "allowed"
    if caller == "outsider":
        return "invisible"
    return "allowed" if CALLER_ROLE[caller] >= rule else "forbidden"


def _outcome_ok(outcome: str, response: Any) -> bool:
    status = response.status_code
    if outcome == "allowed":
        return 200 <= status < 300
    detail = (
        response.json().get("detail", "") if response.get("Content-Type", "").startswith("application/json") else ""
    )
    if outcome == "forbidden":
        return status == 403 and "role" in detail
    if outcome == "invisible":
        return status == 404
    return status in (401, 403) and "credentials were not provided" in detail


def _send(client: APIClient, case: Case, w: World) -> Any:
    path = case.path(w)
    query = case.query(w) if case.query else {}
    if case.method == "GET":
        return client.get(path, query)
    body = case.body(w) if case.body else None
    call = getattr(client, case.method.lower())
    if query:
        path += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    if case.multipart:
        return call(path, body, format="multipart")
    return call(path, body, format="json") if body is not None else call(path)


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("case", MATRIX, ids=[f"{c.method} {c.template}" for c in MATRIX])
def test_route_answers_each_caller_as_the_matrix_says(world: World, db: Any, case: Case, caller: str) -> None:
    outcome = expected(case.rule, caller)
    before = _fingerprint() if outcome != "allowed" and case.method != "GET" else None

    response = _send(_client(world, caller), case, world)

    assert _outcome_ok(outcome, response), (
        f"{case.method} {case.path(world)} as {caller}: expected {outcome}, got {response.status_code} "
        f"{response.content[:300]!r}"
    )
    if caller in ("outsider", "anonymous"):
        assert MARKER.encode() not in response.content.lower(), f"{caller} saw the world's objects"
    if before is not None:
        assert _fingerprint() == before, f"a refused {case.method} {case.template} changed the database"


# -- completeness: the URL configuration and the schema ----------------------------------------------


@dataclass(frozen=True)
class Route:
    template: str
    methods: tuple[str, ...]
    name: str


_PARAM = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def _template(raw: str) -> str:
    path = "/" + raw.replace("^", "").replace("$", "").replace("\\", "")
    path = _PARAM.sub(lambda m: "{" + (m.group(1) or m.group(2)) + "}", path)
    return path.replace("{pk}", "{id}")


def _methods(callback: Any) -> tuple[str, ...]:
    actions = getattr(callback, "actions", None)
    if actions:  # a viewset route (HEAD follows GET, OPTIONS is metadata: neither is a separate permission)
        return tuple(sorted(m.upper() for m in actions if m in ("get", "post", "put", "patch", "delete")))
    view = getattr(callback, "view_class", None)
    if view is not None:
        return tuple(sorted(m.upper() for m in ("get", "post", "put", "patch", "delete") if hasattr(view, m)))
    return ("*",)  # a plain function view


def discover(patterns: Any = None, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            yield from discover(p.url_patterns, prefix + str(p.pattern), p.namespace or namespace)
        elif isinstance(p, URLPattern):
            yield Route(_template(prefix + str(p.pattern)), _methods(p.callback), namespace or p.name or "")


def _covered() -> set[tuple[str, str]]:
    return {(c.method, c.template) for c in MATRIX}


def test_every_route_in_the_url_configuration_is_in_the_matrix_or_listed_with_a_reason() -> None:
    routes = list(discover())
    missing = sorted(
        f"{m} {r.template} ({r.name or 'unnamed'})"
        for r in routes
        if r.name not in NOT_IN_MATRIX
        for m in r.methods
        if (m, r.template) not in _covered()
    )
    assert missing == [], "routes with no row in MATRIX and no reason in NOT_IN_MATRIX"
    assert {r.name for r in routes} >= set(NOT_IN_MATRIX), "a reason for a route that no longer exists"


def test_the_matrix_names_only_routes_that_exist() -> None:
    existing = {(m, r.template) for r in discover() for m in r.methods}
    assert sorted(_covered() - existing) == []
    assert len(_covered()) == len(MATRIX), "a route is listed twice"


def test_every_operation_in_the_openapi_schema_is_in_the_matrix(world: World, db: Any) -> None:
    schema = _client(world, "viewer").get("/api/schema/?format=json").json()
    operations = {
        (method.upper(), path)
        for path, item in schema["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }
    assert sorted(operations - _covered()) == []
    assert sorted(_covered() - operations) == [], "a matrix route is missing from the schema"


# -- the routes outside the matrix -----------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/schema/?format=json", "/api/docs/", "/", "/pipelines/1", "/healthz"])
def test_public_pages_answer_anonymous_callers(world: World, db: Any, path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 200
    assert MARKER.encode() not in response.content.lower()


def test_the_admin_needs_a_staff_login(world: World, db: Any) -> None:
    client = Client()
    client.force_login(world.users["owner"])  # owner of a workspace, not staff
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_metrics_refuse_a_session_user_who_is_not_staff(world: World, db: Any) -> None:
    client = Client()
    client.force_login(world.users["owner"])
    assert client.get("/metrics").status_code == 401


@pytest.mark.parametrize(("suffix", "method"), [("score", "post"), ("invocations", "post"), ("swagger.json", "get")])
def test_scoring_routes_are_governed_by_the_endpoint_key_not_by_roles(
    world: World, db: Any, suffix: str, method: str
) -> None:
    url = f"/endpoints/{world.endpoint_name}/{suffix}"
    client = Client()
    client.force_login(world.users["owner"])  # the workspace owner's session is not a key
    body = {"content_type": "application/json", "data": world.example} if method == "post" else {}

    without_key = getattr(client, method)(url, **body)
    with_key = getattr(Client(), method)(url, HTTP_AUTHORIZATION=f"Bearer {world.endpoint_key}", **body)

    assert without_key.status_code == 401
    assert with_key.status_code not in (401, 403), with_key.content[:300]  # the key, and only the key, opens it


@pytest.mark.parametrize(
    ("suffix", "method"),
    [("runs", "post"), ("versions/2/runs", "post"), ("runs/{run}", "get"), ("swagger.json", "get")],
)
def test_pipeline_endpoint_routes_are_governed_by_its_key_not_by_roles(
    world: World, db: Any, suffix: str, method: str
) -> None:
    from designer.published.models import PublishedRun

    run = PublishedRun.objects.filter(endpoint_id=world.pipeline_endpoint).values_list("run_id", flat=True).get()
    url = f"/pipeline-endpoints/{world.pipeline_endpoint_name}/{suffix.format(run=run)}"
    client = Client()
    client.force_login(world.users["owner"])  # the workspace owner's session is not a key
    body = {"content_type": "application/json", "data": {}} if method == "post" else {}

    without_key = getattr(client, method)(url, **body)
    with_key = getattr(Client(), method)(url, HTTP_AUTHORIZATION=f"Bearer {world.pipeline_endpoint_key}", **body)

    assert without_key.status_code == 401
    assert with_key.status_code in (200, 202), with_key.content[:300]  # the key, and only the key, opens it


# -- WebSocket routes -------------------------------------------------------------------------------


def _served_websocket_routes() -> list[str]:
    """The routes of the URLRouter that designer.asgi really serves (found through its middleware)."""
    from designer.asgi import application

    app: Any = application.application_mapping["websocket"]
    for _ in range(10):
        if hasattr(app, "routes"):
            return sorted(str(r.pattern) for r in app.routes)
        app = getattr(app, "application", None) or getattr(app, "inner", None)
    raise AssertionError("no URLRouter found behind the websocket middleware")


def _declared_websocket_routes() -> list[str]:
    found = []
    for app in settings.INSTALLED_APPS:
        if not app.startswith("designer."):
            continue
        try:
            routing = importlib.import_module(f"{app}.routing")
        except ModuleNotFoundError:
            continue
        found += [str(p.pattern) for p in getattr(routing, "websocket_urlpatterns", [])]
    return sorted(found)


#: Each WebSocket route, and the URL to subscribe to the world's object: any member may follow it.
WEBSOCKET_MATRIX: dict[str, Callable[[World], str]] = {
    "ws/runs/<int:run_id>/": lambda w: f"/ws/runs/{w.run}/",
    "ws/pipelines/<int:pipeline_id>/": lambda w: f"/ws/pipelines/{w.pipeline}/",
}


def test_every_websocket_route_is_in_the_websocket_matrix() -> None:
    assert _served_websocket_routes() == sorted(WEBSOCKET_MATRIX)
    assert _declared_websocket_routes() == sorted(WEBSOCKET_MATRIX)


def _socket(world: World, route: str, caller: str, query: str = "") -> WebsocketCommunicator:
    from designer.asgi import application

    headers = [(b"origin", b"http://127.0.0.1")]
    if caller != "anonymous":
        headers.append((b"authorization", f"Token {world.tokens[caller]}".encode()))
    return WebsocketCommunicator(application, WEBSOCKET_MATRIX[route](world) + query, headers=headers)


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("route", sorted(WEBSOCKET_MATRIX))
async def test_subscriptions_follow_the_workspace_roles(world: World, db: Any, route: str, caller: str) -> None:
    ws = _socket(world, route, caller)

    connected, code = await ws.connect()

    if caller in CALLER_ROLE:
        assert connected, f"{caller} was refused {route} with {code}"
        first = await ws.receive_json_from(timeout=5)
        assert first["type"] == "snapshot"
        await ws.disconnect()
    else:
        await ws.disconnect()  # as a browser going away would: the refused consumer ends, no task is left
        assert (connected, code) == (False, 4404 if caller == "outsider" else 4401)


@pytest.mark.parametrize("route", sorted(WEBSOCKET_MATRIX))
async def test_a_forged_subscription_to_another_workspaces_object_is_refused(world: World, db: Any, route: str) -> None:
    """The outsider owns a workspace and holds a valid token; naming the team's object gets 4404 and no data."""
    members = await database_sync_to_async(
        lambda: set(Membership.objects.filter(workspace_id=world.workspace).values_list("user_id", flat=True))
    )()
    assert world.users["outsider"].pk not in members
    ws = _socket(world, route, "outsider", f"?token={world.tokens['outsider']}")

    connected, code = await ws.connect()
    await ws.disconnect()

    assert (connected, code) == (False, 4404)


# -- artifact references ----------------------------------------------------------------------------

#: Every module that takes an artifact digest, and the parameter holding it (checked against the registry).
DIGEST_MODULES = {
    "saved_trained_model": "artifact",
    "saved_dataset": "artifact",
    "saved_transformation": "artifact",
    "saved_files": "artifact",
    "saved_image_model": "artifact",
    "saved_image_transformation": "artifact",
    "web_service_input": "baseline",
}
WSI_PARAMS = {"name": "WebServiceInput0", "columns": [{"name": "x", "type": "number"}], "example": [{"x": 1.5}]}


def test_the_artifact_cases_cover_every_module_that_takes_a_digest() -> None:
    found = {cls.id: artifact_params(cls.Params) for cls in default_registry()}
    assert {module: names for module, names in found.items() if names} == {
        module: [param] for module, param in DIGEST_MODULES.items()
    }


def _referencing(module: str, digest: str) -> tuple[dict[str, Any], str]:
    """A deployable document (Web Service Input -> Output) whose node of ``module`` names ``digest``; that node."""
    param = DIGEST_MODULES[module]
    if module == "web_service_input":
        return document([("input", module, {**WSI_PARAMS, param: digest}), ("output", "web_service_output", {})],
                        ["input.request -> output.dataset"]), "input"  # fmt: skip
    nodes = [("input", "web_service_input", WSI_PARAMS), ("output", "web_service_output", {}), ("ref", module, {})]
    nodes[2][2][param] = digest
    return document(nodes, ["input.request -> output.dataset"]), "ref"


@dataclass
class Stage:
    """Who writes, into which workspace (a pipeline there, its endpoint), with which digest."""

    client: APIClient
    workspace: int
    pipeline: int
    endpoint: int
    digest: str


def _stage(w: World, scenario: str) -> Stage:
    """The caller and workspace of ``scenario``, each with a pipeline and an endpoint of their own (rolled back)."""
    users = w.users
    if scenario == "outsider":  # the team's trained model, in the outsider's own workspace
        user, workspace, digest = users["outsider"], Workspace.objects.get(pk=w.other_workspace), w.trained_model
    elif scenario == "viewer turned outsider":  # copied while a member, then removed, saved into their own workspace
        user = users["viewer"]
        workspace = create_workspace(user=user, name="Vera's own")
        digest = _client(w, "viewer").get(f"/api/models/{w.model}/").json()["artifact"]
        removed = _client(w, "owner").delete(f"/api/workspaces/{w.workspace}/members/{user.pk}/")
        assert removed.status_code == 204, removed.content
    elif scenario == "other workspace's dataset":  # a team editor names the outsider's uploaded table
        user, workspace, digest = users["editor"], Workspace.objects.get(pk=w.workspace), w.elsewhere_dataset
    else:  # "own": the team's trained model in the team
        user, workspace, digest = users["editor"], Workspace.objects.get(pk=w.workspace), w.trained_model
    plain = document([("input", "web_service_input", WSI_PARAMS), ("output", "web_service_output", {})],
                     ["input.request -> output.dataset"])  # fmt: skip
    pipeline = pipeline_services.create_pipeline(user, workspace, "mx refs", document=plain)
    endpoint = endpoint_services.create_endpoint(workspace=workspace, user=user, name="mx-refs", pipeline=pipeline)
    client = APIClient()
    client.force_authenticate(user)
    return Stage(client, workspace.pk, pipeline.pk, endpoint.pk, digest)


def _saved_unchecked(stage: Stage, doc: dict[str, Any]) -> int:
    """``doc`` as the pipeline's next version, written as Tessera did before artifacts were checked."""
    latest = PipelineVersion.objects.filter(pipeline_id=stage.pipeline).order_by("-number").first()
    assert latest is not None
    number = latest.number + 1
    PipelineVersion.objects.create(
        pipeline_id=stage.pipeline, number=number, document=doc, message="saved before artifacts were checked"
    )
    return number


def _prepare(route: str, stage: Stage, doc: dict[str, Any]) -> Callable[[], Any]:
    """The request sending ``doc`` through ``route``. Routes that read a saved version (restore, clone,
    submit, deploy, redeploy) find it stored as Tessera stored it before artifacts were checked."""
    c, p = stage.client, stage.pipeline
    if route == "save":
        return lambda: c.post(f"/api/pipelines/{p}/versions/", {"document": doc}, format="json")
    if route == "create":
        body = {"workspace": stage.workspace, "name": "mx", "document": doc}
        return lambda: c.post("/api/pipelines/", body, format="json")
    if route == "draft":
        return lambda: c.put(f"/api/pipelines/{p}/draft/", {"document": doc}, format="json")
    if route == "import":
        return lambda: c.post("/api/pipelines/import/", {"workspace": stage.workspace, "file": doc}, format="json")
    number = _saved_unchecked(stage, doc)
    if route == "restore":
        _saved_unchecked(stage, pipeline_services.empty_document())  # the unchecked one is no longer the head
        return lambda: c.post(f"/api/pipelines/{p}/versions/{number}/restore/", {}, format="json")
    if route == "clone":
        return lambda: c.post(f"/api/pipelines/{p}/clone/", {"version": number}, format="json")
    if route == "submit":
        return lambda: c.post("/api/runs/", {"pipeline": p}, format="json")
    if route == "deploy":
        body = {"workspace": stage.workspace, "name": "mx-deployed", "pipeline": p, "version": number}
        return lambda: c.post("/api/endpoints/", body, format="json")
    assert route == "redeploy"
    return lambda: c.patch(f"/api/endpoints/{stage.endpoint}/", {"pipeline_version": number}, format="json")


ROUTES = ("save", "create", "draft", "restore", "import", "clone", "submit", "deploy", "redeploy")
FOREIGN = ("outsider", "viewer turned outsider", "other workspace's dataset")


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("scenario", FOREIGN)
@pytest.mark.parametrize("module", sorted(DIGEST_MODULES))
def test_a_digest_of_another_workspace_is_refused_naming_the_node_and_parameter(
    world: World, db: Any, module: str, scenario: str, route: str
) -> None:
    stage = _stage(world, scenario)
    doc, node = _referencing(module, stage.digest)
    param = DIGEST_MODULES[module]
    send = _prepare(route, stage, doc)
    before = _fingerprint()

    response = send()

    assert response.status_code == 400, response.content[:500]
    body = response.json()
    assert [(p["code"], p["node"], p["param"]) for p in body["problems"] if p["code"] == "foreign_artifact"] == [
        ("foreign_artifact", node, param)
    ]
    if route != "submit":  # a submit lists every problem under one sentence; the others name it in the detail
        assert f"Node '{node}'" in body["detail"] and f"parameter '{param}'" in body["detail"], body["detail"]
    assert stage.digest[:12] in body["detail"] or route == "submit"
    assert MARKER.encode() not in response.content.lower()
    assert _fingerprint() == before, f"a refused {route} changed the database"
    assert not ArtifactOwnership.objects.filter(workspace_id=stage.workspace, digest=stage.digest).exists()


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("module", sorted(DIGEST_MODULES))
def test_the_workspaces_own_digest_is_accepted(world: World, db: Any, module: str, route: str) -> None:
    stage = _stage(world, "own")
    doc, _node = _referencing(module, stage.digest)
    send = _prepare(route, stage, doc)

    response = send()

    assert 200 <= response.status_code < 300, response.content[:500]
    problems = response.json().get("validation", {}).get("problems", [])
    assert [p for p in problems if p["code"] == "foreign_artifact"] == []
