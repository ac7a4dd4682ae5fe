"""Expansion at the planning boundary: the graph a run computes has no component nodes left.

Called where pipelines are validated and planned (run submission, the run's scheduler, endpoints,
batch, published pipelines and schedules through ``submit_run``); nothing further down needs to know
components exist, except the run payload, which names each component node's inner nodes (``run_components``).
"""

from __future__ import annotations

from typing import Any

from designer.engine.components import Expansion, expand, has_components
from designer.engine.graph import Graph
from modules.sdk import default_registry

from .lookup import WorkspaceComponentLookup


class ExpansionFailed(ValueError):
    def __init__(self, expansion: Expansion) -> None:
        self.problems = expansion.problems
        super().__init__(" ".join(p.message for p in expansion.problems))


def expansion_of(graph: Graph, workspace: Any) -> Expansion:
    return expand(graph, default_registry(), WorkspaceComponentLookup(workspace))


def expanded(graph: Graph, workspace: Any) -> Graph:
    """``graph`` with every component node expanded (itself when it has none); ``ExpansionFailed`` on a problem."""
    if not has_components(graph):
        return graph
    expansion = expansion_of(graph, workspace)
    if expansion.problems:
        raise ExpansionFailed(expansion)
    return expansion.graph


def run_components(graph: Graph, workspace: Any) -> dict[str, Any]:
    """``{outer node id: {"component", "version", "nodes": [expanded ids]}}`` for the run payload."""
    if not has_components(graph):
        return {}
    return expansion_of(graph, workspace).components_json()
