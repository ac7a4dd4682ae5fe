"""Reads of the module registry and the port types (the registry is built once per process)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from rest_framework.exceptions import NotFound
from rest_framework.renderers import JSONRenderer

from designer.engine.parameters import reference
from modules.sdk import PORT_TYPES, UnknownModule, default_registry, params_errors


def catalogue(all_versions: bool = False) -> list[dict[str, Any]]:
    """Every module's latest version; with ``all_versions``, every version the server can run, each
    followed by its older versions (newest first), so a pipeline saved with an older one still renders."""
    registry = default_registry()
    latest = registry.catalogue()
    if not all_versions:
        return latest
    older: dict[str, list[dict[str, Any]]] = {}
    for cls in registry:
        if cls.version != registry.latest_version(cls.id) and not cls.hidden:
            older.setdefault(cls.id, []).append(cls.describe())
    return [entry for m in latest for entry in [m, *sorted(older.get(m["id"], []), key=lambda o: -o["version"])]]


_rendered: dict[bool, tuple[object, bytes, str]] = {}


def catalogue_json(all_versions: bool = False) -> tuple[bytes, str]:
    """The catalogue as the API sends it, and its ETag: rendered once per registry (once per process).

    About 260 kB of JSON that took ~50 ms to build and render on every designer page load.
    """
    registry = default_registry()
    cached = _rendered.get(all_versions)
    if cached is None or cached[0] is not registry:
        body = JSONRenderer().render(catalogue(all_versions))
        cached = _rendered[all_versions] = (registry, body, f'"{hashlib.sha256(body).hexdigest()[:32]}"')
    return cached[1], cached[2]


def module(module_id: str, version: int | None = None) -> dict[str, Any]:
    registry = default_registry()
    try:
        cls = registry.get(module_id, version)
    except UnknownModule as exc:
        raise NotFound(f"{str(exc).capitalize()}.") from None
    versions = sorted(m.version for m in registry if m.id == module_id)
    return {**cls.describe(), "versions": versions, "latest_version": registry.latest_version(module_id)}


def port_types() -> list[dict[str, Any]]:
    """Each type's description plus ``accepts``: the output types an input of this type can be wired to."""
    return [
        {**cls.describe(), "accepts": [other.name for other in PORT_TYPES.values() if cls.accepts(other)]}
        for cls in PORT_TYPES.values()
    ]


def upgrade(module_id: str, from_version: int, params: dict[str, Any]) -> dict[str, Any]:
    """What upgrading a node of ``module_id`` saved at ``from_version`` to the latest version does to its
    parameters: the migrated parameters (``migrate_params``) and every change, defaults included, so
    the designer can show them before applying. Reads only; nothing is saved."""
    registry = default_registry()
    old = _get(module_id, from_version)
    new = registry.get(module_id)
    migrated = new.migrate_params(from_version, dict(params)) if from_version != new.version else dict(params)
    before, after = _effective(old, params), _effective(new, migrated)
    changes = []
    for name in dict.fromkeys([*after, *before]):
        if name not in before:
            changes.append({"param": name, "change": "added", "old": None, "new": after[name]})
        elif name not in after:
            changes.append({"param": name, "change": "removed", "old": before[name], "new": None})
        elif before[name] != after[name]:
            changes.append({"param": name, "change": "changed", "old": before[name], "new": after[name]})
    return {
        "module": module_id,
        "from_version": from_version,
        "to_version": new.version,
        "params": migrated,
        "changes": changes,
        "problems": [p for p in params_errors(new, migrated) if not _bound(migrated, p["param"])],
        "ports": _port_changes(old, new),
    }


def _get(module_id: str, version: int) -> Any:
    try:
        return default_registry().get(module_id, version)
    except UnknownModule as exc:
        raise NotFound(f"{str(exc).capitalize()}.") from None


def _effective(cls: Any, params: dict[str, Any]) -> dict[str, Any]:
    """The value of every parameter as the module would run it: saved values over the declared defaults."""
    values: dict[str, Any] = {}
    for name, info in cls.Params.model_fields.items():
        if not info.is_required():
            values[name] = info.get_default(call_default_factory=True)
    values.update(params)
    return json.loads(json.dumps(values, default=str))


def _bound(params: dict[str, Any], name: str) -> bool:
    """Whether a parameter is set by a pipeline parameter (checked when values are given, not here)."""
    return reference(params.get(name.split(".", 1)[0])) is not None


def _port_changes(old: Any, new: Any) -> list[dict[str, str]]:
    """Ports the newer version adds or drops (an edge on a dropped port would be lost)."""
    out = []
    for kind, a, b in (("input", old.inputs, new.inputs), ("output", old.outputs, new.outputs)):
        out += [{"kind": kind, "port": p, "change": "added"} for p in b if p not in a]
        out += [{"kind": kind, "port": p, "change": "removed"} for p in a if p not in b]
    return out
