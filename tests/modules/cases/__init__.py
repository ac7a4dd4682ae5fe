"""Contract cases: the inputs and parameters each module's contract tests run with.

One file per area of the library; each defines ``CASES: dict[str, Case]`` and this package merges
them (a module id named twice is an error). Input builders get the shared small table and a
``run(module_id, inputs, **params)`` helper that runs another module.
"""

from __future__ import annotations

import importlib
import pkgutil

from ._helpers import Case

__all__ = ["CASES", "Case"]


def _collect() -> dict[str, Case]:
    merged: dict[str, Case] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        cases: dict[str, Case] = importlib.import_module(f"{__name__}.{info.name}").CASES
        twice = set(merged) & set(cases)
        assert not twice, f"contract cases defined twice: {sorted(twice)}"
        merged.update(cases)
    return merged


CASES = _collect()
