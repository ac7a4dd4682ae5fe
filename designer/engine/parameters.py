"""Pipeline parameters: declared in the document, bound to node fields, resolved before anything computes.

A document declares its parameters by name::

    "parameters": {"learning_rate": {"type": "number", "default": 0.1, "description": "Step size."}}

and a node field takes one by reference, the whole field: ``"params": {"learning_rate": {"$param":
"learning_rate"}}``. One pipeline parameter may drive any number of fields (Azure's "Add to pipeline
parameter"); a ``dataset`` parameter drives a Dataset node's ``dataset`` field, so callers can pass
another dataset or version. A parameter without a default must be given a value when the pipeline
is submitted.

Resolution replaces every reference by the submitted value or the default before validation, cache
keys and execution, so nothing downstream knows parameters exist: two values give two cache keys,
and a value gives the same key as the same constant written into the field. A value is checked
against its declared type here and against every bound field's own schema by validation, whose
problems then name the pipeline parameter as well as the field.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .graph import Graph, Node
from .problems import Problem

REF = "$param"
NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]{0,63}$"
_NAME = re.compile(NAME_PATTERN)
TYPES = ("string", "integer", "number", "boolean", "dataset", "json")
MAX_PARAMETERS = 200
MAX_DESCRIPTION = 1000
_FIELDS = ("type", "default", "description")


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


@dataclass(frozen=True)
class PipelineParameter:
    name: str
    type: str
    default: Any = MISSING
    description: str = ""

    @property
    def required(self) -> bool:
        return self.default is MISSING

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type, "description": self.description}
        if not self.required:
            out["default"] = self.default
        return out


@dataclass
class Resolution:
    """The graph with every reference replaced, the value each parameter took, and what was wrong."""

    graph: Graph
    values: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)
    bound: dict[tuple[str, str], str] = field(default_factory=dict)  # (node, field) -> parameter

    @property
    def ok(self) -> bool:
        return not self.problems


def reference(value: Any) -> str | None:
    """The parameter name if ``value`` is a reference (``{"$param": name}``), else ``None``."""
    if isinstance(value, dict) and len(value) == 1 and REF in value and isinstance(value[REF], str):
        return value[REF]
    return None


def declarations(graph: Graph) -> tuple[dict[str, PipelineParameter], list[Problem]]:
    """The declared parameters, and a problem for each malformed declaration (path ``parameters.<name>``)."""
    found: dict[str, PipelineParameter] = {}
    problems: list[Problem] = []
    if len(graph.parameters) > MAX_PARAMETERS:
        problems.append(_problem(f"A pipeline declares at most {MAX_PARAMETERS} parameters.", "parameters"))
        return found, problems
    for name, raw in graph.parameters.items():
        path = f"parameters.{name}"
        if not _NAME.fullmatch(name):
            problems.append(_problem(f"'{name}' is not a valid parameter name (letters, digits, _; 64 at most).", path))
            continue
        if not isinstance(raw, dict):
            problems.append(_problem(f"Pipeline parameter '{name}' must be an object with a type.", path))
            continue
        extra = sorted(set(raw) - set(_FIELDS))
        kind = raw.get("type")
        description = raw.get("description", "")
        if extra:
            problems.append(_problem(f"Pipeline parameter '{name}' has unknown fields: {', '.join(extra)}.", path))
        elif kind not in TYPES:
            problems.append(
                _problem(f"Pipeline parameter '{name}' needs a type, one of: {', '.join(TYPES)}.", f"{path}.type")
            )
        elif not isinstance(description, str) or len(description) > MAX_DESCRIPTION:
            problems.append(
                _problem(
                    f"Pipeline parameter '{name}': the description must be text of at most "
                    f"{MAX_DESCRIPTION} characters.",
                    f"{path}.description",
                )
            )
        else:
            spec = PipelineParameter(name, kind, raw.get("default", MISSING), description)
            fault = None if spec.required else type_fault(spec, spec.default)
            if fault:
                problems.append(_problem(f"Pipeline parameter '{name}': the default {fault}.", f"{path}.default"))
            else:
                found[name] = spec
    return found, problems


def bindings(graph: Graph) -> dict[str, list[tuple[str, str]]]:
    """For each referenced parameter name, the ``(node, field)`` pairs it drives, in document order."""
    bound: dict[str, list[tuple[str, str]]] = {}
    for node in graph.nodes.values():
        for name, value in node.params.items():
            ref = reference(value)
            if ref is not None:
                bound.setdefault(ref, []).append((node.id, name))
    return bound


def type_fault(spec: PipelineParameter, value: Any) -> str | None:
    """Why ``value`` is not of ``spec``'s type (a phrase), or ``None``."""
    kind = spec.type
    if kind == "string":
        ok = isinstance(value, str)
    elif kind == "integer":
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif kind == "number":
        ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    elif kind == "boolean":
        ok = isinstance(value, bool)
    elif kind == "dataset":
        return _dataset_fault(value)
    else:  # json: anything JSON can say
        ok = True
    return None if ok else f"must be {_ARTICLE[kind]}, not {_describe(value)}"


_ARTICLE = {"string": "text", "integer": "a whole number", "number": "a number", "boolean": "true or false"}


def _dataset_fault(value: Any) -> str | None:
    if not isinstance(value, dict) or set(value) - {"dataset_id", "version"} or "dataset_id" not in value:
        return f'must name a dataset as {{"dataset_id": <id>, "version": <number or null>}}, not {_describe(value)}'
    ident, version = value["dataset_id"], value.get("version")
    if not isinstance(ident, int) or isinstance(ident, bool) or ident < 1:
        return "must name a dataset by its id (a positive whole number)"
    if version is not None and (not isinstance(version, int) or isinstance(version, bool) or version < 1):
        return "must give the dataset version as a positive whole number, or null for the latest"
    return None


def _describe(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= 60 else text[:57] + "..."


def resolve(graph: Graph, values: Mapping[str, Any] | None = None) -> Resolution:
    """``graph`` with every reference replaced by the value given in ``values`` or the default.

    Problems (all at once): malformed declarations, references to undeclared parameters, values for
    parameters the pipeline does not declare, values of the wrong type, and required parameters that
    are bound but were given no value (only when ``values`` is given: ``None`` means the pipeline is
    being designed, not run). A field whose reference could not be resolved is left out of its node
    and validation says nothing more about it (``name_parameters``): its module's default is never
    silently used, since a run refuses the missing value first.
    """
    declared, problems = declarations(graph)
    given = dict(values or {})
    for name in sorted(set(given) - set(declared)):
        known = ", ".join(sorted(declared)) or "none"
        problems.append(
            _problem(
                f"There is no pipeline parameter '{name}' (this pipeline's parameters: {known}).",
                f"values.{name}",
                code="invalid_parameter_value",
            )
        )
    resolved: dict[str, Any] = {}
    for name, spec in declared.items():
        if name in given:
            fault = type_fault(spec, given[name])
            if fault:
                problems.append(
                    _problem(f"Pipeline parameter '{name}' {fault}.", f"values.{name}", code="invalid_parameter_value")
                )
                continue
            resolved[name] = given[name]
        elif not spec.required:
            resolved[name] = spec.default
    used = bindings(graph)
    for name in used if values is not None else ():  # designing (no values at all): not a fault yet
        wanted = declared.get(name)
        if wanted is not None and name not in resolved and wanted.required and name not in given:
            problems.append(
                _problem(
                    f"Pipeline parameter '{name}' has no default, so a value must be given when the pipeline runs.",
                    f"values.{name}",
                    code="missing_parameter_value",
                )
            )
    nodes: dict[str, Node] = {}
    bound: dict[tuple[str, str], str] = {}
    for node_id, node in graph.nodes.items():
        params = dict(node.params)
        for field_name, value in node.params.items():
            ref = reference(value)
            if ref is None:
                continue
            malformed = any(
                p.path == f"parameters.{ref}" or (p.path or "").startswith(f"parameters.{ref}.") for p in problems
            )
            if ref not in declared and not malformed:
                problems.append(
                    Problem(
                        "unknown_pipeline_parameter",
                        f"Node '{node_id}': parameter '{field_name}' refers to the pipeline parameter '{ref}', "
                        "which the pipeline does not declare.",
                        node=node_id,
                        param=field_name,
                    )
                )
            bound[(node_id, field_name)] = ref
            if ref in resolved:
                params[field_name] = copy.deepcopy(resolved[ref])
            else:
                del params[field_name]
        nodes[node_id] = replace(node, params=params) if params != node.params else node
    return Resolution(
        graph=Graph(nodes=nodes, edges=graph.edges, parameters=graph.parameters, layout=graph.layout),
        values={name: resolved[name] for name in declared if name in resolved},
        problems=problems,
        bound=bound,
    )


#: Problems about a field's value (not its wiring): when the field is bound, the pipeline parameter is at fault.
VALUE_PROBLEMS = frozenset(
    {"invalid_param", "unknown_column", "unknown_dataset", "wrong_dataset_kind", "foreign_artifact"}
)


def name_parameters(problems: list[Problem], resolution: Resolution) -> list[Problem]:
    """Problems of a resolved graph, with those about a bound field's value also naming its pipeline
    parameter, path ``parameters.<name>`` (and none about a bound field whose parameter has no value:
    ``resolve`` speaks for those). A dataset value of another workspace, or a column value not in the
    data, is the parameter's fault just as a value out of range is."""
    named: list[Problem] = []
    for problem in problems:
        ref = resolution.bound.get((problem.node or "", problem.param or ""))
        if ref is None or problem.code not in VALUE_PROBLEMS:
            named.append(problem)
            continue
        if ref not in resolution.values:
            continue  # no value (yet): said by resolve() when it matters

        value = resolution.values.get(ref, MISSING)
        shown = "" if value is MISSING else f" (= {_describe(value)})"
        named.append(
            replace(
                problem,
                message=f"Pipeline parameter '{ref}'{shown} does not fit a field it drives: {problem.message}",
                path=f"parameters.{ref}",
            )
        )
    return named


def _problem(message: str, path: str, code: str = "invalid_pipeline_parameter") -> Problem:
    return Problem(code, message, path=path)
