"""Readable pandas / NumPy / SciPy code for the Data Transformation and Feature Selection modules.

Every emitter writes what the module computes, in the order it computes it, so the results are equal
(tests/engine/codegen/test_readable_transformations.py runs both). A configuration without a readable
equivalent here returns ``None`` and the generator calls the module library for that node.

Table outputs get a fresh 0..n-1 index, as every table gets between two nodes of a designer run.
Transformation outputs (Clean Missing Data's, Normalize Data's) are plain dicts of the fitted values
(the module's ``FittedTransform.spec`` shape): only a readable section can read them, since the
generator runs both ends of a non-table edge in the module library when either end has no readable code.
"""

from __future__ import annotations

import re
from typing import Any

from designer.engine.codegen.node_code import Emitter, NodeCode, NodeSpec

from ._tables import NUMPY, PANDAS, edit_metadata_plan, input_roles, literal, meta_of, regex_literal, selection


def _rounded_count(fraction: float, total: str) -> str:
    """``round(fraction x total)`` with halves rounded up, as the module counts rows (not Python's round)."""
    return f"int(np.floor({fraction!r} * {total} + 0.5))"


# -- Split Data ---------------------------------------------------------------------------------------


def split_data(spec: NodeSpec) -> NodeCode | None:
    p = spec.params
    df = spec.inputs["dataset"]
    first, second = spec.outputs["results_dataset1"], spec.outputs["results_dataset2"]
    mode = p["splitting_mode"]
    if mode == "Split Rows":
        lines = _split_rows(df, p)
    elif mode == "Regular Expression Split":
        found = _regex_split(df, p["regular_expression"])
        if found is None:
            return None
        lines = found
    else:
        return None  # Relative Expression Split: the comparison's operand type depends on the column's type
    lines += [
        f"{first} = {df}[in_first].reset_index(drop=True)",
        f"{second} = {df}[~in_first].reset_index(drop=True)",
    ]
    roles = input_roles(spec, "dataset")
    return NodeCode(
        code="\n".join(lines),
        imports=(NUMPY, PANDAS) if mode == "Split Rows" else (NUMPY, PANDAS, "import re"),
        meta={**meta_of(roles, "results_dataset1"), **meta_of(roles, "results_dataset2")},
    )


def _split_rows(df: str, p: Any) -> list[str]:
    fraction = p["fraction_of_rows_in_first_output_dataset"]
    randomized, key = p["randomized_split"], p["stratification_key_column"] if p["stratified_split"] else None
    share = f"{fraction * 100:g}%"
    if key is None:
        how = "drawn at random" if randomized else "the first ones"
        lines = [
            f"# {share} of the rows ({how}, rounded half up) go to the first output; rows keep their order",
            f"in_first = np.zeros(len({df}), dtype=bool)",
        ]
        count = _rounded_count(fraction, f"len({df})")
        if randomized:
            lines[1:1] = [f"rng = np.random.default_rng({p['random_seed']})"]
            lines.append(f"in_first[rng.permutation(len({df}))[: {count}]] = True")
        else:
            lines.append(f"in_first[: {count}] = True")
        return lines
    pick = "rng.permutation(rows)" if randomized else "rows"
    lines = [
        f"# {share} of the rows of each {key} value (rounded half up) go to the first output, "
        + ("drawn at random" if randomized else "the first ones"),
        "# group by group in order of first appearance (missing values form a group); rows keep their order",
    ]
    if randomized:
        lines.append(f"rng = np.random.default_rng({p['random_seed']})")
    lines += [
        f"groups = pd.factorize({df}[{literal(key)}], use_na_sentinel=False)[0]",
        f"in_first = np.zeros(len({df}), dtype=bool)",
        "for group in np.unique(groups):",
        "    rows = np.flatnonzero(groups == group)",
        f"    in_first[{pick}[: {_rounded_count(fraction, 'len(rows)')}]] = True",
    ]
    return lines


_COLUMN_REF = re.compile(r'^\s*(?:\\"(?P<name>[^"]*)"|\(\\(?P<paren>\d+)\)|\\(?P<index>\d+))')


def _column_ref(expression: str, df: str) -> tuple[str, str] | None:
    """The column an expression starts with, as Python source, and the rest of the expression."""
    m = _COLUMN_REF.match(expression)
    if m is None:
        return None
    if m.group("name") is not None:
        return repr(m.group("name")), expression[m.end() :]
    return f"{df}.columns[{int(m.group('paren') or m.group('index'))}]", expression[m.end() :]


def _regex_split(df: str, expression: str) -> list[str] | None:
    found = _column_ref(expression, df)
    if found is None:
        return None
    column, rest = found
    pattern = rest.lstrip()
    if not pattern:
        return None
    try:
        re.compile(pattern)
    except re.error:
        return None
    return [
        "# rows whose value holds a match of the pattern go to the first output (missing values never match)",
        f"pattern = re.compile({regex_literal(pattern)})",
        "in_first = np.array(",
        f"    [not pd.isna(v) and pattern.search(str(v)) is not None for v in {df}[{column}].to_numpy(dtype=object)],",
        "    dtype=bool,",
        ")",
    ]


# -- Select Columns in Dataset ---------------------------------------------------------------------------


def select_columns(spec: NodeSpec) -> NodeCode | None:
    df, out = spec.inputs["dataset"], spec.outputs["results_dataset"]
    columns = spec.params["columns"]
    rules = columns["rules"]
    helpers: tuple[str, ...] = ()
    if columns["start"] == "all" and rules and all(r["op"] == "exclude" and not r["types"] for r in rules):
        names = list(dict.fromkeys(n for r in rules for n in r["names"]))
        code = f"{out} = {df}.drop(columns={literal(names)})"
    else:
        expression, helpers = selection(columns, df)
        code = f"{out} = {df}[{expression}].copy()"
    roles = input_roles(spec, "dataset")
    return NodeCode(code, (PANDAS,), helpers, meta_of(roles if roles == {} else None, "results_dataset"))


# -- Clean Missing Data ----------------------------------------------------------------------------------

_AVERAGE = {"Replace with mean": "mean", "Replace with median": "median"}


def clean_missing_data(spec: NodeSpec) -> NodeCode | None:
    p = spec.params
    df, out = spec.inputs["dataset"], spec.outputs["cleaned_dataset"]
    fitted = spec.outputs["cleaning_transformation"]
    mode = p["cleaning_mode"]
    if mode == "Custom substitution value":
        return None  # the text replacement is converted per column type (a number, a date, true/false...)
    expression, helpers = selection(p["columns"], df)
    lines = [f"columns = {expression}"]
    low, high = p["minimum_missing_value_ratio"], p["maximum_missing_value_ratio"]
    if (low, high) != (0.0, 1.0):
        lines += [
            f"# only columns whose share of missing values is between {low:g} and {high:g} are cleaned",
            f"missing = {df}[columns].isna().mean()",
            f"columns = [name for name in columns if {low!r} <= missing[name] <= {high!r}]",
        ]
    if mode == "Remove entire row":
        lines += [
            f"{out} = {df}.dropna(subset=columns).reset_index(drop=True)",
            f'{fitted} = {{"mode": {literal(mode)}, "columns": columns}}',
        ]
    elif mode == "Remove entire column":
        lines += [
            f"columns = [name for name in columns if {df}[name].isna().any()]",
            f"{out} = {df}.drop(columns=columns)",
            f'{fitted} = {{"mode": {literal(mode)}, "columns": columns}}',
        ]
    else:
        lines += [f"{out} = {df}.copy()", "fill = {}", "for name in columns:"]
        if mode in _AVERAGE:
            lines += [
                "    # the column becomes decimal (an integer column is not rounded back)",
                f'    values = pd.to_numeric({df}[name]).astype("float64")',
                f"    fill[name] = float(values.{_AVERAGE[mode]}())",
                f"    {out}[name] = values.fillna(fill[name])",
            ]
        else:
            lines += [
                f"    fill[name] = {df}[name].mode().iloc[0]  # the smallest of the most frequent values",
                f"    if pd.api.types.is_float_dtype({df}[name]):",
                f'        {out}[name] = {df}[name].astype("float64").fillna(fill[name])',
                "    else:",
                f"        {out}[name] = {df}[name].fillna(fill[name])",
            ]
        if p["generate_missing_value_indicator_column"]:
            lines += ["for name in columns:", f'    {out}[name + "_isMissing"] = {df}[name].isna().to_numpy()']
        lines.append(f'{fitted} = {{"mode": {literal(mode)}, "columns": columns, "fill": fill}}')
    roles = input_roles(spec, "dataset")
    return NodeCode("\n".join(lines), (PANDAS,), helpers, meta_of(roles if roles == {} else None, "cleaned_dataset"))


# -- Normalize Data ----------------------------------------------------------------------------------------

_FORMULAS = {
    "ZScore": "(x - mean) / sd, with the population standard deviation",
    "MinMax": "(x - min) / (max - min)",
    "Logistic": "1 / (1 + exp(-x))",
    "Tanh": "tanh(x)",
    "LogNormal": "the CDF of a log-normal fitted to the column, Phi((ln x - mu) / sigma)",
}


def normalize_data(spec: NodeSpec) -> NodeCode | None:
    p = spec.params
    df, out, fitted = spec.inputs["dataset"], spec.outputs["transformed_dataset"], spec.outputs["transformation"]
    method, use_0 = p["transformation_method"], p["use_0_for_constant_columns"]
    expression, helpers = selection(p["columns"], df)
    constant = "np.where(np.isnan(x), np.nan, 0.0)" if use_0 else "x"
    lines = [
        f"# {method}: {_FORMULAS[method]}; missing values stay missing",
        f"columns = {expression}",
        f"{out} = {df}.copy()",
        "stats = {}",
        "for name in columns:",
        f'    x = {df}[name].to_numpy(dtype="float64", na_value=np.nan)',
        "    present = x[~np.isnan(x)]",
    ]
    if use_0 or method in ("ZScore", "MinMax", "LogNormal"):
        lines[1:1] = ["# a constant column (or one with no values) " + ("becomes 0" if use_0 else "keeps its values")]
    imports: tuple[str, ...] = (NUMPY, PANDAS)
    if method == "LogNormal":
        imports += ("from scipy.special import ndtr",)
        lines += [
            "    if (present <= 0).any():",
            '        raise ValueError(f"column {name!r} has values of zero or less; LogNormal needs positive values")',
        ]
    spread = {
        "ZScore": "present.std() == 0",
        "MinMax": "present.min() == present.max()",
        "LogNormal": "np.log(present).std() == 0",
        "Logistic": "present.min() == present.max()",
        "Tanh": "present.min() == present.max()",
    }[method]
    if use_0 or method in ("ZScore", "MinMax", "LogNormal"):
        lines += [f"    if present.size == 0 or {spread}:", f"        {out}[name] = {constant}", "        continue"]
    if method == "ZScore":
        lines += [
            "    mean, sd = float(present.mean()), float(present.std())",
            '    stats[name] = {"mean": mean, "sd": sd}',
            f"    {out}[name] = (x - mean) / sd",
        ]
    elif method == "MinMax":
        lines += [
            "    low, high = float(present.min()), float(present.max())",
            '    stats[name] = {"min": low, "max": high}',
            f"    {out}[name] = (x - low) / (high - low)",
        ]
    elif method == "LogNormal":
        lines += [
            "    mu, sigma = float(np.log(present).mean()), float(np.log(present).std())",
            '    stats[name] = {"mu": mu, "sigma": sigma}',
            '    with np.errstate(divide="ignore", invalid="ignore"):',
            "        cdf = ndtr((np.log(np.where(x > 0, x, np.nan)) - mu) / sigma)",
            f"    {out}[name] = np.where(~np.isnan(x) & (x <= 0), 0.0, cdf)  # the CDF is 0 at and below zero",
        ]
    elif method == "Logistic":
        imports += ("from scipy.special import expit",)
        lines += ["    stats[name] = {}", f"    {out}[name] = expit(x)"]
    else:
        lines += ["    stats[name] = {}", f"    {out}[name] = np.tanh(x)"]
    lines.append(
        f'{fitted} = {{"method": {literal(method)}, "use_0_for_constant_columns": {use_0!r}, "columns": stats}}'
    )
    roles = input_roles(spec, "dataset")
    return NodeCode("\n".join(lines), imports, helpers, meta_of(roles, "transformed_dataset"))


# -- Filter Based Feature Selection ---------------------------------------------------------------------

_CATEGORY_CODES = '''\
def category_codes(series):
    """Integer codes of a column's values (-1 for missing); a number with more than 10 values is cut into
    10 bins of equal counts first."""
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        x = pd.Series(series.to_numpy(dtype="float64", na_value=np.nan))
        if x.nunique() > 10:
            return np.asarray(pd.qcut(x, 10, labels=False, duplicates="drop").fillna(-1), dtype="int64")
        return np.asarray(pd.factorize(x, sort=True)[0], dtype="int64")
    return np.asarray(pd.factorize(series.astype(object), sort=False)[0], dtype="int64")
'''

_CHI_SQUARED = '''\
def chi_squared_score(feature, target):
    """The chi-squared statistic (no continuity correction) of the feature-by-target counts; NaN if undefined."""
    x, y = category_codes(feature), category_codes(target)
    both = (x >= 0) & (y >= 0)
    observed = pd.crosstab(x[both], y[both]).to_numpy()
    if observed.shape[0] < 2 or observed.shape[1] < 2:
        return float("nan")
    return float(chi2_contingency(observed, correction=False).statistic)
'''

_MUTUAL = '''\
def mutual_information_score(feature, target):
    """The mutual information of feature and target, in nats; NaN if no row has both."""
    x, y = category_codes(feature), category_codes(target)
    both = (x >= 0) & (y >= 0)
    if not both.any():
        return float("nan")
    return float(mutual_info_score(y[both], x[both]))
'''

_FLOATS = '''\
def as_floats(series):
    """A numeric or true/false column as float64, NaN for missing."""
    if pd.api.types.is_bool_dtype(series.dtype):
        series = series.astype("Float64")
    return np.asarray(pd.to_numeric(series).to_numpy(dtype="float64", na_value=np.nan), dtype="float64")
'''

_CORRELATION = '''\
def correlation_score(feature, target, method):
    """|correlation| of feature and target over the rows holding both; NaN with no spread or under 2 rows."""
    x, y = as_floats(feature), as_floats(target)
    both = ~(np.isnan(x) | np.isnan(y))
    if both.sum() < 2 or np.ptp(x[both]) == 0 or np.ptp(y[both]) == 0:
        return float("nan")
    return abs(float(pd.Series(x[both]).corr(pd.Series(y[both]), method=method)))
'''

_COUNT = '''\
def non_zero_count(series):
    """How many values are present and not zero (not false, not empty text)."""
    present = series.dropna()
    if pd.api.types.is_bool_dtype(series.dtype):
        return float(present.astype(bool).sum())
    if pd.api.types.is_numeric_dtype(series.dtype):
        return float((present.to_numpy(dtype="float64") != 0).sum())
    return float((present.astype(str) != "").sum())
'''

_CORRELATIONS = {"Pearson Correlation": "pearson", "Kendall Correlation": "kendall", "Spearman Correlation": "spearman"}


def filter_based_feature_selection(spec: NodeSpec) -> NodeCode | None:
    p = spec.params
    df = spec.inputs["dataset"]
    filtered, ranking = spec.outputs["filtered_dataset"], spec.outputs["features"]
    method, target, wanted = p["feature_scoring_method"], p["target_column"], p["number_of_desired_features"]
    roles = input_roles(spec, "dataset")
    if roles is None and p["operate_on_feature_columns_only"]:
        return None  # which columns are label or score columns is known only at run time
    if target is None and method != "Count Based":
        return None
    skipped = [target] if target is not None else []
    if roles and p["operate_on_feature_columns_only"]:
        skipped += [roles.get("label_column"), *dict(roles.get("score_columns") or {}).values()]
    skipped = [n for n in dict.fromkeys(skipped) if n is not None]
    imports: tuple[str, ...] = (NUMPY, PANDAS)
    if method == "Chi Squared":
        helpers: tuple[str, ...] = (_CATEGORY_CODES, _CHI_SQUARED)
        imports += ("from scipy.stats import chi2_contingency",)
        score = f"chi_squared_score({df}[name], {df}[{literal(target)}])"
    elif method == "Mutual Information":
        helpers = (_CATEGORY_CODES, _MUTUAL)
        imports += ("from sklearn.metrics import mutual_info_score",)
        score = f"mutual_information_score({df}[name], {df}[{literal(target)}])"
    elif method in _CORRELATIONS:
        helpers = (_FLOATS, _CORRELATION)
        score = f"correlation_score({df}[name], {df}[{literal(target)}], {literal(_CORRELATIONS[method])})"
    else:
        helpers = (_COUNT,)
        score = f"non_zero_count({df}[name])"
    lines = [
        f"# every column but {literal(skipped)} is scored" if skipped else "# every column is scored",
        f"candidates = [name for name in {df}.columns if name not in {literal(skipped)}]",
        f"scores = np.array([{score} for name in candidates])",
        "scores = np.nan_to_num(scores, nan=0.0)  # a score that is not defined (no spread) counts as 0",
        'order = np.argsort(-scores, kind="stable")  # best first, ties in table order',
        f"chosen = {{candidates[i] for i in order[:{wanted}]}}",
        "# the chosen features and every column that was not a candidate, in table order",
        f"{filtered} = {df}[[name for name in {df}.columns if name in chosen or name not in candidates]].copy()",
        f"{ranking} = pd.DataFrame(",
        "    {",
        '        "Feature": pd.Series([candidates[i] for i in order], dtype="str"),',
        '        "Score": scores[order].astype("float64"),',
        '        "Selected": np.array([candidates[i] in chosen for i in order], dtype=bool),',
        "    }",
        ")",
    ]
    # label and score columns are never candidates, so their roles stay (the only roles the module prunes)
    kept = roles if p["operate_on_feature_columns_only"] or roles == {} else None
    return NodeCode("\n".join(lines), imports, helpers, meta_of(kept, "filtered_dataset"))


# -- Edit Metadata, Remove Duplicate Rows, Add Columns --------------------------------------------------------


def edit_metadata(spec: NodeSpec) -> NodeCode | None:
    plan = edit_metadata_plan(spec)
    if plan is None:
        return None  # a type conversion, or roles that depend on the table: the module library runs it
    names, new, roles = plan
    df, out = spec.inputs["dataset"], spec.outputs["results_dataset"]
    lines = [f"# the column roles (label, categorical and feature flags) travel with the table: {literal(roles)}"]
    if not new:
        lines.append(f"{out} = {df}.copy()")
    elif len(names) == 1:
        lines.append(f"{out} = {df}.rename(columns={literal(dict(zip(names, new, strict=True)))})")
    else:
        lines += [
            "# the new names go to the selected columns in the table's order",
            f"selected = [name for name in {df}.columns if name in {literal(names)}]",
            f"{out} = {df}.rename(columns=dict(zip(selected, {literal(new)})))",
        ]
    return NodeCode("\n".join(lines), (PANDAS,), (), meta_of(roles, "results_dataset"))


def remove_duplicate_rows(spec: NodeSpec) -> NodeCode | None:
    p = spec.params
    df, out = spec.inputs["dataset"], spec.outputs["results_dataset"]
    expression, helpers = selection(p["key_column_selection_filter_expression"], df)
    keep = "first" if p["retain_first_duplicate_row"] else "last"
    lines = [
        f"keys = {expression}",
        f"# a row repeating {'an earlier' if keep == 'first' else 'a later'} one in the key columns goes, "
        "unless one of its keys is missing",
        f"repeated = {df}.duplicated(subset=keys, keep={literal(keep)}) & ~{df}[keys].isna().any(axis=1)",
        f"{out} = {df}[~repeated.to_numpy()].reset_index(drop=True)",
    ]
    roles = input_roles(spec, "dataset")
    return NodeCode("\n".join(lines), (PANDAS,), helpers, meta_of(roles, "results_dataset"))


_AS_NULLABLE = '''\
def as_nullable(df):
    """Integer and true/false columns as pandas' nullable types, so padding with missing keeps their type."""
    out = df.copy()
    for name in out.columns:
        dtype = out[name].dtype
        if isinstance(dtype, np.dtype) and dtype.kind in "iu":
            out[name] = out[name].astype("Int64")
        elif isinstance(dtype, np.dtype) and dtype.kind == "b":
            out[name] = out[name].astype("boolean")
    return out
'''


def add_columns(spec: NodeSpec) -> NodeCode | None:
    left, right, out = spec.inputs["left_dataset"], spec.inputs["right_dataset"], spec.outputs["combined_dataset"]
    lines = [
        "# a right column whose name the left table has is renamed name_1 (name_2... if that is taken too)",
        f"taken = {{*{left}.columns, *{right}.columns}}",
        "renames = {}",
        f"for name in {right}.columns:",
        f"    if name in {left}.columns:",
        "        i = 1",
        '        while f"{name}_{i}" in taken:',
        "            i += 1",
        '        renames[name] = f"{name}_{i}"',
        "        taken.add(renames[name])",
        f"lhs, rhs = {left}.reset_index(drop=True), {right}.reset_index(drop=True).rename(columns=renames)",
        "if len(lhs) != len(rhs):  # rows are matched by position; the shorter table is padded with missing values",
        "    rows = pd.RangeIndex(max(len(lhs), len(rhs)))",
        "    lhs, rhs = as_nullable(lhs).reindex(rows), as_nullable(rhs).reindex(rows)",
        f"{out} = pd.concat([lhs, rhs], axis=1)",
    ]
    roles = input_roles(spec, "left_dataset")
    return NodeCode(
        "\n".join(lines), (NUMPY, PANDAS), (_AS_NULLABLE,), meta_of(roles if roles == {} else None, "combined_dataset")
    )


EMITTERS: dict[str, Emitter] = {
    "edit_metadata": edit_metadata,
    "remove_duplicate_rows": remove_duplicate_rows,
    "add_columns": add_columns,
    "split_data": split_data,
    "select_columns": select_columns,
    "clean_missing_data": clean_missing_data,
    "normalize_data": normalize_data,
    "filter_based_feature_selection": filter_based_feature_selection,
}
