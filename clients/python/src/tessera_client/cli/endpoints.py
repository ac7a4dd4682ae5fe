"""``tessera endpoint deploy|list|score|keys``: real-time endpoints."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer

from tessera_client.errors import UsageError

from .context import Output, OutputOpt, WorkspaceOpt, state
from .output import emit, emit_one, out, print_json

app = typer.Typer(help="Deploy models as REST endpoints and score rows with them.", no_args_is_help=True)

NameArg = Annotated[str, typer.Argument(help="Endpoint name or id.")]


@app.command()
def deploy(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The endpoint's name (its URL: /endpoints/NAME/score).")],
    run: Annotated[
        int | None, typer.Option("--run", help="Derive the inference pipeline of this training run.")
    ] = None,
    pipeline: Annotated[str | None, typer.Option("--pipeline", help="An inference pipeline (name or id).")] = None,
    version: Annotated[int | None, typer.Option(help="With --pipeline: its version (default: the newest).")] = None,
    description: Annotated[str, typer.Option(help="What the endpoint is for.")] = "",
    workspace: WorkspaceOpt = None,
    output: OutputOpt = Output.table,
) -> None:
    """Deploy an inference pipeline, or derive one from a completed training run and deploy it."""
    ws = state(ctx).workspace(workspace)
    pipeline_id = ws.pipelines.get(pipeline).id if pipeline else None
    endpoint = ws.endpoints.deploy(name, pipeline=pipeline_id, version=version, run=run, description=description)
    info = {k: v for k, v in endpoint.info.items() if k != "keys"}  # keys: `tessera endpoint keys NAME`
    emit_one(info, output, None if output == Output.json else ["id", "name", "status", "pipeline", "pipeline_name",
                                                               "pipeline_version", "scoring_url"])  # fmt: skip


@app.command("list")
def list_(ctx: typer.Context, workspace: WorkspaceOpt = None, output: OutputOpt = Output.table) -> None:
    """Endpoints of the workspace."""
    rows = [{k: v for k, v in e.items() if k != "keys"} for e in state(ctx).workspace(workspace).endpoints.list()]
    emit(rows, ["id", "name", "status", "pipeline_name", "pipeline_version", "scoring_url"], output)


@app.command()
def score(
    ctx: typer.Context,
    name: NameArg,
    file: Annotated[Path, typer.Argument(help="Rows to score: .csv, .parquet, or .json (a list of records).")],
    save: Annotated[Path | None, typer.Option("--save", help="Write the answer's rows to this CSV file.")] = None,
    workspace: WorkspaceOpt = None,
    output: OutputOpt = Output.table,
) -> None:
    """Score the rows of FILE with endpoint NAME.

    The key is $TESSERA_ENDPOINT_KEY, else the endpoint's primary key read with your token (editors)."""
    import pandas as pd

    suffix = file.suffix.lower()
    if not file.is_file():
        raise UsageError(f"{file}: no such file.")
    if suffix == ".csv":
        rows = pd.read_csv(file)
    elif suffix == ".parquet":
        rows = pd.read_parquet(file)
    elif suffix == ".json":
        rows = pd.DataFrame.from_records(json.loads(file.read_text(encoding="utf-8")))
    else:
        raise UsageError(f"{file}: rows come in a .csv, .parquet or .json file.")
    endpoint = state(ctx).workspace(workspace).endpoints.get(name)
    answer = endpoint.score(rows, key=os.environ.get("TESSERA_ENDPOINT_KEY") or None)
    if save is not None:
        answer.to_csv(save, index=False)
        out.print(f"Wrote {len(answer)} scored rows to {save}", markup=False)
    elif output == Output.json:
        print_json(json.loads(answer.to_json(orient="records")))
    else:
        emit(json.loads(answer.to_json(orient="records")), list(answer.columns), output)


@app.command()
def keys(
    ctx: typer.Context,
    name: NameArg,
    regenerate: Annotated[
        str | None, typer.Option("--regenerate", help="Replace this key first: primary or secondary.")
    ] = None,
    workspace: WorkspaceOpt = None,
    output: OutputOpt = Output.table,
) -> None:
    """Show the endpoint's two keys (editors), optionally replacing one first."""
    if regenerate not in (None, "primary", "secondary"):
        raise typer.BadParameter("use primary or secondary", param_hint="--regenerate")
    endpoint = state(ctx).workspace(workspace).endpoints.get(name)
    if regenerate:
        endpoint.regenerate_key(regenerate)
    emit_one(endpoint.keys, output)
