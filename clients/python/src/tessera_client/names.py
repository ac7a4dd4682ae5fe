"""Finding one object in a list by id or by name, with a suggestion when a name is close."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from .errors import NotFound, UsageError


def pick(rows: Iterable[dict[str, Any]], ref: int | str, kind: str, name_key: str = "name") -> dict[str, Any]:
    """The row whose id is ``ref`` (an int or a string of digits) or whose name is ``ref``.

    A name shared by two rows is refused (use the id); a name not found suggests the closest one."""
    rows = list(rows)
    text = str(ref)
    if text.isdigit():
        for row in rows:
            if row.get("id") == int(text):
                return row
    named = [row for row in rows if row.get(name_key) == text]
    if len(named) == 1:
        return named[0]
    if len(named) > 1:
        ids = ", ".join(str(r["id"]) for r in named)
        raise UsageError(f"Several {kind}s are named '{text}' (ids {ids}); name one by its id.")
    raise NotFound(f"No {kind} '{text}'{suggest(text, [str(r.get(name_key)) for r in rows])}.")


def suggest(word: str, candidates: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest candidate, or an empty string."""
    candidates = list(candidates)
    close = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    if not close and len(word) >= 3:  # a shortened name: the one candidate it begins or is part of
        close = [c for c in candidates if c.startswith(word)] or [c for c in candidates if word in c]
        close = close if len(close) == 1 else []
    return f" (did you mean '{close[0]}'?)" if close else ""
