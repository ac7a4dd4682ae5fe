"""Writes for endpoints: derive an inference pipeline from a run, deploy, redeploy, keys, delete."""

from __future__ import annotations

import dataclasses
import secrets
from typing import Any

from django.db import IntegrityError, transaction

from designer.activity import services as activity
from designer.api import Conflict, Unprocessable
from designer.artifacts import artifact_store
from designer.artifacts import services as ownership
from designer.artifacts.checks import check_artifacts
from designer.components.planning import ExpansionFailed, expanded
from designer.datasets.models import Dataset
from designer.engine.components import flatten_ids, has_components
from designer.engine.execute import load_output
from designer.engine.graph import Graph, Node, parse_graph, to_document
from designer.engine.inference import CannotDerive, OutputRef, derive_inference_pipeline
from designer.engine.input_checks import PROFILE_KEY, training_profile
from designer.engine.scoring import NotServable, ScoringPipeline
from designer.engine.store import ArtifactMissing
from designer.engine.titles import node_titles
from designer.environments.building import NotBuilt, build_environments
from designer.pipelines import services as pipelines
from designer.pipelines.models import Pipeline, PipelineVersion
from designer.runs.inputs import graph_dataset_refs, run_graph
from designer.runs.models import NodeRun, Run
from designer.workspaces.models import Workspace
from modules.sdk import DataTable, Table, default_registry

from .models import DerivedPipeline, Endpoint

#: Training rows kept per Web Service Input as the baseline drift is measured against.
BASELINE_ROWS = 5000


class CannotServe(Unprocessable):
    """The run or pipeline cannot become an endpoint: 422, with the reasons in ``problems``."""

    status_code = 422


def new_key() -> str:
    return secrets.token_urlsafe(32)


# -- Create inference pipeline ------------------------------------------------------------------


def run_outputs(run: Run) -> dict[tuple[str, str], OutputRef]:
    refs: dict[tuple[str, str], OutputRef] = {}
    for node in run.nodes.filter(status__in=NodeRun.DONE):
        for port, record in (node.outputs or {}).items():
            refs[(node.node_id, port)] = OutputRef(record["digest"], record["type"])
    return refs


def run_titles(run: Run, graph: Graph) -> dict[str, str]:
    """Node id -> the title the canvas shows it with (a dataset node: the dataset's name), for derivation notes."""
    ids = {ref.dataset_id for ref in graph_dataset_refs(graph)}
    names = dict(Dataset.objects.filter(workspace_id=run.workspace_id, pk__in=ids).values_list("pk", "name"))
    return node_titles(graph, default_registry(), names)


def made_earlier(run: Run, kind: str) -> tuple[Pipeline, list[str]] | None:
    """The pipeline of ``kind`` derived from ``run`` before, if it still exists, with a note saying so."""
    earlier = DerivedPipeline.objects.filter(run=run, kind=kind).select_related("pipeline").first()
    if earlier is None:
        return None
    note = (
        f"Opened the pipeline made from run {run.pk} earlier, as it is now: a run gives one, and nothing was "
        "created. Delete it to derive a fresh one."
    )
    return earlier.pipeline, [note, *earlier.notes]


def remember_derived(run: Run, kind: str, pipeline: Pipeline, notes: list[str]) -> tuple[Pipeline, list[str]]:
    """Record ``pipeline`` as ``run``'s; when a concurrent request recorded one first, that one wins and ours goes."""
    try:
        with transaction.atomic():
            DerivedPipeline.objects.create(run=run, kind=kind, pipeline=pipeline, notes=notes)
    except IntegrityError:
        pipeline.delete()
        found = made_earlier(run, kind)
        if found is None:  # pragma: no cover - the winner was deleted in between
            raise
        return found
    return pipeline, notes


def create_inference_pipeline(
    user: Any, run: Run, name: str = "", *, reuse: bool = False
) -> tuple[Pipeline, list[str]]:
    """A new pipeline whose version 1 is the inference pipeline derived from ``run``.

    ``reuse``: the one made from ``run`` before, if any, rather than another copy (what a user asking
    twice wants; retraining's promotion always derives its own)."""
    if run.status != Run.Status.COMPLETED:
        raise Conflict(f"Run {run.pk} is {run.status}; an inference pipeline is derived from a completed run.")
    if reuse and (found := made_earlier(run, DerivedPipeline.Kind.REAL_TIME)):
        return found
    # What the run computed: pipeline parameters at the values it was given (the derived pipeline has none).
    graph = dataclasses.replace(run_graph(run), parameters={})
    store = artifact_store()
    try:
        derived = derive_inference_pipeline(
            graph,
            default_registry(),
            run_outputs(run),
            lambda ref: load_output(store, ref.type, ref.digest),
            run_titles(run, graph),
        )
    except CannotDerive as exc:
        raise CannotServe(str(exc), [p.to_dict() for p in exc.problems]) from None
    graph = _with_baselines(derived.graph, derived.sources)
    title = name.strip() or f"{run.pipeline.name} - real-time inference"
    description = f"Derived from run {run.pk} (version {run.pipeline_version.number} of '{run.pipeline.name}')."
    with transaction.atomic():
        baselines = [str(graph.nodes[node_id].params["baseline"]) for node_id in derived.sources]
        ownership.grant(run.workspace_id, baselines, ownership.Source.BASELINE)  # sampled here, from its run
        pipeline = pipelines.create_pipeline(user, run.workspace, title[:200], description, to_document(graph))
    if reuse:
        return remember_derived(run, DerivedPipeline.Kind.REAL_TIME, pipeline, derived.notes)
    return pipeline, derived.notes


def _with_baselines(graph: Graph, sources: dict[str, DataTable]) -> Graph:
    """Store a sample of each input's training rows and point its Web Service Input at it.

    The sample's meta carries the profile of *all* training rows (ranges, categories), which scoring
    checks requests against: a category the sample happens to miss is still a known one.
    """
    store = artifact_store()
    nodes = dict(graph.nodes)
    for node_id, table in sources.items():
        df = table.df
        node = nodes[node_id]
        profile = training_profile(df, list(node.params.get("columns") or []))
        sample = df.sample(n=BASELINE_ROWS, random_state=0) if len(df) > BASELINE_ROWS else df
        digest = store.put(Table.serialize(DataTable(sample.reset_index(drop=True), {PROFILE_KEY: profile})))
        nodes[node_id] = Node(node.id, node.module, node.version, {**node.params, "baseline": digest}, node.regenerate)
    return Graph(nodes, graph.edges, graph.parameters, graph.layout)


# -- deploying ----------------------------------------------------------------------------------


def _load(document: dict[str, Any]) -> tuple[Graph, ScoringPipeline]:
    graph = parse_graph(document)
    store = artifact_store()
    try:
        return graph, ScoringPipeline.load(graph, default_registry(), store.get)
    except NotServable as exc:
        raise CannotServe(f"This pipeline cannot be deployed: {exc}") from None
    except ArtifactMissing as exc:
        raise CannotServe(f"This pipeline cannot be deployed: an artifact it needs is gone ({exc}).") from None


def _served_document(endpoint: Endpoint, version: PipelineVersion) -> dict[str, Any]:
    """The version's document, with component nodes inlined (ids ``prep__clean``): the endpoint pins what
    it serves, so a later component version changes nothing for its callers."""
    declared = parse_graph(version.document)
    if not has_components(declared):
        return version.document
    try:
        flat, _renames = flatten_ids(expanded(declared, endpoint.workspace_id))
    except ExpansionFailed as exc:
        raise CannotServe(f"This pipeline cannot be deployed: {exc}", [p.to_dict() for p in exc.problems]) from None
    return to_document(flat)


def _pin(endpoint: Endpoint, version: PipelineVersion) -> None:
    document = _served_document(endpoint, version)
    # Before anything is loaded: a document saved before artifacts were checked may name another's.
    check_artifacts(endpoint.workspace_id, parse_graph(document), "Nothing was deployed.")
    try:  # the environments its scripts run in are built on this host before it goes live
        build_environments(document)
    except NotBuilt as exc:
        raise CannotServe(
            f"This pipeline cannot be deployed: node '{exc.node}': {exc}", [{"node": exc.node, "param": "environment"}]
        ) from None
    graph, loaded = _load(document)
    endpoint.pipeline = version.pipeline
    endpoint.pipeline_version = version
    endpoint.version_number = version.number
    endpoint.document = document
    endpoint.artifacts = sorted({str(n.params["artifact"]) for n in graph.nodes.values() if "artifact" in n.params})
    endpoint.inputs = [i.to_json() for i in loaded.inputs]
    endpoint.outputs = list(loaded.outputs)
    endpoint.example = loaded.example_request()
    endpoint.example_response = loaded.example_response()


def _version(pipeline: Pipeline, number: int | None) -> PipelineVersion:
    versions = pipeline.versions.order_by("-number")
    version = versions.first() if number is None else versions.filter(number=number).first()
    if version is None:
        raise Unprocessable(
            f"Pipeline '{pipeline.name}' has no version {number}." if number else "The pipeline has no saved version."
        )
    return version


def create_endpoint(
    *, workspace: Workspace, user: Any, name: str, pipeline: Pipeline, version: int | None = None, description: str = ""
) -> Endpoint:
    if pipeline.workspace_id != workspace.pk:
        raise Unprocessable("The pipeline belongs to another workspace.", [{"field": "pipeline"}])
    endpoint = Endpoint(
        workspace=workspace,
        name=name,
        description=description,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        primary_key=new_key(),
        secondary_key=new_key(),
    )
    _pin(endpoint, _version(pipeline, version))
    try:
        with transaction.atomic():
            endpoint.save()
            activity.record(
                workspace=workspace,
                actor=user,
                verb="deployed",
                object_type="endpoint",
                object_id=endpoint.pk,
                object_name=name,
                detail={"version": endpoint.version_number, "pipeline": pipeline.pk},
            )
    except IntegrityError:
        raise Conflict(f"An endpoint named '{name}' already exists; choose another name.") from None
    return endpoint


def redeploy(endpoint: Endpoint, number: int, user: Any = None) -> Endpoint:
    """Serve another version of the same pipeline; scoring servers pick it up on their next call."""
    if endpoint.pipeline is None:
        raise Unprocessable("The endpoint's pipeline was deleted; deploy a new endpoint instead.")
    _pin(endpoint, _version(endpoint.pipeline, number))
    endpoint.revision += 1
    endpoint.save()
    activity.record(
        workspace=endpoint.workspace_id,
        actor=user,
        verb="redeployed",
        object_type="endpoint",
        object_id=endpoint.pk,
        object_name=endpoint.name,
        detail={"version": number, "revision": endpoint.revision},
    )
    return endpoint


def update_endpoint(
    endpoint: Endpoint, *, user: Any = None, description: str | None = None, pipeline_version: int | None = None
) -> None:
    if pipeline_version is not None:
        redeploy(endpoint, pipeline_version, user)
    if description is not None:
        endpoint.description = description
        endpoint.save(update_fields=["description", "updated_at"])


KEYS = ("primary", "secondary")


def regenerate_key(endpoint: Endpoint, which: str, user: Any = None) -> Endpoint:
    """Replaces one key; the feed records who and which key, never the key itself."""
    if which not in KEYS:
        raise ValueError(f"unknown endpoint key {which!r}")
    with transaction.atomic():
        setattr(endpoint, f"{which}_key", new_key())
        endpoint.save(update_fields=[f"{which}_key", "updated_at"])
        activity.record(
            workspace=endpoint.workspace_id,
            actor=user,
            verb="key_regenerated",
            object_type="endpoint",
            object_id=endpoint.pk,
            object_name=endpoint.name,
            detail={"key": which},
        )
    return endpoint


def delete_endpoint(endpoint: Endpoint, user: Any = None) -> None:
    endpoint_id = endpoint.pk
    with transaction.atomic():
        endpoint.delete()
        activity.record(
            workspace=endpoint.workspace_id,
            actor=user,
            verb="deleted",
            object_type="endpoint",
            object_id=endpoint_id,
            object_name=endpoint.name,
        )
