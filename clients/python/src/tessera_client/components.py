"""Components: reusable sub-pipelines and script modules of a workspace, each save an immutable version.

``push`` creates the component, or saves the document as its next version naming the version it was
based on (a teammate's save in between is a ``Conflict``); an unchanged document saves nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ._http import Session
from .names import pick
from .resource import Resource


class Component(Resource):
    @property
    def kind(self) -> str:
        return str(self.info["kind"])

    @property
    def latest_version(self) -> int:
        return int(self.info["latest_version"])

    def refresh(self) -> Component:
        self.info = self.session.get(f"/api/components/{self.id}/")
        return self

    def versions(self) -> list[dict[str, Any]]:
        """Versions, newest first: number, author, message, created_at."""
        return list(self.session.pages(f"/api/components/{self.id}/versions/"))

    def get_version(self, number: int | None = None) -> dict[str, Any]:
        """A version with its document and interface (default: the latest)."""
        wanted = self.refresh().latest_version if number is None else number
        return dict(self.session.get(f"/api/components/{self.id}/versions/{wanted}/"))

    def document(self, number: int | None = None) -> dict[str, Any]:
        return dict(self.get_version(number)["document"])

    def diff(self, from_version: int, to_version: int) -> dict[str, Any]:
        return dict(self.session.get(f"/api/components/{self.id}/diff/", **{"from": from_version, "to": to_version}))

    def save(self, document: dict[str, Any], message: str = "") -> tuple[int, bool]:
        """Save ``document`` after the latest version: (its number, whether a new version was made)."""
        base = self.refresh().latest_version
        body = {"document": document, "message": message, "base_version": base}
        saved = self.session.post(f"/api/components/{self.id}/versions/", body)
        number = int(saved["number"])
        return number, number != base


@dataclass(frozen=True)
class PushResult:
    component: Component
    version: int
    created: bool  # a new component
    changed: bool  # a new version was saved


class Components:
    def __init__(self, session: Session, workspace: int) -> None:
        self.session = session
        self.workspace = workspace

    def catalogue(self, all_versions: bool = False) -> list[dict[str, Any]]:
        """Palette entries (shaped as module entries) of the workspace's components."""
        params = {"workspace": self.workspace} | ({"versions": "all"} if all_versions else {})
        return list(self.session.get("/api/components/catalogue/", **params)["components"])

    def list(self) -> list[dict[str, Any]]:
        return list(self.session.pages("/api/components/", workspace=self.workspace))

    def get(self, ref: int | str) -> Component:
        """A component by id or name."""
        row = pick(self.list(), ref, "component")
        return Component(self.session, self.session.get(f"/api/components/{row['id']}/"))

    def find(self, name: str) -> Component | None:
        row = next((r for r in self.list() if r["name"] == name), None)
        return None if row is None else Component(self.session, self.session.get(f"/api/components/{row['id']}/"))

    def push(self, document: dict[str, Any], *, name: str, message: str = "", description: str = "") -> PushResult:
        found = self.find(name)
        if found is None:
            body = {"workspace": self.workspace, "name": name, "description": description, "message": message,
                    "document": document}  # fmt: skip
            created = Component(self.session, self.session.post("/api/components/", body))
            return PushResult(created, created.latest_version, created=True, changed=True)
        number, changed = found.save(document, message)
        return PushResult(found.refresh(), number, created=False, changed=changed)
