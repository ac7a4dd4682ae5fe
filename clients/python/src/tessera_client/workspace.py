"""``Workspace``: the SDK's entry point, one signed-in session scoped to one workspace.

ws = Workspace.from_config()                     # the profile file (tessera login), env overrides
ws = Workspace.from_env()                        # TESSERA_URL, TESSERA_TOKEN, TESSERA_WORKSPACE
ws = Workspace(url="http://localhost:8000", token="...", workspace="Lab")
"""

from __future__ import annotations

import os
from functools import cached_property
from typing import Any

from . import config
from ._http import Session
from .builder import PipelineBuilder
from .catalogue import Catalogue
from .components import Components
from .datasets import Datasets
from .endpoints import Endpoints
from .errors import AuthError, ConfigError
from .models import Models
from .pipelines import Pipelines
from .published import Published
from .runs import Runs
from .schedules import Schedules
from .workspaces import resolve


class Workspace:
    def __init__(self, url: str, token: str, workspace: int | str | None = None, *, timeout: float = 60.0) -> None:
        if not url:
            raise ConfigError("No server URL: run `tessera login --url URL` or set TESSERA_URL.")
        if not token:
            raise AuthError("Not signed in: run `tessera login` or set TESSERA_TOKEN.")
        self.session = Session(url, token, timeout=timeout)
        self.info: dict[str, Any] = resolve(self.session, workspace)
        self.runs = Runs(self.session, self.id)
        self.datasets = Datasets(self.session, self.id)
        self.pipelines = Pipelines(self.session, self.id, self.runs)
        self.endpoints = Endpoints(self.session, self.id)
        self.models = Models(self.session, self.id)
        self.components = Components(self.session, self.id)
        self.published = Published(self.session, self.id)
        self.schedules = Schedules(self.session, self.published)

    @classmethod
    def from_config(cls, profile: str | None = None, workspace: int | str | None = None) -> Workspace:
        """From the profile file, with ``TESSERA_URL``/``TESSERA_TOKEN``/``TESSERA_WORKSPACE`` overriding it."""
        found = config.load(profile)
        return cls(found.url or "", found.token or "", workspace if workspace is not None else found.workspace)

    @classmethod
    def from_env(cls) -> Workspace:
        """From ``TESSERA_URL``, ``TESSERA_TOKEN`` and ``TESSERA_WORKSPACE`` only."""
        env = os.environ
        return cls(env.get("TESSERA_URL", ""), env.get("TESSERA_TOKEN", ""), env.get("TESSERA_WORKSPACE") or None)

    @property
    def id(self) -> int:
        return int(self.info["id"])

    @property
    def name(self) -> str:
        return str(self.info["name"])

    @cached_property
    def catalogue(self) -> Catalogue:
        """The server's modules (read once)."""
        return Catalogue.fetch(self.session)

    def pipeline_builder(self) -> PipelineBuilder:
        return PipelineBuilder(
            self.catalogue, resolve_dataset=lambda ref: self.datasets.get(ref).id, pipelines=self.pipelines
        )

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Workspace {self.id} '{self.name}' at {self.session.url}>"
