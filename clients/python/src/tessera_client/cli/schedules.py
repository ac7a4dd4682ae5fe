"""``tessera schedule list|create|pause|resume``: schedules of published pipelines."""

from __future__ import annotations

from typing import Annotated

import typer

from tessera_client.errors import UsageError

from .context import Output, OutputOpt, ParamOpt, ParamsFileOpt, WorkspaceOpt, parameter_values, state
from .output import emit, emit_one

app = typer.Typer(help="Schedules of published pipelines.", no_args_is_help=True)

COLUMNS = ["id", "endpoint_name", "name", "description", "timezone", "paused", "next_fire_at"]


@app.command("list")
def list_(
    ctx: typer.Context,
    endpoint: Annotated[str | None, typer.Option("--published", help="Only this published pipeline's.")] = None,
    workspace: WorkspaceOpt = None,
    output: OutputOpt = Output.table,
) -> None:
    """Schedules in the workspace (or of one published pipeline)."""
    emit(state(ctx).workspace(workspace).schedules.list(endpoint), COLUMNS, output)


@app.command()
def create(
    ctx: typer.Context,
    published: Annotated[str, typer.Argument(help="Published pipeline name or id.")],
    cron: Annotated[str | None, typer.Option(help="Cron expression, e.g. '0 6 * * 1-5'.")] = None,
    every: Annotated[int | None, typer.Option("--every", help="Interval in seconds (instead of --cron).")] = None,
    timezone: Annotated[str | None, typer.Option(help="IANA time zone of the cron expression (default UTC).")] = None,
    name: Annotated[str, typer.Option(help="A name for the schedule.")] = "",
    version: Annotated[int | None, typer.Option(help="Published version to run (default: the default).")] = None,
    paused: Annotated[bool, typer.Option("--paused", help="Create it paused.")] = False,
    params: ParamOpt = None,
    params_file: ParamsFileOpt = None,
    workspace: WorkspaceOpt = None,
    output: OutputOpt = Output.table,
) -> None:
    """Run PUBLISHED on a cron expression or an interval, with fixed parameter values."""
    if (cron is None) == (every is None):
        raise UsageError("Give either --cron EXPRESSION or --every SECONDS.")
    values = parameter_values(params, params_file) if (params or params_file) else None
    schedule = state(ctx).workspace(workspace).schedules.create(
        published, cron=cron, interval_seconds=every, timezone=timezone, name=name, values=values,
        version=version, paused=paused,
    )  # fmt: skip
    emit_one(schedule, output, None if output == Output.json else [*COLUMNS, "next_fires"])


@app.command()
def pause(
    ctx: typer.Context, schedule: Annotated[int, typer.Argument(help="Schedule id.")], workspace: WorkspaceOpt = None,
    output: OutputOpt = Output.table,
) -> None:  # fmt: skip
    """Pause a schedule: no runs start until it is resumed."""
    emit_one(
        state(ctx).workspace(workspace).schedules.pause(schedule), output, None if output == Output.json else COLUMNS
    )


@app.command()
def resume(
    ctx: typer.Context, schedule: Annotated[int, typer.Argument(help="Schedule id.")], workspace: WorkspaceOpt = None,
    output: OutputOpt = Output.table,
) -> None:  # fmt: skip
    """Resume a paused schedule."""
    emit_one(
        state(ctx).workspace(workspace).schedules.resume(schedule), output, None if output == Output.json else COLUMNS
    )
