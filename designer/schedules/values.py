"""The check a schedule or trigger passes before it is saved: would ``start_run`` accept these values for
this published version now? The same checks it makes (dataset values of the endpoint's workspace, then
the pipeline's own validation with the values bound), without creating a run."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from designer.api import Unprocessable
from designer.artifacts.lookup import WorkspaceArtifactLookup
from designer.components.lookup import WorkspaceComponentLookup
from designer.datasets.lookup import WorkspaceDatasetLookup
from designer.engine.validate import validate
from designer.pipelines.mapper import graph_of
from designer.published.models import PipelineEndpoint, PublishedVersion
from designer.published.overrides import check_dataset_values
from designer.published.services import published_version
from modules.sdk import default_registry


def check_values(
    endpoint: PipelineEndpoint,
    number: int | None,
    values: Mapping[str, Any],
    *,
    filled: Mapping[str, Any] | None = None,
) -> PublishedVersion:
    """The published version (a 400 naming ``version`` when the endpoint does not publish it), once the
    pipeline accepts ``values`` (plus ``filled``: what a trigger supplies when it fires) over the
    version's stored defaults; else a 400 whose problems name ``values`` and the parameter or node."""
    published = published_version(endpoint, number)
    merged = {**(published.defaults or {}), **dict(values), **dict(filled or {})}
    graph = graph_of(published.version)
    workspace = endpoint.workspace
    check_dataset_values(workspace, graph, merged, field="values")
    result = validate(
        graph,
        default_registry(),
        WorkspaceDatasetLookup(workspace),
        WorkspaceArtifactLookup(workspace),
        values=merged,
        components=WorkspaceComponentLookup(workspace),
    )
    if result.problems:
        n = len(result.problems)
        raise Unprocessable(
            f"Version {published.number} of '{endpoint.name}' would refuse these values: "
            f"{n} problem{'s' if n != 1 else ''} to fix.",
            [{"field": "values", **p.to_dict()} for p in result.problems],
        )
    return published
