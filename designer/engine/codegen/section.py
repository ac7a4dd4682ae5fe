"""One block of the exported script, which is also one code cell of the notebook."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    """One block of the script and one code cell of the notebook; ``markdown`` is the cell above it."""

    markdown: str
    code: str
    node: str | None = None  # the node this section computes; None for the setup and output blocks
