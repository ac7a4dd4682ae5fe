"""``tessera login``, ``logout``, ``whoami``: a token in the profile file, never on the command line."""

from __future__ import annotations

import getpass
import os
import sys
from typing import Annotated

import typer

from tessera_client import config
from tessera_client._http import Session
from tessera_client.errors import AuthError, UsageError, ValidationFailed
from tessera_client.workspaces import list_workspaces, resolve

from .context import Output, OutputOpt, state
from .output import emit_one, out


def login(
    ctx: typer.Context,
    url: Annotated[str | None, typer.Option("--url", help="The server, e.g. http://localhost:8000.")] = None,
    username: Annotated[str | None, typer.Option("--username", "-u", help="Prompted for when left out.")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input (one line).")
    ] = False,
    workspace: Annotated[
        str | None, typer.Option("--workspace", "-w", help="Workspace to use (name or id); default: your only one.")
    ] = None,
) -> None:
    """Sign in and keep an API token in the profile file (mode 0600).

    The password is read from TESSERA_PASSWORD, from standard input with --password-stdin (or when
    it is not a terminal), or asked for without echo. It is never an option."""
    current = state(ctx).profile()
    url = url or current.url
    if not url:
        raise UsageError("Name the server: tessera login --url http://HOST:PORT (or set TESSERA_URL).")
    username = username or current.username or typer.prompt("Username", err=True)
    password = _password(password_stdin)
    with Session(url) as anonymous:
        try:
            token = anonymous.post("/api/auth/token/", {"username": username, "password": password})["token"]
        except ValidationFailed as exc:
            raise AuthError(f"Sign-in refused for '{username}' at {url}: {exc.message}", status=exc.status) from None
    with Session(url, token) as session:
        chosen = resolve(session, workspace) if workspace else _only_workspace(session)
    profile = config.Profile(
        name=current.name,
        url=url.rstrip("/"),
        token=token,
        username=username,
        workspace=chosen["id"] if chosen else current.workspace,
    )
    path = config.save(profile)
    where = f", workspace '{chosen['name']}' ({chosen['id']})" if chosen else ""
    out.print(f"Signed in to {profile.url} as {username}{where}; token saved in {path} (mode 0600).", markup=False)


def _password(from_stdin: bool) -> str:
    if os.environ.get("TESSERA_PASSWORD"):
        return os.environ["TESSERA_PASSWORD"]
    if from_stdin or not sys.stdin.isatty():
        line = sys.stdin.readline()
        if not line:
            raise UsageError("No password on standard input.")
        return line.rstrip("\r\n")
    return getpass.getpass("Password: ")


def _only_workspace(session: Session) -> dict[str, object] | None:
    rows = list_workspaces(session)
    return rows[0] if len(rows) == 1 else None


def logout(ctx: typer.Context) -> None:
    """Forget the token of this profile (the server keeps it until an administrator revokes it)."""
    current = state(ctx).profile()
    config.save(config.Profile(name=current.name, url=current.url, username=current.username,
                               workspace=current.workspace))  # fmt: skip
    out.print(f"Signed out of profile '{current.name}'.", markup=False)


def whoami(ctx: typer.Context, output: OutputOpt = Output.table) -> None:
    """Who the token belongs to, where, and in which workspace commands run."""
    ws = state(ctx).workspace()
    me = ws.session.get("/api/auth/me/")
    info = {"url": ws.session.url, "username": me.get("username"), "workspace": ws.name, "workspace_id": ws.id}
    emit_one(info, output)
