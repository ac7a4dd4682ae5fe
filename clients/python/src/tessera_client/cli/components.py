"""``tessera component list|push|pull|versions``: reusable sub-pipelines and script modules."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tessera_client import documents

from .context import Output, OutputOpt, WorkspaceOpt, state
from .output import emit, out, print_json

app = typer.Typer(help="Reusable components: list, push (create or save a version), pull, versions.",
                  no_args_is_help=True)  # fmt: skip


@app.command("list")
def list_(ctx: typer.Context, workspace: WorkspaceOpt = None, output: OutputOpt = Output.table) -> None:
    """Components of the workspace."""
    rows = state(ctx).workspace(workspace).components.list()
    emit(rows, ["id", "name", "kind", "latest_version", "created_by", "updated_at"], output)


@app.command()
def push(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A component version document (.json or .yaml).")],
    name: Annotated[str, typer.Option("--name", "-n", help="The component's name in the workspace.")],
    message: Annotated[str, typer.Option("--message", "-m", help="What changed (the version's message).")] = "",
    description: Annotated[str, typer.Option(help="What the component does (when creating it).")] = "",
    workspace: WorkspaceOpt = None,
    output: OutputOpt = Output.table,
) -> None:
    """Create component NAME from FILE, or save FILE as its next version when it changed."""
    doc = documents.read(file, required="kind")
    ws = state(ctx).workspace(workspace)
    result = ws.components.push(doc.content, name=name, message=message, description=description)
    if output == Output.json:
        print_json({"component": result.component.id, "name": result.component.name, "version": result.version,
                    "created": result.created, "changed": result.changed})  # fmt: skip
    elif result.created:
        out.print(f"created component '{name}' (id {result.component.id}), version {result.version}", markup=False)
    elif result.changed:
        out.print(f"saved version {result.version} of component '{name}'", markup=False)
    else:
        out.print(f"unchanged (version {result.version})", markup=False)


@app.command()
def pull(
    ctx: typer.Context,
    component: Annotated[str, typer.Argument(help="Component id or name.")],
    output_file: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write here; .json or .yaml picks the format (default: stdout).")
    ] = None,
    version: Annotated[int | None, typer.Option(help="Version number (default: the latest).")] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Write a version's document as YAML or JSON (by the file's extension)."""
    found = state(ctx).workspace(workspace).components.get(component)
    saved = found.get_version(version)
    if output_file is None:
        typer.echo(documents.dumps_yaml(saved["document"]), nl=False)
        return
    documents.write(saved["document"], output_file)
    out.print(f"Wrote version {saved['number']} of '{found.name}' to {output_file}", markup=False)


@app.command()
def versions(
    ctx: typer.Context,
    component: Annotated[str, typer.Argument(help="Component id or name.")],
    workspace: WorkspaceOpt = None,
    output: OutputOpt = Output.table,
) -> None:
    """Versions of a component, newest first."""
    rows = state(ctx).workspace(workspace).components.get(component).versions()
    emit(rows, ["number", "author", "message", "created_at"], output)
