"""``tessera pipeline push|pull|validate|diff|list|versions|export-script``: pipelines as files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from tessera_client import documents
from tessera_client.documents import Document
from tessera_client.errors import UsageError, ValidationFailed

from .context import Output, OutputOpt, ParamOpt, ParamsFileOpt, WorkspaceOpt, parameter_values, state
from .output import emit, out, print_json

app = typer.Typer(help="Pipelines as JSON or YAML files: push, pull, validate, diff.", no_args_is_help=True)

FileArg = Annotated[Path, typer.Argument(help="A pipeline document: .yaml, .yml or .json.")]
RefArg = Annotated[str, typer.Argument(help="Pipeline name or id.")]


def located(exc: ValidationFailed, doc: Document, hint: bool = True) -> ValidationFailed:
    """The error as one line: the first problem with the file and line it points at, and how many more."""
    if not exc.problems:
        return exc
    first = exc.problems[0]
    more = ""
    if len(exc.problems) > 1:
        more = f" (and {len(exc.problems) - 1} more"
        more += f"; `tessera pipeline validate {doc.source}` lists them)" if hint else ")"
    return ValidationFailed(f"{doc.where(first)}: {first.get('message', '')}{more}", status=exc.status,
                            problems=exc.problems)  # fmt: skip


@app.command("list")
def list_(ctx: typer.Context, workspace: WorkspaceOpt = None, output: OutputOpt = Output.table) -> None:
    """Pipelines of the workspace, most recently changed first."""
    rows = state(ctx).workspace(workspace).pipelines.list()
    emit(rows, ["id", "name", "head_version", "updated_at", "created_by"], output)


@app.command()
def push(
    ctx: typer.Context,
    file: FileArg,
    name: Annotated[str, typer.Option("--name", "-n", help="The pipeline's name in the workspace.")],
    message: Annotated[str, typer.Option("--message", "-m", help="What changed (the version's message).")] = "",
    allow_problems: Annotated[
        bool, typer.Option("--allow-problems", help="Save even when the server names problems (as the canvas does).")
    ] = False,
    workspace: WorkspaceOpt = None,
    output: OutputOpt = Output.table,
) -> None:
    """Create pipeline NAME from FILE, or save FILE as its next version when the document changed.

    Prints "unchanged (version N)" when FILE equals the newest version. A version saved by someone
    else since (a concurrent save) is refused with exit code 7."""
    doc = documents.read(file)
    ws = state(ctx).workspace(workspace)
    try:
        result = ws.pipelines.push(doc.content, name=name, message=message, allow_problems=allow_problems)
    except ValidationFailed as exc:
        raise located(exc, doc) from None
    if output == Output.json:
        print_json({"pipeline": result.pipeline.id, "name": result.pipeline.name, "version": result.version,
                    "created": result.created, "changed": result.changed, "problems": result.problems})  # fmt: skip
    elif result.created:
        out.print(f"created pipeline '{name}' (id {result.pipeline.id}), version {result.version}", markup=False)
    elif result.changed:
        out.print(f"saved version {result.version} of '{name}' (id {result.pipeline.id})", markup=False)
    else:
        out.print(f"unchanged (version {result.version})", markup=False)
    for problem in result.problems:
        out.print(f"warning: {doc.where(problem)}: {problem.get('message')}", markup=False)


@app.command()
def pull(
    ctx: typer.Context,
    pipeline: RefArg,
    output_file: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write here; .json or .yaml picks the format (default: stdout, YAML)."),
    ] = None,
    version: Annotated[int | None, typer.Option(help="Version number (default: the newest).")] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Write a version's document as YAML or JSON (by the file's extension)."""
    found = state(ctx).workspace(workspace).pipelines.get(pipeline)
    saved = found.get_version(version)
    document = documents.canonical(saved["document"])  # one field order, not the database's
    if output_file is None:
        typer.echo(documents.dumps_yaml(document), nl=False)
        return
    documents.write(document, output_file)
    out.print(f"Wrote version {saved['number']} of '{found.name}' to {output_file}", markup=False)


@app.command()
def validate(
    ctx: typer.Context,
    file: FileArg,
    params: ParamOpt = None,
    params_file: ParamsFileOpt = None,
    workspace: WorkspaceOpt = None,
    output: OutputOpt = Output.table,
) -> None:
    """Ask the server for every problem in FILE (datasets resolved in the workspace); exit 5 if any."""
    doc = documents.read(file)
    ws = state(ctx).workspace(workspace)
    values = parameter_values(params, params_file) if (params or params_file) else None
    try:
        result = ws.pipelines.validate(doc.content, values)
    except ValidationFailed as exc:
        raise located(exc, doc) from None
    problems = result.get("problems") or []
    if output == Output.json:
        print_json({"ok": result.get("ok"), "problems": problems})
    elif not problems:
        out.print(f"{file}: no problems", markup=False)
    else:
        for problem in problems:
            out.print(f"{doc.where(problem)}: {problem.get('message', '')}", markup=False)
    if problems:
        raise located(ValidationFailed("problems", problems=problems), doc, hint=False)


@app.command()
def diff(
    ctx: typer.Context,
    pipeline: RefArg,
    file: Annotated[Path | None, typer.Argument(help="Compare this local file with the newest version.")] = None,
    from_version: Annotated[
        int | None, typer.Option("--from", help="Older version (default: the one before --to).")
    ] = None,
    to_version: Annotated[int | None, typer.Option("--to", help="Newer version (default: the newest).")] = None,
    workspace: WorkspaceOpt = None,
    output: OutputOpt = Output.table,
) -> None:
    """The server's diff of two saved versions, or FILE against the newest version (a YAML diff)."""
    found = state(ctx).workspace(workspace).pipelines.get(pipeline)
    if file is not None:
        text = found.local_diff(documents.read(file).content, str(file))
        if output == Output.json:
            print_json({"pipeline": found.id, "version": found.version, "same": not text, "diff": text})
        else:
            typer.echo(text or f"{file} is the same as version {found.version}", nl=not text)
        return
    newest = to_version or found.version
    older = from_version or max(newest - 1, 1)
    result = found.diff(older, newest)
    if output == Output.json:
        print_json(result)
        return
    lines = describe_diff(result["diff"])
    out.print(f"'{found.name}' version {result['from_version']} → {result['to_version']}", markup=False)
    for line in lines or ["no changes"]:
        out.print(f"  {line}", markup=False)


def describe_diff(d: dict[str, Any]) -> list[str]:
    """The server's diff (designer/engine/diff.py to_json) as lines a person reads."""
    s = d.get("semantic", {})
    lines = [
        f"+ node {a['node']['id']} ({a['node']['module']} v{a['node']['version']})" for a in s.get("nodes_added", [])
    ]
    lines += [f"- node {n['id']} ({n['module']} v{n['version']})" for n in s.get("nodes_removed", [])]
    for c in s.get("nodes_changed", []):
        for field in ("module", "version", "regenerate"):
            if c.get(field):
                lines.append(f"~ node {c['id']}: {field} {c[field]['old']!r} → {c[field]['new']!r}")
        for p in c.get("params", []):
            lines.append(f"~ node {c['id']}: {p['name']} {_value(p, 'old')} → {_value(p, 'new')}")
    edge = "{source[node]}.{source[port]} -> {target[node]}.{target[port]}"
    lines += [f"+ edge {edge.format(**a['edge'])}" for a in s.get("edges_added", [])]
    lines += [f"- edge {edge.format(**e)}" for e in s.get("edges_removed", [])]
    lines += [f"~ parameter {p['name']}: {_value(p, 'old')} → {_value(p, 'new')}" for p in s.get("parameters", [])]
    moved = len((d.get("layout") or {}).get("nodes", []))
    if moved:
        lines.append(f"  layout of {moved} node(s) changed")
    return lines


def _value(change: dict[str, Any], side: str) -> str:
    return repr(change[side]) if side in change else "(none)"


@app.command()
def versions(
    ctx: typer.Context, pipeline: RefArg, workspace: WorkspaceOpt = None, output: OutputOpt = Output.table
) -> None:
    """Saved versions of PIPELINE, newest first."""
    rows = state(ctx).workspace(workspace).pipelines.get(pipeline).versions()
    emit(rows, ["number", "message", "author", "created_at", "base_number", "restored_from"], output)


@app.command("export-script")
def export_script(
    ctx: typer.Context,
    pipeline: Annotated[str | None, typer.Argument(help="Pipeline name or id (or give --run).")] = None,
    directory: Annotated[Path, typer.Option("--out", "-o", help="Directory to unpack the script into.")] = Path("."),
    version: Annotated[int | None, typer.Option(help="Pipeline version (default: the newest).")] = None,
    run: Annotated[int | None, typer.Option("--run", help="Export the version and values this run used.")] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Download a pipeline (or a run) as a standalone Python script and unpack it into DIR."""
    if (pipeline is None) == (run is None):
        raise UsageError("Name a pipeline or give --run RUN (not both).")
    ws = state(ctx).workspace(workspace)
    if run is not None:
        names = ws.runs.get(run).export_script(directory)
    else:
        names = ws.pipelines.get(str(pipeline)).export_script(directory, version=version)
    out.print(f"Unpacked {len(names)} file(s) into {directory}: {', '.join(names)}", markup=False)
