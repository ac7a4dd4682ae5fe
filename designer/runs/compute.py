"""Where a node runs: its compute target's queue, and the Dask cluster its partition-parallel modules may use.

The declaration is the operator's (``settings.TESSERA_COMPUTE_TARGETS``, parsed by the engine); this file
only maps a node to it. Neither choice enters a cache key: both paths give the same outputs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings

from designer.engine.compute import ComputeTarget, compute_problems, target_of
from designer.engine.dask_cluster import client_for
from designer.engine.execute import DaskPath
from designer.engine.graph import Graph, Node
from designer.engine.problems import Problem


def targets() -> Mapping[str, ComputeTarget]:
    return settings.TESSERA_COMPUTE_TARGETS  # type: ignore[no-any-return]


def problems(graph: Graph) -> list[Problem]:
    """A problem for each node naming a compute target the operator did not declare."""
    return compute_problems({n.id: n.compute for n in graph.nodes.values()}, targets())


def queue_for(node: Node, wanted: str) -> str:
    """A node that names a target goes to its queue; otherwise where its module asks (``cpu``, or ``gpu``
    when GPU workers exist)."""
    if node.compute is not None:
        return target_of(targets(), node.compute).queue
    if wanted == "gpu" and settings.TESSERA_GPU_QUEUE_ENABLED:
        return "gpu"
    return "cpu"


def target_name(node: Node) -> str:
    """The compute target the node runs on: the one it names, or the default."""
    return target_of(targets(), node.compute if node.compute in targets() else None).name


def dask_path(node: Node, ran: Callable[[dict[str, Any]], None] | None = None) -> DaskPath | None:
    """The node's target when it has a Dask cluster (connected, or started, only if the engine picks it);
    ``ran`` is told where the node ran when it runs there."""
    target = target_of(targets(), node.compute if node.compute in targets() else None)
    if not target.has_cluster:
        return None
    folder = settings.TESSERA_COMPUTE_DIR
    return DaskPath(target, lambda: client_for(target, folder), ran)
