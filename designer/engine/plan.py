"""Planning: the order to run nodes in and the cache key of each node.

A key depends only on what a node computes (module, version, canonical parameters, its inputs'
keys and the digests of the data it reads), never on ids, layout or document order, so that
moving or renaming things reuses the cache and changing one parameter re-runs exactly that node
and what depends on it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from modules.sdk import Module, Registry, UnknownModule

from .graph import Edge, Graph
from .validate import DatasetLookup, dataset_refs


@dataclass
class Plan:
    order: list[str]
    keys: dict[str, str]
    parents: dict[str, set[str]]
    children: dict[str, set[str]]

    def descendants(self, node_id: str) -> set[str]:
        seen: set[str] = set()
        todo = [node_id]
        while todo:
            for child in self.children.get(todo.pop(), ()):
                if child not in seen:
                    seen.add(child)
                    todo.append(child)
        seen.discard(node_id)
        return seen


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def cache_keys(graph: Graph, registry: Registry, datasets: DatasetLookup | None = None) -> dict[str, str]:
    """The cache key of every node, in topological order. ``ValueError`` if the graph cannot be keyed."""
    order = graph.topological_order()  # CycleError is a ValueError
    wiring = _wiring(graph)
    classes = {n.id: _module(registry, n.module, n.version, n.id) for n in graph.nodes.values()}
    keys: dict[str, str] = {}
    for node_id in order:
        node = graph.nodes[node_id]
        cls = classes[node_id]
        _check_ports(classes, node_id, wiring[node_id])
        try:
            params = cls.Params.model_validate(node.params)
        except ValidationError as exc:
            raise ValueError(f"node '{node_id}' has invalid parameters: {exc}") from exc
        payload = {
            "module": cls.id,
            "version": cls.version,
            "params": params.model_dump(mode="json"),
            "inputs": {port: [keys[e.source], e.source_port] for port, e in sorted(wiring[node_id].items())},
            "data": [_data_digest(datasets, ref, node_id) for _name, ref in dataset_refs(params)],
        }
        keys[node_id] = hashlib.sha256(canonical_json(payload).encode()).hexdigest()
    return keys


def _wiring(graph: Graph) -> dict[str, dict[str, Edge]]:
    wiring: dict[str, dict[str, Edge]] = {node_id: {} for node_id in graph.nodes}
    for edge in graph.edges:
        if edge.source not in graph.nodes or edge.target not in graph.nodes:
            raise ValueError(f"an edge connects '{edge.source}' to '{edge.target}', and one of them does not exist")
        if edge.target_port in wiring[edge.target]:
            raise ValueError(f"input '{edge.target_port}' of node '{edge.target}' has more than one connection")
        wiring[edge.target][edge.target_port] = edge
    return wiring


def _module(registry: Registry, module_id: str, version: int, node_id: str) -> type[Module]:
    try:
        return registry.get(module_id, version)
    except UnknownModule as exc:
        raise ValueError(f"node '{node_id}': {exc}") from exc


def _check_ports(classes: dict[str, type[Module]], node_id: str, incoming: dict[str, Edge]) -> None:
    for port, edge in incoming.items():
        if port not in classes[node_id].inputs:
            raise ValueError(f"node '{node_id}' has no input port '{port}'")
        if edge.source_port not in classes[edge.source].outputs:
            raise ValueError(f"node '{edge.source}' has no output port '{edge.source_port}'")


def _data_digest(datasets: DatasetLookup | None, ref: Any, node_id: str) -> str:
    if datasets is None:
        # Without a lookup the data behind "latest" is unknown; a key without it could reuse stale outputs.
        raise ValueError(f"node '{node_id}' reads a dataset; cache keys need a dataset lookup")
    try:
        return datasets.resolve(ref).digest
    except LookupError as exc:
        raise ValueError(f"node '{node_id}': dataset {ref.dataset_id} cannot be resolved: {exc}") from exc


def make_plan(graph: Graph, registry: Registry, datasets: DatasetLookup | None = None) -> Plan:
    keys = cache_keys(graph, registry, datasets)
    parents: dict[str, set[str]] = {node_id: set() for node_id in graph.nodes}
    children: dict[str, set[str]] = {node_id: set() for node_id in graph.nodes}
    for edge in graph.edges:
        parents[edge.target].add(edge.source)
        children[edge.source].add(edge.target)
    return Plan(order=list(keys), keys=keys, parents=parents, children=children)


def ready_nodes(plan: Plan, done: set[str], started: set[str]) -> list[str]:
    """Nodes that can start now: not started (nor done) and every parent done, in plan order."""
    return [
        node_id
        for node_id in plan.order
        if node_id not in started and node_id not in done and plan.parents[node_id] <= done
    ]
