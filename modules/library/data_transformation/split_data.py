"""Split Data: divide a table's rows into two tables, by fraction, by a regular expression or by a comparison."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field

from modules.sdk import (
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

SplittingMode = Literal["Split Rows", "Regular Expression Split", "Relative Expression Split"]


class SplitData(Module):
    """Send some rows to the first output and the rest to the second.

    Split Rows: the first output gets ``round(fraction x rows)`` rows. A randomized split draws them
    with a seeded NumPy permutation (``numpy.random.default_rng(seed)``); a stratified split does
    the same within each value of the key column (missing values form their own group), taking
    ``round(fraction x group size)`` rows from each group, so both outputs keep the key's
    proportions.

    Regular Expression Split: rows whose value in one column contains a match of a Python regular
    expression go first. Write the column, then the pattern: ``\\"Text" Gryphon`` (by name) or
    ``(\\1) ^[a-f]`` (by 0-based index).

    Relative Expression Split: rows whose value satisfies a comparison go first, such as
    ``\\"Year" > 2010`` or ``(\\0) <= 30 & != 20``. Operators ``< > <= >= == !=``, joined with ``&``
    (and) and ``|`` (or), ``&`` binding first; numbers compare with numeric columns, quoted text
    with text columns.

    Rows keep their input order inside each output; rows with a missing value in the tested column
    go to the second output. Better than Azure, where seed 0 means "seed from the clock": the seed
    is always used, so the same parameters always give the same split and a cached result stays
    valid; and a malformed expression, or one naming an unknown column, is reported when the
    pipeline is validated.
    """

    id = "split_data"
    version = 2
    name = "Split Data"
    category = "Data Transformation"
    inference = "pass_through"  # an inference pipeline scores every row it is sent

    class Inputs:
        dataset = In(Table, "Dataset")

    class Outputs:
        results_dataset1 = Out(Table, "Results dataset1")
        results_dataset2 = Out(Table, "Results dataset2")

    class Params(ParamModel):
        splitting_mode: SplittingMode = Field(
            "Split Rows",
            title="Splitting mode",
            description="Split Rows by a fraction, or by a regular expression or a comparison on one column.",
        )
        fraction_of_rows_in_first_output_dataset: float = Field(
            0.5,
            ge=0.0,
            le=1.0,
            title="Fraction of rows in the first output dataset",
            description="Share of the rows that go to the first output (0 to 1; Split Rows).",
        )
        randomized_split: bool = Field(
            True,
            title="Randomized split",
            description="Pick the rows at random; otherwise take the first rows (Split Rows).",
        )
        random_seed: int = Field(
            0, ge=0, title="Random seed", description="Seed of the random choice; the same seed gives the same split."
        )
        stratified_split: bool = Field(
            False,
            title="Stratified split",
            description="Keep the proportions of each value of the stratification key column in both outputs.",
        )
        stratification_key_column: str | None = column(
            "dataset",
            default=None,
            title="Stratification key column",
            description="The column whose values are split proportionally (stratified split only).",
        )
        regular_expression: str = Field(
            "",
            title="Regular expression",
            description='A column then a Python regular expression, e.g. \\"Text" Gryphon (Regular Expression Split).',
        )
        relational_expression: str = Field(
            "",
            title="Relational expression",
            description=(
                'A column then comparisons, e.g. \\"Year" > 2010 or (\\0) <= 30 & != 20 (Relative Expression Split).'
            ),
        )

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        table: DataTable = inputs["dataset"]
        mask = first_mask(table.df, params)
        ctx.log(f"{int(mask.sum())} rows to the first output, {int((~mask).sum())} to the second")
        return {
            "results_dataset1": DataTable(table.df[mask].reset_index(drop=True), dict(table.meta)),
            "results_dataset2": DataTable(table.df[~mask].reset_index(drop=True), dict(table.meta)),
        }

    def run_dask(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        """The same rows as ``run``: an expression split tests each partition's rows; Split Rows draws the
        same positions as ``run`` from the row count (and the key column, gathered, when stratified), then
        each partition keeps its share of them."""
        table: PartitionedTable = inputs["dataset"]
        if params.splitting_mode == "Split Rows":
            key = _key(table.schema, params)
            if key is None:
                import pandas as pd

                from modules.library._partitioned import per_partition

                rows = sum(per_partition(table, len))
                stand_in = pd.DataFrame(index=pd.RangeIndex(rows))
            else:
                from modules.library._partitioned import column

                stand_in = column(table, key).to_frame()
            from modules.library._partitioned import shared

            first = np.zeros(len(stand_in), dtype=bool)
            first[first_rows(stand_in, params)] = True
            flags = shared(first)
            shape = _by_position(table.empty, first, True)
            masks = tuple(
                table.with_frame(table.frame.map_partitions(_by_position, flags, keep, meta=shape))
                for keep in (True, False)
            )
        else:
            self.infer_schemas({"dataset": table.schema}, params)  # a bad expression fails here, not on a worker
            masks = (table.map(_by_test, params, True), table.map(_by_test, params, False))
        ctx.log(f"{table.npartitions} partitions split")
        return {"results_dataset1": masks[0], "results_dataset2": masks[1]}

    def infer_schemas(self, inputs: Mapping[str, TableSchema | None], params: Params) -> dict[str, TableSchema | None]:
        schema = inputs.get("dataset")
        if schema is not None:
            if params.splitting_mode == "Split Rows":
                _key(schema, params)
            elif params.splitting_mode == "Regular Expression Split":
                _regex(schema, params.regular_expression)
            else:
                _relation(schema, params.relational_expression)
        return {"results_dataset1": schema, "results_dataset2": schema}

    @classmethod
    def migrate_params(cls, from_version: int, params: dict[str, Any]) -> dict[str, Any]:
        """Version 1 had only Split Rows, with the same parameter names: its parameters load unchanged."""
        return dict(params)


class SplitDataV1(SplitData):
    """Split Data as saved before version 2 (Split Rows only); kept so older pipelines still run."""

    id = "split_data"
    version = 1

    class Params(ParamModel):
        splitting_mode: Literal["Split Rows"] = Field(
            "Split Rows", title="Splitting mode", description="Split Rows: divide the rows by a fraction."
        )
        fraction_of_rows_in_first_output_dataset: float = Field(
            0.5,
            ge=0.0,
            le=1.0,
            title="Fraction of rows in the first output dataset",
            description="Share of the rows that go to the first output (0 to 1).",
        )
        randomized_split: bool = Field(
            True, title="Randomized split", description="Pick the rows at random; otherwise take the first rows."
        )
        random_seed: int = Field(
            0, ge=0, title="Random seed", description="Seed of the random choice; the same seed gives the same split."
        )
        stratified_split: bool = Field(
            False,
            title="Stratified split",
            description="Keep the proportions of each value of the stratification key column in both outputs.",
        )
        stratification_key_column: str | None = column(
            "dataset",
            default=None,
            title="Stratification key column",
            description="The column whose values are split proportionally (stratified split only).",
        )

    def run(self, inputs: dict[str, Any], params: Any, ctx: RunContext) -> dict[str, Any]:
        return super().run(inputs, _upgraded(params), ctx)

    def run_dask(self, inputs: dict[str, Any], params: Any, ctx: RunContext) -> dict[str, Any]:
        return super().run_dask(inputs, _upgraded(params), ctx)

    def infer_schemas(self, inputs: Mapping[str, TableSchema | None], params: Any) -> dict[str, TableSchema | None]:
        return super().infer_schemas(inputs, _upgraded(params))


def _upgraded(params: ParamModel) -> SplitData.Params:
    return SplitData.Params.model_validate(SplitData.migrate_params(1, params.model_dump()))


def _by_position(df: pd.DataFrame, first: np.ndarray, keep_first: bool) -> pd.DataFrame:
    """One partition's rows of one output; ``first`` flags every row of the whole table, by position."""
    flags = first[df.index.to_numpy(dtype="int64")] if len(df) else np.zeros(0, dtype=bool)
    return df[flags if keep_first else ~flags]


def _by_test(df: pd.DataFrame, params: SplitData.Params, keep_first: bool) -> pd.DataFrame:
    """One partition's rows of one output of an expression split."""
    flags = first_mask(df, params) if len(df) else np.zeros(0, dtype=bool)
    return df[flags if keep_first else ~flags]


def first_mask(df: pd.DataFrame, params: SplitData.Params) -> np.ndarray:
    """Which rows go to the first output."""
    schema = TableSchema.of(df)
    if params.splitting_mode == "Regular Expression Split":
        name, pattern = _regex(schema, params.regular_expression)
        values = df[name].to_numpy(dtype=object)
        return np.asarray([not pd.isna(v) and pattern.search(str(v)) is not None for v in values], dtype=bool)
    if params.splitting_mode == "Relative Expression Split":
        name, test = _relation(schema, params.relational_expression)
        return test(df[name])
    mask = np.zeros(len(df), dtype=bool)
    mask[first_rows(df, params)] = True
    return mask


def first_rows(df: pd.DataFrame, params: SplitData.Params) -> np.ndarray:
    """Positions (sorted) of the rows that go to the first output."""
    fraction = params.fraction_of_rows_in_first_output_dataset
    key = _key(TableSchema.of(df), params)
    if key is None:
        groups = [np.arange(len(df))]
    else:
        codes = pd.factorize(df[key], use_na_sentinel=False)[0]
        groups = [np.flatnonzero(codes == code) for code in range(int(codes.max(initial=-1)) + 1)]
    rng = np.random.default_rng(params.random_seed)
    chosen = []
    for positions in groups:
        order = rng.permutation(positions) if params.randomized_split else positions
        chosen.append(order[: int(np.floor(fraction * len(positions) + 0.5))])
    return np.sort(np.concatenate(chosen)) if chosen else np.array([], dtype=int)


def _key(schema: TableSchema, params: SplitData.Params) -> str | None:
    if not params.stratified_split:
        return None
    name = params.stratification_key_column
    if not name:
        raise ModuleError("a stratified split needs a stratification key column", param="stratification_key_column")
    if name not in schema:
        raise ModuleError(
            f"stratification key column {name!r} is not in the input (available: {', '.join(schema.names)})",
            param="stratification_key_column",
            column=name,
        )
    return name


# -- expressions ------------------------------------------------------------------------------------

_COLUMN_REF = re.compile(r'^\s*(?:\\"(?P<name>[^"]*)"|\(\\(?P<paren>\d+)\)|\\(?P<index>\d+))')
_COMPARISON = re.compile(r'^\s*(?P<op><=|>=|==|!=|<|>)\s*(?P<value>"[^"]*"|[^&|\s]+)\s*')
OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt,
    ">": operator.gt,
    "<=": operator.le,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}


def _column_ref(schema: TableSchema, text: str, param: str) -> tuple[str, str]:
    """The column an expression starts with, and the rest of the expression."""
    m = _COLUMN_REF.match(text)
    if m is None:
        raise ModuleError(
            'start the expression with a column: \\"name" or (\\index), e.g. \\"Text" Gryphon', param=param
        )
    if m.group("name") is not None:
        name = m.group("name")
        if name not in schema:
            raise ModuleError(
                f"column {name!r} is not in the input (available: {', '.join(schema.names)})", param=param, column=name
            )
    else:
        index = int(m.group("paren") or m.group("index"))
        if index >= len(schema.names):
            raise ModuleError(
                f"column index {index} is out of range; the input has columns 0 to {len(schema.names) - 1}",
                param=param,
            )
        name = schema.names[index]
    return name, text[m.end() :]


def _regex(schema: TableSchema, expression: str) -> tuple[str, re.Pattern[str]]:
    name, rest = _column_ref(schema, expression, "regular_expression")
    source = rest.lstrip()
    if not source:
        raise ModuleError("the regular expression has a column but no pattern", param="regular_expression")
    try:
        return name, re.compile(source)
    except re.error as exc:
        raise ModuleError(
            f"the pattern {source!r} is not a valid regular expression: {exc}", param="regular_expression"
        ) from None


def _relation(schema: TableSchema, expression: str) -> tuple[str, Callable[[pd.Series], np.ndarray]]:
    param = "relational_expression"
    name, rest = _column_ref(schema, expression, param)
    numeric = schema.get(name).is_numeric  # type: ignore[union-attr]
    groups: list[list[tuple[str, Any]]] = [[]]
    while True:
        m = _COMPARISON.match(rest)
        if m is None:
            raise ModuleError(
                f"expected a comparison such as '> 10' at {rest.strip() or 'the end'!r}", param=param, column=name
            )
        groups[-1].append((m.group("op"), _operand(m.group("value"), numeric, name)))
        rest = rest[m.end() :]
        if not rest.strip():
            break
        joiner, rest = rest.strip()[0], rest.strip()[1:]
        if joiner == "|":
            groups.append([])
        elif joiner != "&":
            raise ModuleError(f"join comparisons with & or |, not {joiner!r}", param=param)

    def test(series: pd.Series) -> np.ndarray:
        present = series.notna().to_numpy()
        values = series.to_numpy(dtype="float64", na_value=np.nan) if numeric else series.astype(object).to_numpy()
        result = np.zeros(len(series), dtype=bool)
        for group in groups:
            hit = present.copy()
            for op, operand in group:
                hit &= np.asarray(
                    [bool(p) and bool(OPERATORS[op](v, operand)) for v, p in zip(values, present, strict=True)]
                )
            result |= hit
        return result

    return name, test


def _operand(raw: str, numeric: bool, name: str) -> Any:
    quoted = raw.startswith('"') and raw.endswith('"') and len(raw) >= 2
    if numeric:
        try:
            return float(raw)
        except ValueError:
            raise ModuleError(
                f"column {name!r} is numeric, so compare it with a number, not {raw}",
                param="relational_expression",
                column=name,
            ) from None
    return raw[1:-1] if quoted else raw
