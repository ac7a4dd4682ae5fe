"""The model registry: register a run's trained model by name (the same name again is its next version)."""

from __future__ import annotations

from typing import Any

from ._http import Session


class Models:
    def __init__(self, session: Session, workspace: int) -> None:
        self.session = session
        self.workspace = workspace

    def list(self) -> list[dict[str, Any]]:
        return list(self.session.pages("/api/models/", workspace=self.workspace))

    def register(
        self,
        name: str,
        *,
        run: int,
        node: str,
        port: str = "",
        tags: dict[str, str] | None = None,
        description: str = "",
    ) -> dict[str, Any]:
        body = {"workspace": self.workspace, "name": name, "run": run, "node": node, "port": port,
                "tags": tags or {}, "description": description}  # fmt: skip
        return dict(self.session.post("/api/models/", body))
