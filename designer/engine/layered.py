"""Canvas positions for a pipeline the server builds (a derived inference pipeline): a layered layout.

The browser arranges with elkjs (frontend/src/features/canvas/arrange.ts); a pipeline derived on the
server must open readable without a browser, so it is laid out here the same way in miniature:
longest-path layers top to bottom (each node then pulled down next to the nodes it feeds), nodes
ordered within a layer by the barycentre of the ports they connect to (a few sweeps down and up, so
a node feeding a card's left input sits left of the one feeding its right input), every layer
centred. Cards are ``NODE_WIDTH`` wide and at most ``NODE_HEIGHT`` tall (canvas.css), with room under
a card for its comment. Hand-rolled, small and pure (no layout library among our dependencies knows
about ports).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from modules.sdk import Registry, UnknownModule

from .graph import Graph

NODE_WIDTH = 232
NODE_HEIGHT = 100  # a two-line title and a parameter line; a one-line card is 70
COMMENT_SPACE = 40  # the comment hangs 16 px under the card, one line tall
GAP_X = 48
GAP_Y = 64
SWEEPS = 4


def _ports(graph: Graph, registry: Registry, node_id: str) -> tuple[list[str], list[str]]:
    node = graph.nodes[node_id]
    try:
        cls = registry.get(node.module, node.version)
    except UnknownModule:
        return [], []
    return list(cls.inputs), list(cls.outputs)


def _layers(graph: Graph) -> list[list[str]]:
    """Longest-path layering, then pulled down to its children; document order within a layer."""
    depth: dict[str, int] = {}
    order = graph.topological_order()
    for node_id in order:
        depth[node_id] = 1 + max((depth[p] for p in graph.parents(node_id)), default=-1)
    # Then each node as low as its children allow: a fixed input (a saved model) sits just above the node
    # it feeds, not in the top row with a long edge down.
    children: dict[str, list[str]] = {n: [] for n in graph.nodes}
    for e in graph.edges:
        children[e.source].append(e.target)
    for node_id in reversed(order):
        if children[node_id]:
            depth[node_id] = max(depth[node_id], min(depth[c] for c in children[node_id]) - 1)
    layers: list[list[str]] = [[] for _ in range(max(depth.values(), default=-1) + 1)]
    for node_id in graph.nodes:  # document order, not topological order: stable and as written
        layers[depth[node_id]].append(node_id)
    return layers


def _sweep(layers: list[list[str]], graph: Graph, registry: Registry) -> None:
    """Reorder each layer by the mean position of the ports its nodes connect to, alternately down and up."""
    ports = {n: _ports(graph, registry, n) for n in graph.nodes}

    def offset(names: list[str], name: str) -> float:
        return (names.index(name) + 0.5) / len(names) - 0.5 if name in names else 0.0

    ups: dict[str, list[tuple[str, float]]] = defaultdict(list)  # node -> (parent, where on both cards)
    downs: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for e in graph.edges:
        at = offset(ports[e.source][1], e.source_port) - offset(ports[e.target][0], e.target_port)
        ups[e.target].append((e.source, at))
        downs[e.source].append((e.target, -at))

    def key(node_id: str, fixed: dict[str, int], current: dict[str, int], links: list[tuple[str, float]]) -> float:
        placed = [(fixed[other], at) for other, at in links if other in fixed]
        if not placed:
            return float(current[node_id])
        return sum(k + at for k, at in placed) / len(placed)

    for sweep in range(SWEEPS):
        down = sweep % 2 == 0
        neighbours = ups if down else downs
        for i in range(1, len(layers)) if down else range(len(layers) - 2, -1, -1):
            fixed = {n: k for k, n in enumerate(layers[i - 1 if down else i + 1])}
            current = {n: k for k, n in enumerate(layers[i])}
            layers[i].sort(key=lambda n: (key(n, fixed, current, neighbours[n]), current[n]))  # noqa: B023


def layered_layout(graph: Graph, registry: Registry) -> dict[str, dict[str, Any]]:
    """``graph.layout`` with every node's x and y replaced (comments and colours kept), top-left at (0, 0)."""
    layers = _layers(graph)
    _sweep(layers, graph, registry)
    widest = max((len(layer) for layer in layers), default=0)
    layout: dict[str, dict[str, Any]] = {}
    y = 0.0
    for layer in layers:
        left = (widest - len(layer)) * (NODE_WIDTH + GAP_X) / 2
        for k, node_id in enumerate(layer):
            entry = dict(graph.layout.get(node_id, {}))
            entry.update(x=round(left + k * (NODE_WIDTH + GAP_X)), y=round(y))
            layout[node_id] = entry
        commented = any(graph.layout.get(n, {}).get("comment") for n in layer)
        y += NODE_HEIGHT + (COMMENT_SPACE if commented else 0) + GAP_Y
    return layout
