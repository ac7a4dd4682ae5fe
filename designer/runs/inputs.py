"""What a run's node reads: datasets pinned at submit, artifacts of its workspace, its parents' outputs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from designer.artifacts.lookup import WorkspaceArtifactLookup
from designer.components.planning import expanded
from designer.datasets.lookup import WorkspaceDatasetLookup
from designer.engine.graph import Graph
from designer.engine.parameters import resolve
from designer.engine.validate import DatasetLookup, ResolvedDataset, dataset_refs
from designer.pipelines.mapper import graph_of
from modules.sdk import DatasetRef, default_registry

from .models import NodeRun, Run


def run_graph(run: Run) -> Graph:
    """The graph a run computes: its version's document, components expanded, with the pipeline parameters
    it was given.

    Kept on the ``run`` instance (a version, the component versions it names and its values never change):
    the scheduler that hands a node to the finishing worker and that worker, running it next, read it once
    between them."""
    cached: Graph | None = run.__dict__.get("_graph")
    if cached is None or run.__dict__.get("_graph_of") != (run.pipeline_version_id, run.parameter_values):
        cached = resolve(expanded(graph_of(run.pipeline_version), run.workspace_id), run.parameter_values).graph
        run.__dict__["_graph"], run.__dict__["_graph_of"] = cached, (run.pipeline_version_id, run.parameter_values)
    return cached


class PinnedLookup:
    """Resolves "latest" dataset references to the version that was latest when the run was submitted.

    ``known``: versions already resolved (at submit, the latest ones just pinned), not looked up again."""

    def __init__(self, base: DatasetLookup, pins: dict[str, int], known: Iterable[ResolvedDataset] = ()) -> None:
        self.base = base
        self.pins = pins
        self.known: dict[tuple[int, int | None], ResolvedDataset] = {(r.dataset_id, r.version): r for r in known}

    def resolve(self, ref: DatasetRef) -> ResolvedDataset:
        if ref.version is None and str(ref.dataset_id) in self.pins:
            ref = DatasetRef(dataset_id=ref.dataset_id, version=self.pins[str(ref.dataset_id)])
        known = self.known.get((ref.dataset_id, ref.version))
        return known if known is not None else self.base.resolve(ref)


def graph_dataset_refs(graph: Graph) -> list[DatasetRef]:
    """Every dataset reference in the graph's parameters (the engine finds them in one node's params)."""
    registry = default_registry()
    return [
        ref
        for node in graph.nodes.values()
        for _name, ref in dataset_refs(registry.get(node.module, node.version).parse_params(node.params))
    ]


def run_lookup(run: Run) -> PinnedLookup:
    return PinnedLookup(WorkspaceDatasetLookup(run.workspace), run.dataset_pins)


def run_artifacts(run: Run) -> WorkspaceArtifactLookup:
    """The artifacts a node of ``run`` may load by digest: those that belong to the run's workspace."""
    return WorkspaceArtifactLookup(run.workspace_id)


def input_digests(run: Run, graph: Graph, node_id: str, nodes: Mapping[str, NodeRun] | None = None) -> dict[str, str]:
    """Input port -> digest of the parent output wired to it, for a node whose parents are done; ``nodes``: the
    run's node rows when the caller has just read them."""
    if nodes is None:
        parents = {n.node_id: n for n in run.nodes.filter(node_id__in=graph.parents(node_id))}
    else:
        parents = {p: nodes[p] for p in graph.parents(node_id)}
    return {
        port: parents[edge.source].outputs[edge.source_port]["digest"] for port, edge in graph.incoming(node_id).items()
    }
