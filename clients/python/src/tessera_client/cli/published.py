"""``tessera published list|trigger``: published pipelines (pipeline endpoints)."""

from __future__ import annotations

from typing import Annotated

import typer

from .context import Output, OutputOpt, ParamOpt, ParamsFileOpt, WorkspaceOpt, parameter_values, state
from .output import emit, err
from .runs import _show, _wait

app = typer.Typer(help="Published pipelines: list them, run one now.", no_args_is_help=True)


@app.command("list")
def list_(ctx: typer.Context, workspace: WorkspaceOpt = None, output: OutputOpt = Output.table) -> None:
    """Published pipelines of the workspace."""
    rows = [{k: v for k, v in e.items() if k != "keys"} for e in state(ctx).workspace(workspace).published.list()]
    emit(rows, ["id", "name", "pipeline_name", "default_version", "version_count", "last_run"], output)


@app.command()
def trigger(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Published pipeline name or id.")],
    version: Annotated[int | None, typer.Option(help="Published version (default: the default version).")] = None,
    params: ParamOpt = None,
    params_file: ParamsFileOpt = None,
    wait: Annotated[bool, typer.Option("--wait", help="Follow the run until it ends.")] = False,
    workspace: WorkspaceOpt = None,
    output: OutputOpt = Output.table,
) -> None:
    """Run a published pipeline now with parameter values (values left out take the published defaults)."""
    ws = state(ctx).workspace(workspace)
    run = ws.published.trigger(name, parameter_values(params, params_file), version)
    err.print(f"Started run {run.id} of published pipeline '{name}'.", markup=False)
    if wait:
        _wait(ws, run, None)
    _show(run, output)
