"""``NodeSpec`` for a node: its parameters validated with defaults filled, its variables named."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from modules.sdk import Registry, default_registry

from .node_code import NodeSpec


def variable(node_id: str, port: str) -> str:
    """The script variable for output ``port`` of ``node_id``: a valid, readable Python name."""
    name = re.sub(r"\W+", "_", f"{node_id}_{port}").strip("_").lower() or "value"
    return f"n_{name}" if name[0].isdigit() else name


def node_spec(
    node_id: str,
    module_id: str,
    params: Mapping[str, Any] | None = None,
    *,
    version: int | None = None,
    inputs: Mapping[str, str] | None = None,
    sources: Mapping[str, NodeSpec] | None = None,
    source_ports: Mapping[str, str] | None = None,
    registry: Registry | None = None,
) -> NodeSpec:
    """The spec of one node; ``params`` as written in a pipeline document (references resolved)."""
    registry = registry or default_registry()
    cls = registry.get(module_id, version)
    parsed = cls.parse_params(params or {}).model_dump(mode="json")
    return NodeSpec(
        node_id=node_id,
        module=module_id,
        version=cls.version,
        title=cls.name,
        params=parsed,
        inputs=dict(inputs or {}),
        outputs={port: variable(node_id, port) for port in cls.outputs},
        sources=dict(sources or {}),
        source_ports=dict(source_ports or {}),
    )
