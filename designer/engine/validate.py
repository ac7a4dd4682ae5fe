"""Validation: every problem in a pipeline at once, plus the table schemas known before running.

Schemas flow through the graph in topological order (modules compute output schemas from input
schemas), which is what lets the canvas offer real column names and flag unknown ones early.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import BaseModel, ValidationError

from modules.sdk import (
    DIGEST,
    ColumnSelection,
    DatasetRef,
    Module,
    ModuleError,
    Registry,
    Table,
    TableSchema,
    UnknownModule,
    artifact_params,
    column_params,
    dataset_kind,
    pipeline_params,
)

from .components import ComponentLookup, expand, has_components
from .graph import CycleError, Edge, Graph, Node, parse_graph
from .parameters import name_parameters, resolve
from .problems import GraphFormatError, Problem, node_label, sentence

MAX_LISTED_COLUMNS = 20
_DIGEST = re.compile(DIGEST)


@dataclass(frozen=True)
class ResolvedDataset:
    dataset_id: int
    version: int
    digest: str  # content digest of the version's table: what cache keys depend on
    schema: TableSchema  # no columns for a file dataset
    name: str = ""
    kind: str = "table"  # or "file": an uploaded zip, read with ctx.load_file


class DatasetLookup(Protocol):
    def resolve(self, ref: DatasetRef) -> ResolvedDataset:
        """The dataset version ``ref`` names; ``LookupError`` with a message when missing or not accessible."""
        ...


class ArtifactLookup(Protocol):
    """Which stored artifacts a pipeline may name by digest: those that belong to its workspace."""

    def owned(self, digests: Collection[str]) -> set[str]:
        """The digests among ``digests`` whose artifact belongs to the workspace (one lookup for all)."""
        ...


#: Why a digest is refused; it never says whether the artifact exists elsewhere.
FOREIGN_ARTIFACT = (
    "which does not belong to this workspace; use an artifact produced by one of its runs, uploaded to one of "
    "its datasets or registered in its model registry"
)


@dataclass
class ValidationResult:
    problems: list[Problem] = field(default_factory=list)
    schemas: dict[str, dict[str, TableSchema | None]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "problems": [p.to_dict() for p in self.problems],
            "schemas": {
                node: {port: None if s is None else s.to_dict() for port, s in ports.items()}
                for node, ports in self.schemas.items()
            },
        }


def dataset_refs(params: BaseModel) -> list[tuple[str, DatasetRef]]:
    """``(param name, ref)`` for every dataset-valued parameter (single or list), in field order."""
    found: list[tuple[str, DatasetRef]] = []
    for name in type(params).model_fields:
        value = getattr(params, name, None)
        items = value if isinstance(value, list | tuple) else [value]
        found.extend((name, item) for item in items if isinstance(item, DatasetRef))
    return found


_KIND_TEXT = {"table": "a table dataset", "file": "a file dataset (a zip)"}
_KIND_HINT = {
    "table": "this module reads a table, so place the file dataset as a File Dataset node instead",
    "file": "this module reads a file dataset (a zip), so place the table as a Dataset node instead",
}


def _dataset_text(resolved: ResolvedDataset) -> str:
    return f"dataset '{resolved.name or resolved.dataset_id}' version {resolved.version}"


def validate(
    graph: Graph,
    registry: Registry,
    datasets: DatasetLookup | None = None,
    artifacts: ArtifactLookup | None = None,
    values: Mapping[str, Any] | None = None,
    components: ComponentLookup | None = None,
) -> ValidationResult:
    """Every problem in ``graph`` and the output schemas of every node (``None`` where unknown).

    Component nodes are expanded first (``components.py``): problems inside one name the component node
    and the inner node, and the schemas of its output ports are those of the inner ports they come from.
    Pipeline parameters are then resolved, with ``values`` or their defaults (``parameters.py``): the
    graph validated is the one that would run, and a bound field's problem names its parameter too.
    Without ``artifacts`` no artifact digest is checked (the engine alone cannot tell whose it is)."""
    expansion = None
    if has_components(graph):
        expansion = expand(graph, registry, components)
        if expansion.problems:
            return ValidationResult(problems=expansion.problems)
        graph = expansion.graph
    resolution = resolve(graph, values)
    result = _Validator(resolution.graph, registry, datasets).run()
    if artifacts is not None:
        result.problems.extend(artifact_problems(resolution.graph, registry, artifacts))
    result.problems = resolution.problems + name_parameters(result.problems, resolution)
    if expansion is not None:
        result.problems = expansion.explain(result.problems)
        for node_id, group in expansion.groups.items():
            result.schemas[node_id] = {
                **result.schemas.get(node_id, {}),
                **{port: result.schemas.get(src[0], {}).get(src[1]) for port, src in group.outputs.items()},
            }
    return result


def artifact_refs(graph: Graph, registry: Registry) -> list[tuple[str, str, str]]:
    """``(node id, param name, digest)`` for every artifact digest the graph's parameters name.

    Read from the raw parameters, so a node whose other parameters are invalid is still checked; a
    value that is not a digest is left to parameter validation, which reports it. A field bound to a
    pipeline parameter is read with the parameter's default (a submitted value is checked with it)."""
    found: list[tuple[str, str, str]] = []
    if graph.parameters:
        graph = resolve(graph).graph
    for node in graph.nodes.values():
        try:
            cls = registry.get(node.module, node.version)
        except UnknownModule:
            continue
        for name in artifact_params(cls.Params):
            value = node.params.get(name)
            if isinstance(value, str) and _DIGEST.fullmatch(value):
                found.append((node.id, name, value))
        for name in pipeline_params(cls.Params):  # a pipeline held in a parameter (Parallel Run's): its digests
            found += [(node.id, name, digest) for _n, _p, digest in embedded_artifact_refs(node, name, registry)]
    return found


def embedded_artifact_refs(node: Node, param: str, registry: Registry) -> list[tuple[str, str, str]]:
    """``(inner node id, param name, digest)`` for the pipeline document held in ``node``'s ``param``; none
    when it is not a readable document (parameter validation reports that)."""
    try:
        inner = parse_graph(node.params.get(param))
    except GraphFormatError:
        return []
    return artifact_refs(inner, registry)


def artifact_problems(graph: Graph, registry: Registry, artifacts: ArtifactLookup) -> list[Problem]:
    """A ``foreign_artifact`` problem for every digest in ``graph`` that ``artifacts`` does not own."""
    refs = artifact_refs(graph, registry)
    if not refs:
        return []
    owned = artifacts.owned({digest for _node, _param, digest in refs})
    position = {node_id: i for i, node_id in enumerate(graph.nodes)}
    problems = []
    for node_id, param, digest in refs:
        if digest in owned:
            continue
        node = graph.nodes[node_id]
        label = _label(node, registry.get(node.module, node.version))
        problems.append(
            Problem(
                "foreign_artifact",
                f"{label}: parameter '{param}' names artifact {digest[:12]}..., {FOREIGN_ARTIFACT}.",
                node=node_id,
                param=param,
                path=f"nodes[{position[node_id]}].params.{param}",
            )
        )
    return problems


def _label(node: Node, cls: type[Module] | None) -> str:
    return node_label(node.id, cls.name if cls is not None else node.module)


def _listing(names: list[str]) -> str:
    if not names:
        return "none"
    shown = ", ".join(names[:MAX_LISTED_COLUMNS])
    more = len(names) - MAX_LISTED_COLUMNS
    return f"{shown} and {more} more" if more > 0 else shown


def _missing_columns(value: Any, schema: TableSchema) -> list[str]:
    if isinstance(value, str):
        names = [value]
    elif isinstance(value, ColumnSelection):
        names = value.referenced_names()
    elif isinstance(value, list | tuple):
        names = [v for v in value if isinstance(v, str)]
    else:
        names = []
    return list(dict.fromkeys(n for n in names if n not in schema))


def _param_problem(label: str, err: Mapping[str, Any]) -> tuple[str | None, str]:
    loc = ".".join(str(x) for x in err.get("loc", ()))
    if not loc:
        return None, f"{label}: the parameters are invalid: {err.get('msg', '')}."
    if err.get("type") == "extra_forbidden":
        return loc, f"{label}: '{loc}' is not a parameter of this module."
    if err.get("type") == "missing":
        return loc, f"{label}: parameter '{loc}' is required."
    return loc, sentence(f"{label}: parameter '{loc}' is invalid: {err.get('msg', '')}")


class _Validator:
    def __init__(self, graph: Graph, registry: Registry, datasets: DatasetLookup | None) -> None:
        self.graph = graph
        self.registry = registry
        self.datasets = datasets
        self.position = {node_id: i for i, node_id in enumerate(graph.nodes)}
        self.problems: list[Problem] = []
        self.classes: dict[str, type[Module]] = {}
        self.params: dict[str, BaseModel] = {}
        self.wired: dict[str, dict[str, Edge]] = {node_id: {} for node_id in graph.nodes}
        self.connected: set[tuple[str, str]] = set()
        self.dataset_schemas: dict[str, list[TableSchema]] = {}
        self.schemas: dict[str, dict[str, TableSchema | None]] = {}

    def add(self, code: str, message: str, **where: str | None) -> None:
        self.problems.append(Problem(code, message, **where))

    def label(self, node_id: str) -> str:
        return _label(self.graph.nodes[node_id], self.classes.get(node_id))

    def run(self) -> ValidationResult:
        for node in self.graph.nodes.values():
            self.check_module(node)
        for i, edge in enumerate(self.graph.edges):
            self.check_edge(i, edge)
        self.check_duplicates()
        self.check_missing_inputs()
        order = self.order()
        for node in self.graph.nodes.values():
            self.resolve_datasets(node)
        for node_id in self.graph.nodes:
            cls = self.classes.get(node_id)
            self.schemas[node_id] = dict.fromkeys(cls.outputs) if cls is not None else {}
        for node_id in order:
            self.propagate(self.graph.nodes[node_id])
        return ValidationResult(problems=self.problems, schemas=self.schemas)

    # -- structure ------------------------------------------------------------------------------
    def check_module(self, node: Node) -> None:
        path = f"nodes[{self.position[node.id]}]"
        try:
            cls = self.registry.get(node.module, node.version)
        except UnknownModule:
            if node.module in self.registry:
                latest = self.registry.latest_version(node.module)
                name = self.registry.get(node.module).name
                self.add(
                    "unknown_version",
                    f"Node '{node.id}' ({name}) uses version {node.version} of its module, which is not "
                    f"installed (the latest installed version is {latest}).",
                    node=node.id,
                    path=f"{path}.version",
                )
            else:
                self.add(
                    "unknown_module",
                    f"Node '{node.id}' uses the module '{node.module}', which is not installed.",
                    node=node.id,
                    path=f"{path}.module",
                )
            return
        self.classes[node.id] = cls
        self.parse_params(node, cls, path)

    def parse_params(self, node: Node, cls: type[Module], path: str) -> None:
        label = _label(node, cls)
        try:
            self.params[node.id] = cls.parse_params(node.params)
        except ValidationError as exc:
            for err in exc.errors():
                param, message = _param_problem(label, err)
                where = f"{path}.params.{param}" if param else f"{path}.params"
                self.add("invalid_param", message, node=node.id, param=param, path=where)
        except ModuleError as exc:
            self.add("invalid_param", sentence(f"{label}: {exc.message}"), node=node.id, param=exc.param)
        except Exception as exc:  # a broken validator in a module must not break validation
            self.add("invalid_param", sentence(f"{label}: the parameters are invalid: {exc}"), node=node.id)

    def check_edge(self, i: int, edge: Edge) -> None:
        path = f"edges[{i}]"
        missing = [n for n in (edge.source, edge.target) if n not in self.graph.nodes]
        for node_id in missing:
            side = "source" if node_id == edge.source else "target"
            self.add(
                "dangling_edge",
                f"Edge {i} connects node '{node_id}', which is not in the pipeline.",
                node=node_id,
                path=f"{path}.{side}.node",
            )
        if missing:
            return
        source_ok = self.check_port(edge.source, edge.source_port, "output", f"{path}.source.port")
        target_ok = self.check_port(edge.target, edge.target_port, "input", f"{path}.target.port")
        if not target_ok:
            return
        self.connected.add((edge.target, edge.target_port))
        if source_ok and self.compatible(edge, path):
            self.wired[edge.target].setdefault(edge.target_port, edge)

    def check_port(self, node_id: str, port: str, kind: str, path: str) -> bool:
        cls = self.classes.get(node_id)
        if cls is None:
            return False
        ports = cls.outputs if kind == "output" else cls.inputs
        if port in ports:
            return True
        available = ", ".join(f"'{p}'" for p in ports) or "none"
        self.add(
            "unknown_port",
            f"{self.label(node_id)} has no {kind} port '{port}'; its {kind} ports are: {available}.",
            node=node_id,
            port=port,
            path=path,
        )
        return False

    def compatible(self, edge: Edge, path: str) -> bool:
        out = self.classes[edge.source].outputs[edge.source_port]
        into = self.classes[edge.target].inputs[edge.target_port]
        if into.type.accepts(out.type):
            return True
        self.add(
            "incompatible_ports",
            f"{self.label(edge.target)}: input '{into.label}' takes a {into.type.label}, but it is connected to "
            f"output '{out.label}' of {self.label(edge.source)}, which gives a {out.type.label}.",
            node=edge.target,
            port=edge.target_port,
            path=path,
        )
        return False

    def check_duplicates(self) -> None:
        into: dict[tuple[str, str], list[str]] = {}
        for edge in self.graph.edges:
            if (edge.target, edge.target_port) in self.connected:
                into.setdefault((edge.target, edge.target_port), []).append(edge.source)
        for (node_id, port), sources in into.items():
            if len(sources) < 2:
                continue
            label = self.classes[node_id].inputs[port].label
            named = ", ".join(self.label(s) for s in sources)
            self.add(
                "duplicate_input",
                f"{self.label(node_id)}: input '{label}' has {len(sources)} connections ({named}); "
                "an input takes exactly one.",
                node=node_id,
                port=port,
            )

    def check_missing_inputs(self) -> None:
        for node_id, cls in self.classes.items():
            for port, spec in cls.inputs.items():
                if not spec.optional and (node_id, port) not in self.connected:
                    self.add(
                        "missing_input",
                        f"{self.label(node_id)}: input '{spec.label}' is not connected.",
                        node=node_id,
                        port=port,
                        path=f"nodes[{self.position[node_id]}]",
                    )

    def order(self) -> list[str]:
        try:
            return self.graph.topological_order()
        except CycleError as exc:
            for cycle in exc.cycles:
                names = ", ".join(self.label(n) for n in cycle)
                self.add(
                    "cycle",
                    f"{names} form a cycle; a pipeline must flow one way, so remove one of the edges between them."
                    if len(cycle) > 1
                    else f"{names} is connected to itself; a pipeline must flow one way.",
                    node=cycle[0],
                )
            return exc.order

    # -- data and schemas -----------------------------------------------------------------------
    def resolve_datasets(self, node: Node) -> None:
        params = self.params.get(node.id)
        if params is None or self.datasets is None:
            return
        for name, ref in dataset_refs(params):
            try:
                resolved = self.datasets.resolve(ref)
            except LookupError as exc:
                reason = str(exc.args[0]) if exc.args else "it does not exist"
                version = f" version {ref.version}" if ref.version is not None else ""
                self.add(
                    "unknown_dataset",
                    sentence(
                        f"{self.label(node.id)}: parameter '{name}' names dataset {ref.dataset_id}{version}, "
                        f"which cannot be used: {reason}"
                    ),
                    node=node.id,
                    param=name,
                    path=f"nodes[{self.position[node.id]}].params.{name}",
                )
                continue
            wanted = dataset_kind(type(params), name)
            if resolved.kind != wanted:
                self.add(
                    "wrong_dataset_kind",
                    f"{self.label(node.id)}: parameter '{name}' names {_dataset_text(resolved)}, which is "
                    f"{_KIND_TEXT.get(resolved.kind, resolved.kind)}; {_KIND_HINT[wanted]}.",
                    node=node.id,
                    param=name,
                    path=f"nodes[{self.position[node.id]}].params.{name}",
                )
                continue
            self.dataset_schemas.setdefault(node.id, []).append(resolved.schema)

    def propagate(self, node: Node) -> None:
        cls = self.classes.get(node.id)
        params = self.params.get(node.id)
        if cls is None or params is None:
            return
        inputs = {port: self.schemas[e.source].get(e.source_port) for port, e in self.wired[node.id].items()}
        inferred = self.infer(node, cls, params, inputs) if self.check_columns(node, cls, params, inputs) else {}
        outputs = self.schemas[node.id]
        from_data = self.dataset_schemas.get(node.id)
        for port, spec in cls.outputs.items():
            value = inferred.get(port)
            if isinstance(value, TableSchema):
                outputs[port] = value
            elif from_data and issubclass(spec.type, Table):
                outputs[port] = from_data[0]

    def check_columns(
        self, node: Node, cls: type[Module], params: BaseModel, inputs: Mapping[str, TableSchema | None]
    ) -> bool:
        ok = True
        for name, _widget, port in column_params(cls.Params):
            schema = inputs.get(port)
            if schema is None:
                continue
            for column in _missing_columns(getattr(params, name, None), schema):
                ok = False
                self.add(
                    "unknown_column",
                    f"{self.label(node.id)}: parameter '{name}' names column '{column}', which is not in the table "
                    f"reaching input '{cls.inputs[port].label}' (available: {_listing(schema.names)}).",
                    node=node.id,
                    port=port,
                    param=name,
                    column=column,
                    path=f"nodes[{self.position[node.id]}].params.{name}",
                )
        return ok

    def infer(
        self, node: Node, cls: type[Module], params: BaseModel, inputs: Mapping[str, TableSchema | None]
    ) -> Mapping[str, Any]:
        try:
            result = cls().infer_schemas(inputs, params)
        except ModuleError as exc:
            self.add(
                "invalid_param",
                sentence(f"{self.label(node.id)}: {exc.message}"),
                node=node.id,
                param=exc.param,
                port=exc.port,
                column=exc.column,
            )
            return {}
        except Exception:  # a module that cannot infer leaves its schemas unknown; running will tell
            return {}
        return result if isinstance(result, Mapping) else {}
