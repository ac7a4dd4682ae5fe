"""Edit operations on a pipeline document, for live co-editing. Pure: no Django.

Each op changes one small thing (a node, one parameter, one edge, a position), so two people editing
different nodes never conflict: the server applies ops in the order it receives them and gives each a
sequence number, every client applies them in that order, and everyone ends with the same document.
Two edits of the same parameter resolve the same way everywhere: the later sequence number wins, and
clients show who overwrote what. An op that no longer fits (its node was removed meanwhile) is refused
with a message that says so, and nothing changes.

Pipeline parameters have ops of their own (``add_parameter``, ``update_parameter`` with only the fields
it changes, ``remove_parameter``); a field is bound with ``set_param`` and the value ``{"$param":
name}``, and unbound by setting a value again. Binding to a parameter that is not declared (someone
removed it meanwhile) is refused. Removing a parameter leaves the fields it drove at its default, as
Azure's designer does, so no field is left pointing at nothing and no run changes what it computes; a
parameter without a default cannot be removed while it drives a field (there is no value to leave).
"""

from __future__ import annotations

import copy
import json
from typing import Any

from .graph import COMPONENT_PREFIX, LINKS, Graph, parse_graph, to_document
from .parameters import MAX_PARAMETERS, REF, declarations, reference
from .problems import GraphFormatError

MAX_OP_BYTES = 256 * 1024

OP_KINDS = (
    "add_node",
    "remove_node",
    "set_param",
    "set_params",
    "set_regenerate",
    "set_compute",
    "set_component_version",
    "move_node",
    "set_comment",
    "add_edge",
    "remove_edge",
    "add_parameter",
    "update_parameter",
    "remove_parameter",
)
PARAMETER_FIELDS = ("type", "default", "description")


class OpError(ValueError):
    """The op is malformed or does not fit the document; the message says which and why."""


def _node(doc: dict[str, Any], node_id: Any) -> dict[str, Any]:
    if not isinstance(node_id, str):
        raise OpError("'node' must be a node id")
    for node in doc["nodes"]:
        if node["id"] == node_id:
            return node
    raise OpError(f"node '{node_id}' is not in the pipeline (it may have been removed by someone else)")


def _end(raw: Any, field: str) -> dict[str, str]:
    if not isinstance(raw, dict) or set(raw) != {"node", "port"}:
        raise OpError(f"'{field}' must be {{'node': ..., 'port': ...}}")
    if not all(isinstance(raw[k], str) for k in ("node", "port")):
        raise OpError(f"'{field}' node and port must be text")
    return {"node": raw["node"], "port": raw["port"]}


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise OpError(f"'{name}' must be a number")
    return float(value)


def _add_node(doc: dict[str, Any], op: dict[str, Any]) -> None:
    raw = op.get("node")
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        raise OpError("'node' must be a node object with an 'id'")
    if any(n["id"] == raw["id"] for n in doc["nodes"]):
        raise OpError(f"node '{raw['id']}' already exists")
    if isinstance(raw.get("params"), dict):
        _check_references(doc, raw["params"].values())
    doc["nodes"].append(raw)
    if "position" in op:
        pos = op["position"]
        if not isinstance(pos, dict):
            raise OpError("'position' must be {'x': ..., 'y': ...}")
        doc["layout"][raw["id"]] = {"x": _number(pos.get("x"), "x"), "y": _number(pos.get("y"), "y")}


def _remove_node(doc: dict[str, Any], op: dict[str, Any]) -> None:
    node = _node(doc, op.get("node"))
    doc["nodes"].remove(node)
    doc["edges"] = [e for e in doc["edges"] if node["id"] not in (e["source"]["node"], e["target"]["node"])]
    doc["layout"].pop(node["id"], None)


def _set_param(doc: dict[str, Any], op: dict[str, Any]) -> None:
    node = _node(doc, op.get("node"))
    param = op.get("param")
    if not isinstance(param, str) or not param:
        raise OpError("'param' must be a parameter name")
    params = dict(node.get("params") or {})
    if op.get("reset", False):
        params.pop(param, None)  # back to the module's default
    else:
        _check_references(doc, [op.get("value")])
        params[param] = op.get("value")
    node["params"] = params


def _set_params(doc: dict[str, Any], op: dict[str, Any]) -> None:
    node = _node(doc, op.get("node"))
    if not isinstance(op.get("params"), dict):
        raise OpError("'params' must be an object")
    _check_references(doc, op["params"].values())
    node["params"] = op["params"]


def _set_regenerate(doc: dict[str, Any], op: dict[str, Any]) -> None:
    node = _node(doc, op.get("node"))
    if not isinstance(op.get("value"), bool):
        raise OpError("'value' must be true or false")
    node["regenerate"] = op["value"]


def _set_compute(doc: dict[str, Any], op: dict[str, Any]) -> None:
    """The node's compute target (``None``: the default); the document's own check names a malformed one."""
    node = _node(doc, op.get("node"))
    value = op.get("value")
    if value is not None and not isinstance(value, str):
        raise OpError("'value' must name a compute target, or be null for the default")
    if value is None:
        node.pop("compute", None)
    else:
        node["compute"] = value


def _set_component_version(doc: dict[str, Any], op: dict[str, Any]) -> None:
    """A component node moves to another version (an accepted update) and/or changes its link."""
    node = _node(doc, op.get("node"))
    if not str(node.get("module", "")).startswith(COMPONENT_PREFIX):
        raise OpError(f"node '{node['id']}' is not a component node")
    version = op.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise OpError("'version' must be a positive whole number")
    node["version"] = version
    if "link" in op:
        if op["link"] not in LINKS:
            raise OpError("'link' must be 'latest' or 'pinned'")
        node["link"] = op["link"]


def _layout_entry(doc: dict[str, Any], op: dict[str, Any], **values: Any) -> None:
    node = _node(doc, op.get("node"))
    entry = dict(doc["layout"].get(node["id"], {}))
    entry.update(values)
    doc["layout"][node["id"]] = entry


def _move_node(doc: dict[str, Any], op: dict[str, Any]) -> None:
    _layout_entry(doc, op, x=_number(op.get("x"), "x"), y=_number(op.get("y"), "y"))


def _set_comment(doc: dict[str, Any], op: dict[str, Any]) -> None:
    if not isinstance(op.get("comment"), str):
        raise OpError("'comment' must be text")
    _layout_entry(doc, op, comment=op["comment"])


def _add_edge(doc: dict[str, Any], op: dict[str, Any]) -> None:
    source, target = _end(op.get("source"), "source"), _end(op.get("target"), "target")
    _node(doc, source["node"])
    _node(doc, target["node"])
    # An input port takes one edge: connecting to an occupied port replaces what was there.
    doc["edges"] = [e for e in doc["edges"] if e["target"] != target]
    doc["edges"].append({"source": source, "target": target})


def _remove_edge(doc: dict[str, Any], op: dict[str, Any]) -> None:
    source, target = _end(op.get("source"), "source"), _end(op.get("target"), "target")
    edge = {"source": source, "target": target}
    if edge not in doc["edges"]:
        raise OpError(f"no edge {source['node']}.{source['port']} -> {target['node']}.{target['port']}")
    doc["edges"].remove(edge)


# -- pipeline parameters --------------------------------------------------------------------------


def _check_references(doc: dict[str, Any], values: Any) -> None:
    """A field may be bound only to a parameter the pipeline declares (now, in this sequence)."""
    declared = doc["parameters"]
    for value in values:
        name = reference(value)
        if name is None and isinstance(value, dict) and REF in value:
            raise OpError(f"a binding must be {{'{REF}': <parameter name>}} and nothing else")
        if name is not None and name not in declared:
            raise OpError(
                f"there is no pipeline parameter '{name}' to bind to (it may have been removed by someone else)"
            )


def _parameter_name(op: dict[str, Any]) -> str:
    name = op.get("name")
    if not isinstance(name, str) or not name:
        raise OpError("'name' must be a pipeline parameter name")
    return name


def _declared(doc: dict[str, Any], name: str) -> dict[str, Any]:
    spec = doc["parameters"].get(name)
    if not isinstance(spec, dict):
        raise OpError(f"there is no pipeline parameter '{name}' (it may have been removed by someone else)")
    return spec


def _check_declaration(name: str, spec: Any) -> None:
    """The declaration as the engine reads it, refused with the engine's own words when malformed."""
    _found, problems = declarations(Graph(nodes={}, edges=[], parameters={name: spec}))
    if problems:
        raise OpError(problems[0].message)


def _add_parameter(doc: dict[str, Any], op: dict[str, Any]) -> None:
    name = _parameter_name(op)
    if name in doc["parameters"]:
        raise OpError(f"pipeline parameter '{name}' already exists")
    spec = op.get("parameter")
    if not isinstance(spec, dict):
        raise OpError("'parameter' must be {'type': ..., 'default': ..., 'description': ...}")
    spec = dict(spec)
    spec.setdefault("description", "")
    _check_declaration(name, spec)
    if len(doc["parameters"]) >= MAX_PARAMETERS:
        raise OpError(f"a pipeline declares at most {MAX_PARAMETERS} parameters")
    doc["parameters"][name] = spec


def _update_parameter(doc: dict[str, Any], op: dict[str, Any]) -> None:
    name = _parameter_name(op)
    spec = dict(_declared(doc, name))
    changes = op.get("changes", {})
    if not isinstance(changes, dict) or set(changes) - set(PARAMETER_FIELDS):
        raise OpError(f"'changes' must be an object with some of: {', '.join(PARAMETER_FIELDS)}")
    spec.update(changes)
    if op.get("remove_default", False):
        if "default" in changes:
            raise OpError("an update either sets the default or removes it, not both")
        spec.pop("default", None)
    _check_declaration(name, spec)
    doc["parameters"][name] = spec


def _remove_parameter(doc: dict[str, Any], op: dict[str, Any]) -> None:
    name = _parameter_name(op)
    spec = _declared(doc, name)
    bound = [
        (node, field)
        for node in doc["nodes"]
        for field, value in (node.get("params") or {}).items()
        if reference(value) == name
    ]
    if bound and "default" not in spec:
        fields = ", ".join(f"{node['id']}.{field}" for node, field in bound)
        raise OpError(
            f"pipeline parameter '{name}' has no default to leave in the fields it drives ({fields}): "
            "give it a default or unbind them first"
        )
    for node, field in bound:
        node["params"] = {**node["params"], field: copy.deepcopy(spec["default"])}
    del doc["parameters"][name]


_APPLY = {
    "add_node": _add_node,
    "remove_node": _remove_node,
    "set_param": _set_param,
    "set_params": _set_params,
    "set_regenerate": _set_regenerate,
    "set_compute": _set_compute,
    "set_component_version": _set_component_version,
    "move_node": _move_node,
    "set_comment": _set_comment,
    "add_edge": _add_edge,
    "remove_edge": _remove_edge,
    "add_parameter": _add_parameter,
    "update_parameter": _update_parameter,
    "remove_parameter": _remove_parameter,
}


def apply_op(document: dict[str, Any], op: Any) -> dict[str, Any]:
    """The document after ``op``; ``OpError`` when the op is malformed or no longer applies."""
    if not isinstance(op, dict) or op.get("kind") not in OP_KINDS:
        raise OpError(f"an op needs a 'kind', one of: {', '.join(OP_KINDS)}")
    if len(json.dumps(op, default=str)) > MAX_OP_BYTES:
        raise OpError(f"an op may be at most {MAX_OP_BYTES // 1024} KB")
    doc = copy.deepcopy(document)
    doc.setdefault("nodes", [])
    doc.setdefault("edges", [])
    doc.setdefault("layout", {})
    doc.setdefault("parameters", {})
    if not isinstance(doc["parameters"], dict):
        raise OpError("the pipeline's 'parameters' must be an object")
    _APPLY[op["kind"]](doc, op)
    try:
        return to_document(parse_graph(doc))  # still a well-formed pipeline (canonical form)
    except GraphFormatError as exc:
        raise OpError(f"the op would make the pipeline malformed: {exc.problems[0].message}") from None


def touched(op: dict[str, Any]) -> tuple[str, ...]:
    """What an op writes, for showing who overwrote what: ("param", node, name), ("node", id)..."""
    kind = op.get("kind")
    if kind == "set_param":
        return ("param", str(op.get("node")), str(op.get("param")))
    if kind in (
        "set_params",
        "set_regenerate",
        "set_compute",
        "set_component_version",
        "remove_node",
        "move_node",
        "set_comment",
    ):
        return (kind, str(op.get("node")))
    if kind == "add_node":
        return ("add_node", str((op.get("node") or {}).get("id")))
    if kind in ("add_parameter", "update_parameter", "remove_parameter"):
        return ("pipeline_parameter", str(op.get("name")))
    return (str(kind), json.dumps(op.get("target"), sort_keys=True))
