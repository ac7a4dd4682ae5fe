"""The pipeline graph and its JSON document: strict parsing, a canonical form, schema upgrades.

The document is the contract between canvas, API, CLI and engine, so parsing refuses anything it
does not understand and reports every fault at once with a JSON path the editor can point at.
Canvas-only data lives in ``layout`` so moving a node never changes what the pipeline computes.
"""

from __future__ import annotations

import copy
import heapq
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .problems import GraphFormatError, Problem

SCHEMA_VERSION = 1
MAX_NODES = 2000
MAX_EDGES = 10000
MAX_NESTING = 64
NODE_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
_NODE_ID = re.compile(NODE_ID_PATTERN)
MAX_MODULE_ID = 128
MAX_PORT_NAME = 64

_TOP_FIELDS = ("schema_version", "nodes", "edges", "parameters", "layout")
_NODE_FIELDS = ("id", "module", "version", "params", "regenerate", "link")
#: A component node (module ``component:<id>``) follows its component's newest version ("latest": the
#: canvas offers each update, accepting rewrites ``version``) or stays on its version ("pinned").
COMPONENT_PREFIX = "component:"
LINKS = ("latest", "pinned")
_EDGE_FIELDS = ("source", "target")
_END_FIELDS = ("node", "port")
_LAYOUT_FIELDS = ("x", "y", "comment", "colour")

# Upgrade steps: UPGRADES[n] turns a version-n document into a version-(n + 1) one.
UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


@dataclass(frozen=True)
class Node:
    id: str
    module: str
    version: int
    params: dict[str, Any] = field(default_factory=dict)
    regenerate: bool = False  # "regenerate output": re-run even when cached; not part of the cache key
    link: str | None = None  # component nodes only: "latest" or "pinned"; never part of the cache key

    @property
    def is_component(self) -> bool:
        return self.module.startswith(COMPONENT_PREFIX)


@dataclass(frozen=True)
class Edge:
    source: str
    source_port: str
    target: str
    target_port: str


class CycleError(ValueError):
    """The graph does not flow one way. ``nodes`` are the nodes on a cycle, in document order."""

    def __init__(self, nodes: list[str], cycles: list[list[str]] | None = None, order: list[str] | None = None) -> None:
        self.nodes = list(nodes)
        self.cycles = cycles if cycles is not None else [list(nodes)]
        self.order = order or []  # the nodes that can still be ordered (not on or after a cycle)
        super().__init__("Nodes " + ", ".join(f"'{n}'" for n in self.nodes) + " form a cycle.")


@dataclass
class Graph:
    nodes: dict[str, Node]
    edges: list[Edge]
    parameters: dict[str, Any] = field(default_factory=dict)
    layout: dict[str, dict[str, Any]] = field(default_factory=dict)

    def incoming(self, node_id: str) -> dict[str, Edge]:
        return {e.target_port: e for e in self.edges if e.target == node_id}

    def outgoing(self, node_id: str) -> list[Edge]:
        return [e for e in self.edges if e.source == node_id]

    def parents(self, node_id: str) -> set[str]:
        return {e.source for e in self.edges if e.target == node_id}

    def children(self, node_id: str) -> set[str]:
        return {e.target for e in self.edges if e.source == node_id}

    def successors(self) -> dict[str, list[str]]:
        """Children of every node, built once (edges to unknown nodes ignored, no duplicates)."""
        succ: dict[str, list[str]] = {n: [] for n in self.nodes}
        seen: set[tuple[str, str]] = set()
        for e in self.edges:
            if e.source in succ and e.target in succ and (e.source, e.target) not in seen:
                seen.add((e.source, e.target))
                succ[e.source].append(e.target)
        return succ

    def descendants(self, node_ids: Iterable[str]) -> set[str]:
        start = set(node_ids)
        succ = self.successors()
        seen: set[str] = set()
        todo = [n for n in start if n in succ]
        while todo:
            for child in succ[todo.pop()]:
                if child not in seen:
                    seen.add(child)
                    todo.append(child)
        return seen - start

    def topological_order(self) -> list[str]:
        """Parents before children; among ready nodes the earliest in the document goes first."""
        succ = self.successors()
        position = {n: i for i, n in enumerate(self.nodes)}
        pending = dict.fromkeys(self.nodes, 0)
        for children in succ.values():
            for child in children:
                pending[child] += 1
        ready = [position[n] for n, count in pending.items() if count == 0]
        heapq.heapify(ready)
        names = list(self.nodes)
        order: list[str] = []
        while ready:
            current = names[heapq.heappop(ready)]
            order.append(current)
            for child in succ[current]:
                pending[child] -= 1
                if pending[child] == 0:
                    heapq.heappush(ready, position[child])
        if len(order) < len(names):
            blocked = [n for n in names if n not in set(order)]
            cycles = _cycles(blocked, succ, position)
            on_cycle = sorted({n for c in cycles for n in c}, key=position.__getitem__)
            raise CycleError(nodes=on_cycle, cycles=cycles, order=order)
        return order


def _cycles(blocked: list[str], succ: dict[str, list[str]], position: dict[str, int]) -> list[list[str]]:
    """Strongly connected components that hold a cycle (Tarjan, iterative: graphs may be deep)."""
    inside = set(blocked)
    sub = {n: [c for c in succ[n] if c in inside] for n in blocked}
    tarjan = _Tarjan(sub)
    for n in blocked:
        if n not in tarjan.index:
            tarjan.visit(n)
    found = [sorted(c, key=position.__getitem__) for c in tarjan.components if len(c) > 1 or c[0] in sub[c[0]]]
    return sorted(found, key=lambda c: position[c[0]])


class _Tarjan:
    def __init__(self, succ: dict[str, list[str]]) -> None:
        self.succ = succ
        self.index: dict[str, int] = {}
        self.low: dict[str, int] = {}
        self.stack: list[str] = []
        self.on_stack: set[str] = set()
        self.components: list[list[str]] = []

    def _push(self, node: str) -> Iterator[str]:
        self.index[node] = self.low[node] = len(self.index)
        self.stack.append(node)
        self.on_stack.add(node)
        return iter(self.succ[node])

    def visit(self, root: str) -> None:
        work = [(root, self._push(root))]
        while work:
            node, children = work[-1]
            child = next((c for c in children if c not in self.index or c in self.on_stack), None)
            if child is not None:
                if child in self.index:
                    self.low[node] = min(self.low[node], self.index[child])
                else:
                    work.append((child, self._push(child)))
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                self.low[parent] = min(self.low[parent], self.low[node])
            if self.low[node] == self.index[node]:
                self._pop_component(node)

    def _pop_component(self, root: str) -> None:
        component: list[str] = []
        while True:
            member = self.stack.pop()
            self.on_stack.discard(member)
            component.append(member)
            if member == root:
                break
        self.components.append(component)


# -- upgrades -------------------------------------------------------------------------------------


def upgrade(doc: dict[str, Any]) -> dict[str, Any]:
    """Bring a document written by an older Tessera up to ``SCHEMA_VERSION`` (the input is not modified)."""
    version = doc.get("schema_version", 1)
    if not _is_int(version) or version < 1:
        raise GraphFormatError(
            [
                Problem(
                    "format", f"The schema version must be a positive integer, not {version!r}.", path="schema_version"
                )
            ]
        )
    if version > SCHEMA_VERSION:
        raise GraphFormatError(
            [
                Problem(
                    "format",
                    f"This pipeline was written by a newer Tessera (schema version {version}); "
                    f"this server reads schema versions up to {SCHEMA_VERSION}.",
                    path="schema_version",
                )
            ]
        )
    while version < SCHEMA_VERSION:
        doc = UPGRADES[version](doc)
        version += 1
    return {**doc, "schema_version": SCHEMA_VERSION}


# -- parsing --------------------------------------------------------------------------------------


def parse_graph(doc: Any) -> Graph:
    """A ``Graph`` from a pipeline document, or ``GraphFormatError`` listing every fault."""
    if not isinstance(doc, dict):
        raise GraphFormatError([Problem("format", f"A pipeline document must be a JSON object, not {_kind(doc)}.")])
    doc = upgrade(doc)
    parser = _Parser()
    parser.fields(doc, "", _TOP_FIELDS, required=("nodes", "edges"))
    raw_nodes = parser.sized_list(doc, "nodes", MAX_NODES)
    raw_edges = parser.sized_list(doc, "edges", MAX_EDGES)
    nodes, seen = parser.nodes(raw_nodes or [])
    known = None if raw_nodes is None else seen  # a broken node list: do not call every edge dangling too
    edges = [e for i, raw in enumerate(raw_edges or []) if (e := parser.edge(raw, f"edges[{i}]", known)) is not None]
    parameters = parser.json_object(doc.get("parameters", {}), "parameters")
    layout = parser.layout(doc.get("layout", {}), known or set())
    if parser.problems:
        raise GraphFormatError(parser.problems)
    return Graph(nodes=nodes, edges=edges, parameters=parameters, layout=layout)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return (_is_int(value) or isinstance(value, float)) and math.isfinite(value)


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "true/false", type(None): "null"}
    if type(value) in names:
        return names[type(value)]
    if _is_int(value) or isinstance(value, float):
        return "a number"
    return f"a {type(value).__name__}"


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


class _Parser:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def fail(self, path: str, message: str, code: str = "format", node: str | None = None) -> None:
        self.problems.append(Problem(code, message, node=node, path=path or None))

    def fields(self, obj: Any, path: str, allowed: tuple[str, ...], required: tuple[str, ...] = ()) -> bool:
        """Whether ``obj`` is an object; reports unknown and missing fields."""
        where = path or "the document"
        if not isinstance(obj, dict):
            self.fail(path, f"{where} must be an object, not {_kind(obj)}.")
            return False
        for key in obj:
            if key not in allowed:
                self.fail(_join(path, str(key)), f"Unknown field '{key}' in {where}; allowed: {', '.join(allowed)}.")
        for key in required:
            if key not in obj:
                self.fail(_join(path, key), f"{where} is missing the required field '{key}'.")
        return True

    def sized_list(self, doc: dict[str, Any], key: str, limit: int) -> list[Any] | None:
        """The list under ``key`` (empty when absent), or None when it is not a list."""
        value = doc.get(key, [])
        if not isinstance(value, list):
            self.fail(key, f"'{key}' must be a list, not {_kind(value)}.")
            return None
        if len(value) > limit:
            # Stop here: a huge document should not cost more work than reading its length.
            self.fail(key, f"A pipeline may have at most {limit} {key}; this one has {len(value)}.")
            raise GraphFormatError(self.problems)
        return value

    def string(self, obj: dict[str, Any], key: str, path: str, max_len: int) -> str | None:
        if key not in obj:
            return None  # already reported by ``fields`` as a missing required field
        value = obj[key]
        if not isinstance(value, str) or not 1 <= len(value) <= max_len:
            self.fail(_join(path, key), f"{_join(path, key)} must be a string of 1 to {max_len} characters.")
            return None
        return value

    def nodes(self, raw_nodes: list[Any]) -> tuple[dict[str, Node], set[str]]:
        """Parsed nodes, and every id seen (even on a broken node, so its edges are not called dangling)."""
        nodes: dict[str, Node] = {}
        known: set[str] = set()
        for i, raw in enumerate(raw_nodes):
            path = f"nodes[{i}]"
            node_id = raw.get("id") if isinstance(raw, dict) else None
            if isinstance(node_id, str) and node_id in known:
                message = f"Node id '{node_id}' is used twice; node ids must be unique."
                self.fail(f"{path}.id", message, "duplicate_node", node=node_id)
                continue
            node = self.node(raw, path)
            if isinstance(node_id, str) and _NODE_ID.fullmatch(node_id):
                known.add(node_id)
            if node is not None:
                nodes[node.id] = node
        return nodes, known

    def node(self, raw: Any, path: str) -> Node | None:
        if not self.fields(raw, path, _NODE_FIELDS, required=("id", "module", "version")):
            return None
        before = len(self.problems)
        node_id = raw.get("id")
        if "id" in raw and (not isinstance(node_id, str) or not _NODE_ID.fullmatch(node_id)):
            self.fail(
                f"{path}.id",
                f"Node id {node_id!r} at {path} must be 1 to 64 letters, digits, '_' or '-'.",
            )
        module = self.string(raw, "module", path, MAX_MODULE_ID)
        version = raw.get("version")
        if "version" in raw and (not _is_int(version) or version < 1):
            self.fail(f"{path}.version", f"{path}.version must be a positive integer, not {version!r}.")
        params = self.json_object(raw.get("params", {}), f"{path}.params")
        regenerate = raw.get("regenerate", False)
        if not isinstance(regenerate, bool):
            self.fail(f"{path}.regenerate", f"{path}.regenerate must be true or false, not {_kind(regenerate)}.")
        link = raw.get("link")
        if link is not None and (module is None or not module.startswith(COMPONENT_PREFIX)):
            self.fail(f"{path}.link", f"{path}.link: only a component node (module 'component:<id>') has a link.")
        elif link is not None and link not in LINKS:
            self.fail(f"{path}.link", f"{path}.link must be 'latest' or 'pinned', not {link!r}.")
        if module is not None and module.startswith(COMPONENT_PREFIX):
            ident = module[len(COMPONENT_PREFIX) :]
            if not (ident.isascii() and ident.isdigit() and int(ident) > 0):
                self.fail(f"{path}.module", f"{path}.module must be 'component:<component id>', not {module!r}.")
        if len(self.problems) > before or module is None or "id" not in raw or "version" not in raw:
            return None
        return Node(id=node_id, module=module, version=version, params=params, regenerate=regenerate, link=link)

    def edge(self, raw: Any, path: str, known: set[str] | None) -> Edge | None:
        if not self.fields(raw, path, _EDGE_FIELDS, required=_EDGE_FIELDS):
            return None
        ends = [self.end(raw.get(side), f"{path}.{side}", known) for side in _EDGE_FIELDS if side in raw]
        if len(ends) != 2 or ends[0] is None or ends[1] is None:
            return None
        return Edge(source=ends[0][0], source_port=ends[0][1], target=ends[1][0], target_port=ends[1][1])

    def end(self, raw: Any, path: str, known: set[str] | None) -> tuple[str, str] | None:
        if not self.fields(raw, path, _END_FIELDS, required=_END_FIELDS):
            return None
        node = self.string(raw, "node", path, 64)
        port = self.string(raw, "port", path, MAX_PORT_NAME)
        if node is not None and known is not None and node not in known:
            self.fail(
                f"{path}.node", f"{path}.node names node '{node}', which is not in the pipeline.", "dangling_edge"
            )
            return None
        if node is None or port is None:
            return None
        return node, port

    def json_object(self, value: Any, path: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(path, f"{path} must be an object, not {_kind(value)}.")
            return {}
        fault = _json_fault(value, path)
        if fault is not None:
            self.fail(fault[0], fault[1])
            return {}
        return copy.deepcopy(value)

    def layout(self, value: Any, known: set[str]) -> dict[str, dict[str, Any]]:
        if not isinstance(value, dict):
            self.fail("layout", f"layout must be an object, not {_kind(value)}.")
            return {}
        layout: dict[str, dict[str, Any]] = {}
        for node_id, entry in value.items():
            if node_id not in known:
                continue  # a stale entry for a deleted node: harmless, dropped
            path = f"layout.{node_id}"
            if self.fields(entry, path, _LAYOUT_FIELDS) and self.layout_entry(entry, path):
                layout[node_id] = dict(entry)
        return layout

    def layout_entry(self, entry: dict[str, Any], path: str) -> bool:
        ok = True
        for key in ("x", "y"):
            if key in entry and not _is_number(entry[key]):
                self.fail(f"{path}.{key}", f"{path}.{key} must be a finite number, not {_kind(entry[key])}.")
                ok = False
        for key in ("comment", "colour"):
            if key in entry and not isinstance(entry[key], str):
                self.fail(f"{path}.{key}", f"{path}.{key} must be a string, not {_kind(entry[key])}.")
                ok = False
        return ok


def _json_fault(value: Any, path: str) -> tuple[str, str] | None:
    """The first place where ``value`` is not plain JSON (finite numbers, string keys), if any."""
    todo: list[tuple[Any, str, int]] = [(value, path, 0)]
    while todo:
        item, where, depth = todo.pop()
        if depth > MAX_NESTING:
            return where, f"{where} is nested more than {MAX_NESTING} levels deep."
        if isinstance(item, dict):
            for key, child in item.items():
                if not isinstance(key, str):
                    return where, f"{where} has a key {key!r} that is not a string."
                todo.append((child, f"{where}.{key}", depth + 1))
        elif isinstance(item, list):
            todo.extend((child, f"{where}[{i}]", depth + 1) for i, child in enumerate(item))
        elif isinstance(item, float) and not math.isfinite(item):
            return where, f"{where} must be a finite number, not {item!r}."
        elif not (item is None or isinstance(item, str | bool | int | float)):
            return where, f"{where} must be a JSON value, not {_kind(item)}."
    return None


# -- the canonical document -----------------------------------------------------------------------


def to_document(graph: Graph) -> dict[str, Any]:
    """The canonical JSON document; ``parse_graph(to_document(g)) == g``."""
    return {
        "schema_version": SCHEMA_VERSION,
        "nodes": [_node_document(n) for n in graph.nodes.values()],
        "edges": [
            {"source": {"node": e.source, "port": e.source_port}, "target": {"node": e.target, "port": e.target_port}}
            for e in graph.edges
        ],
        "parameters": copy.deepcopy(graph.parameters),
        "layout": {nid: dict(entry) for nid, entry in graph.layout.items() if nid in graph.nodes},
    }


def _node_document(n: Node) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": n.id,
        "module": n.module,
        "version": n.version,
        "params": copy.deepcopy(n.params),
        "regenerate": n.regenerate,
    }
    if n.link is not None:
        out["link"] = n.link
    return out


def _closed(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required, "additionalProperties": False}


_END_SCHEMA = _closed(
    {
        "node": {"type": "string", "pattern": NODE_ID_PATTERN},
        "port": {"type": "string", "minLength": 1, "maxLength": MAX_PORT_NAME},
    },
    ["node", "port"],
)

PIPELINE_JSON_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "urn:tessera:pipeline:1",
    "title": "Tessera pipeline",
    "description": "Nodes (module instances) joined port to port by edges; canvas-only data lives in layout.",
    **_closed(
        {
            "schema_version": {"type": "integer", "minimum": 1, "maximum": SCHEMA_VERSION},
            "nodes": {
                "type": "array",
                "maxItems": MAX_NODES,
                "items": _closed(
                    {
                        "id": {"type": "string", "pattern": NODE_ID_PATTERN},
                        "module": {"type": "string", "minLength": 1, "maxLength": MAX_MODULE_ID},
                        "version": {"type": "integer", "minimum": 1},
                        "params": {"type": "object"},
                        "regenerate": {"type": "boolean", "default": False},
                        "link": {"enum": list(LINKS), "description": "Component nodes only; absent = latest."},
                    },
                    ["id", "module", "version"],
                ),
            },
            "edges": {
                "type": "array",
                "maxItems": MAX_EDGES,
                "items": _closed({"source": _END_SCHEMA, "target": _END_SCHEMA}, ["source", "target"]),
            },
            "parameters": {"type": "object"},
            "layout": {
                "type": "object",
                "additionalProperties": _closed(
                    {
                        "x": {"type": "number"},
                        "y": {"type": "number"},
                        "comment": {"type": "string"},
                        "colour": {"type": "string"},
                    },
                    [],
                ),
            },
        },
        ["nodes", "edges"],
    ),
}
