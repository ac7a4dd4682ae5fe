"""Pipeline documents as files: JSON (the server's form) and a readable YAML of the same document.

Both hold exactly the JSON document (no YAML-only shorthand), so the server's JSON Schema and its
validation name any fault in either. The YAML is written the same way every time (keys in document
order, edges and layout entries on one line each), so a file the client wrote reads back and writes
again to the same text, and document → YAML → document is equal.

Reading refuses a duplicate key (naming the key and its line; JSON names the key) and YAML that is
not plain data (tags, anchors are allowed only as plain JSON values). ``Document.line_of(path)`` maps a
problem's path from the server (``nodes[2].params.fraction``) to the line in the file, so messages
point at the line to fix.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import DocumentError

YAML_SUFFIXES = (".yaml", ".yml")
JSON_SUFFIXES = (".json",)


@dataclass
class Document:
    """A pipeline document read from ``source``; ``lines`` maps JSON paths to 1-based line numbers."""

    content: dict[str, Any]
    source: str = "<document>"
    lines: dict[str, int] = field(default_factory=dict)

    def line_of(self, path: str | None) -> int | None:
        """The line of ``path`` or of its nearest parent that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = _parent(path)
        return None

    def where(self, problem: dict[str, Any]) -> str:
        """``file:line`` (or ``file``) for a problem from the server."""
        line = self.line_of(problem.get("path"))
        return f"{self.source}:{line}" if line else self.source


def _parent(path: str) -> str:
    if path.endswith("]"):
        return path[: path.rindex("[")]
    return path.rpartition(".")[0]


# -- reading --------------------------------------------------------------------------------------


def read(path: str | Path, required: str = "nodes") -> Document:
    """A document from a ``.json``, ``.yaml`` or ``.yml`` file (``required="kind"``: a component version's)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DocumentError(f"{path}: no such file.") from None
    except UnicodeDecodeError:
        raise DocumentError(f"{path} is not a pipeline: it is not UTF-8 text.") from None
    except OSError as exc:
        raise DocumentError(f"{path} cannot be read: {exc.strerror}.") from None
    if path.suffix.lower() in JSON_SUFFIXES:
        return loads_json(text, str(path), required)
    if path.suffix.lower() in YAML_SUFFIXES:
        return loads_yaml(text, str(path), required)
    raise DocumentError(f"{path}: a pipeline file ends in .json, .yaml or .yml.")


def loads_json(text: str, source: str = "<json>", required: str = "nodes") -> Document:
    try:
        content = json.loads(text, object_pairs_hook=_unique_pairs)
    except json.JSONDecodeError as exc:
        raise DocumentError(f"{source}:{exc.lineno} is not a pipeline: not valid JSON ({exc.msg}).") from None
    except _Duplicate as exc:
        raise DocumentError(f"{source}: the key '{exc.key}' appears twice in one object.") from None
    return Document(_mapping(content, source, required), source, _json_lines(text))


class _Duplicate(ValueError):
    def __init__(self, key: str) -> None:
        self.key = key


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Duplicate(key)
        out[key] = value
    return out


def _json_lines(text: str) -> dict[str, int]:
    """Lines of the nodes and edges of a JSON file (by counting, good enough to point at a node)."""
    lines: dict[str, int] = {}
    for key in ("nodes", "edges", "parameters", "layout"):
        match = re.search(rf'"{key}"\s*:', text)
        if match:
            lines[key] = text.count("\n", 0, match.start()) + 1
    return lines


def loads_yaml(text: str, source: str = "<yaml>", required: str = "nodes") -> Document:
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise DocumentError(f"{source} is not a pipeline: the file is empty.")
        lines: dict[str, int] = {}
        _record_lines(node, "", lines)
        content = loader.construct_document(node)
    except _DuplicateKey as exc:
        raise DocumentError(
            f"{source}:{exc.line}: the key '{exc.key}' appears twice in one mapping (first on line {exc.first})."
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        raise DocumentError(
            f"{source}{line} is not a pipeline: not valid YAML ({exc.problem or exc.context})."
        ) from None
    except yaml.YAMLError as exc:
        raise DocumentError(f"{source} is not a pipeline: not valid YAML ({exc}).") from None
    finally:
        loader.dispose()
    return Document(_mapping(content, source, required), source, lines)


class _DuplicateKey(Exception):
    def __init__(self, key: str, line: int, first: int) -> None:
        self.key, self.line, self.first = key, line, first


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys, naming the key and the line of its second use."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise _DuplicateKey(str(key), key_node.start_mark.line + 1, seen[key])
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    lambda loader, node: loader.construct_mapping(node, deep=True),
)


def _record_lines(node: yaml.Node, path: str, lines: dict[str, int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value in node.value:
            child = f"{path}.{key_node.value}" if path else str(key_node.value)
            lines.setdefault(child, key_node.start_mark.line + 1)
            _record_lines(value, child, lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            child = f"{path}[{i}]"
            lines.setdefault(child, item.start_mark.line + 1)
            _record_lines(item, child, lines)


def _mapping(content: Any, source: str, required: str = "nodes") -> dict[str, Any]:
    what = "a pipeline" if required == "nodes" else "a component"
    if not isinstance(content, dict):
        kind = {list: "a list", str: "a string", type(None): "empty"}.get(type(content), type(content).__name__)
        raise DocumentError(f"{source} is not {what}: its top level is {kind}, not a mapping with '{required}'.")
    if required not in content:
        keys = ", ".join(f"'{k}'" for k in list(content)[:5])
        raise DocumentError(f"{source} is not {what}: it has no '{required}' (its keys: {keys}).")
    return content


# -- writing --------------------------------------------------------------------------------------


class _Flow(dict):  # type: ignore[type-arg]
    """A mapping written on one line (``{node: split, port: dataset}``)."""


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)  # lists indented under their key: easier to read


def _string(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    """Plain when safe; a literal block (``|``) for text of several lines, such as a script, so it reads as
    written (the emitter quotes it instead where a block cannot hold it exactly, e.g. trailing spaces);
    double-quoted (escaped) when YAML readers would take a character as a line break."""
    if any(ch in text for ch in "\x85\u2028\u2029") or not all(ch.isprintable() or ch in "\n\t" for ch in text):
        return dumper.represent_scalar("tag:yaml.org,2002:str", text, style='"')
    if "\n" in text.rstrip("\n"):
        return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|")
    return dumper.represent_str(text)


_Dumper.add_representer(str, _string)
_Dumper.add_representer(_Flow, lambda d, data: d.represent_mapping("tag:yaml.org,2002:map", data, flow_style=True))


def _for_yaml(document: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in document.items():
        if key == "edges" and isinstance(value, list):
            out[key] = [_Flow({k: _Flow(v) if isinstance(v, dict) else v for k, v in e.items()})
                        if isinstance(e, dict) else e for e in value]  # fmt: skip
        elif key == "layout" and isinstance(value, dict):
            out[key] = {k: _Flow(v) if isinstance(v, dict) else v for k, v in value.items()}
        else:
            out[key] = value
    return out


def dumps_yaml(document: dict[str, Any]) -> str:
    return yaml.dump(
        _for_yaml(document), Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False, width=120
    )


def dumps_json(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def dumps(document: dict[str, Any], path: str | Path) -> str:
    """The text of ``document`` in the format ``path``'s extension names."""
    suffix = Path(path).suffix.lower()
    if suffix in YAML_SUFFIXES:
        return dumps_yaml(document)
    if suffix in JSON_SUFFIXES:
        return dumps_json(document)
    raise DocumentError(f"{path}: a pipeline file ends in .json, .yaml or .yml.")


def write(document: dict[str, Any], path: str | Path) -> Path:
    path = Path(path)
    text = dumps(document, path)
    path.write_text(text, encoding="utf-8")
    return path


# -- comparing ------------------------------------------------------------------------------------


def normalized(document: dict[str, Any]) -> dict[str, Any]:
    """The document as the server stores it (``designer/engine/graph.py`` ``to_document``): defaults
    filled in (``params: {}``, ``regenerate: false``, empty ``parameters`` and ``layout``), layout kept
    only for nodes that exist. Two documents that normalize equal are the same version to the server."""
    nodes = [
        {
            "id": n.get("id"),
            "module": n.get("module"),
            "version": n.get("version"),
            "params": n.get("params", {}),
            "regenerate": n.get("regenerate", False),
        }
        for n in document.get("nodes", [])
        if isinstance(n, dict)
    ]
    ids = {n["id"] for n in nodes}
    edges = [
        {"source": dict(e.get("source", {})), "target": dict(e.get("target", {}))}
        for e in document.get("edges", [])
        if isinstance(e, dict)
    ]
    layout = {k: dict(v) for k, v in (document.get("layout") or {}).items() if k in ids and isinstance(v, dict)}
    return {
        "schema_version": document.get("schema_version", 1),
        "nodes": nodes,
        "edges": edges,
        "parameters": document.get("parameters", {}),
        "layout": layout,
    }


def canonical(document: dict[str, Any]) -> dict[str, Any]:
    """``normalized``, in one order whatever order the server's database gave back its keys in:
    parameters and node params by name (nested objects too), layout entries in node order. ``pull``
    writes this form, and local diffs compare it, so only real changes show."""
    doc = normalized(document)
    for node in doc["nodes"]:
        if isinstance(node["params"], dict):
            node["params"] = _by_name(node["params"])
    if isinstance(doc["parameters"], dict):
        doc["parameters"] = _by_name(doc["parameters"])
    order = [n["id"] for n in doc["nodes"]]
    doc["layout"] = {k: _by_name(doc["layout"][k]) for k in order if k in doc["layout"]}
    return doc


def _by_name(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _by_name(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_by_name(v) for v in value]
    return value


def same_document(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return normalized(a) == normalized(b)
