"""Printing results: a Rich table for people, JSON for scripts (``--output json``), messages on stderr."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .context import Output


def _console(stderr: bool) -> Console:
    console = Console(stderr=stderr, highlight=False, soft_wrap=True)  # a message is one line, however long
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console.width = 200  # a pipe or a file: do not wrap tables at 80 columns
    return console


out = _console(stderr=False)
err = _console(stderr=True)


def emit(rows: Iterable[dict[str, Any]], columns: Sequence[str], output: Output, title: str | None = None) -> None:
    rows = list(rows)
    if output == Output.json:
        print_json(rows)
        return
    table = Table(title=title, show_lines=False, title_justify="left")
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*(escape(_cell(row.get(c))) for c in columns))
    out.print(table)


def emit_one(value: dict[str, Any], output: Output, keys: Sequence[str] | None = None) -> None:
    if output == Output.json:
        print_json(value)
        return
    table = Table(show_header=False, box=None)
    table.add_column(style="bold")
    table.add_column()
    for key in keys or list(value):
        table.add_row(escape(key), escape(_cell(value.get(key))))
    out.print(table)


def print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False, default=str), flush=True)


def say(message: str) -> None:
    """A human message (stderr, so stdout stays data)."""
    err.print(message)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, dict | list):
        return json.dumps(value, default=str)
    return str(value)
