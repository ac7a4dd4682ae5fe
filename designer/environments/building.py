"""Build the environments a pipeline document's nodes run in, on this host, before it serves anything.

Endpoints call it when a version is deployed (a package the index lacks refuses the deployment, naming
the node and the requirement line) and scoring servers when they load an endpoint, so the first request
never waits for a build. Building is the workers' own builder: one build per content hash and host.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from modules.library.python_language import _environments
from modules.library.python_language._environment_param import EnvironmentChoice

log = logging.getLogger(__name__)


class NotBuilt(Exception):
    def __init__(self, node: str, message: str) -> None:
        super().__init__(message)
        self.node = node


def environments_of(document: Any) -> list[tuple[str, EnvironmentChoice]]:
    """``(node id, choice)`` for every node of a (flat) pipeline document that runs in an environment."""
    found = []
    nodes = document.get("nodes") if isinstance(document, dict) else None
    for node in nodes if isinstance(nodes, list) else []:
        params = node.get("params") if isinstance(node, dict) else None
        value = params.get("environment") if isinstance(params, dict) else None
        if isinstance(value, dict):
            found.append((str(node.get("id")), EnvironmentChoice.model_validate(value)))
    return found


def build_environments(document: Any, say: Callable[[str], None] = log.info) -> int:
    """Build (or find built) each environment the document needs; how many it needs. ``NotBuilt`` names the node."""
    needed = environments_of(document)
    for node, choice in needed:
        try:
            _environments.ensure(choice.hash, choice.base, choice.requirements, say)
        except _environments.BuildFailed as exc:
            raise NotBuilt(node, f"environment '{choice.name}' version {choice.version}: {exc}") from None
    return len(needed)
