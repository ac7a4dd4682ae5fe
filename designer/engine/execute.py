"""Executing one node: inputs from the store, the module's ``run``, checked outputs back to the store.

Every failure leaves as ``NodeFailed`` carrying a ``Problem`` the UI can pin (a module's own
``ModuleError`` keeps its param, column and port); only ``Cancelled`` passes through unchanged so
the caller can tell a cancelled run from a failed one.
"""

from __future__ import annotations

import traceback as tb
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import partial
from typing import Any

from pydantic import BaseModel, ValidationError

from modules.sdk import (
    PORT_TYPES,
    Cancelled,
    DataTable,
    Metrics,
    Module,
    ModuleError,
    PartitionedTable,
    Registry,
    RunContext,
    StoredTable,
    Table,
    UnknownModule,
    dtype_of,
)

from .compute import ComputeTarget, choose_path
from .graph import Node
from .problems import Problem, node_label, sentence
from .profile import json_safe
from .recent_tables import RecentTables
from .store import ArtifactMissing, ArtifactStore
from .written import WriterFailed, chunks_written_by


@dataclass(frozen=True)
class OutputRecord:
    port: str
    type: str  # PortType.name, what ``load_output`` needs to read it back
    digest: str
    size: int
    summary: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class NodeFailed(Exception):
    """A node could not produce its outputs; ``problem.code`` is "module_error" or "internal_error"."""

    def __init__(self, problem: Problem, traceback: str = "") -> None:
        super().__init__(problem.message)
        self.problem = problem
        self.traceback = traceback


def _internal(node: Node, message: str, *, port: str | None = None, trace: str = "") -> NodeFailed:
    return NodeFailed(Problem("internal_error", sentence(message), node=node.id, port=port), trace)


@dataclass(frozen=True)
class DaskPath:
    """Where a node may run partition-parallel: its compute target, and how to reach the target's cluster
    (``client()`` connects, or starts the embedded local cluster, only when the Dask path is chosen)."""

    target: ComputeTarget
    client: Callable[[], Any]
    #: Told where the node runs once it is on the cluster: ``{"path": "dask", "scheduler", "dashboard", "partitions"}``.
    ran: Callable[[dict[str, Any]], None] | None = None


def execute_node(
    node: Node,
    registry: Registry,
    inputs: dict[str, str],
    store: ArtifactStore,
    ctx: RunContext,
    recent: RecentTables | None = None,
    dask: DaskPath | None = None,
) -> dict[str, OutputRecord]:
    """Run ``node`` on the artifacts named by ``inputs`` (input port -> digest); records of its outputs.

    ``recent``: tables this process wrote lately, read from memory instead of the store, and where the
    tables this node writes are kept for the node that runs next here. ``dask``: the node's compute target
    with a cluster; a partition-parallel module runs there when the target's rule picks the Dask path
    (``compute.choose_path``): the outputs are the same either way."""
    if dask is not None and _dask_chosen(node, registry, inputs, store, dask.target):
        return _execute_dask(node, registry, inputs, store, ctx, dask)
    cls, params, values = prepare_node(node, registry, inputs, store, recent)
    label = node_label(node.id, cls.name)
    ctx.check_cancelled()
    outputs = _run(cls, node, label, values, params, ctx)
    _check_outputs(cls, node, label, outputs)
    return {port: _save(cls, node, label, port, outputs[port], store, recent) for port in cls.outputs}


def prepare_node(
    node: Node, registry: Registry, inputs: dict[str, str], store: ArtifactStore, recent: RecentTables | None = None
) -> tuple[type[Module], BaseModel, dict[str, Any]]:
    """The module class, parsed parameters and input values of ``node``; ``NodeFailed`` when one is bad."""
    try:
        cls = registry.get(node.module, node.version)
    except UnknownModule as exc:
        raise _internal(node, f"Node '{node.id}' cannot run: {exc}") from exc
    label = node_label(node.id, cls.name)
    return cls, _parse_params(cls, node, label), _load_inputs(cls, node, label, inputs, store, recent)


def _dask_chosen(
    node: Node, registry: Registry, inputs: dict[str, str], store: ArtifactStore, target: ComputeTarget
) -> bool:
    """Whether the node runs on the Dask path. A module without one whose whole-loaded table inputs the target
    would send to the cluster (over its threshold, or a target whose path is ``dask``) is refused: loading
    them into one worker is what the cluster is there to avoid (``NodeFailed`` naming the module and size)."""
    try:
        cls = registry.get(node.module, node.version)
    except UnknownModule:
        return False  # prepare_node reports it
    ports = [p for p in inputs if p in cls.inputs and cls.inputs[p].type is Table]
    if not cls.partition_parallel():
        ports = [p for p in ports if not cls.inputs[p].stored]  # a stored input is read row group by row group
    if not ports:
        return False
    try:
        sizes = {p: store.size(inputs[p]) for p in ports}
    except ArtifactMissing:
        return False  # the pandas path reports the missing input, naming the port
    size = sum(sizes.values())
    if choose_path(target, True, size) != "dask":
        return False
    if not cls.partition_parallel():
        raise _too_large(node, cls, target, size, max(sizes, key=lambda p: sizes[p]))
    return True


def _too_large(node: Node, cls: type[Module], target: ComputeTarget, size: int, port: str) -> NodeFailed:
    why = (
        f"compute target '{target.name}' runs every table on its Dask cluster"
        if target.path == "dask"
        else f"over compute target '{target.name}''s threshold of {_size(target.threshold_bytes)}"
    )
    message = (
        f"{node_label(node.id, cls.name)} cannot run on a table this large: its input holds {_size(size)} of "
        f"Parquet ({why}), and {cls.name} has no partition-parallel path, so it would load the whole table into "
        f"one worker's memory. Reduce the table first with Partition and Sample (Sample or Head), or choose a "
        f"compute target without a Dask cluster for this node"
    )
    return NodeFailed(Problem("input_too_large", sentence(message), node=node.id, port=port))


def _size(n: int) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:,.1f} {unit} ({n:,} bytes)"
    return f"{n:,} bytes"


def _execute_dask(
    node: Node, registry: Registry, inputs: dict[str, str], store: ArtifactStore, ctx: RunContext, dask: DaskPath
) -> dict[str, OutputRecord]:
    """The Dask path: table inputs as partitions on the cluster, ``run_dask``, partitioned tables written back."""
    import dask.config as dask_config

    from .dask_cluster import dashboard_of
    from .partitions import open_partitioned, write_partitioned

    cls = registry.get(node.module, node.version)
    label = node_label(node.id, cls.name)
    params = _parse_params(cls, node, label)
    table_ports = {p for p in inputs if p in cls.inputs and cls.inputs[p].type is Table and not cls.inputs[p].stored}
    values = _load_inputs(cls, node, label, inputs, store, elsewhere=frozenset(table_ports))
    try:
        client = dask.client()
    except Exception as exc:
        message = f"{label}: the Dask cluster of compute target '{dask.target.name}' cannot be reached: {exc}"
        raise _internal(node, message, trace=tb.format_exc()) from exc
    with dask_config.set({"dataframe.convert-string": False}):
        for port in sorted(table_ports):
            values[port] = open_partitioned(store, inputs[port], dask.target.partition_rows)
    ctx.check_cancelled()
    parts = ", ".join(f"{values[p].npartitions} partitions on '{cls.inputs[p].label}'" for p in sorted(table_ports))
    where = f"{client.scheduler.address}; {parts}"
    dashboard = dask.target.dashboard or dashboard_of(client)
    ctx.log(f"running partition-parallel on compute target '{dask.target.name}' ({where})")
    if dask.ran is not None:
        partitions = sum(values[p].npartitions for p in table_ports)
        dask.ran(
            {"path": "dask", "scheduler": client.scheduler.address, "dashboard": dashboard, "partitions": partitions}
        )
    if dashboard:
        ctx.log(f"Dask dashboard: {dashboard}")
    # Dask would turn text columns into Arrow-backed strings with other missing-value semantics than the
    # pandas path's ``str`` columns: partitions keep the dtypes the artifact reads as.
    with client.as_current(), dask_config.set({"dataframe.convert-string": False}):
        outputs = _run(cls, node, label, values, params, ctx, dask=True)
        _check_outputs(cls, node, label, outputs)
        records = {}
        for port in cls.outputs:
            value = outputs[port]
            if isinstance(value, PartitionedTable):
                try:
                    value = write_partitioned(value, store, client)
                except Cancelled:
                    raise
                except ModuleError as exc:  # raised inside a partition, on a cluster worker
                    raise _module_failed(node, label, exc) from exc
                except Exception as exc:
                    message = f"{label} failed on the Dask cluster: {type(exc).__name__}: {exc}"
                    raise _internal(node, message, port=port, trace=tb.format_exc()) from exc
            records[port] = _save(cls, node, label, port, value, store)
    return records


def execute_part(
    node: Node, registry: Registry, inputs: dict[str, str], store: ArtifactStore, ctx: RunContext, item: Any
) -> Any:
    """One part of ``node``'s work (``Module.run_part``), run by a worker other than the node's own.

    The module's own errors (``ModuleError``, ``Cancelled``, anything else) pass through unchanged:
    the node's worker re-raises them as if its ``run`` had, so they are reported once, as the node's.
    """
    cls, params, values = prepare_node(node, registry, inputs, store)
    ctx.check_cancelled()
    return cls().run_part(values, params, ctx, item)


def _parse_params(cls: type[Module], node: Node, label: str) -> BaseModel:
    try:
        return cls.parse_params(node.params)
    except ValidationError as exc:
        err = exc.errors()[0]
        param = ".".join(str(x) for x in err["loc"]) or None
        message = sentence(f"{label} failed: parameter '{param}' is invalid: {err['msg']}")
        raise NodeFailed(Problem("module_error", message, node=node.id, param=param), tb.format_exc()) from exc


def _load_inputs(
    cls: type[Module],
    node: Node,
    label: str,
    inputs: dict[str, str],
    store: ArtifactStore,
    recent: RecentTables | None = None,
    elsewhere: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """``elsewhere``: connected ports the caller loads itself (the Dask path's tables)."""
    for port in inputs:
        if port not in cls.inputs:
            raise _internal(node, f"{label} has no input port '{port}'", port=port)
    for port, spec in cls.inputs.items():
        if port not in inputs and not spec.optional:
            message = f"{label} failed: input '{spec.label}' is not connected."
            raise NodeFailed(Problem("module_error", message, node=node.id, port=port))
    values: dict[str, Any] = {}
    for port, digest in inputs.items():
        if port in elsewhere:
            continue
        spec = cls.inputs[port]
        try:
            if spec.stored:  # read in row groups by the module itself, never loaded whole here
                if not store.exists(digest):
                    raise ArtifactMissing(digest)
                values[port] = StoredTable(digest, lambda digest=digest: store.open(digest))  # type: ignore[misc]
                continue
            if recent is not None and spec.type is Table:
                values[port] = _recent_table(recent, digest, store)
                continue
            values[port] = spec.type.deserialize(store.get(digest))
        except ArtifactMissing as exc:
            raise _internal(
                node, f"{label}: the artifact for input '{spec.label}' cannot be read: {exc}", port=port
            ) from exc
        except Exception as exc:
            message = f"{label}: input '{spec.label}' is not a readable {spec.type.label}: {type(exc).__name__}: {exc}"
            raise _internal(node, message, port=port, trace=tb.format_exc()) from exc
    return values


def _recent_table(recent: RecentTables, digest: str, store: ArtifactStore) -> DataTable:
    """From memory when this process wrote or read it lately; else read (verified) and kept for the next reader."""
    kept = recent.table(digest)
    if kept is not None:
        return kept
    arrow = Table.read_arrow(store.get(digest))
    recent.keep(digest, arrow)
    return Table.from_arrow(arrow)


def _run(
    cls: type[Module],
    node: Node,
    label: str,
    values: dict[str, Any],
    params: BaseModel,
    ctx: RunContext,
    *,
    dask: bool = False,
) -> Any:
    try:
        return cls().run_dask(values, params, ctx) if dask else cls().run(values, params, ctx)
    except Cancelled:
        raise
    except ModuleError as exc:
        raise _module_failed(node, label, exc) from exc
    except Exception as exc:
        message = f"{label} failed with an internal error: {type(exc).__name__}: {exc}"
        raise _internal(node, message, trace=tb.format_exc()) from exc


def _module_failed(node: Node, label: str, exc: ModuleError) -> NodeFailed:
    problem = Problem(
        "module_error",
        sentence(f"{label} failed: {exc.message}"),
        node=node.id,
        port=exc.port,
        param=exc.param,
        column=exc.column,
    )
    return NodeFailed(problem, tb.format_exc())


def _check_outputs(cls: type[Module], node: Node, label: str, outputs: Any) -> None:
    if not isinstance(outputs, dict):
        raise _internal(node, f"{label} returned {type(outputs).__name__} instead of a dict of outputs")
    for port in outputs:
        if port not in cls.outputs:
            raise _internal(node, f"{label} returned an output '{port}' it does not declare", port=port)
    for port, spec in cls.outputs.items():
        if port not in outputs:
            raise _internal(node, f"{label} did not produce its output '{spec.label}'", port=port)
        if not spec.type.check(outputs[port]) and not (
            spec.type is Table and isinstance(outputs[port], PartitionedTable)
        ):
            found = type(outputs[port]).__name__
            raise _internal(
                node, f"{label}: output '{spec.label}' should be a {spec.type.label}, not {found}", port=port
            )


def _save(
    cls: type[Module],
    node: Node,
    label: str,
    port: str,
    value: Any,
    store: ArtifactStore,
    recent: RecentTables | None = None,
) -> OutputRecord:
    port_type = cls.outputs[port].type
    if isinstance(value, StoredTable):
        return _stored(node, label, cls.outputs[port].label, port, value, store)
    cannot = f"{label}: output '{cls.outputs[port].label}' cannot be saved"
    try:
        if port_type is Table:  # the bytes ``serialize`` gives, encoded while they are hashed and written
            arrow = Table.to_arrow(value)
        else:
            data = port_type.serialize(value)
    except Exception as exc:
        raise _internal(node, f"{cannot}: {type(exc).__name__}: {exc}", port=port, trace=tb.format_exc()) from exc
    if port_type is not Table:
        digest, size = store.put(data), len(data)
    else:
        try:
            digest, size = store.put_chunks(chunks_written_by(partial(Table.write_parquet, arrow)))
        except WriterFailed as failed:  # Arrow refused to encode; the store's own failures pass as before
            trace = "".join(tb.format_exception(failed.__cause__)) if failed.__cause__ else ""
            raise _internal(node, f"{cannot}: {failed}", port=port, trace=trace) from failed.__cause__
        if recent is not None:
            recent.keep(digest, arrow)  # the next node here reads it from memory
    return OutputRecord(port=port, type=port_type.name, digest=digest, size=size, summary=summarize(value))


def _stored(
    node: Node, label: str, port_label: str, port: str, value: StoredTable, store: ArtifactStore
) -> OutputRecord:
    """A table the module already wrote into the store (``ctx.tables.writer()``): recorded as it is. One kept
    elsewhere (a test context's memory) is copied in, under the same digest."""
    try:
        if not store.exists(value.digest) and store.put(value.read_bytes()) != value.digest:
            raise ValueError(f"its bytes do not hash to {value.digest}")
        size = store.size(value.digest)
        summary = value.summary()
    except Exception as exc:
        message = f"{label}: output '{port_label}' is not a stored table: {type(exc).__name__}: {exc}"
        raise _internal(node, message, port=port, trace=tb.format_exc()) from exc
    return OutputRecord(port=port, type=Table.name, digest=value.digest, size=size, summary=summary)


def summarize(value: Any) -> dict[str, Any]:
    """What the run view shows without loading the artifact: table shape; metric values (both models' when
    Evaluate Model compared two) and the task they measure."""
    if isinstance(value, DataTable):
        df = value.df
        columns = [{"name": str(name), "type": dtype_of(df.iloc[:, i])} for i, name in enumerate(df.columns)]
        return {"rows": len(df), "columns": columns}
    if isinstance(value, Metrics):
        summary: dict[str, Any] = {"values": json_safe(value.values), "task": value.task}
        compare = value.detail.get("compare")  # Evaluate Model's second scored input
        if isinstance(compare, dict) and isinstance(compare.get("values"), dict):
            summary["compare"] = {"values": json_safe(compare["values"])}
        return summary
    return {}


def load_output(store: ArtifactStore, type_name: str, digest: str) -> Any:
    """Read an artifact back as a value, given the ``PortType.name`` it was written with."""
    if type_name not in PORT_TYPES:
        raise ValueError(f"unknown port type '{type_name}' (known: {', '.join(sorted(PORT_TYPES))})")
    return PORT_TYPES[type_name].deserialize(store.get(digest))
