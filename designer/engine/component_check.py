"""Checking a component version before it is saved: its interface, and every problem with it.

Apart from ``components.py`` because it validates a probe graph, and validation itself expands components
(``validate`` imports ``components``); here both are imported, so the two modules stay one-directional.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from modules.sdk import Registry

from .components import (
    COMPONENT_PREFIX,
    SEPARATOR,
    ComponentFormatError,
    ComponentLookup,
    ComponentVersion,
    Interface,
    MappingLookup,
    expand,
    interface,
    parse_document,
)
from .graph import Graph, Node
from .problems import Problem
from .validate import validate

#: The number a version being saved has while it is checked (saved versions start at 1).
UNSAVED = 0
_PROBE = "component"


def check_version(
    document: Any,
    registry: Registry,
    lookup: ComponentLookup | None,
    *,
    component_id: int = 0,
    name: str = "component",
    datasets: Any = None,
) -> tuple[Interface | None, list[Problem]]:
    """The interface of a version about to be saved, and every problem with it (empty when it can be saved).

    The document is checked as it will be used: one node of it is expanded and validated, its inputs
    taken as connected. So an inner port that is neither connected inside nor fed by a component input,
    an exposed parameter that points at nothing, and a component that contains itself (``component_id``
    appearing inside, at any depth) are refused here, before anything is created."""
    try:
        parse_document(document)
    except ComponentFormatError as exc:
        return None, exc.problems
    version = ComponentVersion(component_id, UNSAVED, name, document)
    probe_lookup = MappingLookup({(component_id, UNSAVED): version}, lookup)
    try:
        face = interface(version, registry, probe_lookup)
    except ComponentFormatError as exc:
        return None, exc.problems
    problems = list(face.problems)
    probe = Graph(nodes={_PROBE: Node(_PROBE, f"{COMPONENT_PREFIX}{component_id}", UNSAVED)}, edges=[])
    expansion = expand(probe, registry, probe_lookup)
    group = expansion.groups.get(_PROBE)
    fed = {end for ends in group.inputs.values() for end in ends} if group is not None else set()
    result = validate(probe, registry, datasets, components=probe_lookup)
    label = f"Component '{name}' (node {_PROBE}) › "
    for problem in result.problems:
        if problem.code == "missing_input" and (
            (problem.node, problem.port) in fed or problem.node == _PROBE or problem.path == "nodes[0]"
        ):
            continue  # a component input: connected where the component is used
        if problem in problems:
            continue
        path = problem.path or ""
        path = path[len("nodes[0].") :] if path.startswith("nodes[0].") else path
        node = problem.node[len(_PROBE) + 1 :] if problem.node and problem.node.startswith(_PROBE + SEPARATOR) else None
        problems.append(replace(problem, message=problem.message.replace(label, ""), node=node, path=path or None))
    return face, problems
