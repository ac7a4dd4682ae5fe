"""One of everything in one workspace, for tests that call every route with real ids: a dataset, a
pipeline with two versions, a completed run (executed in-process), its inference pipeline deployed as an
endpoint, a registered model and a second member. Built inside the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token

from designer.components import services as component_services
from designer.endpoints import services as endpoint_services
from designer.environments import services as environment_services
from designer.pipelines import services as pipeline_services
from designer.published import services as published_services
from designer.registry import services as registry_services
from designer.runs import services as run_services
from designer.workspaces.models import Membership
from designer.workspaces.services import create_workspace
from tests.designer.runs.conftest import drain, upload_sample
from tests.support.pipelines import train_score_evaluate


@dataclass(frozen=True)
class World:
    owner: Any
    token: str
    workspace: int
    member: int
    dataset: int
    pipeline: int
    run: int
    inference_pipeline: int
    endpoint: int
    endpoint_name: str
    endpoint_key: str
    example: Any
    model: int
    challenger: int = 0  # no challenger: its routes answer 404 (they read the body first, so a bad one is a 400)
    schedule: int = 0  # none: schedule and trigger routes answer 404 (they read the body first: a bad one is a 400)
    data_trigger: int = 0
    pipeline_endpoint: int = 0
    component: int = 0
    environment: int = 0  # an environment with one version

    def path_values(self, template: str) -> dict[str, str]:
        """Real values for the parameters of a route template written as the OpenAPI schema writes it."""
        section = template.split("/")[2] if template.startswith("/api/") else ""
        ids = {
            "workspaces": self.workspace,
            "datasets": self.dataset,
            "pipelines": self.pipeline,
            "runs": self.run,
            "endpoints": self.endpoint,
            "models": self.model,
            "challengers": self.challenger,
            "schedules": self.schedule,
            "data-triggers": self.data_trigger,
            "pipeline-endpoints": self.pipeline_endpoint,
            "components": self.component,
        }
        values = {
            "user_id": str(self.member),
            "number": "1",
            "module_id": "split_data",
            "slug": "multiclass-penguins",
            "node_id": "split",
            "port": "results_dataset1",
            "name": self.endpoint_name,
            "environment_id": str(self.environment),
        }
        if section in ids:
            values["id"] = str(ids[section])
        return values


@dataclass(frozen=True)
class Trained:
    """What a trained-and-deployed team workspace holds (the shared core of the test worlds)."""

    dataset: Any
    pipeline: Any
    run: Any
    inference: Any
    endpoint: Any
    model: Any


def train_and_deploy(owner: Any, team: Any, prefix: str) -> Trained:
    """The breast-cancer sample in ``team``, a pipeline saved twice, its run (in-process), the derived
    inference pipeline deployed as ``<prefix>-endpoint`` and the trained model registered as ``<prefix>-model``."""
    dataset = upload_sample(owner, team)
    doc = train_score_evaluate(dataset.pk, "diagnosis")
    pipeline = pipeline_services.create_pipeline(owner, team, f"{prefix} pipeline", document=doc)
    pipeline_services.save_version(owner, pipeline, doc, "second")
    run = drain(run_services.submit_run(user=owner, pipeline=pipeline))
    assert run.status == "completed", run.error
    inference, _ = endpoint_services.create_inference_pipeline(owner, run, f"{prefix} inference")
    endpoint = endpoint_services.create_endpoint(
        workspace=team, user=owner, name=f"{prefix}-endpoint", pipeline=inference
    )
    model = registry_services.register_model(owner, run, "train", f"{prefix}-model")
    return Trained(dataset, pipeline, run, inference, endpoint, model)


def build_world(prefix: str = "w") -> World:
    users = get_user_model().objects
    owner = users.create_user(f"{prefix}_owner", f"{prefix}_owner@example.com", "pw-owner-123456")
    member = users.create_user(f"{prefix}_member", f"{prefix}_member@example.com", "pw-member-123456")
    team = create_workspace(user=owner, name=f"{prefix} team")
    Membership.objects.create(workspace=team, user=member, role="viewer")
    t = train_and_deploy(owner, team, prefix)
    published = published_services.create_endpoint(
        workspace=team, user=owner, name=f"{prefix}-published", pipeline=t.pipeline
    )
    component = component_services.create_component(
        owner,
        team,
        f"{prefix} pick",
        "",
        "first",
        {
            "kind": "graph",
            "graph": {
                "nodes": [{"id": "a", "module": "select_columns", "version": 1, "params": {"columns": ["x"]}}],
                "edges": [],
            },  # fmt: skip
            "inputs": [{"name": "dataset", "targets": [{"node": "a", "port": "dataset"}]}],
            "outputs": [{"name": "picked", "source": {"node": "a", "port": "results_dataset"}}],
            "parameters": [],
        },
    )
    environment = environment_services.create_environment(
        owner, team, name=f"{prefix} env", requirements=["tabulate==0.9.0"]
    )
    return World(
        environment=environment.pk,
        component=component.pk,
        owner=owner,
        token=Token.objects.create(user=owner).key,
        workspace=team.pk,
        member=member.pk,
        dataset=t.dataset.pk,
        pipeline=t.pipeline.pk,
        run=t.run.pk,
        inference_pipeline=t.inference.pk,
        endpoint=t.endpoint.pk,
        endpoint_name=t.endpoint.name,
        endpoint_key=t.endpoint.primary_key,
        example=t.endpoint.example,
        model=t.model.pk,
        pipeline_endpoint=published.pk,
    )
