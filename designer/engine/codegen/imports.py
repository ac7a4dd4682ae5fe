"""The import block of a generated script: merged, deduplicated, unused ones dropped, sorted as isort
(ruff's ``I`` rules) sorts them: ``__future__``, standard library, third party; plain ``import x`` lines
before ``from x import y`` lines in each group; names in a ``from`` line by type, then alphabetically.

Hand-written (a few dozen lines) rather than calling ruff or isort: neither is a runtime dependency of
the server that writes the script.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable
from dataclasses import dataclass

LINE_LENGTH = 88  # where isort wraps a long ``from`` line (ruff's default line length)


@dataclass(frozen=True)
class _Name:
    name: str
    alias: str | None

    @property
    def bound(self) -> str:
        return self.alias or self.name.split(".")[0]

    def __str__(self) -> str:
        return f"{self.name} as {self.alias}" if self.alias else self.name


def import_block(lines: Iterable[str], code: str) -> str:
    """The import statements ``lines`` ask for, keeping only names ``code`` uses (``__future__`` always)."""
    used = _used_names(code)
    plain: set[_Name] = set()
    froms: dict[str, set[_Name]] = {}
    for line in lines:
        for node in ast.parse(line).body:
            if isinstance(node, ast.Import):
                plain.update(_Name(a.name, a.asname) for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                module = "." * node.level + (node.module or "")
                froms.setdefault(module, set()).update(_Name(a.name, a.asname) for a in node.names)
            else:
                raise ValueError(f"not an import statement: {line!r}")
    plain = {n for n in plain if n.bound in used}
    froms = {m: {n for n in names if m == "__future__" or n.bound in used} for m, names in froms.items()}
    groups: list[list[str]] = [[], [], []]
    for item in sorted(plain, key=lambda n: (_module_key(n.name), n.alias or "")):
        groups[_group(item.name)].append(f"import {item}")
    for module in sorted((m for m, names in froms.items() if names), key=_module_key):
        names = sorted(froms[module], key=_member_key)
        groups[_group(module)].append(_from_line(module, [str(n) for n in names]))
    return "\n\n".join("\n".join(group) for group in groups if group)


def _used_names(code: str) -> set[str]:
    return {node.id for node in ast.walk(ast.parse(code)) if isinstance(node, ast.Name)}


def _group(module: str) -> int:
    top = module.split(".")[0]
    if top == "__future__":
        return 0
    return 1 if top in sys.stdlib_module_names else 2


def _module_key(module: str) -> tuple[str, str]:
    return (module.lower(), module)


def _member_key(name: _Name) -> tuple[int, str, str]:
    """isort's ``order-by-type``: CONSTANTS, then Classes, then everything else; then case-insensitively."""
    text = name.name
    kind = 0 if text.isupper() and len(text) > 1 else 1 if text[:1].isupper() else 2
    return (kind, text.lower(), str(name))


def _from_line(module: str, names: list[str]) -> str:
    line = f"from {module} import {', '.join(names)}"
    if len(line) <= LINE_LENGTH:
        return line
    return f"from {module} import (\n" + "".join(f"    {n},\n" for n in names) + ")"
