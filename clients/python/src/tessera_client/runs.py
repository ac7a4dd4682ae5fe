"""Runs: submit, wait with a progress bar, cancel, read node logs and outputs.

Outputs come back as Python values: a table as a DataFrame (the stored Parquet file, streamed, not
pages of JSON), an evaluation as ``Metrics`` (a dict of metric values), anything else (a trained model,
a transformation) as the server's summary dict; ``download`` writes the raw file.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._http import Session
from .display import metrics_html, nodes_html
from .errors import NotFound, RunFailed
from .exports import export_script
from .follow import FINISHED, follow
from .names import suggest
from .provenance import git_provenance

if TYPE_CHECKING:
    import pandas as pd
    from rich.console import Console

SPOOL_BYTES = 64 * 1024 * 1024  # tables up to this size stay in memory while downloading


class Metrics(dict):  # type: ignore[type-arg]
    """An evaluation's metric values (``m["AUC"]``), with ``task`` and ``detail`` (curves, matrices)."""

    def __init__(self, values: dict[str, Any], task: str | None = None, detail: Any = None) -> None:
        super().__init__(values)
        self.task = task
        self.detail = detail

    def _repr_html_(self) -> str:
        return metrics_html(self, self.task)


class RunNode:
    def __init__(self, run: Run, state: dict[str, Any]) -> None:
        self.run = run
        self.state = state

    @property
    def id(self) -> str:
        return str(self.state["node"])

    @property
    def status(self) -> str:
        return str(self.state.get("status"))

    @property
    def outputs(self) -> dict[str, dict[str, Any]]:
        return dict(self.state.get("outputs") or {})

    def output(self, port: str) -> Any:
        """The output's value: a DataFrame for a table, ``Metrics`` for metrics, else its summary dict."""
        out = self._port(port)
        base = f"/api/runs/{self.run.id}/nodes/{self.id}/outputs/{port}/"
        if out.get("type") == "metrics":
            body = self.run.session.get(base)["metrics"]
            return Metrics(body.get("values") or {}, body.get("task"), body.get("detail"))
        probe = self.run.session.get(base, limit=1)
        if "table" in probe:
            return self._table(port)
        return probe.get("summary")

    def download(self, port: str, path: str | Path, format: str | None = None) -> Path:
        """The output's file: a table as CSV (or ``format="parquet"``), metrics as JSON, models as zip."""
        self._port(port)
        target = Path(path)
        route = f"/api/runs/{self.run.id}/nodes/{self.id}/outputs/{port}/download/"
        params = {"format": format} if format else None
        with self.run.session.stream("GET", route, params=params) as response, target.open("wb") as out:
            for chunk in response.iter_bytes():
                out.write(chunk)
        return target

    def log(self) -> str:
        return self.run.session.request("GET", f"/api/runs/{self.run.id}/nodes/{self.id}/log/").text

    def _table(self, port: str) -> pd.DataFrame:
        import pyarrow.parquet as pq

        route = f"/api/runs/{self.run.id}/nodes/{self.id}/outputs/{port}/download/"
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
            with self.run.session.stream("GET", route, params={"format": "parquet"}) as response:
                for chunk in response.iter_bytes():
                    spool.write(chunk)
            spool.seek(0)
            return pq.read_table(io.BytesIO(spool.read())).to_pandas()

    def _port(self, port: str) -> dict[str, Any]:
        outputs = self.outputs
        if port not in outputs:
            if not outputs:
                self.run.refresh()
                outputs = self.run.node(self.id).outputs
                self.state = self.run.node(self.id).state
            if port not in outputs:
                names = ", ".join(sorted(outputs)) or "none yet"
                raise NotFound(
                    f"Node '{self.id}' of run {self.run.id} has no output '{port}'{suggest(port, list(outputs))} "
                    f"(outputs: {names})."
                )
        return outputs[port]

    def __repr__(self) -> str:
        return f"<node '{self.id}' {self.state.get('module_name') or self.state.get('module')}: {self.status}>"


class Run:
    def __init__(self, session: Session, info: dict[str, Any]) -> None:
        self.session = session
        self.info = info

    @property
    def id(self) -> int:
        return int(self.info["id"])

    @property
    def status(self) -> str:
        return str(self.info.get("status"))

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def nodes(self) -> list[RunNode]:
        return [RunNode(self, n) for n in self.info.get("nodes", [])]

    def refresh(self) -> Run:
        self.info = self.session.get(f"/api/runs/{self.id}/")
        return self

    def export_script(self, directory: str | Path) -> list[str]:
        """This run as a standalone script and notebook, pinned to its parameter values and the dataset
        versions it read, unpacked into ``directory``: ``python pipeline.py`` reproduces its outputs."""
        return export_script(self.session, f"/api/runs/{self.id}/export-script/", directory)

    def node(self, node_id: str) -> RunNode:
        if not self.info.get("nodes"):
            self.refresh()
        for state in self.info.get("nodes", []):
            if state["node"] == node_id:
                return RunNode(self, state)
        ids = [n["node"] for n in self.info.get("nodes", [])]
        raise NotFound(f"Run {self.id} has no node '{node_id}'{suggest(node_id, ids)} (nodes: {', '.join(ids)}).")

    def wait(
        self,
        *,
        progress: bool = True,
        timeout: float | None = None,
        raise_on_failure: bool = True,
        console: Console | None = None,
    ) -> Run:
        """Follow the run live until it ends (a Rich progress bar unless ``progress=False``).

        Raises ``RunFailed`` when it ends failed or cancelled (unless ``raise_on_failure=False``)."""
        if progress:
            from .progress import RunProgress

            with RunProgress(self.id, console) as bar:
                follow(self.session, self.id, bar.handle, timeout)
        else:
            follow(self.session, self.id, lambda message: None, timeout)
        self.refresh()
        if raise_on_failure and self.status != "completed":
            reason = self.info.get("error") or self.status
            raise RunFailed(f"Run {self.id} {self.status}: {reason}", self.info)
        return self

    def cancel(self) -> Run:
        self.info = self.session.post(f"/api/runs/{self.id}/cancel/")
        return self

    def events(self, after: int = 0) -> list[dict[str, Any]]:
        return list(self.session.get(f"/api/runs/{self.id}/events/", after=after)["events"])

    def _repr_html_(self) -> str:
        title = (
            f"Run {self.id} of '{self.info.get('pipeline_name', '')}' v{self.info.get('version', '')}: {self.status}"
        )
        return nodes_html(title, self.info.get("nodes", []))

    def __repr__(self) -> str:
        return f"<Run {self.id} {self.status}>"


class Runs:
    def __init__(self, session: Session, workspace: int) -> None:
        self.session = session
        self.workspace = workspace

    def get(self, run_id: int) -> Run:
        try:
            return Run(self.session, self.session.get(f"/api/runs/{int(run_id)}/"))
        except NotFound:
            raise NotFound(f"No run {run_id} in your workspaces.") from None

    def list(self, pipeline: int | None = None, status: str | None = None) -> list[dict[str, Any]]:
        return list(self.session.pages("/api/runs/", workspace=self.workspace, pipeline=pipeline, status=status))

    def submit(
        self,
        pipeline: int,
        *,
        version: int | None = None,
        params: dict[str, Any] | None = None,
        regenerate: list[str] | None = None,
        git: bool = True,
    ) -> Run:
        """Submit a run of ``pipeline``. From inside a Git working copy (the current directory's), the run
        records its repository URL (without credentials), branch, commit and whether the copy was dirty;
        ``git=False`` records none of it."""
        body: dict[str, Any] = {"pipeline": pipeline, "parameters": params or {}, "regenerate": regenerate or []}
        if version is not None:
            body["version"] = version
        provenance = git_provenance() if git else None
        if provenance is not None:
            body["git"] = provenance
        return Run(self.session, self.session.post("/api/runs/", body))
