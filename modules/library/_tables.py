"""Small table helpers shared by several modules: keeping column roles in step with the columns."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def prune_meta(meta: dict[str, Any], names: Iterable[str]) -> dict[str, Any]:
    """``meta`` without roles that point at columns no longer in the table."""
    present = set(names)
    out = dict(meta)
    if out.get("label_column") is not None and out["label_column"] not in present:
        del out["label_column"]
    scores = out.get("score_columns")
    if isinstance(scores, dict):
        kept = {role: col for role, col in scores.items() if col in present}
        if kept:
            out["score_columns"] = kept
        else:
            for key in ("score_columns", "task", "positive_class"):
                out.pop(key, None)
    return out
