"""Readable emitters: module id -> function writing plain pandas / scikit-learn / LightGBM for that node.

Every submodule of this package defines ``EMITTERS: dict[str, Emitter]``; ``emitters()`` merges them
(a module id claimed twice is an error). Each emitter must produce code whose results equal the module
library's on the same inputs (tests/engine/codegen compare them).
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from designer.engine.codegen.node_code import Emitter


@cache
def emitters() -> dict[str, Emitter]:
    found: dict[str, Emitter] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for module_id, emit in getattr(module, "EMITTERS", {}).items():
            if module_id in found:
                raise RuntimeError(f"two readable emitters for module '{module_id}' ({info.name} and another)")
            found[module_id] = emit
    return found
