"""HTML for Jupyter (``_repr_html_``): a run's node table, an evaluation's metrics. Plain, escaped HTML."""

from __future__ import annotations

from html import escape
from typing import Any

COLOURS = {"completed": "#1a7f37", "reused": "#0969da", "failed": "#cf222e", "running": "#9a6700"}


def nodes_html(title: str, nodes: list[dict[str, Any]]) -> str:
    rows = "".join(
        "<tr>"
        f"<td><code>{escape(str(n.get('node')))}</code></td>"
        f"<td>{escape(str(n.get('module_name') or n.get('module_id') or n.get('module') or ''))}</td>"
        f"<td style='color:{COLOURS.get(str(n.get('status')), 'inherit')}'>{escape(str(n.get('status')))}</td>"
        f"<td>{escape(', '.join(sorted(n.get('outputs') or {})))}</td>"
        f"<td>{escape(str(n.get('error') or n.get('reason') or ''))}</td>"
        "</tr>"
        for n in nodes
    )
    head = "<tr><th>node</th><th>module</th><th>status</th><th>outputs</th><th>note</th></tr>"
    return f"<div><strong>{escape(title)}</strong><table>{head}{rows}</table></div>"


def metrics_html(values: dict[str, Any], task: str | None) -> str:
    rows = "".join(
        f"<tr><td>{escape(str(k))}</td><td style='text-align:right'>{_number(v)}</td></tr>" for k, v in values.items()
    )
    title = f"Evaluation ({escape(task)})" if task else "Evaluation"
    return f"<div><strong>{title}</strong><table><tr><th>metric</th><th>value</th></tr>{rows}</table></div>"


def _number(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return escape(str(value))
