"""Components: sub-pipelines (and script modules) saved as versioned documents, expanded before anything computes.

A component node is an ordinary node whose module is ``component:<id>`` and whose ``version`` names a
concrete component version. Before validation, cache keys and dispatch, :func:`expand` replaces every
such node by its inner nodes with namespaced ids ``<outer node>/<inner node>`` (nested: ``a/b/c``), wires
the edges that reached its ports to the inner ports the component declares, and writes the values given
to its exposed parameters into the inner nodes' parameters. A script component becomes one node
``<outer node>`` of the hidden ``script_component`` module. What comes out is a plain graph: cache keys
of inner nodes equal those of the same nodes inlined (keys never depend on ids), so a component
unchanged and fed the same inputs is fully reused, and nothing downstream knows components exist.

Problems found inside a component name the component node and the inner node (``explain``); a
component that contains itself, directly or not, is refused. Plain Python: the web app supplies the
component versions through a :class:`ComponentLookup`.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from modules.library.python_language import script_component as script
from modules.sdk import Module, Registry, UnknownModule, column_params

from .graph import COMPONENT_PREFIX, Edge, Graph, Node, parse_graph
from .parameters import NAME_PATTERN, reference
from .problems import GraphFormatError, Problem

KINDS = ("graph", "script")
MAX_DEPTH = 8
MAX_EXPANDED_ID = 255
MAX_NAME = 64
MAX_DESCRIPTION = 1000
SEPARATOR = "/"
_PORT_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_PARAM_NAME = re.compile(NAME_PATTERN)
_GRAPH_FIELDS = ("kind", "graph", "inputs", "outputs", "parameters")
_SCRIPT_FIELDS = ("kind", "script", "spec")


@dataclass(frozen=True)
class ComponentVersion:
    """One saved version of a component, as the lookup gives it."""

    component_id: int
    number: int
    name: str
    document: dict[str, Any]
    description: str = ""


class ComponentLookup(Protocol):
    def version(self, component_id: int, number: int) -> ComponentVersion:
        """The version ``number`` of component ``component_id``; ``LookupError`` with a reason when missing."""
        ...


class MappingLookup:
    """Versions held in memory: ``{(component id, number): ComponentVersion}`` (tests, exports, save checks)."""

    def __init__(self, versions: Mapping[tuple[int, int], ComponentVersion], base: ComponentLookup | None = None):
        self.versions = dict(versions)
        self.base = base

    def version(self, component_id: int, number: int) -> ComponentVersion:
        found = self.versions.get((component_id, number))
        if found is not None:
            return found
        if self.base is not None:
            return self.base.version(component_id, number)
        raise LookupError(f"component {component_id} has no version {number}")


def component_ref(node: Node) -> int | None:
    """The component id a node uses, or ``None`` for a module node."""
    if not node.module.startswith(COMPONENT_PREFIX):
        return None
    return int(node.module[len(COMPONENT_PREFIX) :])


def has_components(graph: Graph) -> bool:
    return any(n.is_component for n in graph.nodes.values())


def used_versions(graph: Graph, lookup: ComponentLookup | None = None) -> set[tuple[int, int]]:
    """``(component id, version)`` of every component node, nested ones too when ``lookup`` can open them."""
    found: set[tuple[int, int]] = set()
    todo = [graph]
    while todo:
        current = todo.pop()
        for node in current.nodes.values():
            ident = component_ref(node)
            if ident is None or (ident, node.version) in found:
                continue
            found.add((ident, node.version))
            if lookup is None:
                continue
            try:
                doc = lookup.version(ident, node.version).document
                if doc.get("kind") == "graph":
                    todo.append(parse_graph(doc.get("graph")))
            except (LookupError, GraphFormatError):
                continue
    return found


# -- the document of a version ---------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    node: str
    port: str  # an input port, or for parameters the inner parameter name


@dataclass(frozen=True)
class Declared:
    name: str
    description: str
    targets: tuple[Target, ...] = ()
    default: Any = None
    has_default: bool = False


@dataclass
class Parsed:
    kind: str
    graph: Graph | None = None
    inputs: list[Declared] = field(default_factory=list)
    outputs: list[Declared] = field(default_factory=list)  # one target each: the inner output
    parameters: list[Declared] = field(default_factory=list)
    script: str = ""
    spec: dict[str, Any] = field(default_factory=dict)


class ComponentFormatError(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(" ".join(p.message for p in problems))


def parse_document(doc: Any) -> Parsed:
    """A version document, checked for shape; ``ComponentFormatError`` lists every fault (paths from its root)."""
    problems: list[Problem] = []

    def fail(path: str, message: str) -> None:
        problems.append(Problem("invalid_component", message, path=path))

    if not isinstance(doc, dict) or doc.get("kind") not in KINDS:
        raise ComponentFormatError(
            [
                Problem(
                    "invalid_component",
                    "A component document is an object whose kind is 'graph' or 'script'.",
                    path="kind",
                )
            ]
        )
    allowed = _GRAPH_FIELDS if doc["kind"] == "graph" else _SCRIPT_FIELDS
    for key in doc:
        if key not in allowed:
            fail(key, f"Unknown field '{key}' in a {doc['kind']} component; allowed: {', '.join(allowed)}.")
    if doc["kind"] == "script":
        for path, message in script.spec_problems(doc.get("spec"), doc.get("script")):
            fail(path, message)
        if problems:
            raise ComponentFormatError(problems)
        return Parsed(kind="script", script=doc["script"], spec=doc["spec"])
    parsed = _parse_graph_component(doc, fail, problems)
    if problems:
        raise ComponentFormatError(problems)
    return parsed


def _parse_graph_component(doc: dict[str, Any], fail: Any, problems: list[Problem]) -> Parsed:
    parsed = Parsed(kind="graph")
    try:
        parsed.graph = parse_graph(doc.get("graph"))
    except GraphFormatError as exc:
        problems += [replace(p, path=f"graph.{p.path}" if p.path else "graph") for p in exc.problems]
    if parsed.graph is not None and parsed.graph.parameters:
        fail(
            "graph.parameters",
            "A component's inner pipeline declares no pipeline parameters; expose inner "
            "parameters in the component's 'parameters' instead.",
        )
    parsed.inputs = _declared(doc.get("inputs", []), "inputs", fail, _PORT_NAME, "targets", port_key="port")
    parsed.outputs = _declared(doc.get("outputs", []), "outputs", fail, _PORT_NAME, "source", port_key="port")
    parsed.parameters = _declared(
        doc.get("parameters", []), "parameters", fail, _PARAM_NAME, "targets", port_key="param"
    )
    if not parsed.outputs and not problems:
        fail("outputs", "A component needs at least one output.")
    _check_names(parsed, fail)
    return parsed


def _check_names(parsed: Parsed, fail: Any) -> None:
    names = [d.name for d in [*parsed.inputs, *parsed.outputs]]
    for name in sorted({n for n in names if names.count(n) > 1}):
        fail("inputs", f"Port name '{name}' is used twice; a component's input and output names must be unique.")
    seen: dict[Target, str] = {}
    for i, declared in enumerate(parsed.parameters):
        for target in declared.targets:
            if target in seen:
                fail(
                    f"parameters[{i}].targets",
                    f"Parameter '{target.port}' of inner node '{target.node}' is exposed twice "
                    f"(as '{seen[target]}' and '{declared.name}').",
                )
            seen[target] = declared.name


def _declared(raw: Any, key: str, fail: Any, pattern: re.Pattern[str], ends: str, port_key: str) -> list[Declared]:
    if not isinstance(raw, list):
        fail(key, f"'{key}' must be a list.")
        return []
    out: list[Declared] = []
    seen: set[str] = set()
    allowed = {"name", "description", ends} | ({"default"} if key == "parameters" else set())
    for i, item in enumerate(raw):
        path = f"{key}[{i}]"
        if not isinstance(item, dict):
            fail(path, f"{path} must be an object with a name.")
            continue
        for extra in sorted(set(item) - allowed):
            fail(f"{path}.{extra}", f"Unknown field '{extra}' in {path}; allowed: {', '.join(sorted(allowed))}.")
        name, description = item.get("name"), item.get("description", "")
        if not isinstance(name, str) or not pattern.fullmatch(name):
            fail(f"{path}.name", f"{path}.name {name!r} is not a valid name (lower_snake_case for ports).")
            continue
        if name in seen:
            fail(f"{path}.name", f"The {key[:-1]} name '{name}' is used twice.")
            continue
        seen.add(name)
        if not isinstance(description, str) or len(description) > MAX_DESCRIPTION:
            fail(f"{path}.description", f"{path}.description must be text of at most {MAX_DESCRIPTION} characters.")
        ends_raw = item.get(ends)
        items = [ends_raw] if ends == "source" else ends_raw
        if not isinstance(items, list) or not items:
            fail(f"{path}.{ends}", f"The {key[:-1]} '{name}' must name at least one inner node {port_key}.")
            continue
        targets = []
        for j, end in enumerate(items):
            if (
                not isinstance(end, dict)
                or not isinstance(end.get("node"), str)
                or not isinstance(end.get(port_key), str)
            ):
                fail(f"{path}.{ends}", f'{path}.{ends}[{j}] must be {{"node": ..., "{port_key}": ...}}.')
                continue
            targets.append(Target(end["node"], end[port_key]))
        out.append(Declared(name, description, tuple(targets), item.get("default"), "default" in item))
    return out


# -- the interface: ports and parameters a node of the version shows ---------------------------------


@dataclass
class Interface:
    inputs: list[dict[str, Any]]
    outputs: list[dict[str, Any]]
    params_schema: dict[str, Any]
    column_params: list[dict[str, str]]
    problems: list[Problem] = field(default_factory=list)

    def input(self, name: str) -> dict[str, Any] | None:
        return next((p for p in self.inputs if p["name"] == name), None)


def _label(name: str) -> str:
    return name.replace("_", " ").capitalize()


class _Classes:
    """What each inner node of a graph component is: a module class, or a nested component's interface."""

    def __init__(self, registry: Registry, lookup: ComponentLookup | None, stack: tuple[int, ...]) -> None:
        self.registry = registry
        self.lookup = lookup
        self.stack = stack

    def of(self, node: Node) -> type[Module] | Interface | None:
        ident = component_ref(node)
        if ident is None:
            try:
                return self.registry.get(node.module, node.version)
            except UnknownModule:
                return None
        if self.lookup is None or ident in self.stack:
            return None
        try:
            version = self.lookup.version(ident, node.version)
            return interface(version, self.registry, self.lookup, (*self.stack, ident))
        except (LookupError, ComponentFormatError):
            return None


def _ports(thing: type[Module] | Interface, kind: str) -> dict[str, dict[str, Any]]:
    if isinstance(thing, Interface):
        return {p["name"]: p for p in (thing.inputs if kind == "inputs" else thing.outputs)}
    ports = thing.inputs if kind == "inputs" else thing.outputs
    return {name: port.describe() for name, port in ports.items()}


def _param_schema(thing: type[Module] | Interface) -> dict[str, Any]:
    return thing.params_schema if isinstance(thing, Interface) else thing.Params.model_json_schema()


def _column_params(thing: type[Module] | Interface) -> list[tuple[str, str, str]]:
    if isinstance(thing, Interface):
        return [(c["param"], c["widget"], c["port"]) for c in thing.column_params]
    return column_params(thing.Params)


def interface(
    version: ComponentVersion,
    registry: Registry,
    lookup: ComponentLookup | None = None,
    stack: tuple[int, ...] = (),
) -> Interface:
    """The ports, parameter schema and column pickers of a version (``ComponentFormatError`` if malformed);
    ``problems`` names declared ports and parameters that point at nothing inside."""
    parsed = parse_document(version.document)
    if parsed.kind == "script":
        return _script_interface(parsed.spec)
    return _Face(parsed, _Classes(registry, lookup, (*stack, version.component_id))).build()


def _script_interface(spec: dict[str, Any]) -> Interface:
    return Interface(
        inputs=[
            {
                "name": p["name"],
                "label": _label(p["name"]),
                "type": "table",
                "optional": bool(p.get("optional", False)),
                "doc": p.get("description", ""),
            }
            for p in spec.get("inputs", [])
        ],
        outputs=[
            {"name": p["name"], "label": _label(p["name"]), "type": "table", "doc": p.get("description", "")}
            for p in spec.get("outputs", [])
        ],
        params_schema=script.params_json_schema(spec),
        column_params=[
            {"param": p["name"], "widget": "column", "port": p["input"]}
            for p in spec.get("parameters", [])
            if p["type"] == "column"
        ],
    )


class _Face:
    """The interface of a graph component, and what its declarations point at that does not exist."""

    def __init__(self, parsed: Parsed, classes: _Classes) -> None:
        assert parsed.graph is not None
        self.parsed = parsed
        self.graph: Graph = parsed.graph
        self.things = {node_id: classes.of(node) for node_id, node in self.graph.nodes.items()}
        self.problems: list[Problem] = []
        self.connected = {(e.target, e.target_port) for e in self.graph.edges}

    def fail(self, path: str, message: str, port: str | None = None, param: str | None = None) -> None:
        self.problems.append(Problem("invalid_component", message, port=port, param=param, path=path))

    def build(self) -> Interface:
        inputs = [self.input(i, d) for i, d in enumerate(self.parsed.inputs)]
        outputs = [self.output(i, d) for i, d in enumerate(self.parsed.outputs)]
        schema: dict[str, Any] = {"type": "object", "properties": {}, "additionalProperties": False}
        defs: dict[str, Any] = {}
        columns: dict[str, dict[str, str]] = {}
        for i, declared in enumerate(self.parsed.parameters):
            schema["properties"][declared.name] = self.parameter(i, declared, defs, columns)
        if defs:
            schema["$defs"] = defs
        return Interface(inputs, outputs, schema, list(columns.values()), self.problems)

    def port(self, node_id: str, port: str, kind: str) -> dict[str, Any] | None:
        thing = self.things.get(node_id)
        return _ports(thing, kind).get(port) if thing is not None else None

    def input(self, i: int, declared: Declared) -> dict[str, Any]:
        found = []
        where = f"inputs[{i}].targets"
        for target in declared.targets:
            port = self.port(target.node, target.port, "inputs")
            about = f"Input '{declared.name}' targets port '{target.port}' of node '{target.node}'"
            if target.node not in self.graph.nodes:
                self.fail(
                    where,
                    f"Input '{declared.name}' targets node '{target.node}', which is not in the component.",
                    port=declared.name,
                )
            elif port is None and self.things.get(target.node) is not None:
                self.fail(where, f"{about}, which has no such input.", port=declared.name)
            elif (target.node, target.port) in self.connected:
                self.fail(where, f"{about}, which is already connected inside the component.", port=declared.name)
            elif port is not None:
                found.append(port)
        types = {p["type"] for p in found}
        if len(types) > 1:
            self.fail(
                where,
                f"Input '{declared.name}' feeds ports of different types ({', '.join(sorted(types))}); "
                "one input has one type.",
                port=declared.name,
            )
        return {
            "name": declared.name,
            "label": _label(declared.name),
            "type": found[0]["type"] if found else "table",
            "optional": bool(found) and all(p.get("optional", False) for p in found),
            "doc": declared.description,
        }

    def output(self, i: int, declared: Declared) -> dict[str, Any]:
        source = declared.targets[0]
        port = self.port(source.node, source.port, "outputs")
        where = f"outputs[{i}].source"
        if source.node not in self.graph.nodes:
            self.fail(
                where,
                f"Output '{declared.name}' comes from node '{source.node}', which is not in the component.",
                port=declared.name,
            )
        elif port is None and self.things.get(source.node) is not None:
            self.fail(
                where,
                f"Output '{declared.name}' comes from port '{source.port}' of node '{source.node}', "
                "which has no such output.",
                port=declared.name,
            )
        return {
            "name": declared.name,
            "label": _label(declared.name),
            "type": port["type"] if port else "table",
            "doc": declared.description,
        }

    def parameter(
        self, i: int, declared: Declared, defs: dict[str, Any], columns: dict[str, dict[str, str]]
    ) -> dict[str, Any]:
        feeds = {(t.node, t.port): d.name for d in self.parsed.inputs for t in d.targets}
        prop: dict[str, Any] | None = None
        for target in declared.targets:
            thing = self.things.get(target.node)
            if target.node not in self.graph.nodes:
                self.fail(
                    f"parameters[{i}].targets",
                    f"Parameter '{declared.name}' targets node '{target.node}', which is not in the component.",
                    param=declared.name,
                )
                continue
            if thing is None:
                continue
            inner = _param_schema(thing)
            found = inner.get("properties", {}).get(target.port)
            if found is None:
                self.fail(
                    f"parameters[{i}].targets",
                    f"Parameter '{declared.name}' targets '{target.port}' of node "
                    f"'{target.node}', which has no such parameter.",
                    param=declared.name,
                )
                continue
            defs.update(inner.get("$defs", {}))
            if prop is None:
                prop = self.default(copy.deepcopy(found), declared, target)
            for pname, widget, port in _column_params(thing):
                if pname == target.port and (target.node, port) in feeds:
                    columns[declared.name] = {
                        "param": declared.name,
                        "widget": widget,
                        "port": feeds[(target.node, port)],
                    }
        prop = prop or {}
        prop["title"] = _label(declared.name)
        if declared.description:
            prop["description"] = declared.description
        return prop

    def default(self, prop: dict[str, Any], declared: Declared, target: Target) -> dict[str, Any]:
        current = self.graph.nodes[target.node].params.get(target.port)
        if declared.has_default:
            prop["default"] = declared.default
        elif current is not None:
            prop["default"] = current
        return prop


def describe(version: ComponentVersion, registry: Registry, lookup: ComponentLookup | None = None) -> dict[str, Any]:
    """The catalogue entry of a version, shaped as a module's (``Module.describe``)."""
    face = interface(version, registry, lookup)
    doc = version.document
    is_script = doc.get("kind") == "script"
    category = (doc.get("spec", {}).get("category") or script.CATEGORY_DEFAULT) if is_script else "Components"
    return {
        "id": f"{COMPONENT_PREFIX}{version.component_id}",
        "version": version.number,
        "name": version.name,
        "category": category,
        "description": version.description or (doc.get("spec", {}).get("description", "") if is_script else ""),
        "queue": "cpu",
        "inference": "keep",
        "inputs": face.inputs,
        "outputs": face.outputs,
        "params_schema": face.params_schema,
        "column_params": face.column_params,
        "partition_parallel": False,  # its inner nodes choose their own path; the node itself runs nothing
    }


# -- expansion ------------------------------------------------------------------------------------


@dataclass
class Group:
    """A component node of the document after expansion: the inner nodes it became."""

    component: int
    version: int
    name: str
    kind: str
    nodes: list[str] = field(default_factory=list)
    inputs: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # port -> inner (node, port)s
    outputs: dict[str, tuple[str, str]] = field(default_factory=dict)  # port -> inner (node, port)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"component": self.component, "version": self.version, "nodes": list(self.nodes)}
        if self.kind == "script":  # one node of the hidden module, whose ports are positional
            out["ports"] = {
                "inputs": {name: ends[0][1] for name, ends in self.inputs.items()},
                "outputs": {name: end[1] for name, end in self.outputs.items()},
            }
        return out


@dataclass
class Expansion:
    graph: Graph
    problems: list[Problem] = field(default_factory=list)
    groups: dict[str, Group] = field(default_factory=dict)  # expanded id of each component node
    #: (inner node, inner param) -> (component node, exposed name) whose value the user gives there
    exposed: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    position: dict[str, int] = field(default_factory=dict)  # top-level node id -> index in the document

    @property
    def ok(self) -> bool:
        return not self.problems

    def components_json(self) -> dict[str, Any]:
        return {node_id: group.to_json() for node_id, group in self.groups.items()}

    def chain(self, node_id: str) -> list[str]:
        """The component nodes around ``node_id``, outermost first."""
        parts = node_id.split(SEPARATOR)
        return [SEPARATOR.join(parts[:i]) for i in range(1, len(parts)) if SEPARATOR.join(parts[:i]) in self.groups]

    def prefix(self, node_id: str) -> str:
        """``Component 'Prep' (node prep) › `` for each component around ``node_id``."""
        return "".join(
            f"Component '{self.groups[c].name}' (node {c.rsplit(SEPARATOR, 1)[-1]}) › " for c in self.chain(node_id)
        )

    def explain(self, problems: list[Problem]) -> list[Problem]:
        """Problems of the expanded graph said about the document: inside a component, the message names
        the component node and the inner node; a value given to an exposed parameter names that parameter."""
        out: list[Problem] = []
        for problem in problems:
            node = problem.node
            if node is None or SEPARATOR not in node and node not in self.groups:
                out.append(problem)
                continue
            exposed = self._outermost(node, problem.param)
            message = problem.message
            short = node.rsplit(SEPARATOR, 1)[-1]
            message = re.sub(rf"Node '{re.escape(node)}' \(([^)]*)\)", rf"\1 ({short})", message)
            message = message.replace(f"'{node}'", f"'{short}'")
            top = node.split(SEPARATOR, 1)[0]
            where = f"nodes[{self.position.get(top, 0)}]"
            inner = node.split(SEPARATOR, 1)[1] if SEPARATOR in node else ""
            if exposed is not None and not (problem.path or "").startswith("parameters."):
                comp, name = exposed
                out.append(
                    replace(
                        problem,
                        message=f"{self.prefix(comp)}{_node_text(self, comp)}: parameter '{name}' does not fit the "
                        f"inner field it sets: {self.prefix(node)[len(self.prefix(comp)) :]}{message}",
                        node=comp,
                        param=name,
                        path=f"nodes[{self.position.get(comp.split(SEPARATOR, 1)[0], 0)}].params.{name}",
                    )
                )
                continue
            tail = ""
            if problem.path and problem.path.startswith("nodes["):
                tail = problem.path[problem.path.index("]") + 1 :]
            path = (
                problem.path
                if (problem.path or "").startswith("parameters.")
                else (f"{where}.inner.{inner.replace(SEPARATOR, '.inner.')}{tail}" if inner else f"{where}{tail}")
            )
            out.append(replace(problem, message=self.prefix(node) + message, path=path))
        return out

    def _outermost(self, node: str, param: str | None) -> tuple[str, str] | None:
        if param is None:
            return None
        found = self.exposed.get((node, param))
        while found is not None and (nxt := self.exposed.get(found)) is not None:
            found = nxt
        return found


def _node_text(expansion: Expansion, comp: str) -> str:
    return f"Component '{expansion.groups[comp].name}' (node {comp.rsplit(SEPARATOR, 1)[-1]})"


def expand(graph: Graph, registry: Registry, lookup: ComponentLookup | None) -> Expansion:
    """``graph`` with every component node replaced by its inner nodes (see the module docstring)."""
    expander = _Expander(registry, lookup)
    nodes, edges, layout = expander.level(graph, "", ())
    expanded = Graph(nodes=nodes, edges=edges, parameters=graph.parameters, layout=layout)
    return Expansion(
        graph=expanded,
        problems=expander.problems,
        groups=expander.groups,
        exposed=expander.exposed,
        position={node_id: i for i, node_id in enumerate(graph.nodes)},
    )


class _Expander:
    def __init__(self, registry: Registry, lookup: ComponentLookup | None) -> None:
        self.registry = registry
        self.lookup = lookup
        self.problems: list[Problem] = []
        self.groups: dict[str, Group] = {}
        self.exposed: dict[tuple[str, str], tuple[str, str]] = {}
        self.broken: set[str] = set()  # component nodes with a problem inside: their ports say nothing more

    def fail(self, code: str, message: str, node: str, path: str, **where: str | None) -> None:
        self.problems.append(Problem(code, message, node=node, path=path, **where))

    def level(
        self, graph: Graph, prefix: str, stack: tuple[int, ...]
    ) -> tuple[dict[str, Node], list[Edge], dict[str, dict[str, Any]]]:
        """The expanded nodes, edges and layout of one graph whose ids get ``prefix``."""
        nodes: dict[str, Node] = {}
        edges: list[Edge] = []
        layout: dict[str, dict[str, Any]] = {}
        for i, node in enumerate(graph.nodes.values()):
            new_id = prefix + node.id
            where = graph.layout.get(node.id, {})
            if len(new_id) > MAX_EXPANDED_ID:
                self.fail(
                    "invalid_component",
                    f"Node '{new_id}' is nested too deeply: expanded ids have at most {MAX_EXPANDED_ID} characters.",
                    new_id,
                    f"nodes[{i}]",
                )
                continue
            if not node.is_component:
                nodes[new_id] = replace(node, id=new_id)
                layout[new_id] = dict(where)
                continue
            group = self.component(node, new_id, i, stack)
            if group is None:
                continue
            inner_nodes, inner_edges, inner_layout = group
            nodes.update(inner_nodes)
            edges += inner_edges
            for inner_id, pos in inner_layout.items():  # around the component node, for a fresh layout
                layout[inner_id] = {
                    "x": float(where.get("x", 0.0)) + 0.25 * float(pos.get("x", 0.0)),
                    "y": float(where.get("y", 0.0)) + 0.25 * float(pos.get("y", 0.0)),
                }
        connected: set[tuple[str, str]] = set()
        for edge in graph.edges:
            sources = self.source(prefix, edge.source, edge.source_port, graph)
            targets = self.targets(prefix, edge.target, edge.target_port, graph)
            if sources is None or targets is None:
                continue
            connected.add((edge.target, edge.target_port))
            edges += [Edge(sources[0], sources[1], t[0], t[1]) for t in targets]
        for node in graph.nodes.values():
            group_of = self.groups.get(prefix + node.id)
            if group_of is None or group_of.kind != "script":
                continue
            for spec in self.spec_inputs(group_of):
                if not spec.get("optional", False) and (node.id, spec["name"]) not in connected:
                    self.fail(
                        "missing_input",
                        f"Component '{group_of.name}' (node {node.id}): input '{_label(spec['name'])}' "
                        "is not connected.",
                        prefix + node.id,
                        f"nodes[{list(graph.nodes).index(node.id)}]",
                        port=spec["name"],
                    )
        return nodes, edges, layout

    def spec_inputs(self, group: Group) -> list[dict[str, Any]]:
        try:
            assert self.lookup is not None
            return list(self.lookup.version(group.component, group.version).document["spec"].get("inputs", []))
        except (LookupError, KeyError, AssertionError):
            return []

    def source(self, prefix: str, node_id: str, port: str, graph: Graph) -> tuple[str, str] | None:
        group = self.groups.get(prefix + node_id)
        if not graph.nodes[node_id].is_component:
            return prefix + node_id, port
        if group is None or prefix + node_id in self.broken:
            return None  # the component itself could not be expanded: already reported
        if port not in group.outputs:
            self.port_problem(group, prefix + node_id, port, "output", graph)
            return None
        return group.outputs[port]

    def targets(self, prefix: str, node_id: str, port: str, graph: Graph) -> list[tuple[str, str]] | None:
        group = self.groups.get(prefix + node_id)
        if not graph.nodes[node_id].is_component:
            return [(prefix + node_id, port)]
        if group is None or prefix + node_id in self.broken:
            return None
        if port not in group.inputs:
            self.port_problem(group, prefix + node_id, port, "input", graph)
            return None
        return group.inputs[port]

    def port_problem(self, group: Group, node_id: str, port: str, kind: str, graph: Graph) -> None:
        ports = group.outputs if kind == "output" else group.inputs
        available = ", ".join(f"'{p}'" for p in ports) or "none"
        short = node_id.rsplit(SEPARATOR, 1)[-1]
        self.fail(
            "unknown_port",
            f"Component '{group.name}' (node {short}) has no {kind} port '{port}'; its {kind} ports are: {available}.",
            node_id,
            f"nodes[{list(graph.nodes).index(short)}]",
            port=port,
        )

    def component(
        self, node: Node, new_id: str, index: int, stack: tuple[int, ...]
    ) -> tuple[dict[str, Node], list[Edge], dict[str, dict[str, Any]]] | None:
        path = f"nodes[{index}]"
        opened = self.open(node, new_id, path, stack)
        if opened is None:
            return None
        version, parsed = opened
        ident = version.component_id
        label = f"Component '{version.name}' (node {node.id})"
        group = Group(component=ident, version=version.number, name=version.name, kind=parsed.kind)
        if not self.known_params(node, new_id, path, label, parsed):
            return None
        if parsed.kind == "script":
            return self.script_node(node, new_id, group, parsed, path)
        return self.graph_component(node, new_id, path, label, group, parsed, stack)

    def open(
        self, node: Node, new_id: str, path: str, stack: tuple[int, ...]
    ) -> tuple[ComponentVersion, Parsed] | None:
        """The version a component node uses and its parsed document, or ``None`` (a problem said why)."""
        ident = component_ref(node)
        assert ident is not None
        if self.lookup is None:
            self.fail(
                "unknown_component",
                f"Node '{node.id}' uses component {ident}, and components cannot be opened here.",
                new_id,
                f"{path}.module",
            )
            return None
        if ident in stack or len(stack) >= MAX_DEPTH:
            self.fail(
                "component_cycle",
                f"Node '{node.id}' uses component {ident}, which contains itself (directly or through another "
                f"component); a component cannot contain itself."
                if ident in stack
                else f"Node '{node.id}': components are nested more than {MAX_DEPTH} levels deep.",
                new_id,
                f"{path}.module",
            )
            return None
        try:
            version = self.lookup.version(ident, node.version)
        except LookupError as exc:
            reason = str(exc.args[0]) if exc.args else "it does not exist"
            self.fail(
                "unknown_component",
                f"Node '{node.id}' uses version {node.version} of component {ident}, which cannot be used: {reason}.",
                new_id,
                f"{path}.version",
            )
            return None
        try:
            return version, parse_document(version.document)
        except ComponentFormatError as exc:
            first = exc.problems[0].message if exc.problems else ""
            self.fail(
                "invalid_component",
                f"Component '{version.name}' (node {node.id}): version {version.number} is malformed: {first}",
                new_id,
                f"{path}.version",
            )
            return None

    def known_params(self, node: Node, new_id: str, path: str, label: str, parsed: Parsed) -> bool:
        exposed = (
            [p["name"] for p in parsed.spec.get("parameters", [])]
            if parsed.kind == "script"
            else [d.name for d in parsed.parameters]
        )
        unknown = sorted(set(node.params) - set(exposed))
        for name in unknown:
            self.fail(
                "invalid_param",
                f"{label}: '{name}' is not a parameter of this component (its parameters: "
                f"{', '.join(exposed) or 'none'}).",
                new_id,
                f"{path}.params.{name}",
                param=name,
            )
        return not unknown

    def graph_component(
        self,
        node: Node,
        new_id: str,
        path: str,
        label: str,
        group: Group,
        parsed: Parsed,
        stack: tuple[int, ...],
    ) -> tuple[dict[str, Node], list[Edge], dict[str, dict[str, Any]]]:
        assert parsed.graph is not None
        inner = parsed.graph
        params: dict[str, dict[str, Any]] = {nid: dict(n.params) for nid, n in inner.nodes.items()}
        inner_prefix = new_id + SEPARATOR
        for declared in parsed.parameters:
            if declared.name in node.params:
                value: Any = node.params[declared.name]
            elif declared.has_default:
                value = declared.default
            else:
                continue
            for target in declared.targets:
                if target.node in params:
                    params[target.node][target.port] = copy.deepcopy(value)
                    self.exposed[(inner_prefix + target.node, target.port)] = (new_id, declared.name)
        # "Regenerate output" on a component node regenerates everything inside it; a compute target chosen on it
        # is every inner node's (the user's choice on the canvas wins over one saved inside the component).
        inner = replace(
            inner,
            nodes={
                nid: replace(
                    n,
                    params=params[nid],
                    regenerate=n.regenerate or node.regenerate,
                    compute=node.compute if node.compute is not None else n.compute,
                )
                for nid, n in inner.nodes.items()
            },
        )
        self.groups[new_id] = group
        before = len(self.problems)
        nodes, edges, layout = self.level(inner, inner_prefix, (*stack, group.component))
        if len(self.problems) > before:
            self.broken.add(new_id)
        group.nodes = list(nodes)
        for declared in parsed.inputs:
            ends: list[tuple[str, str]] = []
            for t in declared.targets:
                found = self.targets(inner_prefix, t.node, t.port, inner) if t.node in inner.nodes else None
                ends += found or []
            group.inputs[declared.name] = ends
        for declared in parsed.outputs:
            s = declared.targets[0]
            found_source = self.source(inner_prefix, s.node, s.port, inner) if s.node in inner.nodes else None
            if found_source is None and s.node not in inner.nodes:
                self.fail(
                    "invalid_component",
                    f"{label}: output '{declared.name}' comes from node '{s.node}', which is not in the component.",
                    new_id,
                    f"{path}.version",
                    port=declared.name,
                )
            if found_source is not None:
                group.outputs[declared.name] = found_source
        return nodes, edges, layout

    def script_node(
        self, node: Node, new_id: str, group: Group, parsed: Parsed, path: str
    ) -> tuple[dict[str, Node], list[Edge], dict[str, dict[str, Any]]]:
        spec = parsed.spec
        inputs = [p["name"] for p in spec.get("inputs", [])]
        outputs = [p["name"] for p in spec.get("outputs", [])]
        # Descriptions and the category change nothing computed: left out, so editing them re-runs nothing.
        parameters = [{k: v for k, v in p.items() if k != "description"} for p in spec.get("parameters", [])]
        params = {
            "script": parsed.script,
            "inputs": inputs,
            "outputs": outputs,
            "parameters": parameters,
            "values": dict(node.params),
        }
        if spec.get("environment") is not None:  # only when chosen: keys of components without one stay as they were
            params["environment"] = spec["environment"]
        specs = {p["name"]: p for p in spec.get("parameters", [])}
        for name, value in node.params.items():
            fault = None if reference(value) is not None else script.value_fault(specs[name], value)
            if fault:
                self.fail(
                    "invalid_param",
                    f"Component '{group.name}' (node {node.id}): parameter '{name}' {fault}.",
                    new_id,
                    f"{path}.params.{name}",
                    param=name,
                )
        cls = self.registry.get(script.MODULE_ID)
        inner = Node(
            id=new_id,
            module=script.MODULE_ID,
            version=cls.version,
            params=params,
            regenerate=node.regenerate,
            compute=node.compute,
        )
        group.nodes = [new_id]
        group.inputs = {name: [(new_id, script.input_port(i))] for i, name in enumerate(inputs)}
        group.outputs = {name: (new_id, script.output_port(i)) for i, name in enumerate(outputs)}
        for name in node.params:
            self.exposed[(new_id, name)] = (new_id, name)
        self.groups[new_id] = group
        return {new_id: inner}, [], {}


# -- linked and pinned nodes ----------------------------------------------------------------------


def available_updates(graph: Graph, latest: Mapping[int, int]) -> dict[str, int]:
    """Linked component nodes (``link`` absent or "latest") for which a newer version exists: node -> latest.

    Pinned nodes never appear. The document keeps its version until the user accepts (:func:`accept_update`)."""
    out: dict[str, int] = {}
    for node in graph.nodes.values():
        ident = component_ref(node)
        if ident is None or node.link == "pinned":
            continue
        newest = latest.get(ident)
        if newest is not None and newest > node.version:
            out[node.id] = newest
    return out


def accept_update(graph: Graph, node_id: str, version: int) -> Graph:
    """``graph`` with component node ``node_id`` moved to ``version`` (the user accepted the update)."""
    node = graph.nodes[node_id]
    if component_ref(node) is None:
        raise ValueError(f"node '{node_id}' is not a component node")
    return replace(graph, nodes={**graph.nodes, node_id: replace(node, version=version)})


# -- documents made from expanded graphs ------------------------------------------------------------


def flatten_ids(graph: Graph) -> tuple[Graph, dict[str, str]]:
    """``graph`` with expanded ids (``prep/clean``) renamed to document ids (``prep__clean``), unique, and the
    renames. A graph derived from a run (an inference pipeline) is saved as a document, whose ids have no ``/``."""
    renames: dict[str, str] = {}
    taken = {nid for nid in graph.nodes if SEPARATOR not in nid}
    for nid in graph.nodes:
        if SEPARATOR not in nid:
            continue
        base = nid.replace(SEPARATOR, "__")[:60]
        candidate, i = base, 1
        while candidate in taken:
            i += 1
            candidate = f"{base}_{i}"
        taken.add(candidate)
        renames[nid] = candidate
    if not renames:
        return graph, {}

    def new(nid: str) -> str:
        return renames.get(nid, nid)

    return (
        Graph(
            nodes={new(nid): replace(n, id=new(nid)) for nid, n in graph.nodes.items()},
            edges=[Edge(new(e.source), e.source_port, new(e.target), e.target_port) for e in graph.edges],
            parameters=graph.parameters,
            layout={new(nid): dict(v) for nid, v in graph.layout.items()},
        ),
        renames,
    )
