"""Python literals for generated code, and values that write themselves as a pipeline parameter.

A field bound to a pipeline parameter reaches an emitter as its value, wrapped so that ``repr()`` gives
``PARAMETERS["name"]`` while everything else (comparison, arithmetic, ``str``, formatting, iteration)
sees the plain value. Emitters that write values with ``repr`` then read the script's parameter block
without knowing parameters exist. ``True``/``False``/``None`` cannot be wrapped (``bool`` has no
subclasses); they stay constants.
"""

from __future__ import annotations

import json
import math
from typing import Any

PARAMETERS = "PARAMETERS"


def parameter_ref(name: str) -> str:
    return f"{PARAMETERS}[{json.dumps(name)}]"  # names are identifiers: JSON's quoting is Python's


class BoundInt(int):
    parameter: str

    def __new__(cls, value: int, parameter: str) -> BoundInt:
        obj = super().__new__(cls, value)
        obj.parameter = parameter
        return obj

    def __repr__(self) -> str:
        return parameter_ref(self.parameter)

    def __str__(self) -> str:
        return int.__repr__(self)


class BoundFloat(float):
    parameter: str

    def __new__(cls, value: float, parameter: str) -> BoundFloat:
        obj = super().__new__(cls, value)
        obj.parameter = parameter
        return obj

    def __repr__(self) -> str:
        return parameter_ref(self.parameter)

    def __str__(self) -> str:
        return float.__repr__(self)


class BoundStr(str):
    parameter: str

    def __new__(cls, value: str, parameter: str) -> BoundStr:
        obj = super().__new__(cls, value)
        obj.parameter = parameter
        return obj

    def __repr__(self) -> str:
        return parameter_ref(self.parameter)


class BoundList(list[Any]):
    def __init__(self, value: list[Any], parameter: str) -> None:
        super().__init__(value)
        self.parameter = parameter

    def __repr__(self) -> str:
        return parameter_ref(self.parameter)

    def __str__(self) -> str:
        return list.__repr__(self)


class BoundDict(dict[str, Any]):
    def __init__(self, value: dict[str, Any], parameter: str) -> None:
        super().__init__(value)
        self.parameter = parameter

    def __repr__(self) -> str:
        return parameter_ref(self.parameter)

    def __str__(self) -> str:
        return dict.__repr__(self)


_WRAPPERS: dict[type, type] = {int: BoundInt, float: BoundFloat, str: BoundStr, list: BoundList, dict: BoundDict}


def bind(value: Any, parameter: str) -> Any:
    """``value`` whose ``repr()`` names ``parameter``; ``value`` itself where that cannot be (booleans, None)."""
    wrapper = _WRAPPERS.get(type(value))
    return value if wrapper is None else wrapper(value, parameter)


def literal(value: Any, indent: int = 0, width: int = 100) -> str:
    """``value`` (JSON-like) as a Python expression; dicts and lists that do not fit on one line are
    written one item per line with a trailing comma (as ``ruff format`` writes them)."""
    if isinstance(value, BoundList | BoundDict):
        return repr(value)
    flat = _flat(value)
    if len(flat) + indent <= width or not isinstance(value, dict | list | tuple) or not value:
        return flat
    pad = " " * (indent + 4)
    if isinstance(value, dict):
        items = [f"{pad}{_flat(k)}: {literal(v, indent + 4, width)}," for k, v in value.items()]
        return "{\n" + "\n".join(items) + "\n" + " " * indent + "}"
    opening, closing = ("[", "]") if isinstance(value, list) else ("(", ")")
    items = [f"{pad}{literal(v, indent + 4, width)}," for v in value]
    return opening + "\n" + "\n".join(items) + "\n" + " " * indent + closing


def _flat(value: Any) -> str:
    if isinstance(value, BoundList | BoundDict):
        return repr(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_flat(k)}: {_flat(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flat(v) for v in value) + "]"
    if isinstance(value, tuple):
        return "(" + ", ".join(_flat(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, float) and not isinstance(value, BoundFloat) and not math.isfinite(value):
        return f'float("{value}")'
    if isinstance(value, str) and not isinstance(value, BoundStr):
        return _string(value)
    return repr(value)


def _string(text: str) -> str:
    """A string literal in double quotes (ruff format's preference) unless that needs more escapes."""
    plain = repr(text)
    if plain.startswith("'") and '"' not in text:
        return '"' + plain[1:-1].replace("\\'", "'") + '"'
    return plain


def comment(text: str) -> str:
    """``text`` as comment lines (each starting ``# ``), blank lines kept as ``#``."""
    lines = text.strip().splitlines() or [""]
    return "\n".join(f"# {line}".rstrip() for line in lines)
