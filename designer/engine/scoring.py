"""Scoring: an inference pipeline loaded once and run in-process per request. Pure: no Django.

``ScoringPipeline.load`` checks the graph, runs every node that does not depend on a Web Service
Input once (saved models, saved transformations and whatever is computed from them only), and keeps
their outputs in memory. ``score`` then runs only the nodes downstream of the request's rows.

User code never runs in this process: a module that runs it is refused at load unless it declares
``user_code_sandboxed`` (Execute Python / R Script), whose script runs per request in the sandbox
child; its failure is a 400 "Module Executing Error" naming the node, without the traceback.

Requests come in three shapes, all parsed here into one table per Web Service Input and checked
against its declared columns: Azure ML designer's ``{"Inputs": {name: [rows]}, "GlobalParameters":
{}}``, MLflow's ``dataframe_split`` / ``dataframe_records`` and CSV text. Every refusal is a
``ScoringError`` with a 4xx status naming the input, row and column at fault.

A Web Service Image Input declares one column of type ``image``: each row's cell is a base64 PNG or
JPEG, checked when the body is parsed (signature, header, pixel count) and turned into an unlabelled
image directory just before scoring, so the parsed tables stay plain text for call records.

Scoring never changes the answer's shape silently: ``score_traced`` also says which request rows a
node removed and why, which request row each output row is (``row_trace``), and which values the
model never saw in training (``input_checks``). ``Scored.extras`` turns that into the extra top-level
keys of an answer, present only when there is something to say, so a clean answer is unchanged.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from modules.sdk import (
    Cancelled,
    DatasetRef,
    DataTable,
    Module,
    ModuleError,
    Registry,
    StoredTable,
    TableStore,
    UnknownModule,
)
from modules.sdk.context import map_in_turn

from .execute import NodeFailed, _check_outputs, _parse_params, _run
from .graph import Graph, Node
from .input_checks import InputChecks, profile_of_baseline
from .problems import node_label
from .records_json import records_json as rows_as_json
from .request_rows import typed_frame
from .row_trace import Dropped, RowTrace

INPUT_MODULE = "web_service_input"
IMAGE_INPUT_MODULE = "web_service_image_input"
INPUT_MODULES = (INPUT_MODULE, IMAGE_INPUT_MODULE)
IMAGE = "image"
OUTPUT_MODULE = "web_service_output"
#: Warnings one answer lists at most; the answer says how many more there were.
MAX_WARNINGS = 100


class ScoringError(Exception):
    """A request the endpoint refuses: ``status`` is 4xx, ``details`` name where the fault is."""

    def __init__(self, status: int, message: str, details: list[dict[str, Any]] | None = None, kind: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details or []
        self.kind = kind or ("bad_request" if status < 500 else "internal")

    def to_json(self) -> dict[str, Any]:
        return {"error": {"code": self.status, "message": self.message, "details": self.details}}


class NotServable(Exception):
    """The pipeline cannot be deployed: what is wrong, for the deploy dialog."""


@dataclass(frozen=True)
class InputSpec:
    name: str
    node: str
    columns: list[dict[str, str]]
    example: list[dict[str, Any]]
    baseline: str = ""  # digest of a sample of the training rows, for drift

    @property
    def names(self) -> list[str]:
        return [c["name"] for c in self.columns]

    @property
    def takes_images(self) -> bool:
        return any(c["type"] == IMAGE for c in self.columns)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "columns": self.columns}


@dataclass(frozen=True)
class Limits:
    max_rows: int = 10_000
    max_image_pixels: int = 4096 * 4096


@dataclass
class _Ctx:
    """The RunContext a scoring request runs with: no datasets, no progress, no cancellation."""

    node_id: str = ""
    seed: int = 0
    logs: list[str] = field(default_factory=list)

    def log(self, message: str) -> None:
        return None  # per-request logs would cost more than they tell; call records hold the outcome

    def progress(self, fraction: float, message: str = "", detail: Mapping[str, Any] | None = None) -> None:
        return None

    def check_cancelled(self) -> None:
        return None

    def load_dataset(self, ref: Any) -> DataTable:
        raise Cancelled("a scoring pipeline reads no registered dataset")

    def open_dataset(self, ref: Any) -> StoredTable:
        raise Cancelled("a scoring pipeline reads no registered dataset")

    def load_artifact(self, digest: str) -> bytes:
        raise Cancelled("artifacts are loaded when the pipeline loads, not per request")

    def load_file(self, ref: Any) -> bytes:
        raise Cancelled("a scoring pipeline reads no registered file dataset")

    def map(self, module: Any, inputs: dict[str, Any], params: Any, items: Any, **how: Any) -> list[Any]:
        return map_in_turn(self, module, inputs, params, items, **how)  # a request is never spread out

    @property
    def tables(self) -> TableStore:
        raise ModuleError("a scoring request stores no tables")

    def score(self, document: Any, tables: Any) -> dict[str, DataTable]:
        raise ModuleError("a scoring request does not run another inference pipeline")

    def save_dataset(self, name: str, table: Any, description: str = "") -> DatasetRef:
        raise ModuleError("a scoring request saves no dataset")


class _LoadCtx(_Ctx):
    def __init__(self, read: Callable[[str], bytes]) -> None:
        super().__init__()
        self._read = read

    def load_artifact(self, digest: str) -> bytes:
        return self._read(digest)


@dataclass
class Scored:
    """One request's results, plus what the answer must say about them beyond the rows."""

    results: dict[str, DataTable]  # per Web Service Output name
    row_index: dict[str, list[int] | None]  # per output: the request row of each output row; None: unknown
    dropped: list[Dropped]
    warnings: list[dict[str, Any]]  # untraceable rows first, then values, at most MAX_WARNINGS
    warnings_total: int
    rows_changed: bool  # some output may not hold exactly the request's rows in order

    @property
    def rows_dropped(self) -> int:
        return sum(len(d.rows) for d in self.dropped)

    def extras(self, style: str) -> dict[str, Any]:
        """The answer's extra top-level keys: Azure ("DroppedRows", "RowIndex", "Warnings", "WarningsOmitted")
        or MLflow ("dropped_rows", "row_index", "warnings", "warnings_omitted"); each only when it says something."""
        names = ("DroppedRows", "RowIndex", "Warnings", "WarningsOmitted")
        if style == "mlflow":
            names = ("dropped_rows", "row_index", "warnings", "warnings_omitted")
        out: dict[str, Any] = {}
        if self.dropped:
            out[names[0]] = [d.to_json() for d in self.dropped]
        if self.rows_changed:
            single = style == "mlflow" and len(self.row_index) == 1
            out[names[1]] = next(iter(self.row_index.values())) if single else dict(self.row_index)
        if self.warnings:
            out[names[2]] = self.warnings
        if self.warnings_total > len(self.warnings):
            out[names[3]] = self.warnings_total - len(self.warnings)
        return out

    def record(self, limit: int = 20) -> list[dict[str, Any]]:
        """What a call record keeps: the dropped rows (by node, up to 100 row numbers each), then warnings."""
        dropped = [{"kind": "rows_dropped", **d.to_json(), "rows": d.rows[:100]} for d in self.dropped]
        return (dropped + self.warnings)[:limit]


class ScoringPipeline:
    def __init__(
        self,
        graph: Graph,
        registry: Registry,
        inputs: list[InputSpec],
        outputs: dict[str, str],
        constants: dict[tuple[str, str], Any],
        steps: list[tuple[Node, type[Module], Any]],
        checks: dict[str, InputChecks] | None = None,
    ) -> None:
        self.graph = graph
        self.registry = registry
        self.inputs = inputs
        self.outputs = outputs  # name -> node id of the Web Service Output
        self._constants = constants
        self._steps = steps
        self._incoming = {n: graph.incoming(n) for n in graph.nodes}
        self._sources = {
            n: {p: (e.source, e.source_port) for p, e in incoming.items()} for n, incoming in self._incoming.items()
        }
        self.checks = checks or {}  # per input name: its training profile, compiled

    # -- loading -----------------------------------------------------------------------------
    @classmethod
    def load(cls, graph: Graph, registry: Registry, read_artifact: Callable[[str], bytes]) -> ScoringPipeline:
        classes = _classes(graph, registry)
        inputs, outputs = _ports(graph, classes)
        order = graph.topological_order()
        needed = _ancestors(graph, set(outputs.values())) | set(outputs.values())
        live = graph.descendants(i.node for i in inputs) | {i.node for i in inputs}
        constants: dict[tuple[str, str], Any] = {}
        steps: list[tuple[Node, type[Module], Any]] = []
        ctx = _LoadCtx(read_artifact)
        for node_id in order:
            if node_id not in needed or node_id in {i.node for i in inputs}:
                continue
            node = graph.nodes[node_id]
            klass = classes[node_id]
            label = node_label(node_id, klass.name)
            try:
                params = _parse_params(klass, node, label)
            except NodeFailed as exc:
                raise NotServable(exc.problem.message) from None
            missing = [p for p, spec in klass.inputs.items() if not spec.optional and p not in graph.incoming(node_id)]
            if missing:
                raise NotServable(f"{label}: input '{klass.inputs[missing[0]].label}' is not connected.")
            if node_id in live:
                steps.append((node, klass, params))
                continue
            values = {p: constants[(e.source, e.source_port)] for p, e in graph.incoming(node_id).items()}
            try:
                produced = _run(klass, node, label, values, params, ctx)
                _check_outputs(klass, node, label, produced)
            except NodeFailed as exc:
                raise NotServable(exc.problem.message) from None
            for port, value in produced.items():
                constants[(node_id, port)] = value
        return cls(graph, registry, inputs, outputs, constants, steps, _checks(inputs, read_artifact))

    # -- scoring -----------------------------------------------------------------------------
    def score(self, tables: Mapping[str, DataTable]) -> dict[str, DataTable]:
        """Results per Web Service Output name, for one table per Web Service Input name."""
        return self.score_traced(tables).results

    def score_traced(self, tables: Mapping[str, DataTable], max_warnings: int = MAX_WARNINGS) -> Scored:
        """Results, the request rows behind them, the rows removed and why, and the input warnings."""
        values = dict(self._constants)
        trace = RowTrace()
        for spec in self.inputs:
            table = tables[spec.name]
            values[(spec.node, "request")] = _image_set(table, spec) if spec.takes_images else table
            trace.start((spec.node, "request"), spec.name, len(table.df))
        ctx = _Ctx()
        for node, klass, params in self._steps:
            label = node_label(node.id, klass.name)
            sources = self._sources[node.id]
            args = {p: values[key] for p, key in sources.items()}
            ctx.node_id = node.id
            try:
                produced = _run(klass, node, label, args, params, ctx)
                _check_outputs(klass, node, label, produced)
            except NodeFailed as exc:
                problem = exc.problem
                detail = {k: v for k, v in problem.to_dict().items() if v and k != "code"}
                # The first line only: a script's traceback would show its source and server paths to callers.
                detail["message"] = problem.message.split("\n", 1)[0]
                status = 400 if problem.code == "module_error" else 500
                kind = "module_error" if status == 400 else "internal"
                raise ScoringError(status, "Module Executing Error", [detail], kind=kind) from None
            for port, value in trace.step(node.id, klass, params, args, sources, produced).items():
                values[(node.id, port)] = value
        keys = {name: self._sources[node_id]["dataset"] for name, node_id in self.outputs.items()}
        results = {name: values[key] for name, key in keys.items()}
        lost = trace.lost(list(keys.values()))
        changed = bool(trace.dropped or lost)
        row_index: dict[str, list[int] | None] = {}
        for name, key in keys.items() if changed else ():
            rows = trace.rows(key)
            row_index[name] = None if rows is None else rows.tolist()
        warnings = [u.to_json() for u in lost][:max_warnings]
        total = len(lost)
        for spec in self.inputs:
            checks = self.checks.get(spec.name)
            if checks is not None:
                found, flagged = checks.check(tables[spec.name].df, max_warnings - len(warnings))
                warnings += [w.to_json() for w in found]
                total += flagged
        return Scored(results, row_index, trace.dropped, warnings, total, changed)

    def example_request(self) -> dict[str, Any]:
        return {"Inputs": {i.name: i.example for i in self.inputs}, "GlobalParameters": {}}

    def example_response(self) -> dict[str, Any]:
        """What the example request answers (used by the OpenAPI document); empty when it cannot run."""
        try:
            tables = parse_azure(self.example_request(), self.inputs, Limits())
            return {"Results": {k: records(v) for k, v in self.score(tables).items()}}
        except ScoringError:
            return {}


def _checks(inputs: list[InputSpec], read_artifact: Callable[[str], bytes]) -> dict[str, InputChecks]:
    """Each input's training profile, from the meta of its drift baseline (none: no value warnings)."""
    found: dict[str, InputChecks] = {}
    for spec in inputs:
        if not spec.baseline or spec.takes_images:
            continue
        try:
            profile = profile_of_baseline(read_artifact(spec.baseline))
        except Exception:  # a gone or unreadable baseline costs the warnings, never the endpoint
            profile = None
        if profile is not None:
            checks = InputChecks(spec.name, profile, {c["name"]: c["type"] for c in spec.columns})
            if not checks.empty:
                found[spec.name] = checks
    return found


def _classes(graph: Graph, registry: Registry) -> dict[str, type[Module]]:
    classes: dict[str, type[Module]] = {}
    for node in graph.nodes.values():
        try:
            classes[node.id] = registry.get(node.module, node.version)
        except UnknownModule as exc:
            raise NotServable(f"Node '{node.id}': {exc}.") from None
        if classes[node.id].runs_user_code and not classes[node.id].user_code_sandboxed:
            name = node_label(node.id, classes[node.id].name)
            raise NotServable(f"{name} runs user code, which a scoring server never runs in-process.")
    return classes


def _ports(graph: Graph, classes: dict[str, type[Module]]) -> tuple[list[InputSpec], dict[str, str]]:
    input_nodes = [n for n in graph.nodes.values() if n.module in INPUT_MODULES]
    output_nodes = [n for n in graph.nodes.values() if n.module == OUTPUT_MODULE]
    if not input_nodes or not output_nodes:
        raise NotServable(
            "A real-time inference pipeline needs at least one Web Service Input and one Web Service Output; "
            "create one from a completed training run, or add them from the palette."
        )
    inputs = [_input_spec(n, classes[n.id]) for n in input_nodes]
    names = [i.name for i in inputs]
    if len(set(names)) != len(names):
        raise NotServable("Two Web Service Inputs share a name; names must be unique.")
    outputs: dict[str, str] = {}
    for n in output_nodes:
        name = str(classes[n.id].parse_params(n.params).name)  # type: ignore[attr-defined]
        if name in outputs:
            raise NotServable(f"Two Web Service Outputs are named '{name}'; names must be unique.")
        if "dataset" not in graph.incoming(n.id):
            raise NotServable(f"Web Service Output '{name}' ({n.id}) is not connected.")
        outputs[name] = n.id
    return inputs, outputs


def _ancestors(graph: Graph, targets: set[str]) -> set[str]:
    seen: set[str] = set()
    todo = list(targets)
    while todo:
        for parent in graph.parents(todo.pop()):
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return seen


def _input_spec(node: Node, klass: type[Module]) -> InputSpec:
    params: Any = klass.parse_params(node.params)
    if node.module == IMAGE_INPUT_MODULE:
        return InputSpec(params.name, node.id, [{"name": params.column, "type": IMAGE}], list(params.example))
    if not params.columns:
        raise NotServable(f"Web Service Input '{params.name}' ({node.id}) declares no columns; set its columns.")
    columns = [{"name": c.name, "type": c.type} for c in params.columns]
    return InputSpec(params.name, node.id, columns, list(params.example), params.baseline)


# -- request bodies ----------------------------------------------------------------------------


def parse_azure(body: Any, inputs: list[InputSpec], limits: Limits) -> dict[str, DataTable]:
    """``{"Inputs": {name: [ {column: value} ]}, "GlobalParameters": {}}`` -> a table per input."""
    if not isinstance(body, dict):
        raise ScoringError(400, 'The body must be a JSON object with "Inputs".', kind="bad_body")
    unknown_top = sorted(set(body) - {"Inputs", "GlobalParameters"})
    if unknown_top:
        raise ScoringError(
            400, f'Unknown field \'{unknown_top[0]}\'; the body has "Inputs" and "GlobalParameters".', kind="bad_body"
        )
    given = body.get("Inputs")
    if not isinstance(given, dict):
        raise ScoringError(400, '"Inputs" must be an object mapping input names to lists of rows.', kind="bad_body")
    globals_ = body.get("GlobalParameters", {})
    if globals_ not in ({}, None):
        raise ScoringError(400, 'This endpoint takes no global parameters; send "GlobalParameters": {}.')
    names = [i.name for i in inputs]
    unknown = [k for k in given if k not in names]
    if unknown:
        raise ScoringError(
            400,
            f"Unknown input '{unknown[0]}'; this endpoint's inputs are: {', '.join(names)}.",
            [{"input": unknown[0]}],
            kind="unknown_input",
        )
    missing = [n for n in names if n not in given]
    if missing:
        raise ScoringError(400, f"Input '{missing[0]}' is missing.", [{"input": missing[0]}], kind="missing_input")
    total = sum(len(v) for v in given.values() if isinstance(v, list))
    if total > limits.max_rows:
        raise ScoringError(
            413, f"Too many rows: {total}; the limit is {limits.max_rows} per request.", kind="too_large"
        )
    return {spec.name: rows_table(given[spec.name], spec, limits) for spec in inputs}


def parse_mlflow(body: Any, inputs: list[InputSpec], limits: Limits) -> dict[str, DataTable]:
    """MLflow's ``{"dataframe_split": {"columns", "data"}}`` or ``{"dataframe_records": [...]}``."""
    spec = _single_input(inputs)
    if not isinstance(body, dict) or not ({"dataframe_split", "dataframe_records"} & set(body)):
        raise ScoringError(
            400, 'The body must hold "dataframe_split" or "dataframe_records" (or be CSV).', kind="bad_body"
        )
    extra = sorted(set(body) - {"dataframe_split", "dataframe_records", "params"})
    if extra or len({"dataframe_split", "dataframe_records"} & set(body)) != 1:
        raise ScoringError(400, 'Send exactly one of "dataframe_split" and "dataframe_records".', kind="bad_body")
    if "dataframe_records" in body:
        rows = body["dataframe_records"]
    else:
        split = body["dataframe_split"]
        if not isinstance(split, dict) or not isinstance(split.get("columns"), list):
            raise ScoringError(400, '"dataframe_split" needs "columns" and "data".', kind="bad_body")
        data = split.get("data")
        if not isinstance(data, list):
            raise ScoringError(400, '"dataframe_split"."data" must be a list of rows.', kind="bad_body")
        columns = split["columns"]
        rows = []
        for i, values in enumerate(data):
            if not isinstance(values, list) or len(values) != len(columns):
                raise ScoringError(
                    400, f'Row {i} of "data" must be a list of {len(columns)} values.', [{"row": i}], kind="bad_row"
                )
            rows.append(dict(zip(columns, values, strict=True)))
    if isinstance(rows, list) and len(rows) > limits.max_rows:
        raise ScoringError(
            413, f"Too many rows: {len(rows)}; the limit is {limits.max_rows} per request.", kind="too_large"
        )
    return {spec.name: rows_table(rows, spec, limits)}


def parse_csv(text: str, inputs: list[InputSpec], limits: Limits) -> dict[str, DataTable]:
    """CSV with a header row; empty cells are missing values; values are read as the column types."""
    spec = _single_input(inputs)
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise ScoringError(400, "The CSV body is empty; send a header row and rows.", kind="bad_body") from None
    except csv.Error as exc:
        raise ScoringError(400, f"The CSV body cannot be read: {exc}.", kind="bad_body") from None
    types = {c["name"]: c["type"] for c in spec.columns}
    rows: list[dict[str, Any]] = []
    try:
        for i, values in enumerate(reader):
            if len(rows) >= limits.max_rows:
                raise ScoringError(413, f"Too many rows; the limit is {limits.max_rows} per request.", kind="too_large")
            if len(values) != len(header):
                raise ScoringError(
                    400, f"Row {i} has {len(values)} values for {len(header)} columns.", [{"row": i}], kind="bad_row"
                )
            rows.append(
                {h: _from_text(v, types.get(h, "string"), i, h, spec.name) for h, v in zip(header, values, strict=True)}
            )
    except csv.Error as exc:
        raise ScoringError(400, f"The CSV body cannot be read: {exc}.", kind="bad_body") from None
    return {spec.name: rows_table(rows, spec, limits)}


def _single_input(inputs: list[InputSpec]) -> InputSpec:
    if len(inputs) != 1:
        names = ", ".join(i.name for i in inputs)
        raise ScoringError(
            400, f"This endpoint has several inputs ({names}); use the Azure body at /score.", kind="bad_body"
        )
    return inputs[0]


def _from_text(value: str, kind: str, row: int, column: str, input_name: str) -> Any:
    if value == "":
        return None
    try:
        if kind == "integer":
            number = float(value)
            if not number.is_integer():
                raise ValueError
            return int(number)
        if kind == "number":
            return float(value)
        if kind == "boolean":
            lowered = value.strip().lower()
            if lowered not in ("true", "false", "1", "0"):
                raise ValueError
            return lowered in ("true", "1")
    except ValueError:
        raise _type_error(input_name, row, column, kind, value) from None
    return value


_TYPE_WORDS = {
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "string": "text",
    "category": "text",
    "datetime": "an ISO 8601 date-time text",
    IMAGE: "a base64 PNG or JPEG image",
}


def _type_error(input_name: str, row: int, column: str, kind: str, value: Any) -> ScoringError:
    shown = repr(value) if not isinstance(value, str) else f"'{value[:60]}'"
    return ScoringError(
        400,
        f"Input '{input_name}', row {row}, column '{column}': expected {_TYPE_WORDS[kind]}, got {shown}.",
        [{"input": input_name, "row": row, "column": column, "expected": kind}],
        kind="bad_value",
    )


def _check_image(value: Any, input_name: str, row: int, column: str, limits: Limits) -> str:
    from modules.library.web_service.web_service_image_input import BadImage, request_image

    try:
        request_image(value, limits.max_image_pixels)
    except BadImage as exc:
        raise ScoringError(
            400,
            f"Input '{input_name}', row {row}, column '{column}': {exc}; send a PNG or JPEG image as base64 text.",
            [{"input": input_name, "row": row, "column": column, "expected": IMAGE}],
            kind="bad_value",
        ) from None
    return str(value)


def _image_set(table: DataTable, spec: InputSpec) -> Any:
    """The checked base64 cells of an image input as the unlabelled image directory its node outputs."""
    from modules.library.web_service.web_service_image_input import base64_bytes, request_images

    column = spec.names[0]
    return request_images([base64_bytes(v) for v in table.df[column]])  # checked when the body was parsed


def _check_value(value: Any, kind: str, input_name: str, row: int, column: str) -> Any:
    if value is None:
        return None
    ok: bool
    if kind == "integer":
        ok = (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and math.isfinite(value) and value.is_integer()
        )
        value = int(value) if ok else value
    elif kind == "number":
        ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(float(value))
    elif kind == "boolean":
        ok = isinstance(value, bool)
    elif kind == "datetime":
        ok = isinstance(value, str) and _is_iso(value)
    else:
        ok = isinstance(value, str)
    if not ok:
        raise _type_error(input_name, row, column, kind, value)
    return value


def _is_iso(text: str) -> bool:
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def rows_table(rows: Any, spec: InputSpec, limits: Limits | None = None) -> DataTable:
    """Rows as a typed table; every row must carry exactly the input's columns."""
    from modules.library.web_service.web_service_input import InputColumn, rows_to_frame

    if not isinstance(rows, list):
        raise ScoringError(400, f"Input '{spec.name}' must be a list of rows.", [{"input": spec.name}], kind="bad_body")
    if not rows:
        raise ScoringError(400, f"Input '{spec.name}' has no rows.", [{"input": spec.name}], kind="bad_body")
    if not spec.takes_images:
        frame = typed_frame(rows, spec.columns)  # valid rows in one pass per column; None: explain below
        if frame is not None:
            return DataTable(frame, {})
    wanted = spec.names
    wanted_set = set(wanted)
    types = {c["name"]: c["type"] for c in spec.columns}
    clean: list[dict[str, Any]] = []
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise ScoringError(
                400,
                f"Input '{spec.name}', row {i}: a row must be an object of column names to values.",
                [{"input": spec.name, "row": i}],
                kind="bad_row",
            )
        if row.keys() != wanted_set:
            missing = [c for c in wanted if c not in row]
            extra = [str(c) for c in row if c not in wanted_set]
            if missing:
                message = f"Input '{spec.name}', row {i}: column '{missing[0]}' is missing"
                detail: dict[str, Any] = {"input": spec.name, "row": i, "column": missing[0], "problem": "missing"}
                if len(missing) > 1:
                    message += f" ({len(missing)} columns are missing: {', '.join(missing[:10])})"
            else:
                message = f"Input '{spec.name}', row {i}: column '{extra[0]}' is not an input of this endpoint"
                detail = {"input": spec.name, "row": i, "column": extra[0], "problem": "extra"}
            raise ScoringError(400, message + ".", [detail], kind="bad_columns")
        if spec.takes_images:
            clean.append({c: _check_image(row[c], spec.name, i, c, limits or Limits()) for c in wanted})
            continue
        clean.append({c: _check_value(row[c], types[c], spec.name, i, c) for c in wanted})
    if spec.takes_images:
        import pandas as pd

        return DataTable(pd.DataFrame({c: pd.Series([r[c] for r in clean], dtype="str") for c in wanted}), {})
    columns = [InputColumn.model_validate(c) for c in spec.columns]
    return DataTable(rows_to_frame(clean, columns), {})


# -- responses ---------------------------------------------------------------------------------


def _cell(value: Any) -> Any:
    if value is None:
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value.__class__.__name__ in ("NAType", "NaTType"):
        return None
    return value


def records(table: DataTable) -> list[dict[str, Any]]:
    df = table.df
    columns = [str(c) for c in df.columns]
    return [{c: _cell(v) for c, v in zip(columns, row, strict=True)} for row in df.itertuples(index=False, name=None)]


def records_json(table: DataTable) -> str:
    """The rows as a JSON array of objects (missing values as null, dates ISO 8601), numbers written as the
    shortest text that reads back as the same value: the scoring hot path, assembled column by column."""
    return rows_as_json(table.df)
