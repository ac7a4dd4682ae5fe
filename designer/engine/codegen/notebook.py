"""The script's sections as a Jupyter notebook (nbformat 4, written as JSON directly: it is small).

One markdown cell per section (the node's title and canvas comment) above one code cell holding the
section's code exactly as the script has it; the script's last section (saving every output) is
replaced by a cell that shows the metrics and the last table.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .section import Section


def notebook(name: str, header: str, sections: Sequence[Section], show: Section) -> dict[str, Any]:
    intro = header.strip().strip('"').strip()
    title, _, rest = intro.partition("\n")
    cells = [_markdown(f"# {title}\n\n{rest.strip()}".replace("python pipeline.py", "jupyter lab pipeline.ipynb"))]
    for section in [*sections[:-1], show]:
        cells += [_markdown(section.markdown), _code(section.code)]
    for i, cell in enumerate(cells):
        cell["id"] = f"cell-{i}"  # nbformat 4.5: unique within the notebook
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
            "tessera": {"pipeline": name},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def _lines(text: str) -> list[str]:
    """nbformat's multi-line string: a list of lines, each but the last ending in a newline."""
    return text.splitlines(keepends=True)


def _markdown(text: str) -> dict[str, Any]:
    return {"cell_type": "markdown", "metadata": {}, "source": _lines(text)}


def _code(text: str) -> dict[str, Any]:
    return {
        "cell_type": "code",
        "execution_count": None,
        "metadata": {},
        "outputs": [],
        "source": _lines(text),
    }
