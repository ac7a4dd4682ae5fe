"""``tessera model register|list``: the model registry."""

from __future__ import annotations

from typing import Annotated

import typer

from tessera_client.errors import UsageError

from .context import Output, OutputOpt, WorkspaceOpt, state
from .output import emit, emit_one

app = typer.Typer(help="Register trained models by name and list them.", no_args_is_help=True)


@app.command()
def register(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Model name; the same name again is its next version.")],
    run: Annotated[int, typer.Option("--run", help="The training run.")],
    node: Annotated[str, typer.Option("--node", help="The node that trained the model (e.g. train).")],
    tag: Annotated[list[str] | None, typer.Option("--tag", help="key=value (repeatable).")] = None,
    description: Annotated[str, typer.Option(help="What the model is.")] = "",
    workspace: WorkspaceOpt = None,
    output: OutputOpt = Output.table,
) -> None:
    """Register the model a run's node trained."""
    tags = {}
    for pair in tag or []:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"--tag '{pair}': write key=value.")
        tags[key] = value
    model = (
        state(ctx).workspace(workspace).models.register(name, run=run, node=node, tags=tags, description=description)
    )
    emit_one(model, output, None if output == Output.json else ["id", "name", "version", "task", "run", "node", "tags"])


@app.command("list")
def list_(ctx: typer.Context, workspace: WorkspaceOpt = None, output: OutputOpt = Output.table) -> None:
    """Registered models of the workspace."""
    rows = state(ctx).workspace(workspace).models.list()
    emit(rows, ["id", "name", "version", "task", "run", "node", "tags", "in_use_by"], output)
