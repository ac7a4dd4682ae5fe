"""Reading untrusted JSON: size, nesting depth and strictness are checked so that no body, whatever its
shape, costs more than reading its bytes or makes Python recurse deeply. Pure: no Django.

One reader for every JSON a client sends (REST bodies, scoring requests, WebSocket messages, imported
pipeline files); each caller turns ``JSONRefused`` into its own error shape. The nesting depth is
measured by a linear pre-scan of the bytes *before* ``json.loads`` runs: the standard library's
decoder recurses once per level of arrays and objects, so a body nested 100,000 levels deep would
otherwise end in ``RecursionError`` (a 500) instead of a clear 400.
"""

from __future__ import annotations

import json
import math
import sys
from itertools import chain
from typing import Any

import numpy as np
import orjson

#: The default limit on how deeply arrays and objects may nest. A pipeline document allows 64 levels
#: inside a parameter value, and the envelopes around it (a REST body, an export file) add a few more.
MAX_DEPTH = 100

_KEEP = b'[]{}"'
_DROP = bytes(b for b in range(256) if b not in _KEEP)
# '[' and '{' open a level (+1), ']' and '}' close one (-1 as a signed byte), quotes count for nothing.
_STEP = bytes.maketrans(b'[]{}"', b"\x01\xff\x01\xff\x00")
_BOM = b"\xef\xbb\xbf"


class JSONRefused(ValueError):
    """A body this reader will not accept: ``status`` 400 (malformed, too deep) or 413 (too large)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def nesting_depth(raw: bytes) -> int:
    """How deeply arrays and objects nest in ``raw``, brackets inside strings not counted.

    Linear and without recursion: escaped backslashes and quotes are dropped, then everything but
    brackets and quotes; a bracket is inside a string exactly when an odd number of quotes precede
    it. For malformed input the count is exact up to the first error, which is as far as a decoder
    gets, so ``json.loads`` never nests deeper than this says.
    """
    if b"\\" in raw:
        raw = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
    reduced = raw.translate(None, _DROP).replace(b'""', b"")  # strings without brackets vanish here
    if b'"' in reduced:
        reduced = b"".join(reduced.split(b'"')[0::2])  # what lies outside strings
    if not reduced:
        return 0
    steps = np.frombuffer(reduced.translate(_STEP), dtype=np.int8)
    return int(np.cumsum(steps, dtype=np.int64).max(initial=0))


def _no_constant(name: str) -> Any:
    raise JSONRefused(400, "invalid", f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JSONRefused(400, "invalid", f"{text} is too large for a JSON number")
    return value


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise JSONRefused(400, "duplicate_key", f"the key '{key[:100]}' appears twice in one object")
            seen.add(key)
    return obj


def loads(
    raw: bytes | str,
    *,
    what: str = "The body",
    max_bytes: int | None = None,
    max_depth: int = MAX_DEPTH,
    allow_nan: bool = False,
) -> Any:
    """The JSON value in ``raw`` (UTF-8, a leading byte-order mark tolerated), or ``JSONRefused``.

    Refused: more than ``max_bytes`` (413); not UTF-8, malformed, nested deeper than ``max_depth``,
    or an object with the same key twice (400); ``NaN``, ``Infinity`` and numbers too large for a
    float unless ``allow_nan``. ``what`` starts each message ("The body", "The file", "The message").
    """
    if isinstance(raw, str) and max_bytes is not None and len(raw) > max_bytes:  # no copy of a huge text
        raise JSONRefused(413, "too_large", f"{what} is over {max_bytes} bytes; the limit is {max_bytes} bytes.")
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else bytes(raw)
    if max_bytes is not None and len(data) > max_bytes:
        raise JSONRefused(413, "too_large", f"{what} is {len(data)} bytes; the limit is {max_bytes} bytes.")
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        where = f"byte 0x{data[exc.start]:02x} at position {exc.start}"
        raise JSONRefused(400, "not_utf8", f"{what} is not UTF-8 text ({where}); JSON must be UTF-8.") from None
    if nesting_depth(data) > max_depth:
        message = f"{what} nests arrays and objects more than {max_depth} levels deep (the limit is {max_depth})."
        raise JSONRefused(400, "too_deep", message)
    fast = _fast(data)
    if fast is not _SLOW:
        return fast
    try:
        if allow_nan:
            return json.loads(text, object_pairs_hook=_unique_keys)
        return json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant, parse_float=_finite)
    except JSONRefused as exc:
        raise JSONRefused(exc.status, exc.code, f"{what} is not valid JSON: {exc.message}.") from None
    except json.JSONDecodeError as exc:
        message = f"{what} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})."
        raise JSONRefused(400, "invalid", message) from None
    except ValueError:  # the only other one: an integer with more digits than Python converts
        limit = sys.get_int_max_str_digits()
        raise JSONRefused(400, "invalid", f"{what} is not valid JSON: a number has more than {limit} digits.") from None


_SLOW = object()
_DIGITS = bytes.maketrans(bytes(range(256)), bytes(49 if 48 <= b <= 57 else 48 for b in range(256)))  # digit -> "1"
_LONG_NUMBER = b"1" * 19
_KEEP_COLONS = bytes(b for b in range(256) if b not in b'":')


def _fast(data: bytes) -> Any:
    """``data`` read by orjson (~5x faster than ``json`` with a Python call per object), or ``_SLOW`` where
    its answer might differ from the standard reader's: anything orjson refuses (malformed text, NaN and
    infinities, lone surrogates; the slow path then accepts or explains them), a run of 19 digits (orjson
    reads an integer beyond 64 bits as a float) and an object with a key twice (orjson keeps the last: the
    members it read are counted against the colons outside strings, one per member)."""
    if _LONG_NUMBER in data.translate(_DIGITS):
        return _SLOW
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        return _SLOW
    if _members(value) != _colons(data):
        return _SLOW
    return value


def _colons(data: bytes) -> int:
    """Colons outside strings: in valid JSON, exactly one per object member."""
    if b"\\" in data:
        data = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    reduced = data.translate(None, _KEEP_COLONS).replace(b'""', b"")  # as nesting_depth: quotes and colons
    return b"".join(reduced.split(b'"')[0::2]).count(b":")


def _members(value: Any) -> int:
    """Members of every object in ``value``; rows of scalars (a list of flat objects) without a Python
    step per value."""
    total = 0
    todo = [value]
    while todo:
        item = todo.pop()
        if type(item) is dict:
            total += len(item)
            children: Any = item.values()
        elif type(item) is list:
            if item and set(map(type, item)) == {dict}:
                total += sum(map(len, item))
                children = list(chain.from_iterable(map(dict.values, item)))
            else:
                children = item
        else:
            continue
        kinds = set(map(type, children))
        if dict in kinds or list in kinds:
            todo.extend(c for c in children if type(c) is dict or type(c) is list)
    return total
