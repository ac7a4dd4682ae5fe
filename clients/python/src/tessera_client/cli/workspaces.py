"""``tessera workspace list|use``."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

import typer

from tessera_client import config
from tessera_client._http import Session
from tessera_client.errors import ConfigError
from tessera_client.workspaces import list_workspaces, resolve

from .context import Output, OutputOpt, state
from .output import emit, out

app = typer.Typer(help="Your workspaces, and which one commands use.", no_args_is_help=True)


def _session(ctx: typer.Context) -> tuple[config.Profile, Session]:
    profile = state(ctx).profile()
    if not profile.url or not profile.token:
        raise ConfigError("Not signed in: run `tessera login` or set TESSERA_URL and TESSERA_TOKEN.")
    return profile, Session(profile.url, profile.token)


@app.command("list")
def list_(ctx: typer.Context, output: OutputOpt = Output.table) -> None:
    """Every workspace you belong to, with your role; * marks the one commands use."""
    profile, session = _session(ctx)
    with session:
        rows = list_workspaces(session)
    for row in rows:
        row["current"] = "*" if str(row["id"]) == str(profile.workspace) or row["name"] == profile.workspace else ""
    emit(rows, ["current", "id", "name", "role", "created_by"], output)


@app.command("use")
def use(ctx: typer.Context, workspace: Annotated[str, typer.Argument(help="Workspace name or id.")]) -> None:
    """Make WORKSPACE the profile's default (TESSERA_WORKSPACE still overrides it)."""
    profile, session = _session(ctx)
    with session:
        chosen = resolve(session, workspace)
    stored = config.load(profile.name, env={})  # the file's own values, not the environment's
    config.save(replace(stored, workspace=chosen["id"]))
    out.print(f"Using workspace '{chosen['name']}' ({chosen['id']}).", markup=False)
