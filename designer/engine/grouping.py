"""Group selected nodes into a component, and ungroup a component node back into its inner nodes.

Both are pure rewrites of pipeline documents: grouping returns the component's version document and
the pipeline with the selection replaced by one component node (placed at the selection's centre,
edges crossing the selection re-wired to its ports); ungrouping does the reverse, writing the values
of exposed parameters into the inner nodes. Faults are ``GroupingError`` listing every problem, each
naming the node, port or parameter at fault, so the caller creates nothing.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from modules.sdk import Registry, UnknownModule

from .components import (
    ComponentFormatError,
    ComponentLookup,
    Interface,
    component_ref,
    interface,
    parse_document,
)
from .graph import COMPONENT_PREFIX, Edge, Graph, Node, to_document
from .parameters import reference
from .problems import Problem


class GroupingError(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(" ".join(p.message for p in problems))


@dataclass
class Grouping:
    """The component document, and how to place its node: ``replace_selection(component id, version)``."""

    document: dict[str, Any]
    graph: Graph
    selection: list[str]
    node_params: dict[str, Any]
    incoming: list[tuple[Edge, str]]  # outside edge into the selection, and the component input it now feeds
    outgoing: list[tuple[Edge, str]]  # edge out of the selection, and the component output it now leaves from

    def replace_selection(self, component_id: int, version: int, name: str = "component") -> Graph:
        chosen = set(self.selection)
        node_id = _fresh(_slug(name), set(self.graph.nodes) - chosen)
        nodes: dict[str, Node] = {}
        placed = False
        for nid, node in self.graph.nodes.items():
            if nid not in chosen:
                nodes[nid] = node
            elif not placed:  # where the first selected node was, in document order
                nodes[node_id] = Node(
                    node_id, f"{COMPONENT_PREFIX}{component_id}", version, dict(self.node_params), link="latest"
                )
                placed = True
        edges = [e for e in self.graph.edges if e.source not in chosen and e.target not in chosen]
        edges += [Edge(e.source, e.source_port, node_id, port) for e, port in self.incoming]
        seen: set[tuple[str, str, str]] = set()
        for e, port in self.outgoing:
            if (port, e.target, e.target_port) not in seen:
                seen.add((port, e.target, e.target_port))
                edges.append(Edge(node_id, port, e.target, e.target_port))
        layout = {nid: dict(v) for nid, v in self.graph.layout.items() if nid not in chosen}
        xs = [float(self.graph.layout.get(n, {}).get("x", 0.0)) for n in self.selection]
        ys = [float(self.graph.layout.get(n, {}).get("y", 0.0)) for n in self.selection]
        layout[node_id] = {"x": sum(xs) / len(xs), "y": sum(ys) / len(ys)}
        return Graph(nodes=nodes, edges=edges, parameters=self.graph.parameters, layout=layout)


def _slug(name: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9_-]+", "_", name.strip().lower()).strip("_")[:48]
    return slug or "component"


def _fresh(base: str, taken: Iterable[str]) -> str:
    used = set(taken)
    candidate, i = base, 1
    while candidate in used:
        i += 1
        candidate = f"{base}_{i}"
    return candidate


def _unique(name: str, used: set[str]) -> str:
    name = re.sub(r"[^a-z0-9_]+", "_", name.lower()).strip("_") or "port"
    if not name[0].isalpha():
        name = f"p_{name}"
    found = _fresh(name[:60], used)
    used.add(found)
    return found


def group(
    graph: Graph,
    node_ids: list[str],
    registry: Registry,
    lookup: ComponentLookup | None = None,
    *,
    inputs: list[dict[str, Any]] | None = None,
    outputs: list[dict[str, Any]] | None = None,
    parameters: list[dict[str, Any]] | None = None,
) -> Grouping:
    """The component made of ``node_ids`` (see the module docstring); ``GroupingError`` on any fault."""
    problems: list[Problem] = []
    selection = list(dict.fromkeys(node_ids))
    for nid in selection:
        if nid not in graph.nodes:
            problems.append(
                Problem("invalid_component", f"Node '{nid}' is not in the pipeline.", node=nid, path="node_ids")
            )
    if not selection:
        problems.append(Problem("invalid_component", "Select at least one node to group.", path="node_ids"))
    if problems:
        raise GroupingError(problems)
    chosen = set(selection)
    inner_edges = [e for e in graph.edges if e.source in chosen and e.target in chosen]
    crossing_in = [e for e in graph.edges if e.source not in chosen and e.target in chosen]
    crossing_out = [e for e in graph.edges if e.source in chosen and e.target not in chosen]
    ports = _Ports(graph, registry, lookup)
    used: set[str] = set()
    declared_in = (
        _checked_inputs(inputs, chosen, problems, used)
        if inputs is not None
        else _default_inputs(graph, selection, crossing_in, inner_edges, ports, used)
    )
    declared_out = (
        _checked_outputs(outputs, chosen, problems, used)
        if outputs is not None
        else _default_outputs(selection, crossing_out, inner_edges, ports, used)
    )
    feeds = {(t["node"], t["port"]): d["name"] for d in declared_in for t in d["targets"]}
    incoming: list[tuple[Edge, str]] = []
    fed_by: dict[str, tuple[str, str]] = {}
    for e in crossing_in:
        name = feeds.get((e.target, e.target_port))
        if name is None:
            problems.append(
                Problem(
                    "invalid_component",
                    f"The edge from '{e.source}' into input '{e.target_port}' "
                    f"of node '{e.target}' crosses the selection, but no component input targets "
                    "that port.",
                    node=e.target,
                    port=e.target_port,
                    path="inputs",
                )
            )
            continue
        if name in fed_by and fed_by[name] != (e.source, e.source_port):
            problems.append(
                Problem(
                    "invalid_component",
                    f"Component input '{name}' would be fed from two outputs "
                    "outside the selection; give each its own input.",
                    port=name,
                    path="inputs",
                )
            )
            continue
        if name not in fed_by:
            fed_by[name] = (e.source, e.source_port)
            incoming.append((e, name))
    leaves = {(d["source"]["node"], d["source"]["port"]): d["name"] for d in declared_out}
    outgoing: list[tuple[Edge, str]] = []
    for e in crossing_out:
        name = leaves.get((e.source, e.source_port))
        if name is None:
            problems.append(
                Problem(
                    "invalid_component",
                    f"Output '{e.source_port}' of node '{e.source}' is used "
                    f"outside the selection (by '{e.target}'), but no component output comes from it.",
                    node=e.source,
                    port=e.source_port,
                    path="outputs",
                )
            )
            continue
        outgoing.append((e, name))
    exposed, node_params = _parameters(graph, selection, parameters, problems, used)
    if not declared_out:
        problems.append(
            Problem(
                "invalid_component",
                "The selection has no output used outside it; name the component's outputs.",
                path="outputs",
            )
        )
    if problems:
        raise GroupingError(problems)
    inner = Graph(
        nodes={nid: _without_refs(graph.nodes[nid], exposed) for nid in selection},
        edges=inner_edges,
        parameters={},
        layout={nid: dict(graph.layout[nid]) for nid in selection if nid in graph.layout},
    )
    document = {
        "kind": "graph",
        "graph": to_document(inner),
        "inputs": declared_in,
        "outputs": declared_out,
        "parameters": exposed,
    }
    return Grouping(document, graph, selection, node_params, incoming, outgoing)


class _Ports:
    def __init__(self, graph: Graph, registry: Registry, lookup: ComponentLookup | None) -> None:
        self.graph, self.registry, self.lookup = graph, registry, lookup

    def of(self, node_id: str) -> tuple[dict[str, dict[str, Any]], list[str]]:
        """Input ports by name and the output port names of a node (empty when it cannot be known)."""
        node = self.graph.nodes[node_id]
        ident = component_ref(node)
        if ident is None:
            try:
                cls = self.registry.get(node.module, node.version)
            except UnknownModule:
                return {}, []
            return {n: p.describe() for n, p in cls.inputs.items()}, list(cls.outputs)
        if self.lookup is None:
            return {}, []
        try:
            face: Interface = interface(self.lookup.version(ident, node.version), self.registry, self.lookup)
        except (LookupError, ComponentFormatError):
            return {}, []
        return {p["name"]: p for p in face.inputs}, [p["name"] for p in face.outputs]


def _default_inputs(
    graph: Graph, selection: list[str], crossing: list[Edge], inner: list[Edge], ports: _Ports, used: set[str]
) -> list[dict[str, Any]]:
    connected_inside = {(e.target, e.target_port) for e in inner}
    from_outside = {(e.target, e.target_port) for e in crossing}
    out: list[dict[str, Any]] = []
    for nid in selection:
        declared, _outs = ports.of(nid)
        for port, spec in declared.items():
            key = (nid, port)
            if key in connected_inside:
                continue
            if key in from_outside or not spec.get("optional", False):
                out.append({"name": _unique(port, used), "description": "", "targets": [{"node": nid, "port": port}]})
    return out


def _default_outputs(
    selection: list[str], crossing: list[Edge], inner: list[Edge], ports: _Ports, used: set[str]
) -> list[dict[str, Any]]:
    wanted = list(dict.fromkeys((e.source, e.source_port) for e in crossing))
    if not wanted:  # nothing outside uses the selection: offer every output nobody inside reads
        read = {(e.source, e.source_port) for e in inner}
        wanted = [(nid, port) for nid in selection for port in ports.of(nid)[1] if (nid, port) not in read]
    return [
        {"name": _unique(port, used), "description": "", "source": {"node": nid, "port": port}} for nid, port in wanted
    ]


def _checked_inputs(
    raw: list[dict[str, Any]], chosen: set[str], problems: list[Problem], used: set[str]
) -> list[dict[str, Any]]:
    out = []
    for i, item in enumerate(raw):
        name = item.get("name") if isinstance(item, dict) else None
        targets = item.get("targets") if isinstance(item, dict) else None
        if not isinstance(name, str) or not isinstance(targets, list) or not targets:
            problems.append(Problem("invalid_component", f"inputs[{i}] needs a name and targets.", path=f"inputs[{i}]"))
            continue
        for t in targets:
            if not isinstance(t, dict) or t.get("node") not in chosen:
                problems.append(
                    Problem(
                        "invalid_component",
                        f"Input '{name}' targets a node outside the selection.",
                        port=name,
                        path=f"inputs[{i}].targets",
                    )
                )
        used.add(name)
        out.append({"name": name, "description": str(item.get("description", "")), "targets": targets})
    return out


def _checked_outputs(
    raw: list[dict[str, Any]], chosen: set[str], problems: list[Problem], used: set[str]
) -> list[dict[str, Any]]:
    out = []
    for i, item in enumerate(raw):
        name = item.get("name") if isinstance(item, dict) else None
        source = item.get("source") if isinstance(item, dict) else None
        if not isinstance(name, str) or not isinstance(source, dict) or source.get("node") not in chosen:
            problems.append(
                Problem(
                    "invalid_component",
                    f"outputs[{i}] needs a name and a source node in the selection.",
                    path=f"outputs[{i}]",
                )
            )
            continue
        used.add(name)
        out.append({"name": name, "description": str(item.get("description", "")), "source": source})
    return out


def _parameters(
    graph: Graph,
    selection: list[str],
    raw: list[dict[str, Any]] | None,
    problems: list[Problem],
    used: set[str],
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Exposed parameters (with the inner values as defaults) and the component node's own values: a field
    bound to a pipeline parameter is exposed under that name, and the node passes the reference on."""
    exposed: list[dict[str, Any]] = []
    values: dict[str, Any] = {}
    covered: set[tuple[str, str]] = set()
    for i, item in enumerate(raw or []):
        name = item.get("name") if isinstance(item, dict) else None
        targets = item.get("targets") if isinstance(item, dict) else None
        if not isinstance(name, str) or not isinstance(targets, list) or not targets:
            problems.append(
                Problem("invalid_component", f"parameters[{i}] needs a name and targets.", path=f"parameters[{i}]")
            )
            continue
        entry: dict[str, Any] = {"name": name, "description": str(item.get("description", "")), "targets": targets}
        first = targets[0] if isinstance(targets[0], dict) else {}
        node = graph.nodes.get(first.get("node", ""))
        if node is None or node.id not in selection:
            problems.append(
                Problem(
                    "invalid_component",
                    f"Parameter '{name}' targets a node outside the selection.",
                    param=name,
                    path=f"parameters[{i}].targets",
                )
            )
            continue
        current = node.params.get(first.get("param", ""))
        if reference(current) is not None:
            values[name] = current
        elif current is not None:
            entry["default"] = copy.deepcopy(current)
        covered |= {(str(t.get("node")), str(t.get("param"))) for t in targets if isinstance(t, dict)}
        exposed.append(entry)
    by_ref: dict[str, list[dict[str, str]]] = {}
    for nid in selection:
        for pname, value in graph.nodes[nid].params.items():
            ref = reference(value)
            if ref is not None and (nid, pname) not in covered:
                by_ref.setdefault(ref, []).append({"node": nid, "param": pname})
    for ref, targets in by_ref.items():
        name = ref if ref not in used and ref not in values else _unique(ref, used)
        exposed.append({"name": name, "description": f"Pipeline parameter '{ref}'", "targets": targets})
        values[name] = {"$param": ref}
    return exposed, values


def _without_refs(node: Node, exposed: list[dict[str, Any]]) -> Node:
    """Inner fields driven by an exposed parameter keep no pipeline-parameter reference (inner pipelines
    declare none)."""
    targets = {
        t.get("param") for e in exposed for t in e["targets"] if isinstance(t, dict) and t.get("node") == node.id
    }
    params = {k: v for k, v in node.params.items() if not (k in targets and reference(v) is not None)}
    return replace(node, params=params, link=node.link)


# -- ungroup --------------------------------------------------------------------------------------


def ungroup(graph: Graph, node_id: str, document: Mapping[str, Any]) -> Graph:
    """``graph`` with component node ``node_id`` replaced by the inner nodes of its version ``document``."""
    node = graph.nodes.get(node_id)
    if node is None or component_ref(node) is None:
        raise GroupingError(
            [Problem("invalid_component", f"Node '{node_id}' is not a component node.", node=node_id, path="node_id")]
        )
    try:
        parsed = parse_document(dict(document))
    except ComponentFormatError as exc:
        raise GroupingError(exc.problems) from None
    if parsed.kind != "graph" or parsed.graph is None:
        raise GroupingError(
            [
                Problem(
                    "invalid_component",
                    f"Node '{node_id}' is a script component: it has no inner nodes to ungroup.",
                    node=node_id,
                    path="node_id",
                )
            ]
        )
    inner = parsed.graph
    taken = set(graph.nodes) - {node_id}
    rename: dict[str, str] = {}
    for nid in inner.nodes:
        rename[nid] = _fresh(nid, taken)
        taken.add(rename[nid])
    params = _inner_params(inner, parsed.parameters, node.params)
    nodes: dict[str, Node] = {}
    for nid, n in graph.nodes.items():
        if nid != node_id:
            nodes[nid] = n
            continue
        for inner_id, inner_node in inner.nodes.items():
            nodes[rename[inner_id]] = replace(inner_node, id=rename[inner_id], params=params[inner_id])
    edges = [Edge(rename[e.source], e.source_port, rename[e.target], e.target_port) for e in inner.edges]
    inputs = {d.name: d.targets for d in parsed.inputs}
    outputs = {d.name: d.targets[0] for d in parsed.outputs}
    for e in graph.edges:
        if e.target == node_id:
            edges += [Edge(e.source, e.source_port, rename[t.node], t.port) for t in inputs.get(e.target_port, ())]
        elif e.source == node_id and e.source_port in outputs:
            s = outputs[e.source_port]
            edges.append(Edge(rename[s.node], s.port, e.target, e.target_port))
        elif node_id not in (e.source, e.target):
            edges.append(e)
    return Graph(
        nodes=nodes, edges=edges, parameters=graph.parameters, layout=_ungrouped_layout(graph, node_id, inner, rename)
    )


def _inner_params(inner: Graph, exposed: list[Any], given: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    params = {nid: dict(n.params) for nid, n in inner.nodes.items()}
    for declared in exposed:
        if declared.name in given:
            value: Any = given[declared.name]
        elif declared.has_default:
            value = declared.default
        else:
            continue
        for t in declared.targets:
            if t.node in params:
                params[t.node][t.port] = copy.deepcopy(value)
    return params


def _ungrouped_layout(graph: Graph, node_id: str, inner: Graph, rename: dict[str, str]) -> dict[str, dict[str, Any]]:
    layout = {nid: dict(v) for nid, v in graph.layout.items() if nid != node_id}
    where = graph.layout.get(node_id, {})
    xs = [float(inner.layout.get(n, {}).get("x", 0.0)) for n in inner.nodes]
    ys = [float(inner.layout.get(n, {}).get("y", 0.0)) for n in inner.nodes]
    cx, cy = (sum(xs) / len(xs), sum(ys) / len(ys)) if xs else (0.0, 0.0)
    for inner_id in inner.nodes:
        pos = inner.layout.get(inner_id, {})
        layout[rename[inner_id]] = {
            "x": float(where.get("x", 0.0)) + float(pos.get("x", 0.0)) - cx,
            "y": float(where.get("y", 0.0)) + float(pos.get("y", 0.0)) - cy,
        }
    return layout
