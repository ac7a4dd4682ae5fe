"""How the canvas titles each node, for messages a user reads beside the canvas (derivation notes).

A node that reads one dataset is titled with the dataset's name, any other with its module's name
(ModuleNode.tsx does the same); a title several nodes share is numbered after its first use, in
document order ("Split Data", "Split Data (2)"), so each names one card. Internal node ids never show.
"""

from __future__ import annotations

from collections.abc import Mapping

from modules.sdk import Registry, UnknownModule

from .graph import Graph
from .validate import dataset_refs


def _title(graph: Graph, registry: Registry, node_id: str, dataset_names: Mapping[int, str]) -> str:
    node = graph.nodes[node_id]
    try:
        cls = registry.get(node.module, node.version)
    except UnknownModule:
        return node.module
    try:
        refs = dataset_refs(cls.parse_params(node.params))
    except Exception:  # a node whose parameters do not parse is titled by its module
        refs = []
    if len(refs) == 1 and refs[0][1].dataset_id in dataset_names:
        return dataset_names[refs[0][1].dataset_id]
    return cls.name


def node_titles(graph: Graph, registry: Registry, dataset_names: Mapping[int, str] | None = None) -> dict[str, str]:
    """Node id -> the title a user knows it by, unique within ``graph``."""
    seen: dict[str, int] = {}
    titles: dict[str, str] = {}
    for node_id in graph.nodes:
        title = _title(graph, registry, node_id, dataset_names or {})
        seen[title] = seen.get(title, 0) + 1
        titles[node_id] = title if seen[title] == 1 else f"{title} ({seen[title]})"
    return titles
