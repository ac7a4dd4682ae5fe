"""A run's progress drawn with Rich: one line per node as it ends, and a bar of finished nodes.

Feed it the follower's messages (``follow.follow(..., handle=progress.handle)``). In a terminal the bar
redraws in place; in a notebook Rich draws it as HTML; in a log file (no terminal) the node lines are
printed as they come and the bar once, at the end.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

ENDED = {"completed", "reused", "failed", "skipped", "cancelled"}
MARKS = {
    "completed": "[green]✓[/]",
    "reused": "[cyan]↺[/]",
    "failed": "[red]✗[/]",
    "skipped": "[yellow]-[/]",
    "cancelled": "[yellow]■[/]",
}


class RunProgress:
    def __init__(self, run_id: int, console: Console | None = None) -> None:
        self.run_id = run_id
        self.console = console or Console(stderr=True)
        self.nodes: dict[str, dict[str, Any]] = {}
        self.printed: set[str] = set()
        self.run: dict[str, Any] = {"id": run_id, "status": "running"}
        self._bar = Progress(
            TextColumn("[bold]Run {task.fields[run]}[/] {task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("nodes"),
            TimeElapsedColumn(),
            console=self.console,
            transient=False,
        )
        self._task: TaskID | None = None

    def __enter__(self) -> RunProgress:
        self._bar.start()
        self._task = self._bar.add_task("running", total=None, run=self.run_id)
        return self

    def __exit__(self, *exc: object) -> None:
        self._refresh()
        self._bar.stop()

    # -- the follower's messages -------------------------------------------------------------------
    def handle(self, message: dict[str, Any]) -> None:
        if message["type"] == "snapshot":
            self.run.update(message["run"])
            for node in message.get("nodes", []):
                self._node(node)
        else:
            event = message["event"]
            if event["type"] == "run_finished":
                self.run.update(status=event["status"], error=event.get("error"), elapsed=event.get("elapsed"))
            elif event["type"] == "run_started":
                self.run["status"] = "running"
            elif "node" in event:
                if event["type"] == "node_progress":
                    self.nodes.setdefault(event["node"], {"node": event["node"]}).update(
                        progress=event.get("progress"), progress_message=event.get("message")
                    )
                else:
                    self._node(event)
        self._refresh()

    def _node(self, state: dict[str, Any]) -> None:
        node = self.nodes.setdefault(state["node"], {"node": state["node"]})
        node.update({k: v for k, v in state.items() if k not in ("seq", "type", "run", "at")})
        if node.get("status") in ENDED and node["node"] not in self.printed:
            self.printed.add(node["node"])
            self._bar.console.print(_line(node))

    def _refresh(self) -> None:
        if self._task is None:
            return
        done = sum(1 for n in self.nodes.values() if n.get("status") in ENDED)
        running = [n["node"] for n in self.nodes.values() if n.get("status") == "running"]
        description = self.run.get("status", "running")
        if running and description == "running":
            description = "running " + ", ".join(_with_percent(self.nodes[n]) for n in running[:3])
        self._bar.update(self._task, total=len(self.nodes) or None, completed=done, description=description)


def _line(node: dict[str, Any]) -> str:
    status = node.get("status", "")
    name = node.get("module_name") or node.get("module") or ""
    label = f"  {MARKS.get(status, ' ')} {escape(node['node']):<16} {escape(name):<32} {status}"
    if node.get("elapsed") is not None:
        label += f"  {node['elapsed']:.1f} s"
    if status == "failed" and node.get("error"):
        label += f": {escape(str(node['error']))}"
    return label


def _with_percent(node: dict[str, Any]) -> str:
    progress = node.get("progress")
    if isinstance(progress, int | float) and 0 < progress < 1:
        return f"{node['node']} {progress:.0%}"
    return str(node["node"])
