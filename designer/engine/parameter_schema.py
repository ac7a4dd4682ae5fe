"""What a pipeline's parameters look like from outside: each one's type, default, description, the node
fields it drives, and a JSON Schema a value must satisfy. Plain data, no Django.

The schema of a parameter is its declared type (``string`` ... ``dataset``, ``json`` accepting anything)
and, for every field it drives, that field's own schema from its module's parameter model, joined with
``allOf``: a value that passes it passes validation of every bound field, so the designer's submit form
and a published pipeline's OpenAPI document can check a value before it is sent. Local ``$ref``s are
inlined (each schema stands alone), and the fields' own titles, defaults and descriptions are dropped
since the parameter has its own.
"""

from __future__ import annotations

import copy
from typing import Any

from modules.sdk import Registry, UnknownModule

from .graph import Graph
from .parameters import PipelineParameter, bindings, declarations

#: The JSON Schema of each declared type, before the bound fields narrow it.
TYPE_SCHEMAS: dict[str, dict[str, Any]] = {
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "boolean": {"type": "boolean"},
    "dataset": {
        "type": "object",
        "properties": {
            "dataset_id": {"type": "integer", "minimum": 1},
            "version": {"anyOf": [{"type": "integer", "minimum": 1}, {"type": "null"}]},
        },
        "required": ["dataset_id"],
        "additionalProperties": False,
    },
    "json": {},
}
_ANNOTATIONS = ("title", "description", "default", "examples", "x-tessera-port")
_MAX_DEPTH = 32


def describe_parameters(graph: Graph, registry: Registry) -> list[dict[str, Any]]:
    """Every well-formed declared parameter, by name (documents stored as JSONB do not keep key order;
    malformed declarations are validation's to report)::

    {"name", "type", "required", "default" (absent when required), "description",
     "bindings": [{"node", "field", "module", "module_version", "module_name", "field_title"}],
     "schema": {...JSON Schema...}}
    """
    declared, _problems = declarations(graph)
    used = bindings(graph)
    described = []
    for name, spec in sorted(declared.items()):
        bound = [_binding(graph, registry, node_id, field) for node_id, field in used.get(name, [])]
        entry: dict[str, Any] = {
            "name": name,
            "type": spec.type,
            "required": spec.required,
            "description": spec.description,
            "bindings": [b for b, _schema in bound],
            "schema": parameter_json_schema(spec, [s for _b, s in bound if s is not None]),
        }
        if not spec.required:
            entry["default"] = copy.deepcopy(spec.default)
        described.append(entry)
    return described


def values_json_schema(described: list[dict[str, Any]]) -> dict[str, Any]:
    """The JSON Schema of a whole ``{"name": value}`` object of values, from ``describe_parameters``:
    parameters without a default are required, and no other names are accepted."""
    return {
        "type": "object",
        "properties": {p["name"]: copy.deepcopy(p["schema"]) for p in described},
        "required": [p["name"] for p in described if p["required"]],
        "additionalProperties": False,
    }


def parameter_json_schema(spec: PipelineParameter, field_schemas: list[dict[str, Any]]) -> dict[str, Any]:
    """The declared type's schema and every distinct bound field's schema, all of which a value must pass."""
    parts: list[dict[str, Any]] = [copy.deepcopy(TYPE_SCHEMAS[spec.type])]
    for field_schema in field_schemas:
        if field_schema and field_schema not in parts:
            parts.append(field_schema)
    parts = [p for p in parts if p] or [{}]
    joined = parts[0] if len(parts) == 1 else {"allOf": parts}
    schema: dict[str, Any] = {"title": spec.name, **joined}
    if spec.description:
        schema["description"] = spec.description
    if not spec.required:
        schema["default"] = copy.deepcopy(spec.default)
    return schema


def _binding(
    graph: Graph, registry: Registry, node_id: str, field: str
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    node = graph.nodes[node_id]
    described: dict[str, Any] = {
        "node": node_id,
        "field": field,
        "module": node.module,
        "module_version": node.version,
        "module_name": None,
        "field_title": None,
    }
    try:
        cls = registry.get(node.module, node.version)
    except UnknownModule:  # validation says so; the binding is still listed
        return described, None
    root = cls.Params.model_json_schema()
    prop = (root.get("properties") or {}).get(field)
    described["module_name"] = cls.name
    if not isinstance(prop, dict):
        return described, None  # not a field of this module: validation reports it
    described["field_title"] = prop.get("title")
    return described, _strip(_inline(prop, root, 0))


def _inline(schema: Any, root: dict[str, Any], depth: int) -> Any:
    """``schema`` with local ``$ref``s (``#/$defs/Name``) replaced by what they name."""
    if depth > _MAX_DEPTH:
        return {}
    if isinstance(schema, list):
        return [_inline(item, root, depth + 1) for item in schema]
    if not isinstance(schema, dict):
        return schema
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        target: Any = root
        for part in ref[2:].split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        rest = {k: v for k, v in schema.items() if k != "$ref"}
        return _inline({**target, **rest}, root, depth + 1)
    return {k: _inline(v, root, depth + 1) for k, v in schema.items() if k != "$defs"}


def _strip(schema: dict[str, Any]) -> dict[str, Any]:
    """The field's validation keywords without its own annotations (top level only)."""
    return {k: v for k, v in schema.items() if k not in _ANNOTATIONS}
