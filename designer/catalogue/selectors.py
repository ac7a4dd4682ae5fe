"""Reads of the module registry and the port types (the registry is built once per process)."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import NotFound

from modules.sdk import PORT_TYPES, UnknownModule, default_registry


def catalogue() -> list[dict[str, Any]]:
    return default_registry().catalogue()


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
