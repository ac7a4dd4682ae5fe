"""Parallel Run: batch inference, a large table scored in mini-batches spread over the workers."""

from __future__ import annotations

import time
from typing import Any

import pandas as pd
from pydantic import Field, field_validator

from modules.sdk import (
    Cancelled,
    DataTable,
    In,
    Module,
    ModuleError,
    Out,
    ParamModel,
    RunContext,
    ScoringFailed,
    StoredTable,
    Table,
    pipeline_document,
)

INPUT_MODULE = "web_service_input"
IMAGE_INPUT_MODULE = "web_service_image_input"
OUTPUT_MODULE = "web_service_output"
#: Share of the progress bar for rewriting the input into mini-batch row groups, and for assembling the output.
STAGING = 0.05
ASSEMBLY = 0.05
FAILED_COLUMNS = ["mini_batch", "first_row", "last_row", "rows", "attempts", "error"]


class ParallelRun(Module):
    """Score a large table with an inference pipeline, in mini-batches that every worker on the queue takes
    (Azure's ParallelRunStep for batch inference).

    The table is cut into mini-batches of consecutive rows. Each mini-batch runs through the scoring
    pipeline held in the parameters (derived from a training run, exactly what a real-time endpoint
    runs per request) on whichever worker takes it; at most "Max concurrent mini-batches" are offered
    at once. A mini-batch that fails is tried again, up to "Attempts per mini-batch"; one that still
    fails counts its rows as failed. Over the error threshold the node fails naming the mini-batches
    and rows; under it the scored output leaves those rows out and "Failed mini-batches" lists them.
    The scored rows come back in input order. No worker ever holds the whole table: a part reads its
    own rows from the stored input, and the output is written one mini-batch at a time. Progress
    counts rows.
    """

    id = "parallel_run"
    name = "Parallel Run"
    category = "Model Scoring & Evaluation"
    inference = "drop"

    class Inputs:
        dataset = In(Table, "Dataset", stored=True, doc="The rows to score; any size (read in mini-batches).")

    class Outputs:
        scored_dataset = Out(Table, "Scored dataset", doc="The scored rows, in input order.")
        failed_mini_batches = Out(
            Table, "Failed mini-batches", doc="One row per mini-batch that failed every attempt: its rows and error."
        )

    class Params(ParamModel):
        scoring_pipeline: dict[str, Any] = pipeline_document(
            title="Scoring pipeline",
            description="The inference pipeline each mini-batch runs through (Web Service Input to Web Service "
            "Output), as 'Create batch inference pipeline' derives it from a training run.",
        )
        mini_batch_size: int = Field(
            10_000, ge=1, le=1_000_000, title="Mini-batch size", description="Rows per mini-batch."
        )
        max_concurrent_mini_batches: int = Field(
            4,
            ge=1,
            le=1000,
            title="Max concurrent mini-batches",
            description="How many mini-batches are offered to the workers at once; the others wait their turn, "
            "so a large job does not hold up other runs on the same queue.",
        )
        run_max_try: int = Field(
            3,
            ge=1,
            le=10,
            title="Attempts per mini-batch",
            description="How many times a failing mini-batch is tried before its rows count as failed "
            "(Azure's run_max_try).",
        )
        error_threshold: int = Field(
            0,
            ge=-1,
            title="Error threshold (rows)",
            description="How many failed rows are tolerated; above it the node fails. -1 tolerates any number. "
            "Failed rows are left out of the scored dataset and listed in Failed mini-batches.",
        )
        allowed_failed_count: int = Field(
            -1,
            ge=-1,
            title="Allowed failed mini-batches",
            description="How many failed mini-batches are tolerated; above it the node fails. -1: no limit "
            "(the error threshold in rows still applies).",
        )

        @field_validator("scoring_pipeline")
        @classmethod
        def _is_document(cls, value: dict[str, Any]) -> dict[str, Any]:
            if not isinstance(value.get("nodes"), list) or not isinstance(value.get("edges", []), list):
                raise ValueError("must be a pipeline document with a list of nodes and a list of edges")
            return value

    # -- the node's worker -------------------------------------------------------------------
    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        source: StoredTable = inputs["dataset"]
        ports = scoring_ports(params.scoring_pipeline)
        total = source.num_rows
        if total == 0:
            raise ModuleError("the dataset has no rows to score", port="dataset")
        available = source.schema
        missing = [c for c in ports.columns if c not in available]
        if missing:
            raise ModuleError(
                f"column '{missing[0]}', which the scoring pipeline's input '{ports.input}' takes, is not in the "
                f"dataset (it has {', '.join(available.names[:20])})",
                port="dataset",
                column=missing[0],
            )
        size = params.mini_batch_size
        staged, batches = _mini_batches(source, size, ctx)
        start = STAGING if staged is not None else 0.0
        items: list[dict[str, Any]] = [
            {"mini_batch": i + 1, "source": staged, "groups": groups, "first_row": first, "rows": rows}
            for i, (groups, first, rows) in enumerate(batches)
        ]
        ctx.log(
            f"{total:,} rows in {len(items)} mini-batch{'es' if len(items) != 1 else ''} of up to {size:,} rows; "
            f"at most {params.max_concurrent_mini_batches} in flight, {params.run_max_try} attempt(s) each"
        )
        results = ctx.map(
            self,
            inputs,
            params,
            items,
            what="mini-batch",
            progress=(start, 1.0 - ASSEMBLY),
            max_in_flight=params.max_concurrent_mini_batches,
            sizes=[item["rows"] for item in items],
            unit="row",
        )
        failed = _failures(items, results)
        _check_threshold(failed, params)
        scored = _assemble(results, source, ctx)
        done = sum(r["rows"] for r in results if not r.get("failed"))
        dropped = done - scored.num_rows
        ctx.log(
            f"scored {scored.num_rows:,} of {total:,} rows in input order"
            + (f"; the scoring pipeline removed {dropped:,} rows" if dropped else "")
            + (
                f"; {int(failed['rows'].sum()):,} rows of {len(failed)} failed mini-batch(es) left out"
                if len(failed)
                else ""
            )
        )
        return {"scored_dataset": scored, "failed_mini_batches": DataTable(failed)}

    # -- any worker: one mini-batch ----------------------------------------------------------
    def run_part(self, inputs: dict[str, Any], params: Params, ctx: RunContext, item: Any) -> Any:
        ports = scoring_ports(params.scoring_pipeline)
        source: StoredTable = inputs["dataset"] if item["source"] is None else ctx.tables.open(item["source"])
        rows = source.read_row_groups(item["groups"])
        where = f"mini-batch {item['mini_batch']} (rows {_span(item)})"
        error = ""
        for attempt in range(1, params.run_max_try + 1):
            ctx.check_cancelled()
            started = time.monotonic()
            try:
                scored = ctx.score(params.scoring_pipeline, {ports.input: rows})[ports.output]
            except Cancelled:
                raise
            except ScoringFailed as exc:
                error = exc.message
            except ModuleError as exc:  # the pipeline itself cannot run: no attempt would do better
                raise ModuleError(f"the scoring pipeline cannot run: {exc.message}", param="scoring_pipeline") from None
            except Exception as exc:  # a passing fault (memory, a file system): worth another attempt
                error = f"{type(exc).__name__}: {exc}"
            else:
                digest = ctx.tables.save(scored)
                ctx.log(f"{where} scored in {time.monotonic() - started:.2f} s")
                return {"mini_batch": item["mini_batch"], "digest": digest, "rows": len(rows.df), "attempts": attempt}
            ctx.log(f"{where}, attempt {attempt} of {params.run_max_try} failed: {error}")
        return {"mini_batch": item["mini_batch"], "failed": True, "rows": len(rows.df), "error": error[:2000],
                "attempts": params.run_max_try}  # fmt: skip


class ScoringPorts:
    """The one table input (its name and columns) and the one output of a scoring pipeline document."""

    def __init__(self, input: str, columns: list[str], output: str) -> None:
        self.input = input
        self.columns = columns
        self.output = output


def scoring_ports(document: dict[str, Any]) -> ScoringPorts:
    """The input and output a batch feeds and reads; ``ModuleError`` unless there is one of each."""
    from modules.library.web_service.web_service_input import WebServiceInput
    from modules.library.web_service.web_service_output import WebServiceOutput

    nodes = [n for n in document.get("nodes", []) if isinstance(n, dict)]
    if any(n.get("module") == IMAGE_INPUT_MODULE for n in nodes):
        raise ModuleError("Parallel Run scores tables; this scoring pipeline takes images", param="scoring_pipeline")
    inputs = [n for n in nodes if n.get("module") == INPUT_MODULE]
    outputs = [n for n in nodes if n.get("module") == OUTPUT_MODULE]
    if len(inputs) != 1 or len(outputs) != 1:
        raise ModuleError(
            f"the scoring pipeline must have one Web Service Input and one Web Service Output (it has {len(inputs)} "
            f"and {len(outputs)})",
            param="scoring_pipeline",
        )
    try:
        wsi: Any = WebServiceInput.parse_params(inputs[0].get("params"))
        wso: Any = WebServiceOutput.parse_params(outputs[0].get("params"))
    except ValueError as exc:
        raise ModuleError(
            f"the scoring pipeline's input or output is malformed: {exc}", param="scoring_pipeline"
        ) from None
    return ScoringPorts(str(wsi.name), [c.name for c in wsi.columns], str(wso.name))


def _span(item: dict[str, Any]) -> str:
    return f"{item['first_row']:,}-{item['first_row'] + item['rows'] - 1:,}"


def plan_mini_batches(groups: list[int], size: int) -> list[tuple[list[int], int, int]] | None:
    """Consecutive row groups gathered into mini-batches of at most ``size`` rows: ``(groups, first row, rows)``
    each; ``None`` when a row group alone is larger (the table must be rewritten first)."""
    if any(rows > size for rows in groups):
        return None
    batches: list[tuple[list[int], int, int]] = []
    current: list[int] = []
    first = count = row = 0
    for index, rows in enumerate(groups):
        if current and count + rows > size:
            batches.append((current, first, count))
            current, first, count = [], row, 0
        current.append(index)
        count += rows
        row += rows
    if current:
        batches.append((current, first, count))
    return batches


def _mini_batches(
    source: StoredTable, size: int, ctx: RunContext
) -> tuple[str | None, list[tuple[list[int], int, int]]]:
    """The mini-batches of ``source``, and the digest of the rewritten table they read (``None``: the input itself).

    A table whose row groups are larger than a mini-batch (one upload is one row group of up to a million
    rows) is streamed once into row groups of exactly the mini-batch size, so each part reads its own rows
    and nothing else."""
    plan = plan_mini_batches(source.row_groups, size)
    if plan is not None:
        return None, plan
    total = source.num_rows
    ctx.log(f"the input's row groups are larger than a mini-batch: rewriting {total:,} rows in groups of {size:,}")
    with ctx.tables.writer(row_group_rows=size) as writer:
        done = 0
        for batch in source.iter_batches(size):
            ctx.check_cancelled()
            writer.write(batch)
            done += len(batch.df)
            ctx.progress(STAGING * done / total, f"preparing mini-batches: {done:,} / {total:,} rows")
        staged = writer.close()
    plan = plan_mini_batches(staged.row_groups, size)
    assert plan is not None  # every group now holds at most ``size`` rows
    return staged.digest, plan


def _failures(items: list[dict[str, Any]], results: list[Any]) -> pd.DataFrame:
    rows = [
        {
            "mini_batch": item["mini_batch"],
            "first_row": item["first_row"],
            "last_row": item["first_row"] + item["rows"] - 1,
            "rows": item["rows"],
            "attempts": result["attempts"],
            "error": result["error"],
        }
        for item, result in zip(items, results, strict=True)
        if result.get("failed")
    ]
    frame = pd.DataFrame(rows, columns=FAILED_COLUMNS)
    return frame.astype({c: "int64" for c in FAILED_COLUMNS[:5]}).astype({"error": "str"})


def _check_threshold(failed: pd.DataFrame, params: ParallelRun.Params) -> None:
    """Fail the node, naming the failed mini-batches and rows, when more failed than the thresholds allow."""
    if failed.empty:
        return
    rows = int(failed["rows"].sum())
    over_rows = params.error_threshold >= 0 and rows > params.error_threshold
    over_count = params.allowed_failed_count >= 0 and len(failed) > params.allowed_failed_count
    if not (over_rows or over_count):
        return
    listed = "; ".join(
        f"mini-batch {r.mini_batch} (rows {r.first_row:,}-{r.last_row:,}) after {r.attempts} attempt(s): {r.error}"
        for r in failed.head(5).itertuples()
    )
    more = f"; and {len(failed) - 5} more" if len(failed) > 5 else ""
    if over_rows:
        limit, param = f"the error threshold of {params.error_threshold:,} rows", "error_threshold"
    else:
        limit, param = f"the {params.allowed_failed_count} allowed failed mini-batches", "allowed_failed_count"
    raise ModuleError(f"{len(failed)} mini-batch(es) failed ({rows:,} rows), over {limit}: {listed}{more}", param=param)


def _assemble(results: list[Any], source: StoredTable, ctx: RunContext) -> StoredTable:
    """The scored mini-batches, in input order, streamed into one table (one mini-batch in memory at a time)."""
    scored = [r for r in results if not r.get("failed")]
    with ctx.tables.writer() as writer:
        for i, result in enumerate(scored):
            ctx.check_cancelled()
            writer.write(ctx.tables.load(result["digest"]))
            ctx.progress(
                1.0 - ASSEMBLY + ASSEMBLY * (i + 1) / len(scored), f"assembling the output: {i + 1} of {len(scored)}"
            )
        if not scored:  # every row failed, and that was tolerated: the input's columns, no rows
            writer.write(source.empty())
        return writer.close()
