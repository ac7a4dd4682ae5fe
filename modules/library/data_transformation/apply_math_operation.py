"""Apply Math Operation: one arithmetic, comparison or rounding function over numeric columns."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field

from modules.sdk import (
    Column,
    ColumnSelection,
    DataTable,
    In,
    Module,
    ModuleError,
    Out,
    ParamModel,
    PartitionedTable,
    RunContext,
    Table,
    TableSchema,
    column,
)
from modules.sdk import columns as column_selection

from ._columns import floats, prune, require_column, require_numeric, unique_name

Binary = Callable[[np.ndarray, np.ndarray], np.ndarray]
Unary = Callable[[np.ndarray], np.ndarray]


def _factorial(x: np.ndarray) -> np.ndarray:
    from scipy.special import factorial

    ok = (x >= 0) & (x == np.floor(x))
    return np.where(ok, factorial(np.where(ok, x, 0), exact=False), np.nan)


def _double_factorial(x: np.ndarray) -> np.ndarray:
    from scipy.special import factorial2

    ok = (x >= 0) & (x == np.floor(x))
    values = [float(factorial2(int(v), exact=True)) if good else np.nan for v, good in zip(x, ok, strict=True)]
    return np.asarray(values, dtype="float64")


def _nth_root(x: np.ndarray, n: np.ndarray) -> np.ndarray:
    odd = (n == np.floor(n)) & (np.mod(n, 2) == 1)
    return np.where((x < 0) & odd, -np.power(-x, 1.0 / n), np.power(x, 1.0 / n))


def _ceiling_power2(x: np.ndarray) -> np.ndarray:
    return np.where(x > 0, np.power(2.0, np.ceil(np.log2(np.where(x > 0, x, 1.0)))), np.nan)


def _to_even(x: np.ndarray) -> np.ndarray:
    """Round away from zero to the nearest even integer (as Azure's ToEven)."""
    up = np.ceil(np.abs(x))
    return np.sign(x) * np.where(np.mod(up, 2) == 0, up, up + 1)


def _to_odd(x: np.ndarray) -> np.ndarray:
    """Round away from zero to the nearest odd integer (as Azure's ToOdd)."""
    up = np.ceil(np.abs(x))
    odd = np.where(np.mod(up, 2) == 1, up, up + 1)
    return np.where(x == 0, 1.0, np.sign(x) * odd)


def _scaled(fn: Unary) -> Binary:
    """``fn`` applied at ``digits`` decimal places: ``fn(x * 10**d) / 10**d``."""

    def apply(x: np.ndarray, digits: np.ndarray) -> np.ndarray:
        scale = np.power(10.0, digits)
        return fn(x * scale) / scale

    return apply


def _round_half_away(x: np.ndarray) -> np.ndarray:
    return np.sign(x) * np.floor(np.abs(x) + 0.5)


UNARY: dict[str, Unary] = {
    "Abs": np.abs,
    "CubeRoot": np.cbrt,
    "DoubleFactorial": _double_factorial,
    "Eps": lambda x: np.spacing(np.abs(x)),
    "Exp": np.exp,
    "Exp2": np.exp2,
    "ExpMinus1": np.expm1,
    "Factorial": _factorial,
    "Ln": np.log,
    "LnPlus1": np.log1p,
    "Log10": np.log10,
    "Log2": np.log2,
    "Sqrt": np.sqrt,
    "SqrtPi": lambda x: np.sqrt(np.pi * x),
    "Square": np.square,
    "CeilingPower2": _ceiling_power2,
    "ToEven": _to_even,
    "ToOdd": _to_odd,
}
BINARY: dict[str, Binary] = {
    "Atan2": np.arctan2,
    "Hypotenuse": np.hypot,
    "Log": lambda x, base: np.log(x) / np.log(base),
    "NthRoot": _nth_root,
    "Pow": np.power,
    "PairMax": np.fmax,
    "PairMin": np.fmin,
    "Add": np.add,
    "Subtract": np.subtract,
    "Multiply": np.multiply,
    "Divide": np.divide,
    "Mod": np.mod,
    "Quotient": lambda x, y: np.trunc(x / y),
    "Remainder": np.fmod,
    "Ceiling": _scaled(np.ceil),
    "Floor": _scaled(np.floor),
    "RoundDigits": _scaled(_round_half_away),
    "RoundDown": _scaled(np.trunc),
    "RoundUp": _scaled(lambda v: np.sign(v) * np.ceil(np.abs(v))),
    "Truncate": _scaled(np.trunc),
}
COMPARE: dict[str, Binary] = {
    "EqualTo": np.equal,
    "NotEqualTo": np.not_equal,
    "GreaterThan": np.greater,
    "GreaterThanOrEqualTo": np.greater_equal,
    "LessThan": np.less,
    "LessThanOrEqualTo": np.less_equal,
}
#: Rounding operations whose second argument is a precision (decimal places), not an operand.
PRECISION = frozenset({"Ceiling", "Floor", "RoundDigits", "RoundDown", "RoundUp", "Truncate"})

BasicOp = Literal[
    "Abs", "Atan2", "CubeRoot", "DoubleFactorial", "Eps", "Exp", "Exp2", "ExpMinus1", "Factorial", "Hypotenuse",
    "Ln", "LnPlus1", "Log", "Log10", "Log2", "NthRoot", "Pow", "Sqrt", "SqrtPi", "Square",
]  # fmt: skip
CompareOp = Literal[
    "EqualTo", "GreaterThan", "GreaterThanOrEqualTo", "LessThan", "LessThanOrEqualTo", "NotEqualTo", "PairMax",
    "PairMin",
]  # fmt: skip
ArithmeticOp = Literal["Add", "Divide", "Multiply", "Subtract"]
RoundingOp = Literal[
    "Ceiling", "CeilingPower2", "Floor", "Mod", "Quotient", "Remainder", "RoundDigits", "RoundDown", "RoundUp",
    "ToEven", "ToOdd", "Truncate",
]  # fmt: skip
NUMERIC_COLUMNS = {"start": "none", "rules": [{"op": "include", "types": ["numeric"]}]}


class ApplyMathOperation(Module):
    """Apply a math function to each selected numeric column.

    Categories: Basic (Abs, Exp, Ln, Log with a base, Pow, Sqrt, Factorial, ...), Compare
    (EqualTo, GreaterThan... give true/false; PairMax, PairMin give numbers), Operations (Add,
    Subtract, Multiply, Divide) and Rounding (Ceiling, Floor, RoundDigits, RoundDown, RoundUp and
    Truncate at a number of decimal places; Mod, Quotient, Remainder; CeilingPower2, ToEven, ToOdd).
    Two-argument functions take the second argument from a constant or from another column, row by
    row. Output mode Append adds result columns named like ``Add(age_$10)`` or ``Pow(x_y)``;
    Inplace overwrites the selected columns; ResultOnly returns only the results.

    Missing values stay missing. Better than Azure: a text column in the selection, or a
    non-numeric second-argument column, fails naming it; values outside a function's domain (the
    log of a negative number, a division by zero) become missing rather than infinities, and the log
    counts them per column.
    """

    id = "apply_math_operation"
    name = "Apply Math Operation"
    category = "Data Transformation"

    class Inputs:
        dataset = In(Table, "Dataset")

    class Outputs:
        results_dataset = Out(Table, "Results dataset")

    class Params(ParamModel):
        category: Literal["Basic", "Compare", "Operations", "Rounding"] = Field(
            "Basic", title="Category", description="The family of math functions to choose from."
        )
        basic_math_function: BasicOp = Field(
            "Abs", title="Basic math function", description="The function applied when the category is Basic."
        )
        comparison_function: CompareOp = Field(
            "EqualTo", title="Comparison function", description="The comparison applied when the category is Compare."
        )
        arithmetic_operation: ArithmeticOp = Field(
            "Add", title="Arithmetic operation", description="The operation applied when the category is Operations."
        )
        rounding_operation: RoundingOp = Field(
            "RoundDigits",
            title="Rounding operation",
            description="The operation applied when the category is Rounding.",
        )
        column_set: ColumnSelection = column_selection(
            "dataset",
            default=NUMERIC_COLUMNS,
            title="Column set",
            description="The numeric columns the function is applied to; all numeric columns by default.",
        )
        second_argument_type: Literal["Constant", "Column"] = Field(
            "Constant",
            title="Second argument type",
            description="Where a two-argument function takes its second argument: a constant or another column.",
        )
        constant_operand: float = Field(
            1.0,
            title="Constant operand",
            description="The second argument when it is a constant (a base, exponent, divisor or operand).",
        )
        second_column: str | None = column(
            "dataset",
            default=None,
            title="Second argument column",
            description="The numeric column holding the second argument, row by row (second argument type Column).",
        )
        precision: int = Field(
            0,
            ge=-15,
            le=15,
            title="Precision",
            description="Decimal places for Ceiling, Floor, RoundDigits, RoundDown, RoundUp and Truncate.",
        )
        output_mode: Literal["Append", "Inplace", "ResultOnly"] = Field(
            "Append",
            title="Output mode",
            description="Append result columns, overwrite the selected columns in place, or return only the results.",
        )

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        table: DataTable = inputs["dataset"]
        out = _applied(table.df, table.schema, params, ctx.log)
        return {"results_dataset": DataTable(out, prune(table.meta, out.columns))}

    def run_dask(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        """Row by row, so each partition gets exactly what ``run`` does to its rows (the log of values
        that went missing is not gathered from the partitions)."""
        table: PartitionedTable = inputs["dataset"]
        schema = table.schema
        _applied(table.empty, schema, params)  # refuses bad columns here, not on a cluster worker
        out = table.map(_partition, schema, params)
        return {"results_dataset": out.with_frame(out.frame, prune(table.meta, list(out.empty.columns)))}

    def infer_schemas(self, inputs: Mapping[str, TableSchema | None], params: Params) -> dict[str, TableSchema | None]:
        schema = inputs.get("dataset")
        if schema is None:
            return {"results_dataset": None}
        names = _selected(schema, params)
        op = operation(params)
        if _needs_second(op) and params.second_argument_type == "Column":
            _second_column(schema, params)
        dtype = "boolean" if op in COMPARE else "number"
        labels = {n: _label(op, n, params) for n in names}
        if params.output_mode == "Inplace":
            cols = tuple(Column(c.name, dtype) if c.name in labels else c for c in schema.columns)  # type: ignore[arg-type]
        elif params.output_mode == "ResultOnly":
            cols = tuple(Column(labels[n], dtype) for n in names)  # type: ignore[arg-type]
        else:
            taken = list(schema.names)
            extra = []
            for n in names:
                taken.append(unique_name(labels[n], taken))
                extra.append(Column(taken[-1], dtype))  # type: ignore[arg-type]
            cols = (*schema.columns, *extra)
        return {"results_dataset": TableSchema(cols, prune(schema.meta, [c.name for c in cols]))}


def _applied(
    df: pd.DataFrame, schema: TableSchema, params: ApplyMathOperation.Params, log: Callable[[str], None] | None = None
) -> pd.DataFrame:
    names = _selected(schema, params)
    op = operation(params)
    second = _second(df, schema, params, op)
    results: dict[str, pd.Series] = {}
    for name in names:
        value, dropped = _compute(op, floats(df[name]), second)
        if dropped and log is not None:
            log(f"{op}({name}): {dropped} values outside the function's domain became missing")
        results[name] = value
    return _assemble(df, results, params, op)


def _partition(df: pd.DataFrame, schema: TableSchema, params: ApplyMathOperation.Params) -> pd.DataFrame:
    """One partition, keeping its rows' positions as labels (``_assemble`` numbers them from 0)."""
    out = _applied(df, schema, params)
    out.index = df.index
    return out


def operation(params: ApplyMathOperation.Params) -> str:
    return {
        "Basic": params.basic_math_function,
        "Compare": params.comparison_function,
        "Operations": params.arithmetic_operation,
        "Rounding": params.rounding_operation,
    }[params.category]


def _needs_second(op: str) -> bool:
    return op not in UNARY


def _selected(schema: TableSchema, params: ApplyMathOperation.Params) -> list[str]:
    names = params.column_set.resolve(schema, param="column_set")
    if not names:
        raise ModuleError("the column set selects no columns", param="column_set")
    require_numeric(schema, names, "column_set", "math operations need numeric columns")
    return names


def _second_column(schema: TableSchema, params: ApplyMathOperation.Params) -> str:
    name = require_column(schema, params.second_column, "second_column")
    require_numeric(schema, [name], "second_column", "the second argument must be numeric")
    return name


def _second(df: pd.DataFrame, schema: TableSchema, params: ApplyMathOperation.Params, op: str) -> np.ndarray | None:
    if not _needs_second(op):
        return None
    if op in PRECISION:
        return np.full(len(df), float(params.precision))
    if params.second_argument_type == "Column":
        return floats(df[_second_column(schema, params)])
    return np.full(len(df), params.constant_operand)


def _compute(op: str, x: np.ndarray, second: np.ndarray | None) -> tuple[pd.Series, int]:
    """The result as a Series (float64, or nullable boolean for comparisons) and how many values went missing."""
    missing = np.isnan(x) if second is None else np.isnan(x) | np.isnan(second)
    with np.errstate(all="ignore"):
        if op in COMPARE:
            assert second is not None
            flags = pd.array(COMPARE[op](x, second), dtype="boolean")
            flags[missing] = pd.NA
            return pd.Series(flags), 0
        raw = UNARY[op](x) if second is None else BINARY[op](x, second)
    value = np.asarray(raw, dtype="float64")
    bad = ~np.isfinite(value) & ~missing & ~np.isinf(x)
    value = np.where(bad | missing, np.nan, value)
    return pd.Series(value, dtype="float64"), int(bad.sum())


def _label(op: str, name: str, params: ApplyMathOperation.Params) -> str:
    if not _needs_second(op):
        return f"{op}({name})"
    if op in PRECISION:
        return f"{op}({name}_${params.precision})"
    if params.second_argument_type == "Column":
        return f"{op}({name}_{params.second_column})"
    return f"{op}({name}_${params.constant_operand:g})"


def _assemble(
    df: pd.DataFrame, results: dict[str, pd.Series], params: ApplyMathOperation.Params, op: str
) -> pd.DataFrame:
    if params.output_mode == "Inplace":
        out = df.copy()
        for name, values in results.items():
            out[name] = values.set_axis(df.index)
        return out.reset_index(drop=True)
    labelled = {_label(op, n, params): v.set_axis(df.index) for n, v in results.items()}
    if params.output_mode == "ResultOnly":
        return pd.DataFrame(labelled, index=df.index).reset_index(drop=True)
    out = df.copy()
    for label, values in labelled.items():
        out[unique_name(label, out.columns)] = values
    return out.reset_index(drop=True)
