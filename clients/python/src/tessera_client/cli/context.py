"""What every command shares: the chosen profile, the signed-in workspace (made on first use), and the
options that parse values (``--param name=value``)."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml

from tessera_client import config
from tessera_client.errors import UsageError
from tessera_client.workspace import Workspace


class Output(StrEnum):
    table = "table"
    json = "json"


OutputOpt = Annotated[Output, typer.Option("--output", help="Print a table, or JSON for scripts.")]
WorkspaceOpt = Annotated[
    str | None, typer.Option("--workspace", "-w", help="Workspace name or id (default: the profile's).")
]
ParamOpt = Annotated[
    list[str] | None,
    typer.Option("--param", "-p", help="A pipeline parameter value, name=value (the value read as JSON if it can be)."),
]
ParamsFileOpt = Annotated[
    Path | None, typer.Option("--params", help="A YAML or JSON file of parameter values {name: value}.")
]


class State:
    def __init__(self, profile: str | None, debug: bool) -> None:
        self.profile_name = profile
        self.debug = debug
        self._workspace: Workspace | None = None

    def profile(self) -> config.Profile:
        return config.load(self.profile_name)

    def workspace(self, ref: str | None = None) -> Workspace:
        if self._workspace is None or ref is not None:
            found = self.profile()
            self._workspace = Workspace(found.url or "", found.token or "", ref if ref is not None else found.workspace)
        return self._workspace


def state(ctx: typer.Context) -> State:
    root = ctx.find_root()
    if not isinstance(root.obj, State):
        root.obj = State(None, False)
    return root.obj


def parameter_values(pairs: list[str] | None, path: Path | None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if path is not None:
        try:
            loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise UsageError(f"--params {path}: {exc}") from None
        if not isinstance(loaded, dict):
            raise UsageError(f"--params {path}: the file must hold a mapping of parameter names to values.")
        values.update(loaded)
    for pair in pairs or []:
        name, sep, raw = pair.partition("=")
        if not sep or not name:
            raise UsageError(f"--param '{pair}': write name=value.")
        try:
            values[name] = json.loads(raw)
        except ValueError:
            values[name] = raw
    return values
