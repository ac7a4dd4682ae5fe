"""What changed between two pipeline documents, kept apart into semantic and layout-only changes.

``diff(old, new)`` lists nodes added, removed and changed (module, version, "regenerate" and each
parameter with its old and new value), edges added and removed (a rewire is one of each), and
pipeline-parameter changes; canvas-only data (positions, comments, colours) and the order of nodes
and edges sit in the layout part, so "only moved" is one question. ``apply_diff(old, d)`` rebuilds
``new`` exactly (``apply_diff(old, diff(old, new)) == new``) and refuses a diff whose "old" side
does not match, so a diff is also a safe patch. The JSON form (``to_json``/``from_json``) is what
the API serves. No Django here: the engine must stay importable without it.
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any, Final, Generic, TypeVar, overload

from .graph import Edge, Graph, Node, parse_graph, to_document

DIFF_FORMAT = 1

T = TypeVar("T")


class _Absent(Enum):
    ABSENT = "absent"

    def __repr__(self) -> str:
        return "ABSENT"


#: The "old" of an added value or the "new" of a removed one (``None`` is a real JSON value).
ABSENT: Final = _Absent.ABSENT


class DiffConflict(ValueError):
    """The diff does not fit the graph it is applied to; ``problems`` says where, one sentence each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__(" ".join(self.problems))


class DiffFormatError(ValueError):
    """The JSON is not a pipeline diff; the message names the path at fault."""


@dataclass(frozen=True)
class Swap(Generic[T]):
    """A single value that changed."""

    old: T
    new: T


@dataclass(frozen=True)
class ValueChange:
    """One key of a parameter object: added (``old`` is ABSENT), removed (``new`` is ABSENT) or changed."""

    name: str
    old: Any = ABSENT
    new: Any = ABSENT

    @property
    def kind(self) -> str:
        if self.old is ABSENT:
            return "added"
        return "removed" if self.new is ABSENT else "changed"


@dataclass(frozen=True)
class NodeAdded:
    index: int  # position in the new document's node list
    node: Node


@dataclass(frozen=True)
class NodeChange:
    id: str
    module: Swap[str] | None = None
    version: Swap[int] | None = None
    regenerate: Swap[bool] | None = None
    params: tuple[ValueChange, ...] = ()


@dataclass(frozen=True)
class EdgeAdded:
    index: int  # position in the new document's edge list
    edge: Edge


@dataclass(frozen=True)
class LayoutChange:
    """A node's whole canvas entry before and after (``None``: the node had no entry)."""

    node: str
    old: dict[str, Any] | None
    new: dict[str, Any] | None


@dataclass(frozen=True)
class PipelineDiff:
    nodes_added: tuple[NodeAdded, ...] = ()
    nodes_removed: tuple[Node, ...] = ()
    nodes_changed: tuple[NodeChange, ...] = ()
    edges_added: tuple[EdgeAdded, ...] = ()
    edges_removed: tuple[Edge, ...] = ()
    parameters: tuple[ValueChange, ...] = ()
    # Layout only: nothing below changes what the pipeline computes.
    layout: tuple[LayoutChange, ...] = ()
    node_order: tuple[str, ...] | None = None  # the new order, only when adding/removing does not give it
    edge_order: tuple[int, ...] | None = None  # new edge i is edge ``edge_order[i]`` after adding/removing

    @property
    def has_semantic_changes(self) -> bool:
        return bool(
            self.nodes_added
            or self.nodes_removed
            or self.nodes_changed
            or self.edges_added
            or self.edges_removed
            or self.parameters
        )

    @property
    def has_layout_changes(self) -> bool:
        return bool(self.layout) or self.node_order is not None or self.edge_order is not None

    @property
    def is_empty(self) -> bool:
        return not (self.has_semantic_changes or self.has_layout_changes)

    @property
    def layout_only(self) -> bool:
        """Something moved or was recoloured, and nothing a run would compute differently."""
        return self.has_layout_changes and not self.has_semantic_changes

    def to_json(self) -> dict[str, Any]:
        return to_json(self)

    @classmethod
    def from_json(cls, data: Any) -> PipelineDiff:
        return from_json(data)


# -- computing ------------------------------------------------------------------------------------


def _graph(value: Graph | Mapping[str, Any]) -> Graph:
    return value if isinstance(value, Graph) else parse_graph(dict(value))


def _same(a: Any, b: Any) -> bool:
    """JSON equality that tells ``true`` from ``1`` and ``1`` from ``1.0`` (Python's ``==`` does not)."""
    if a is ABSENT or b is ABSENT:
        return a is b
    return bool(a == b) and _canonical(a) == _canonical(b)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, allow_nan=False)


def _value_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[ValueChange, ...]:
    names = [*old, *(k for k in new if k not in old)]
    changes = []
    for name in names:
        before, after = old.get(name, ABSENT), new.get(name, ABSENT)
        if not _same(before, after):
            changes.append(ValueChange(name, copy.deepcopy(before), copy.deepcopy(after)))
    return tuple(changes)


def _swap(old: T, new: T) -> Swap[T] | None:
    return None if _same(old, new) else Swap(old, new)


def _node_change(old: Node, new: Node) -> NodeChange | None:
    change = NodeChange(
        id=old.id,
        module=_swap(old.module, new.module),
        version=_swap(old.version, new.version),
        regenerate=_swap(old.regenerate, new.regenerate),
        params=_value_changes(old.params, new.params),
    )
    return None if change == NodeChange(id=old.id) else change


def _insert_at(kept: list[T], added: Iterable[tuple[int, T]]) -> list[T]:
    result = list(kept)
    for index, item in sorted(added, key=lambda pair: pair[0]):
        result.insert(index, item)
    return result


def _edge_changes(
    old: list[Edge], new: list[Edge]
) -> tuple[tuple[EdgeAdded, ...], tuple[Edge, ...], tuple[int, ...] | None]:
    """Edges as a multiset: what was removed, what was added (with its new position), and the order when
    removing and inserting alone does not give the new list."""
    available = Counter(old)
    added = []
    for index, edge in enumerate(new):
        if available[edge] > 0:
            available[edge] -= 1
        else:
            added.append(EdgeAdded(index, edge))
    removed = []
    for edge in old:
        if available[edge] > 0:  # not matched by any new edge
            available[edge] -= 1
            removed.append(edge)
    merged = _insert_at(_without(old, removed), ((a.index, a.edge) for a in added))
    return tuple(added), tuple(removed), _permutation(merged, new)


def _without(edges: list[Edge], removed: Iterable[Edge]) -> list[Edge]:
    """``edges`` less one occurrence of each removed edge (equal edges are interchangeable)."""
    left = Counter(removed)
    kept = []
    for edge in edges:
        if left[edge] > 0:
            left[edge] -= 1
        else:
            kept.append(edge)
    return kept


def _permutation(merged: list[Edge], new: list[Edge]) -> tuple[int, ...] | None:
    if merged == new:
        return None
    positions: dict[Edge, list[int]] = {}
    for i, edge in enumerate(merged):
        positions.setdefault(edge, []).append(i)
    for slots in positions.values():
        slots.reverse()
    return tuple(positions[edge].pop() for edge in new)


def diff(old: Graph | Mapping[str, Any], new: Graph | Mapping[str, Any]) -> PipelineDiff:
    """What turns ``old`` into ``new``; documents are parsed first (``GraphFormatError`` if malformed)."""
    before, after = _graph(old), _graph(new)
    removed = tuple(copy.deepcopy(n) for nid, n in before.nodes.items() if nid not in after.nodes)
    added = tuple(
        NodeAdded(i, copy.deepcopy(n)) for i, (nid, n) in enumerate(after.nodes.items()) if nid not in before.nodes
    )
    changed = tuple(
        c for nid, n in after.nodes.items() if nid in before.nodes and (c := _node_change(before.nodes[nid], n))
    )
    kept = [nid for nid in before.nodes if nid in after.nodes]
    order = _insert_at(kept, ((a.index, a.node.id) for a in added))
    edges_added, edges_removed, edge_order = _edge_changes(before.edges, after.edges)
    layout = tuple(
        LayoutChange(nid, copy.deepcopy(before.layout.get(nid)), copy.deepcopy(after.layout.get(nid)))
        for nid in after.nodes
        if not _same(before.layout.get(nid), after.layout.get(nid))
    )
    return PipelineDiff(
        nodes_added=added,
        nodes_removed=removed,
        nodes_changed=changed,
        edges_added=edges_added,
        edges_removed=edges_removed,
        parameters=_value_changes(before.parameters, after.parameters),
        layout=layout,
        node_order=None if order == list(after.nodes) else tuple(after.nodes),
        edge_order=edge_order,
    )


# -- applying -------------------------------------------------------------------------------------


@overload
def apply_diff(old: Graph, d: PipelineDiff) -> Graph: ...


@overload
def apply_diff(old: Mapping[str, Any], d: PipelineDiff) -> dict[str, Any]: ...


def apply_diff(old: Graph | Mapping[str, Any], d: PipelineDiff) -> Graph | dict[str, Any]:
    """``old`` with the diff applied: a graph for a graph, a canonical document for a document.

    Raises ``DiffConflict`` listing every place where ``old`` is not what the diff expects."""
    applier = _Applier(_graph(old))
    graph = applier.apply(d)
    if applier.problems:
        raise DiffConflict(applier.problems)
    return graph if isinstance(old, Graph) else to_document(graph)


def _apply_values(target: dict[str, Any], changes: Iterable[ValueChange], where: str, problems: list[str]) -> None:
    for change in changes:
        current = target.get(change.name, ABSENT)
        if not _same(current, change.old):
            problems.append(
                f"{where} '{change.name}' is {_show(current)}, not {_show(change.old)} as the diff expects."
            )
        elif change.new is ABSENT:
            del target[change.name]
        else:
            target[change.name] = copy.deepcopy(change.new)


def _show(value: Any) -> str:
    return "absent" if value is ABSENT else _canonical(value)


@dataclass
class _Applier:
    graph: Graph
    problems: list[str] = field(default_factory=list)

    def apply(self, d: PipelineDiff) -> Graph:
        nodes = self.nodes(d)
        edges = self.edges(d, set(nodes))
        parameters = copy.deepcopy(self.graph.parameters)
        _apply_values(parameters, d.parameters, "Pipeline parameter", self.problems)
        return Graph(nodes=nodes, edges=edges, parameters=parameters, layout=self.layout(d, set(nodes)))

    def nodes(self, d: PipelineDiff) -> dict[str, Node]:
        current = {nid: copy.deepcopy(n) for nid, n in self.graph.nodes.items()}
        for node in d.nodes_removed:
            if node.id not in current:
                self.problems.append(f"Node '{node.id}' cannot be removed: it is not in the pipeline.")
            elif not _same(_node_json(current[node.id]), _node_json(node)):
                self.problems.append(f"Node '{node.id}' cannot be removed: it changed since the diff was made.")
            else:
                del current[node.id]
        for change in d.nodes_changed:
            if change.id not in current:
                self.problems.append(f"Node '{change.id}' cannot be changed: it is not in the pipeline.")
            else:
                current[change.id] = self.changed_node(current[change.id], change)
        for item in d.nodes_added:
            if item.node.id in current:
                self.problems.append(f"Node '{item.node.id}' cannot be added: the pipeline already has it.")
        added = [(a.index, (a.node.id, copy.deepcopy(a.node))) for a in d.nodes_added if a.node.id not in current]
        ordered = _insert_at(list(current.items()), added)
        if d.node_order is None:
            return dict(ordered)
        if sorted(d.node_order) != sorted(nid for nid, _ in ordered):
            self.problems.append("The node order of the diff does not name exactly the nodes of the pipeline.")
            return dict(ordered)
        by_id = dict(ordered)
        return {nid: by_id[nid] for nid in d.node_order}

    def changed_node(self, node: Node, change: NodeChange) -> Node:
        where = f"Node '{node.id}'"
        updates: dict[str, Any] = {}
        for name, swap in (("module", change.module), ("version", change.version), ("regenerate", change.regenerate)):
            if swap is None:
                continue
            if not _same(getattr(node, name), swap.old):
                self.problems.append(
                    f"{where} has {name} {_show(getattr(node, name))}, not {_show(swap.old)} as the diff expects."
                )
            else:
                updates[name] = swap.new
        params = copy.deepcopy(node.params)
        _apply_values(params, change.params, f"{where} parameter", self.problems)
        return replace(node, params=params, **updates)

    def edges(self, d: PipelineDiff, nodes: set[str]) -> list[Edge]:
        have = Counter(self.graph.edges)
        for edge, count in Counter(d.edges_removed).items():
            if have[edge] < count:
                self.problems.append(f"The edge {_edge_text(edge)} cannot be removed: it is not in the pipeline.")
        edges = _insert_at(_without(self.graph.edges, d.edges_removed), ((a.index, a.edge) for a in d.edges_added))
        if d.edge_order is not None:
            if sorted(d.edge_order) != list(range(len(edges))):
                self.problems.append("The edge order of the diff does not fit the edges of the pipeline.")
            else:
                edges = [edges[i] for i in d.edge_order]
        for edge in edges:
            for end in (edge.source, edge.target):
                if end not in nodes:
                    self.problems.append(f"The edge {_edge_text(edge)} would name node '{end}', which is not there.")
        return edges

    def layout(self, d: PipelineDiff, nodes: set[str]) -> dict[str, dict[str, Any]]:
        layout = {nid: dict(entry) for nid, entry in self.graph.layout.items() if nid in nodes}
        for change in d.layout:
            if not _same(layout.get(change.node), change.old):
                self.problems.append(f"The layout of node '{change.node}' changed since the diff was made.")
            elif change.node not in nodes:
                self.problems.append(f"The layout names node '{change.node}', which is not in the pipeline.")
            elif change.new is None:
                layout.pop(change.node, None)
            else:
                layout[change.node] = dict(change.new)
        return layout


def _edge_text(edge: Edge) -> str:
    return f"{edge.source}.{edge.source_port} -> {edge.target}.{edge.target_port}"


# -- the JSON form --------------------------------------------------------------------------------


def _node_json(node: Node) -> dict[str, Any]:
    return {
        "id": node.id,
        "module": node.module,
        "version": node.version,
        "params": copy.deepcopy(node.params),
        "regenerate": node.regenerate,
    }


def _edge_json(edge: Edge) -> dict[str, Any]:
    return {
        "source": {"node": edge.source, "port": edge.source_port},
        "target": {"node": edge.target, "port": edge.target_port},
    }


def _value_json(change: ValueChange) -> dict[str, Any]:
    out: dict[str, Any] = {"name": change.name, "change": change.kind}
    if change.old is not ABSENT:
        out["old"] = copy.deepcopy(change.old)
    if change.new is not ABSENT:
        out["new"] = copy.deepcopy(change.new)
    return out


def _swap_json(swap: Swap[Any] | None) -> dict[str, Any] | None:
    return None if swap is None else {"old": swap.old, "new": swap.new}


def to_json(d: PipelineDiff) -> dict[str, Any]:
    """Plain JSON; ``summary`` and the ``change`` of each value are derived (``from_json`` ignores them)."""
    return {
        "format": DIFF_FORMAT,
        "summary": {
            "nodes_added": len(d.nodes_added),
            "nodes_removed": len(d.nodes_removed),
            "nodes_changed": len(d.nodes_changed),
            "edges_added": len(d.edges_added),
            "edges_removed": len(d.edges_removed),
            "parameters_changed": len(d.parameters),
            "layout_changed": len(d.layout),
            "semantic": d.has_semantic_changes,
            "layout_only": d.layout_only,
            "empty": d.is_empty,
        },
        "semantic": {
            "nodes_added": [{"index": a.index, "node": _node_json(a.node)} for a in d.nodes_added],
            "nodes_removed": [_node_json(n) for n in d.nodes_removed],
            "nodes_changed": [
                {
                    "id": c.id,
                    "module": _swap_json(c.module),
                    "version": _swap_json(c.version),
                    "regenerate": _swap_json(c.regenerate),
                    "params": [_value_json(p) for p in c.params],
                }
                for c in d.nodes_changed
            ],
            "edges_added": [{"index": a.index, "edge": _edge_json(a.edge)} for a in d.edges_added],
            "edges_removed": [_edge_json(e) for e in d.edges_removed],
            "parameters": [_value_json(p) for p in d.parameters],
        },
        "layout": {
            "nodes": [{"node": c.node, "old": copy.deepcopy(c.old), "new": copy.deepcopy(c.new)} for c in d.layout],
            "node_order": None if d.node_order is None else list(d.node_order),
            "edge_order": None if d.edge_order is None else list(d.edge_order),
        },
    }


class _Reader:
    """Strict reading of the JSON form: the first fault raises ``DiffFormatError`` naming its path."""

    def obj(self, value: Any, path: str, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise DiffFormatError(f"{path} must be an object.")
        unknown = sorted(str(k) for k in value if k not in required and k not in optional)
        if unknown:
            raise DiffFormatError(f"{path} has unknown fields: {', '.join(unknown)}.")
        missing = [k for k in required if k not in value]
        if missing:
            raise DiffFormatError(f"{path} is missing: {', '.join(missing)}.")
        return value

    def items(self, value: Any, path: str) -> list[tuple[str, Any]]:
        if not isinstance(value, list):
            raise DiffFormatError(f"{path} must be a list.")
        return [(f"{path}[{i}]", item) for i, item in enumerate(value)]

    def integer(self, value: Any, path: str, minimum: int = 0) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            raise DiffFormatError(f"{path} must be an integer of at least {minimum}.")
        return value

    def string(self, value: Any, path: str) -> str:
        if not isinstance(value, str):
            raise DiffFormatError(f"{path} must be a string.")
        return value

    def node(self, value: Any, path: str) -> Node:
        raw = self.obj(value, path, ("id", "module", "version"), ("params", "regenerate"))
        try:
            graph = parse_graph({"nodes": [raw], "edges": []})
        except ValueError as exc:
            raise DiffFormatError(f"{path} is not a valid node: {exc}") from None
        [node] = graph.nodes.values()
        return node

    def edge(self, value: Any, path: str) -> Edge:
        raw = self.obj(value, path, ("source", "target"))
        ends = []
        for side in ("source", "target"):
            end = self.obj(raw[side], f"{path}.{side}", ("node", "port"))
            ends.append(
                (self.string(end["node"], f"{path}.{side}.node"), self.string(end["port"], f"{path}.{side}.port"))
            )
        return Edge(ends[0][0], ends[0][1], ends[1][0], ends[1][1])

    def value_change(self, value: Any, path: str) -> ValueChange:
        raw = self.obj(value, path, ("name",), ("change", "old", "new"))
        if "old" not in raw and "new" not in raw:
            raise DiffFormatError(f"{path} needs an old value, a new value or both.")
        change = ValueChange(
            self.string(raw["name"], f"{path}.name"),
            copy.deepcopy(raw.get("old", ABSENT)),
            copy.deepcopy(raw.get("new", ABSENT)),
        )
        if "change" in raw and raw["change"] != change.kind:
            raise DiffFormatError(f"{path}.change says {raw['change']!r} but the values say {change.kind!r}.")
        return change

    def swap(self, value: Any, path: str, kind: type) -> Swap[Any] | None:
        if value is None:
            return None
        raw = self.obj(value, path, ("old", "new"))
        for key in ("old", "new"):
            ok = isinstance(raw[key], kind) and (kind is bool or not isinstance(raw[key], bool))
            if not ok:
                raise DiffFormatError(f"{path}.{key} must be a {kind.__name__}.")
        return Swap(raw["old"], raw["new"])

    def node_change(self, value: Any, path: str) -> NodeChange:
        raw = self.obj(value, path, ("id",), ("module", "version", "regenerate", "params"))
        return NodeChange(
            id=self.string(raw["id"], f"{path}.id"),
            module=self.swap(raw.get("module"), f"{path}.module", str),
            version=self.swap(raw.get("version"), f"{path}.version", int),
            regenerate=self.swap(raw.get("regenerate"), f"{path}.regenerate", bool),
            params=tuple(self.value_change(v, p) for p, v in self.items(raw.get("params", []), f"{path}.params")),
        )

    def layout_entry(self, value: Any, path: str) -> dict[str, Any] | None:
        if value is None:
            return None
        if not isinstance(value, dict):
            raise DiffFormatError(f"{path} must be an object or null.")
        return dict(value)

    def order(self, value: Any, path: str, kind: type) -> tuple[Any, ...] | None:
        if value is None:
            return None
        if kind is int:
            return tuple(self.integer(v, p) for p, v in self.items(value, path))
        return tuple(self.string(v, p) for p, v in self.items(value, path))


def from_json(data: Any) -> PipelineDiff:
    """The diff that ``to_json`` wrote; ``DiffFormatError`` naming the first fault otherwise."""
    r = _Reader()
    top = r.obj(data, "diff", ("format", "semantic", "layout"), ("summary",))
    if top["format"] != DIFF_FORMAT:
        raise DiffFormatError(f"diff.format must be {DIFF_FORMAT}, not {top['format']!r}.")
    s = r.obj(
        top["semantic"],
        "diff.semantic",
        ("nodes_added", "nodes_removed", "nodes_changed", "edges_added", "edges_removed", "parameters"),
    )
    lay = r.obj(top["layout"], "diff.layout", ("nodes", "node_order", "edge_order"))
    nodes_added = []
    for p, v in r.items(s["nodes_added"], "diff.semantic.nodes_added"):
        raw = r.obj(v, p, ("index", "node"))
        nodes_added.append(NodeAdded(r.integer(raw["index"], f"{p}.index"), r.node(raw["node"], f"{p}.node")))
    edges_added = []
    for p, v in r.items(s["edges_added"], "diff.semantic.edges_added"):
        raw = r.obj(v, p, ("index", "edge"))
        edges_added.append(EdgeAdded(r.integer(raw["index"], f"{p}.index"), r.edge(raw["edge"], f"{p}.edge")))
    layout = []
    for p, v in r.items(lay["nodes"], "diff.layout.nodes"):
        raw = r.obj(v, p, ("node", "old", "new"))
        layout.append(
            LayoutChange(
                r.string(raw["node"], f"{p}.node"),
                r.layout_entry(raw["old"], f"{p}.old"),
                r.layout_entry(raw["new"], f"{p}.new"),
            )
        )
    return PipelineDiff(
        nodes_added=tuple(nodes_added),
        nodes_removed=tuple(r.node(v, p) for p, v in r.items(s["nodes_removed"], "diff.semantic.nodes_removed")),
        nodes_changed=tuple(r.node_change(v, p) for p, v in r.items(s["nodes_changed"], "diff.semantic.nodes_changed")),
        edges_added=tuple(edges_added),
        edges_removed=tuple(r.edge(v, p) for p, v in r.items(s["edges_removed"], "diff.semantic.edges_removed")),
        parameters=tuple(r.value_change(v, p) for p, v in r.items(s["parameters"], "diff.semantic.parameters")),
        layout=tuple(layout),
        node_order=r.order(lay["node_order"], "diff.layout.node_order", str),
        edge_order=r.order(lay["edge_order"], "diff.layout.edge_order", int),
    )
