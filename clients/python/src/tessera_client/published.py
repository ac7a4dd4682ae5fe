"""Published pipelines (pipeline endpoints): list them, trigger a run with parameter values."""

from __future__ import annotations

from typing import Any

from ._http import Session
from .names import pick
from .runs import Run


class Published:
    def __init__(self, session: Session, workspace: int) -> None:
        self.session = session
        self.workspace = workspace

    def list(self) -> list[dict[str, Any]]:
        return list(self.session.pages("/api/pipeline-endpoints/", workspace=self.workspace))

    def get(self, ref: int | str) -> dict[str, Any]:
        row = pick(self.list(), ref, "published pipeline")
        return dict(self.session.get(f"/api/pipeline-endpoints/{row['id']}/"))

    def trigger(self, ref: int | str, params: dict[str, Any] | None = None, version: int | None = None) -> Run:
        """Run a published version (default: the endpoint's default version) now, as an editor."""
        endpoint = self.get(ref)
        body: dict[str, Any] = {"parameters": params or {}}
        if version is not None:
            body["version"] = version
        return Run(self.session, self.session.post(f"/api/pipeline-endpoints/{endpoint['id']}/runs/", body))
