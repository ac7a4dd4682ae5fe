"""``tessera dataset upload|list|versions|download``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tessera_client.errors import UsageError

from .context import Output, OutputOpt, WorkspaceOpt, state
from .output import emit, emit_one, err, out

app = typer.Typer(help="Upload, list and download datasets.", no_args_is_help=True)

DELIMITER = "One character, or comma/semicolon/tab/pipe/space (default: guessed)."
MISSING = "A missing-value marker (repeat it for more); the markers given replace the defaults."
TYPES = "COLUMN=integer|number|boolean|text|date, overriding the guessed type (repeat it for more)."
#: Where a worker's registration of a large file stands (the server's status), as the terminal shows it.
STAGES = {"queued": "the file is on the server, waiting for a worker…", "running": "a worker is reading the file…"}


@app.command()
def upload(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A CSV, TSV, Parquet or .zip file.")],
    name: Annotated[str | None, typer.Option("--name", "-n", help="Dataset name (default: the file's stem).")] = None,
    description: Annotated[str, typer.Option(help="A description for a new dataset.")] = "",
    no_header: Annotated[bool, typer.Option("--no-header", help="The first line is data: columns Col1..ColN.")] = False,
    delimiter: Annotated[str | None, typer.Option(help=DELIMITER)] = None,
    encoding: Annotated[str | None, typer.Option(help="The file's encoding, e.g. latin-1 (default: UTF-8).")] = None,
    decimal: Annotated[str | None, typer.Option(help="Decimal separator: '.' (default) or ','.")] = None,
    missing: Annotated[list[str] | None, typer.Option("--missing", help=MISSING)] = None,
    column_type: Annotated[list[str] | None, typer.Option("--type", help=TYPES)] = None,
    workspace: WorkspaceOpt = None,
    output: OutputOpt = Output.table,
) -> None:
    """Upload FILE as a new dataset, or as the next version of the dataset of that name."""
    types = {}
    for item in column_type or []:
        column, sep, kind = item.rpartition("=")
        if not sep or not column:
            raise UsageError(f"--type takes COLUMN=TYPE, not '{item}'.")
        types[column] = kind
    ws = state(ctx).workspace(workspace)
    with err.status(f"uploading {file.name}…") as status:  # shown on a terminal only
        dataset = ws.datasets.upload(
            file, name or file.stem, description=description, has_header=not no_header, delimiter=delimiter,
            encoding=encoding, decimal=decimal, missing_values=missing, column_types=types or None,
            on_stage=lambda stage: status.update(STAGES.get(stage, stage)),
        )  # fmt: skip
    latest = dataset.info.get("latest_version") or {}
    row = {"id": dataset.id, "name": dataset.name, "version": latest.get("version"), "rows": latest.get("rows"),
           "columns": latest.get("columns")}  # fmt: skip
    emit_one(row, output)


@app.command("list")
def list_(ctx: typer.Context, workspace: WorkspaceOpt = None, output: OutputOpt = Output.table) -> None:
    """Datasets of the workspace with their latest version."""
    ws = state(ctx).workspace(workspace)
    rows = []
    for d in ws.datasets.list():
        latest = d.info.get("latest_version") or {}
        rows.append({"id": d.id, "name": d.name, "version": latest.get("version"), "kind": latest.get("kind"),
                     "rows": latest.get("rows"), "columns": latest.get("columns")})  # fmt: skip
    emit(rows, ["id", "name", "version", "kind", "rows", "columns"], output)


@app.command()
def versions(
    ctx: typer.Context,
    dataset: Annotated[str, typer.Argument(help="Dataset name or id.")],
    workspace: WorkspaceOpt = None,
    output: OutputOpt = Output.table,
) -> None:
    """Every version of DATASET, oldest first."""
    ws = state(ctx).workspace(workspace)
    rows = ws.datasets.get(dataset).versions()
    emit(rows, ["version", "kind", "rows", "columns", "size_bytes", "source_name", "created_by", "created_at"], output)


@app.command()
def download(
    ctx: typer.Context,
    dataset: Annotated[str, typer.Argument(help="Dataset name or id.")],
    output_file: Annotated[
        Path | None, typer.Option("--out", "-o", help="Where to write (default: NAME-vN.csv).")
    ] = None,
    version: Annotated[int | None, typer.Option(help="Version number (default: the latest).")] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Download a version of DATASET as CSV (a file dataset: its zip)."""
    ws = state(ctx).workspace(workspace)
    found = ws.datasets.get(dataset)
    number = version or found.latest_version
    kind = (found.info.get("latest_version") or {}).get("kind")
    target = output_file or Path(f"{found.name}-v{number}.{'zip' if kind == 'file' else 'csv'}")
    found.download(target, number)
    out.print(f"Wrote {target}", markup=False)
