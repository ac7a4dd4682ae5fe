"""A registry holding only the modules one inference pipeline names, for a scoring server's start.

``default_registry()`` imports and checks every module of the library (~100, each with its parameter
model and JSON Schema): about a fifth of a scoring server's start, for a pipeline that names five or
six. The library's files are named after the module they hold (``modules/library/<category>/<id>.py``),
so the files named like the pipeline's modules are imported first and registered with the same checks.
That is a shortcut, never a rule: when a node's module and version are not found that way (a file
holding several modules, a module from ``TESSERA_EXTRA_MODULES``), the full registry is used, so every
pipeline gets exactly the classes it would get from ``default_registry()``.
"""

from __future__ import annotations

import functools
import importlib
import os
import pkgutil

from designer.engine.graph import Graph
from modules.sdk import Registry, UnknownModule, default_registry

LIBRARY = "modules.library"


def registry_for(graph: Graph) -> Registry:
    """A registry with every (module, version) ``graph`` names: the library files named after its modules
    when they hold them all, else the full default registry."""
    if os.environ.get("TESSERA_EXTRA_MODULES", "").strip():
        return default_registry()
    files = _library_files()
    registry = Registry()
    try:
        for module_id in sorted({n.module for n in graph.nodes.values()}):
            for name in files.get(module_id, ()):
                registry.register_defined_in(name)
        for node in graph.nodes.values():
            registry.get(node.module, node.version)
    except (UnknownModule, ImportError):
        return default_registry()
    return registry


@functools.cache
def _library_files() -> dict[str, tuple[str, ...]]:
    """Python module names of the library's files, by file name (without importing the files)."""
    package = importlib.import_module(LIBRARY)
    found: dict[str, list[str]] = {}
    for info in pkgutil.walk_packages(package.__path__, prefix=LIBRARY + "."):
        if not info.ispkg:
            found.setdefault(info.name.rsplit(".", 1)[1], []).append(info.name)
    return {k: tuple(v) for k, v in found.items()}
