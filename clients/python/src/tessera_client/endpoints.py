"""Real-time endpoints: deploy an inference pipeline (or derive one from a training run), score a
DataFrame with a key, read and regenerate the keys."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ._http import Session
from .errors import UsageError
from .names import pick
from .resource import Resource

if TYPE_CHECKING:
    import pandas as pd


class Endpoint(Resource):
    @property
    def keys(self) -> dict[str, str]:
        """Both keys (editors only; viewers see the endpoint, not its keys)."""
        keys = self.info.get("keys")
        if not keys:
            raise UsageError(f"Your role in this workspace does not show the keys of endpoint '{self.name}'.")
        return dict(keys)

    def regenerate_key(self, which: str = "primary") -> str:
        self.info = self.session.post(f"/api/endpoints/{self.id}/regenerate-key/", {"key": which})
        return self.keys[which]

    def score(self, data: pd.DataFrame | list[dict[str, Any]], key: str | None = None) -> pd.DataFrame:
        """Score rows with the endpoint (the Azure request shape); the answer's rows as a DataFrame.

        With several service outputs, the first; ``score_all`` returns each by name."""
        return next(iter(self.score_all(data, key).values()))

    def score_all(self, data: pd.DataFrame | list[dict[str, Any]], key: str | None = None) -> dict[str, pd.DataFrame]:
        import pandas as pd

        rows = json.loads(data.to_json(orient="records", date_format="iso")) if hasattr(data, "to_json") else data
        inputs = self.info.get("inputs") or [{"name": "WebServiceInput0"}]
        body = {"Inputs": {inputs[0]["name"]: rows}, "GlobalParameters": {}}
        headers = {"Authorization": f"Bearer {key or self.keys['primary']}"}
        answer = self.session.request("POST", f"/endpoints/{self.name}/score", json=body, headers=headers).json()
        return {name: pd.DataFrame.from_records(out) for name, out in answer["Results"].items()}

    def __repr__(self) -> str:
        info = self.info
        where = f"pipeline {info.get('pipeline')} v{info.get('pipeline_version')}"
        return f"<Endpoint '{self.name}' {info.get('status')} ({where})>"


class Endpoints:
    def __init__(self, session: Session, workspace: int) -> None:
        self.session = session
        self.workspace = workspace

    def list(self) -> list[dict[str, Any]]:
        return list(self.session.pages("/api/endpoints/", workspace=self.workspace))

    def get(self, ref: int | str) -> Endpoint:
        row = pick(self.list(), ref, "endpoint")
        return Endpoint(self.session, self.session.get(f"/api/endpoints/{row['id']}/"))

    def inference_pipeline(self, run: int, name: str = "") -> dict[str, Any]:
        """Derive the real-time inference pipeline of a completed training run: ``{"pipeline", "notes"}``."""
        return dict(self.session.post(f"/api/runs/{int(run)}/inference-pipeline/", {"name": name}))

    def deploy(
        self,
        name: str,
        *,
        pipeline: int | None = None,
        version: int | None = None,
        run: int | None = None,
        description: str = "",
    ) -> Endpoint:
        """Deploy an inference pipeline (``pipeline``, ``version``), or derive one from ``run`` and deploy it."""
        if (pipeline is None) == (run is None):
            raise UsageError("Deploy either an inference pipeline (pipeline=) or a training run (run=).")
        if run is not None:
            pipeline = int(self.inference_pipeline(run, f"{name} inference")["pipeline"]["id"])
        body = {"workspace": self.workspace, "name": name, "pipeline": pipeline, "version": version,
                "description": description}  # fmt: skip
        return Endpoint(self.session, self.session.post("/api/endpoints/", body))
