"""Pipelines: push a document (a new version only when it changed), pull, validate, diff, submit.

``push`` names the version it was based on (``base_version``), so a teammate's save in between is a
``Conflict`` with the server's message rather than a silent overwrite.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._http import Session
from .documents import canonical, dumps_yaml, same_document
from .errors import Conflict, ValidationFailed
from .exports import export_script
from .names import pick
from .resource import Resource
from .runs import Run, Runs


@dataclass(frozen=True)
class PushResult:
    pipeline: Pipeline
    version: int
    created: bool  # a new pipeline
    changed: bool  # a new version was saved (False: the document equals the latest version)
    problems: list[dict[str, Any]]


class Pipeline(Resource):
    def __init__(self, session: Session, info: dict[str, Any], runs: Runs) -> None:
        super().__init__(session, info)  # info: the server's pipeline detail, with its head version
        self._runs = runs

    @property
    def version(self) -> int:
        return int(self.info["head_version"])

    @property
    def document(self) -> dict[str, Any]:
        return dict(self.info["head"]["document"])

    @property
    def parameters(self) -> list[dict[str, Any]]:
        return list(self.info["head"].get("parameters") or [])

    def refresh(self) -> Pipeline:
        self.info = self.session.get(f"/api/pipelines/{self.id}/")
        return self

    def get_version(self, number: int | None = None) -> dict[str, Any]:
        """A saved version with its document (default: the newest)."""
        if number is None:
            return dict(self.refresh().info["head"])
        return dict(self.session.get(f"/api/pipelines/{self.id}/versions/{number}/"))

    def versions(self) -> list[dict[str, Any]]:
        return list(self.session.pages(f"/api/pipelines/{self.id}/versions/"))

    def diff(self, from_version: int, to_version: int | None = None) -> dict[str, Any]:
        """The server's diff between two saved versions (default: to the newest)."""
        params = {"from": from_version} | ({"to": to_version} if to_version is not None else {})
        return dict(self.session.get(f"/api/pipelines/{self.id}/diff/", **params))

    def local_diff(self, document: dict[str, Any], source: str = "local") -> str:
        """A unified diff of the newest version and ``document``, as YAML (empty when they are the same)."""
        head = self.refresh().info["head"]
        old = dumps_yaml(canonical(head["document"])).splitlines(keepends=True)
        new = dumps_yaml(canonical(document)).splitlines(keepends=True)
        return "".join(difflib.unified_diff(old, new, f"{self.name} v{head['number']} (server)", source))

    def validate(self, params: dict[str, Any] | None = None) -> dict[str, Any]:
        body = {} if params is None else {"parameters": params}
        return dict(self.session.post(f"/api/pipelines/{self.id}/validate/", body))

    def submit(
        self,
        params: dict[str, Any] | None = None,
        *,
        version: int | None = None,
        regenerate: list[str] | None = None,
        git: bool = True,
    ) -> Run:
        """Submit a run; from a Git working copy it records the commit (``Runs.submit``), unless ``git=False``."""
        return self._runs.submit(self.id, version=version, params=params, regenerate=regenerate, git=git)

    def export_script(self, directory: str | Path, version: int | None = None) -> list[str]:
        """This pipeline (its newest version, or ``version``) as a standalone script and notebook, with the
        data it reads, unpacked into ``directory``: ``python pipeline.py`` runs it without the server."""
        params = {"version": version} if version else {}
        return export_script(self.session, f"/api/pipelines/{self.id}/export-script/", directory, params)

    def runs(self) -> list[dict[str, Any]]:
        return self._runs.list(pipeline=self.id)

    def __repr__(self) -> str:
        return f"<Pipeline {self.id} '{self.name}' v{self.info.get('head_version')}>"


class Pipelines:
    def __init__(self, session: Session, workspace: int, runs: Runs) -> None:
        self.session = session
        self.workspace = workspace
        self._runs = runs

    def list(self) -> list[dict[str, Any]]:
        return list(self.session.pages("/api/pipelines/", workspace=self.workspace))

    def get(self, ref: int | str) -> Pipeline:
        """By id or by name."""
        row = pick(self.list(), ref, "pipeline")
        return Pipeline(self.session, self.session.get(f"/api/pipelines/{row['id']}/"), self._runs)

    def find(self, name: str) -> Pipeline | None:
        for row in self.list():
            if row["name"] == name:
                return Pipeline(self.session, self.session.get(f"/api/pipelines/{row['id']}/"), self._runs)
        return None

    def validate(self, document: dict[str, Any], params: dict[str, Any] | None = None) -> dict[str, Any]:
        """Every problem the server finds in ``document``, resolving datasets in this workspace.

        A document that is not a pipeline at all (unknown fields, wrong types) raises ``ValidationFailed``."""
        body: dict[str, Any] = {"workspace": self.workspace, "document": document}
        if params is not None:
            body["parameters"] = params
        return dict(self.session.post("/api/pipelines/validate/", body))

    def push(
        self, document: dict[str, Any], *, name: str, message: str = "", allow_problems: bool = False
    ) -> PushResult:
        """Create pipeline ``name`` from ``document``, or save it as a new version when it differs from
        the newest version; problems refuse the push unless ``allow_problems``."""
        validation = self.validate(document)
        problems = list(validation.get("problems") or [])
        if problems and not allow_problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            raise ValidationFailed(f"{problems[0]['message']}{more}", problems=problems)
        existing = self.find(name)
        if existing is None:
            body = {"workspace": self.workspace, "name": name, "document": document}
            created = self.session.post("/api/pipelines/", body)
            pipeline = Pipeline(self.session, created, self._runs)
            return PushResult(pipeline, pipeline.version, created=True, changed=True, problems=problems)
        head = existing.info["head"]
        if same_document(head["document"], document):
            return PushResult(existing, int(head["number"]), created=False, changed=False, problems=problems)
        body = {"document": document, "message": message, "base_version": head["number"]}
        try:
            saved = self.session.post(f"/api/pipelines/{existing.id}/versions/", body)
        except Conflict as exc:
            raise Conflict(f"Not saved: {exc.message}", status=409) from None
        return PushResult(existing.refresh(), int(saved["number"]), created=False, changed=True, problems=problems)
