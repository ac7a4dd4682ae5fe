"""``tessera run submit|wait|show|list|logs|outputs|download|cancel``.

``submit --wait`` and ``wait`` follow the run live (one line per node as it ends and a progress bar,
on stderr) and exit 8 when it fails or is cancelled. Ctrl-C while waiting asks whether to cancel the
run on the server; answering no (or having no terminal to answer from) leaves it running.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from tessera_client.errors import ExitCode, RunFailed, TesseraError
from tessera_client.runs import Run
from tessera_client.workspace import Workspace

from .context import Output, OutputOpt, ParamOpt, ParamsFileOpt, WorkspaceOpt, parameter_values, state
from .output import emit, emit_one, err, out, print_json

app = typer.Typer(help="Submit runs, follow them, read their logs and outputs.", no_args_is_help=True)

RunArg = Annotated[int, typer.Argument(help="Run id.")]
NodeArg = Annotated[str, typer.Argument(help="Node id.")]
SUMMARY = ["id", "pipeline_name", "version", "status", "elapsed", "created_by", "created_at", "trigger"]


@app.command()
def submit(
    ctx: typer.Context,
    pipeline: Annotated[str, typer.Argument(help="Pipeline name or id.")],
    version: Annotated[int | None, typer.Option(help="Version number (default: the newest).")] = None,
    params: ParamOpt = None,
    params_file: ParamsFileOpt = None,
    regenerate: Annotated[
        list[str] | None, typer.Option("--regenerate", help="Node id to recompute even when cached (repeatable).")
    ] = None,
    wait: Annotated[bool, typer.Option("--wait", help="Follow the run until it ends.")] = False,
    timeout: Annotated[float | None, typer.Option(help="With --wait: give up waiting after this many seconds.")] = None,
    git: Annotated[
        bool, typer.Option("--git/--no-git", help="Record the current Git working copy's commit on the run.")
    ] = True,
    workspace: WorkspaceOpt = None,
    output: OutputOpt = Output.table,
) -> None:
    """Submit a run of PIPELINE with parameter values.

    Run from inside a Git working copy, the run records the repository URL (credentials stripped),
    the branch, the commit and whether the copy had uncommitted changes (--no-git: nothing)."""
    ws = state(ctx).workspace(workspace)
    found = ws.pipelines.get(pipeline)
    run = found.submit(parameter_values(params, params_file), version=version, regenerate=regenerate, git=git)
    err.print(f"Submitted run {run.id} of '{found.name}' version {run.info.get('version')}.", markup=False)
    recorded = run.info.get("git") or {}
    if recorded.get("commit"):
        dirty = " (with uncommitted changes)" if recorded.get("dirty") else ""
        err.print(f"Recorded commit {str(recorded['commit'])[:12]}{dirty}.", markup=False)
    if wait:
        _wait(ws, run, timeout)
    _show(run, output)


@app.command("wait")
def wait_(
    ctx: typer.Context,
    run_id: RunArg,
    timeout: Annotated[float | None, typer.Option(help="Give up waiting after this many seconds.")] = None,
    workspace: WorkspaceOpt = None,
    output: OutputOpt = Output.table,
) -> None:
    """Follow a run until it ends (exit 8 when it failed or was cancelled)."""
    ws = state(ctx).workspace(workspace)
    run = ws.runs.get(run_id)
    _wait(ws, run, timeout)
    _show(run, output)


def _wait(ws: Workspace, run: Run, timeout: float | None) -> None:
    err.print(f"Following run {run.id} (Ctrl-C offers to cancel it).", markup=False)
    try:
        run.wait(timeout=timeout, raise_on_failure=False)
    except KeyboardInterrupt:
        _offer_cancel(run)
        raise typer.Exit(ExitCode.INTERRUPTED) from None
    if run.status != "completed":
        _show(run, Output.table, stream_err=True)
        raise RunFailed(f"Run {run.id} {run.status}: {run.info.get('error') or run.status}", run.info)


def _offer_cancel(run: Run) -> None:
    err.print("")
    try:
        cancel = typer.confirm(f"Cancel run {run.id} on the server?", default=False, err=True)
    except (typer.Abort, EOFError, KeyboardInterrupt):
        cancel = False
    if cancel:
        run.cancel()
        err.print(f"Run {run.id} cancelled.", markup=False)
    else:
        err.print(f"Run {run.id} goes on; follow it with `tessera run wait {run.id}`.", markup=False)


def _show(run: Run, output: Output, stream_err: bool = False) -> None:
    if output == Output.json and not stream_err:
        print_json(run.info)
        return
    console = err if stream_err else out
    info = run.info
    console.print(
        f"Run {run.id} of '{info.get('pipeline_name')}' v{info.get('version')}: {run.status}"
        + (f" in {info['elapsed']:.1f} s" if isinstance(info.get("elapsed"), int | float) else ""),
        markup=False,
    )
    if info.get("metrics") and not stream_err:
        console.print("metrics: " + ", ".join(f"{k}={_fmt(v)}" for k, v in info["metrics"].items()), markup=False)


def _fmt(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


@app.command()
def show(ctx: typer.Context, run_id: RunArg, workspace: WorkspaceOpt = None, output: OutputOpt = Output.table) -> None:
    """A run's status and each node's."""
    run = state(ctx).workspace(workspace).runs.get(run_id)
    if output == Output.json:
        print_json(run.info)
        return
    _show(run, output)
    emit(run.info.get("nodes", []), ["node", "module_name", "status", "reason", "worker", "error"], output)


@app.command("list")
def list_(
    ctx: typer.Context,
    pipeline: Annotated[str | None, typer.Option(help="Only runs of this pipeline (name or id).")] = None,
    status: Annotated[str | None, typer.Option(help="Only runs with this status.")] = None,
    workspace: WorkspaceOpt = None,
    output: OutputOpt = Output.table,
) -> None:
    """Runs of the workspace, newest first."""
    ws = state(ctx).workspace(workspace)
    pipeline_id = ws.pipelines.get(pipeline).id if pipeline else None
    emit(ws.runs.list(pipeline=pipeline_id, status=status), SUMMARY, output)


@app.command()
def logs(ctx: typer.Context, run_id: RunArg, node: NodeArg, workspace: WorkspaceOpt = None) -> None:
    """A node's log."""
    text = state(ctx).workspace(workspace).runs.get(run_id).node(node).log()
    typer.echo(text, nl=not text.endswith("\n"))


@app.command()
def outputs(
    ctx: typer.Context,
    run_id: RunArg,
    node: Annotated[str | None, typer.Argument(help="Only this node's outputs.")] = None,
    workspace: WorkspaceOpt = None,
    output: OutputOpt = Output.table,
) -> None:
    """The outputs of a run's nodes: port, type, size, and the values of metrics."""
    run = state(ctx).workspace(workspace).runs.get(run_id)
    nodes = [run.node(node)] if node else run.nodes
    rows = []
    for n in nodes:
        for port, o in sorted(n.outputs.items()):
            values = (o.get("summary") or {}).get("values") if o.get("type") == "metrics" else None
            rows.append({"node": n.id, "port": port, "type": o.get("type"), "size": o.get("size"), "metrics": values})
    if output == Output.table and len(rows) == 1 and rows[0]["metrics"]:
        emit_one(rows[0]["metrics"], output)
        return
    emit(rows, ["node", "port", "type", "size", "metrics"], output)


@app.command()
def download(
    ctx: typer.Context,
    run_id: RunArg,
    node: NodeArg,
    port: Annotated[str, typer.Argument(help="Output port.")],
    output_file: Annotated[Path | None, typer.Option("--out", "-o", help="Where to write.")] = None,
    format: Annotated[str | None, typer.Option("--format", help="A table as csv (default) or parquet.")] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Download an output: a table as CSV or Parquet, metrics as JSON, a model as its zip."""
    if format not in (None, "csv", "parquet"):
        raise typer.BadParameter("use csv or parquet", param_hint="--format")
    target_node = state(ctx).workspace(workspace).runs.get(run_id).node(node)
    kind = target_node.outputs.get(port, {}).get("type")
    suffix = format or ("json" if kind == "metrics" else "csv" if kind and "table" in kind else "zip")
    target = output_file or Path(f"run{run_id}-{node}-{port}.{suffix}")
    target_node.download(port, target, format)
    out.print(f"Wrote {target}", markup=False)


@app.command()
def cancel(ctx: typer.Context, run_id: RunArg, workspace: WorkspaceOpt = None) -> None:
    """Cancel a run: queued and running nodes stop."""
    run = state(ctx).workspace(workspace).runs.get(run_id).cancel()
    if run.status != "cancelled":
        raise TesseraError(f"Run {run_id} is {run.status}; only a running run can be cancelled.")
    out.print(f"Run {run_id} cancelled.", markup=False)
