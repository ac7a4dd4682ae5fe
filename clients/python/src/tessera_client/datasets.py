"""Datasets: upload a file or a DataFrame (as Parquet), list them, their versions, download one.

Uploading under a name the workspace already has adds a version to that dataset, as the designer's
upload dialog does. A file of ``ASYNC_BYTES`` or more is sent as it is read (not loaded into memory) and
registered by a worker (``Prefer: respond-async``): ``upload`` follows the registration and returns the
dataset, or raises the refusal the upload would have got inside the request.
"""

from __future__ import annotations

import contextlib
import io
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from ._http import Session, error_for
from .errors import NotFound, UsageError
from .names import pick
from .resource import Resource

if TYPE_CHECKING:
    import pandas as pd

UPLOAD_SUFFIXES = (".csv", ".tsv", ".txt", ".parquet", ".zip")
#: Files from this size on are registered by a worker, as the designer's upload dialog has them registered.
ASYNC_BYTES = 16 * 1024 * 1024


class Dataset(Resource):
    """One dataset; ``info`` is the server's row (id, name, latest version, rows, columns...)."""

    @property
    def latest_version(self) -> int | None:
        latest = self.info.get("latest_version") or {}
        return latest.get("version") if isinstance(latest, dict) else None

    def versions(self) -> list[dict[str, Any]]:
        return list(self.session.pages(f"/api/datasets/{self.id}/versions/"))

    def download(self, path: str | Path, version: int | None = None) -> Path:
        """The version (default: the latest) as CSV, or a file dataset's zip, written to ``path``."""
        number = version or self._latest_number()
        target = Path(path)
        route = f"/api/datasets/{self.id}/versions/{number}/download/"
        with self.session.stream("GET", route) as response, target.open("wb") as out:
            for chunk in response.iter_bytes():
                out.write(chunk)
        return target

    def to_pandas(self, version: int | None = None) -> pd.DataFrame:
        import pandas as pd

        number = version or self._latest_number()
        buffer = io.BytesIO()
        with self.session.stream("GET", f"/api/datasets/{self.id}/versions/{number}/download/") as response:
            for chunk in response.iter_bytes():
                buffer.write(chunk)
        buffer.seek(0)
        return pd.read_csv(buffer)

    def _latest_number(self) -> int:
        number = self.latest_version
        if number is None:
            versions = self.versions()
            if not versions:
                raise NotFound(f"Dataset '{self.name}' has no versions.")
            number = max(v["version"] for v in versions)
        return int(number)

    def __repr__(self) -> str:
        return f"<Dataset {self.id} '{self.name}' v{self.latest_version}>"


class Datasets:
    def __init__(self, session: Session, workspace: int) -> None:
        self.session = session
        self.workspace = workspace

    def list(self) -> list[Dataset]:
        return [Dataset(self.session, row) for row in self.session.pages("/api/datasets/", workspace=self.workspace)]

    def get(self, ref: int | str) -> Dataset:
        rows = list(self.session.pages("/api/datasets/", workspace=self.workspace))
        return Dataset(self.session, pick(rows, ref, "dataset"))

    def find(self, name: str) -> Dataset | None:
        for row in self.session.pages("/api/datasets/", workspace=self.workspace):
            if row["name"] == name:
                return Dataset(self.session, row)
        return None

    def upload(
        self,
        data: pd.DataFrame | str | Path,
        name: str | None = None,
        *,
        description: str = "",
        has_header: bool = True,
        delimiter: str | None = None,
        encoding: str | None = None,
        decimal: str | None = None,
        missing_values: list[str] | None = None,
        column_types: dict[str, str] | None = None,
        on_stage: Callable[[str], None] | None = None,
    ) -> Dataset:
        """Upload a file (CSV, TSV, Parquet or a zip) or a DataFrame (sent as Parquet) as ``name``.

        A new dataset, or the next version of the dataset of that name in this workspace. The options
        are the server's upload options (README, "Using it"): ``delimiter`` (guessed when left out),
        ``encoding`` (UTF-8), ``decimal`` ("." or ","), ``missing_values`` (replaces the default
        markers) and ``column_types`` ({column: "integer" | "number" | "boolean" | "text" | "date"}).
        ``on_stage`` is told where a worker's registration stands ("queued", "running") while it is followed."""
        filename, payload, media, size = _payload(data, name)
        name = name or Path(filename).stem
        existing = self.find(name)
        form = {"has_header": "true" if has_header else "false"}
        form |= {k: v for k, v in {"delimiter": delimiter, "encoding": encoding, "decimal": decimal}.items() if v}
        if missing_values is not None:
            form["missing_values"] = json.dumps(list(missing_values))
        if column_types:
            form["column_types"] = json.dumps(dict(column_types))
        if existing is not None:
            path = f"/api/datasets/{existing.id}/versions/"
        else:
            path = "/api/datasets/"
            form |= {"workspace": str(self.workspace), "name": name, "description": description}
        headers = {"Prefer": "respond-async"} if size >= ASYNC_BYTES else {}
        with contextlib.closing(payload) if hasattr(payload, "close") else contextlib.nullcontext():
            response = self.session.request(
                "POST", path, files={"file": (filename, payload, media)}, data=form, headers=headers
            )
        answer = response.json()
        if response.status_code == 202:
            answer = self._registered(answer, path, on_stage)
            return self.get(answer["dataset"])
        return self.get(existing.id if existing is not None else answer["id"])

    def _registered(
        self, registration: dict[str, Any], path: str, on_stage: Callable[[str], None] | None = None
    ) -> dict[str, Any]:
        """The registration once a worker has finished it; its refusal raised as the upload's own."""
        wait = 0.25
        while registration["status"] not in ("completed", "failed"):
            if on_stage is not None:
                on_stage(registration["status"])
            time.sleep(wait)
            wait = min(wait * 1.5, 2.0)
            registration = self.session.get(registration["url"])
        if registration["status"] == "failed":
            refused = httpx.Response(
                registration.get("error_status") or 500,
                json=registration.get("error") or {},
                request=httpx.Request("POST", self.session.url + path),
            )
            raise error_for(refused, "POST", path)
        return registration


def _payload(data: Any, name: str | None) -> tuple[str, Any, str, int]:
    """(file name, bytes or an open file, media type, size) for a path or a DataFrame."""
    if isinstance(data, str | Path):
        path = Path(data)
        if not path.is_file():
            raise UsageError(f"{path}: no such file.")
        if path.suffix.lower() not in UPLOAD_SUFFIXES:
            raise UsageError(f"{path}: upload a CSV, TSV, Parquet or .zip file.")
        media = "application/vnd.apache.parquet" if path.suffix.lower() == ".parquet" else "application/octet-stream"
        return path.name, path.open("rb"), media, path.stat().st_size
    if hasattr(data, "to_parquet"):
        buffer = io.BytesIO()
        data.to_parquet(buffer, index=False)
        payload = buffer.getvalue()
        return f"{name or 'dataframe'}.parquet", payload, "application/vnd.apache.parquet", len(payload)
    raise UsageError(f"Upload a file path or a pandas DataFrame, not {type(data).__name__}.")
