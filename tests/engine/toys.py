"""Tiny modules in a private registry, so engine tests do not depend on the library being written."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from pydantic import Field

from designer.engine.graph import Edge, Graph, Node
from designer.engine.validate import ResolvedDataset
from modules.sdk import (
    Cancelled,
    Column,
    ColumnSelection,
    DatasetRef,
    DataTable,
    In,
    LocalContext,
    Metrics,
    MetricsPort,
    Module,
    ModuleError,
    Out,
    ParamModel,
    Registry,
    Table,
    TableSchema,
    TrainedModel,
    column,
    columns,
)


class Const(Module):
    """A source: integer columns counting up from ``start``."""

    id = "const"
    name = "Constant"
    category = "Utilities"

    class Outputs:
        table = Out(Table, "Table")

    class Params(ParamModel):
        names: list[str] = Field(default_factory=lambda: ["a", "b"])
        rows: int = Field(3, ge=0, le=1000)
        start: int = 0

    def run(self, inputs: dict[str, Any], params: Any, ctx: Any) -> dict[str, Any]:
        values = list(range(params.start, params.start + params.rows))
        return {"table": DataTable(pd.DataFrame({n: values for n in params.names}))}

    def infer_schemas(self, inputs: Mapping[str, TableSchema | None], params: Any) -> dict[str, TableSchema | None]:
        return {"table": TableSchema(tuple(Column(n, "integer") for n in params.names))}


class AddOne(Module):
    """Adds one to a column."""

    id = "add_one"
    name = "Add One"
    category = "Utilities"

    class Inputs:
        table = In(Table, "Dataset")

    class Outputs:
        result = Out(Table, "Result")

    class Params(ParamModel):
        column: str = column("table", default="a")

    def run(self, inputs: dict[str, Any], params: Any, ctx: Any) -> dict[str, Any]:
        table = inputs["table"]
        if params.column not in table.df.columns:
            raise ModuleError(f"column '{params.column}' is not in the input", param="column", column=params.column)
        df = table.df.copy()
        df[params.column] = df[params.column] + 1
        return {"result": table.with_df(df)}

    def infer_schemas(self, inputs: Mapping[str, TableSchema | None], params: Any) -> dict[str, TableSchema | None]:
        return {"result": inputs.get("table")}


class Select(Module):
    """Keeps the selected columns."""

    id = "select"
    name = "Select Columns"
    category = "Utilities"

    class Inputs:
        table = In(Table, "Dataset")

    class Outputs:
        result = Out(Table, "Result")

    class Params(ParamModel):
        columns: ColumnSelection = columns("table", default=[])

    def run(self, inputs: dict[str, Any], params: Any, ctx: Any) -> dict[str, Any]:
        table = inputs["table"]
        return {"result": table.with_df(table.df[params.columns.resolve(table.schema)])}

    def infer_schemas(self, inputs: Mapping[str, TableSchema | None], params: Any) -> dict[str, TableSchema | None]:
        schema = inputs.get("table")
        return {"result": None if schema is None else schema.select(params.columns.resolve(schema))}


class Join(Module):
    """Two inputs side by side."""

    id = "join"
    name = "Join"
    category = "Utilities"

    class Inputs:
        left = In(Table, "Left")
        right = In(Table, "Right")

    class Outputs:
        table = Out(Table, "Joined")

    def run(self, inputs: dict[str, Any], params: Any, ctx: Any) -> dict[str, Any]:
        right = inputs["right"].df.add_suffix("_r")
        return {"table": DataTable(pd.concat([inputs["left"].df, right], axis=1))}

    def infer_schemas(self, inputs: Mapping[str, TableSchema | None], params: Any) -> dict[str, TableSchema | None]:
        left, right = inputs.get("left"), inputs.get("right")
        if left is None or right is None:
            return {}
        return {"table": left.add(*(Column(c.name + "_r", c.dtype) for c in right.columns))}


class Fail(Module):
    """Always fails the way a module reports a user error."""

    id = "fail"
    name = "Fail"
    category = "Utilities"

    class Inputs:
        table = In(Table, "Dataset", optional=True)

    class Outputs:
        result = Out(Table, "Result")

    class Params(ParamModel):
        mode: str = "x"

    def run(self, inputs: dict[str, Any], params: Any, ctx: Any) -> dict[str, Any]:
        raise ModuleError("column 'x' has no values", param="mode", column="x", port="table")


class Crash(Module):
    """Fails with a bug, not a user error; its schema inference is broken too."""

    id = "crash"
    name = "Crash"
    category = "Utilities"

    class Inputs:
        table = In(Table, "Dataset")

    class Outputs:
        result = Out(Table, "Result")

    def run(self, inputs: dict[str, Any], params: Any, ctx: Any) -> dict[str, Any]:
        raise ZeroDivisionError("division by zero")

    def infer_schemas(self, inputs: Mapping[str, TableSchema | None], params: Any) -> dict[str, TableSchema | None]:
        raise RuntimeError("inference is broken")


class Picky(Module):
    """Refuses its parameters while inferring schemas (a ModuleError naming a column)."""

    id = "picky"
    name = "Picky"
    category = "Utilities"

    class Inputs:
        table = In(Table, "Dataset")

    class Outputs:
        result = Out(Table, "Result")

    class Params(ParamModel):
        threshold: int = 0

    def run(self, inputs: dict[str, Any], params: Any, ctx: Any) -> dict[str, Any]:
        return {"result": inputs["table"]}

    def infer_schemas(self, inputs: Mapping[str, TableSchema | None], params: Any) -> dict[str, TableSchema | None]:
        if params.threshold > 10:
            raise ModuleError("threshold is above the largest value of column 'a'", param="threshold", column="a")
        return {"result": inputs.get("table")}


class Count(Module):
    """Metrics: how many rows came in."""

    id = "count"
    name = "Count Rows"
    category = "Utilities"

    class Inputs:
        table = In(Table, "Dataset")

    class Outputs:
        metrics = Out(MetricsPort, "Counts")

    def run(self, inputs: dict[str, Any], params: Any, ctx: Any) -> dict[str, Any]:
        return {"metrics": Metrics(values={"rows": len(inputs["table"].df), "ratio": float("nan")})}


class UseModel(Module):
    """Takes a trained model, so wiring a table into it is a type error."""

    id = "use_model"
    name = "Use Model"
    category = "Utilities"

    class Inputs:
        model = In(TrainedModel, "Trained model")

    class Outputs:
        table = Out(Table, "Result")

    def run(self, inputs: dict[str, Any], params: Any, ctx: Any) -> dict[str, Any]:
        return {"table": DataTable(pd.DataFrame())}


class ReadDataset(Module):
    """Reads a registered dataset; its schema comes from the dataset lookup, not from the module."""

    id = "read_dataset"
    name = "Dataset"
    category = "Utilities"

    class Outputs:
        table = Out(Table, "Dataset")

    class Params(ParamModel):
        dataset: DatasetRef

    def run(self, inputs: dict[str, Any], params: Any, ctx: Any) -> dict[str, Any]:
        return {"table": ctx.load_dataset(params.dataset)}


class WrongType(Module):
    """Returns a bare DataFrame where a DataTable is declared."""

    id = "wrong_type"
    name = "Wrong Type"
    category = "Utilities"

    class Outputs:
        table = Out(Table, "Result")

    def run(self, inputs: dict[str, Any], params: Any, ctx: Any) -> dict[str, Any]:
        return {"table": pd.DataFrame({"a": [1]})}


class NoOutput(Module):
    """Forgets one of its two outputs."""

    id = "no_output"
    name = "No Output"
    category = "Utilities"

    class Outputs:
        first = Out(Table, "First")
        second = Out(Table, "Second")

    def run(self, inputs: dict[str, Any], params: Any, ctx: Any) -> dict[str, Any]:
        return {"first": DataTable(pd.DataFrame({"a": [1]}))}


class Unstorable(Module):
    """Returns a table with a column Parquet has no type for (an Arrow month/day/nanosecond interval)."""

    id = "unstorable"
    name = "Unstorable"
    category = "Utilities"

    class Outputs:
        table = Out(Table, "Result")

    def run(self, inputs: dict[str, Any], params: Any, ctx: Any) -> dict[str, Any]:
        import pyarrow as pa

        interval = pa.array([pa.MonthDayNano([1, 2, 3])], type=pa.month_day_nano_interval())
        return {"table": DataTable(pd.DataFrame({"gap": pd.Series(interval, dtype=pd.ArrowDtype(interval.type))}))}


class Slow(Module):
    """Checks for cancellation before doing anything."""

    id = "slow"
    name = "Slow"
    category = "Utilities"

    class Outputs:
        table = Out(Table, "Result")

    def run(self, inputs: dict[str, Any], params: Any, ctx: Any) -> dict[str, Any]:
        ctx.log("starting")
        ctx.check_cancelled()
        return {"table": DataTable(pd.DataFrame({"a": [1]}))}


TOYS: tuple[type[Module], ...] = (
    Const,
    AddOne,
    Select,
    Join,
    Fail,
    Crash,
    Picky,
    Count,
    UseModel,
    ReadDataset,
    WrongType,
    NoOutput,
    Unstorable,
    Slow,
)


def toy_registry() -> Registry:
    registry = Registry()
    for cls in TOYS:
        registry.register(cls)
    return registry


REGISTRY = toy_registry()


class CancelledContext(LocalContext):
    """A context whose run was cancelled: ``check_cancelled`` raises."""

    def check_cancelled(self) -> None:
        raise Cancelled()


class FakeDatasets:
    """A ``DatasetLookup`` over a dict of dataset id -> (digest, schema); other ids are missing."""

    def __init__(self, known: dict[int, tuple[str, TableSchema]]) -> None:
        self.known = known
        self.calls: list[DatasetRef] = []

    def resolve(self, ref: DatasetRef) -> ResolvedDataset:
        self.calls.append(ref)
        if ref.dataset_id not in self.known:
            raise LookupError(f"dataset {ref.dataset_id} does not exist or is not shared with you")
        digest, schema = self.known[ref.dataset_id]
        return ResolvedDataset(dataset_id=ref.dataset_id, version=ref.version or 1, digest=digest, schema=schema)


def build(nodes: dict[str, tuple[str, dict[str, Any]]], edges: Sequence[str] = (), version: int = 1) -> Graph:
    """A graph from ``{"id": (module, params)}`` and edges written ``"src.port -> dst.port"``."""
    parsed = []
    for text in edges:
        left, right = (side.strip() for side in text.split("->"))
        source, source_port = left.split(".")
        target, target_port = right.split(".")
        parsed.append(Edge(source, source_port, target, target_port))
    return Graph(
        nodes={nid: Node(nid, module, version, params) for nid, (module, params) in nodes.items()},
        edges=parsed,
        parameters={},
        layout={},
    )
