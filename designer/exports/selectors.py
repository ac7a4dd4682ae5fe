"""Reads for code export: the zip of a pipeline version (its datasets' latest or pinned versions, the
parameters' defaults) or of a run (the dataset versions it read, the parameter values it ran with)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.text import slugify
from rest_framework.exceptions import ValidationError

from designer.api import Unprocessable
from designer.artifacts import artifact_store
from designer.artifacts.lookup import WorkspaceArtifactLookup
from designer.components.planning import ExpansionFailed, expanded
from designer.datasets.lookup import WorkspaceDatasetLookup
from designer.engine.codegen.bundle import zip_bytes
from designer.engine.codegen.data_files import DataFile, dataset_fields
from designer.engine.codegen.script import ExportRefused, generate
from designer.engine.components import flatten_ids, has_components
from designer.engine.graph import Graph, to_document
from designer.engine.parameters import resolve
from designer.engine.problems import Problem
from designer.engine.store import ArtifactMissing
from designer.engine.validate import DatasetLookup
from designer.pipelines.mapper import graph_of
from designer.pipelines.models import Pipeline, PipelineVersion
from designer.runs.inputs import run_lookup
from designer.runs.models import Run
from modules.sdk import Registry, artifact_params, default_registry


@dataclass(frozen=True)
class CodeExport:
    filename: str
    content: bytes
    readable: tuple[str, ...]
    library: tuple[str, ...]


def pipeline_code_export(pipeline: Pipeline, version: int | None = None) -> CodeExport:
    """The head version (or ``version``) with its parameters' defaults and its datasets as named (a
    version left open: the latest). 400 naming ``version`` when there is no such version."""
    versions = PipelineVersion.objects.filter(pipeline=pipeline)
    chosen = versions.order_by("-number").first() if version is None else versions.filter(number=version).first()
    if chosen is None:
        asked = "any saved version" if version is None else f"version {version}"
        raise ValidationError({"version": [f"Pipeline {pipeline.pk} has no {asked}."]})
    return _export(
        version=chosen,
        values={},
        lookup=WorkspaceDatasetLookup(pipeline.workspace),
        workspace_id=pipeline.workspace_id,
        name=pipeline.name,
        origin=f"Version {chosen.number} of pipeline {pipeline.pk}",
        filename=f"{_slug(pipeline.name)}-v{chosen.number}.zip",
    )


def run_code_export(run: Run) -> CodeExport:
    """The run's version with the parameter values and the dataset versions the run used."""
    return _export(
        version=run.pipeline_version,
        values=run.parameter_values,
        lookup=run_lookup(run),
        workspace_id=run.workspace_id,
        name=run.pipeline.name,
        origin=f"Run {run.pk} (version {run.pipeline_version.number} of pipeline {run.pipeline_id})",
        filename=f"{_slug(run.pipeline.name)}-run{run.pk}.zip",
    )


def _export(
    *,
    version: PipelineVersion,
    values: Mapping[str, Any],
    lookup: DatasetLookup,
    workspace_id: int,
    name: str,
    origin: str,
    filename: str,
    now: dt.datetime | None = None,
) -> CodeExport:
    registry = default_registry()
    declared, document = graph_of(version), version.document
    if has_components(declared):  # the script inlines components' inner nodes (ids prep__clean)
        try:
            declared, _renames = flatten_ids(expanded(declared, workspace_id))
        except ExpansionFailed as exc:
            raise _refused(exc.problems) from None
        document = to_document(declared)
    resolution = resolve(declared, dict(values))
    if not resolution.ok:
        raise _refused(resolution.problems)
    graph = resolution.graph
    data, files = _data(graph, registry, lookup)
    artifacts = _artifacts(graph, registry, workspace_id)
    try:
        exported = generate(
            document,
            values=values,
            data_files=files,
            artifacts=sorted(artifacts),
            name=name,
            origin=origin,
            exported_at=now or timezone.now(),
            registry=registry,
        )
    except ExportRefused as exc:
        raise _refused(exc.problems) from None
    content = zip_bytes(exported, name, data, artifacts)
    return CodeExport(filename, content, exported.readable, exported.library)


def _data(graph: Graph, registry: Registry, lookup: DatasetLookup) -> tuple[dict[str, bytes], dict[str, DataFile]]:
    """The bytes of every dataset version the graph reads, by export path, and the files by key."""
    store = artifact_store()
    data: dict[str, bytes] = {}
    files: dict[str, DataFile] = {}
    problems = []
    for item in dataset_fields(graph, registry):
        try:
            resolved = lookup.resolve(item.ref)
            data[item.path] = store.get(resolved.digest)
        except (LookupError, ArtifactMissing) as exc:
            message = f"Node '{item.node}': its dataset cannot be exported: {exc}."
            problems.append(Problem("unknown_dataset", message, node=item.node, param=item.field.split(".")[0]))
            continue
        files[item.key] = DataFile(item.path, item.ref.dataset_id, resolved.kind)
    if problems:
        raise _refused(problems)
    return data, files


def _artifacts(graph: Graph, registry: Registry, workspace_id: int) -> dict[str, bytes]:
    """The artifacts the graph's nodes name by digest (saved models, saved tables), if this workspace owns them."""
    wanted: dict[str, tuple[str, str]] = {}
    for node in graph.nodes.values():
        cls = registry.get(node.module, node.version)
        for field in artifact_params(cls.Params):
            digest = node.params.get(field)
            if isinstance(digest, str) and digest:
                wanted.setdefault(digest, (node.id, field))
    owned = WorkspaceArtifactLookup(workspace_id).owned(wanted)
    store = artifact_store()
    found: dict[str, bytes] = {}
    problems = []
    for digest, (node_id, field) in wanted.items():
        try:
            if digest not in owned:
                raise ArtifactMissing(digest)
            found[digest] = store.get(digest)
        except ArtifactMissing:
            message = f"Node '{node_id}': the artifact {digest[:12]} it names is not stored in this workspace."
            problems.append(Problem("foreign_artifact", message, node=node_id, param=field))
    if problems:
        raise _refused(problems)
    return found


def _refused(problems: list[Problem]) -> Unprocessable:
    n = len(problems)
    detail = f"The pipeline cannot be exported as code: {n} problem{'s' if n != 1 else ''}. " + " ".join(
        p.message for p in problems
    )
    return Unprocessable(detail, problems=[p.to_dict() for p in problems])


def _slug(name: str) -> str:
    return slugify(name)[:80].strip("-") or "pipeline"
