"""Shared pieces of the readable data-transformation emitters: literals, column selections, static column roles.

Defines no ``EMITTERS``: the emitters live in ``transformations.py``, ``python_script.py`` and ``text.py``.
Everything here runs when a script is written, never in the script; what the script runs is the text it returns.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Mapping
from typing import Any

from designer.engine.codegen.node_code import NodeSpec

PANDAS = "import pandas as pd"
NUMPY = "import numpy as np"

#: The designer's column types, as ``modules.sdk.schema.dtype_of`` reads a pandas column.
COLUMN_KIND = '''\
def column_kind(series):
    """The designer's type of a column: boolean, integer, number, datetime, category or string."""
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_integer_dtype(dtype):
        return "integer"
    if pd.api.types.is_numeric_dtype(dtype):
        return "number"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    if isinstance(dtype, pd.CategoricalDtype):
        return "category"
    return "string"
'''

#: The designer's column selector: start with no columns or all, then include or exclude by name or type.
SELECT_BY_RULES = '''\
def select_by_rules(df, start, rules):
    """Column names picked by the designer's column-selection rules, in the table's order."""
    groups = {"numeric": {"integer", "number"}, "categorical": {"category", "string", "boolean"}}
    chosen = set(df.columns) if start == "all" else set()
    for op, names, types in rules:
        kinds = set().union(*(groups.get(t, {t}) for t in types)) if types else set()
        hit = set(names) | {c for c in df.columns if "all" in types or column_kind(df[c]) in kinds}
        chosen = chosen | hit if op == "include" else chosen - hit
    return [c for c in df.columns if c in chosen]
'''

#: Type names of a rule, as the column-kind sets the selector compares with.
_TYPE_GROUPS = {"numeric": ("integer", "number"), "categorical": ("category", "string", "boolean")}


def literal(value: Any, indent: int = 0) -> str:
    """``value`` (text, numbers, lists, tuples, dicts of them) as Python source with double-quoted text.

    A long list, tuple or dict gets one item per line, indented for a statement starting at ``indent``.
    """
    text = _flat(value)
    if len(text) + indent <= 100 or not isinstance(value, list | tuple | dict) or not value:
        return text
    pad, end = " " * (indent + 4), " " * indent
    if isinstance(value, dict):
        items = [f"{_flat(k)}: {_flat(v)}" for k, v in value.items()]
        return "{\n" + "".join(f"{pad}{item},\n" for item in items) + end + "}"
    opening, closing = ("[", "]") if isinstance(value, list) else ("(", ")")
    return opening + "\n" + "".join(f"{pad}{_flat(v)},\n" for v in value) + end + closing


def regex_literal(pattern: str) -> str:
    """A regular expression as a raw string literal where one can hold it, else an ordinary one."""
    for quote in ('"', "'"):
        raw = f"r{quote}{pattern}{quote}"
        try:
            if quote not in pattern and ast.literal_eval(raw) == pattern:
                return raw
        except SyntaxError:
            continue
    return literal(pattern)


def _flat(value: Any) -> str:
    if isinstance(value, str):
        quoted = json.dumps(value, ensure_ascii=False)
        return quoted if ast.literal_eval(quoted) == value else repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_flat(v) for v in value) + "]"
    if isinstance(value, tuple):
        return "(" + ", ".join(_flat(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_flat(k)}: {_flat(v)}" for k, v in value.items()) + "}"
    return repr(value)


def selection(columns: Mapping[str, Any], frame: str) -> tuple[str, tuple[str, ...]]:
    """A Python expression for the column names ``columns`` (a ColumnSelection as JSON) picks from ``frame``.

    Returns the expression and the helpers it needs. The names come in the table's order, as the
    module resolves them; where the rules only name columns, the expression lists them literally.
    """
    start = columns.get("start", "none")
    rules = [(r.get("op", "include"), list(r.get("names") or []), list(r.get("types") or [])) for r in columns["rules"]]
    named_only = all(not types for _, _, types in rules)
    if start == "all" and not rules:
        return f"list({frame}.columns)", ()
    if named_only and start == "none" and all(op == "include" for op, _, _ in rules):
        names = list(dict.fromkeys(n for _, ns, _ in rules for n in ns))
        return f"[name for name in {frame}.columns if name in {literal(names)}]", ()
    if named_only and start == "all" and all(op == "exclude" for op, _, _ in rules):
        names = list(dict.fromkeys(n for _, ns, _ in rules for n in ns))
        return f"[name for name in {frame}.columns if name not in {literal(names)}]", ()
    if start == "none" and len(rules) == 1 and rules[0][0] == "include" and not rules[0][1]:
        kinds = _kinds(rules[0][2])
        if kinds is None:
            return f"list({frame}.columns)", ()
        return f"[name for name in {frame}.columns if column_kind({frame}[name]) in {literal(kinds)}]", (COLUMN_KIND,)
    return f"select_by_rules({frame}, {literal(start)}, {literal(rules)})", (COLUMN_KIND, SELECT_BY_RULES)


def _kinds(types: list[str]) -> list[str] | None:
    """The column kinds a rule's types stand for; ``None`` for every column ("all")."""
    if "all" in types:
        return None
    return list(dict.fromkeys(k for t in types for k in _TYPE_GROUPS.get(t, (t,))))


# -- column roles known before running ----------------------------------------------------------------

#: Modules whose table output carries its input's roles unchanged (same columns, or columns added).
_SAME_ROLES = {
    ("split_data", "results_dataset1"): "dataset",
    ("split_data", "results_dataset2"): "dataset",
    ("normalize_data", "transformed_dataset"): "dataset",
    ("preprocess_text", "results_dataset"): "dataset",
    ("extract_n_gram_features_from_text", "results_dataset"): "dataset",
    ("remove_duplicate_rows", "results_dataset"): "dataset",
    ("partition_and_sample", "sampled_dataset"): "dataset",
}
#: Modules whose table output keeps its input's roles for the columns it still has (roles of a dropped
#: column are pruned, which only matters when there are roles).
_PRUNED_ROLES = {
    ("select_columns", "results_dataset"): "dataset",
    ("clean_missing_data", "cleaned_dataset"): "dataset",
    ("filter_based_feature_selection", "filtered_dataset"): "dataset",
    ("execute_python_script", "result_dataset"): "dataset1",
    ("add_columns", "combined_dataset"): "left_dataset",
}
#: Outputs that never carry roles.
_NO_ROLES = {
    ("dataset", "dataset"),
    ("filter_based_feature_selection", "features"),
    ("extract_n_gram_features_from_text", "result_vocabulary"),
    ("execute_python_script", "python_device_dataset"),
}


def input_roles(spec: NodeSpec, port: str) -> dict[str, Any] | None:
    """The column roles (``DataTable.meta``) of the table reaching ``port``, when they are known statically.

    ``None`` when they depend on something this cannot see (a module not listed here, an unconnected source).
    Readable sections pass plain DataFrames, so a module whose result depends on roles (Filter Based Feature
    Selection's "feature columns only") is written readably only when its input's roles are known.
    """
    source = spec.sources.get(port)
    if source is None:
        return None
    return output_roles(source, spec.source_ports.get(port, ""))


def output_roles(spec: NodeSpec, port: str) -> dict[str, Any] | None:
    key = (spec.module, port)
    if key == ("edit_metadata", "results_dataset"):
        found = edit_metadata_plan(spec)
        return found[2] if found is not None else None
    if key in _NO_ROLES or (spec.module == "execute_python_script" and "dataset1" not in spec.inputs):
        return {}
    if key in _SAME_ROLES:
        return input_roles(spec, _SAME_ROLES[key])
    if key == ("filter_based_feature_selection", "filtered_dataset") and spec.params["operate_on_feature_columns_only"]:
        return input_roles(spec, "dataset")  # label and score columns are not candidates: never dropped
    if key in _PRUNED_ROLES:
        roles = input_roles(spec, _PRUNED_ROLES[key])
        return {} if roles == {} else None
    return None


def meta_of(roles: dict[str, Any] | None, port: str) -> dict[str, str]:
    """``NodeCode.meta`` for an output whose roles are ``roles`` (nothing when there are none or they are unknown)."""
    return {port: literal(roles)} if roles else {}


def edit_metadata_plan(spec: NodeSpec) -> tuple[list[str], list[str], dict[str, Any]] | None:
    """For an Edit Metadata node that only changes roles, flags or names: the selected names (as listed),
    the new names (empty: unchanged) and the output's roles; ``None`` when these are not known before running
    (a type conversion, a selection by type, roles of the input unknown, or an order that depends on the table)."""
    from modules.library.data_transformation._columns import rename_meta
    from modules.library.data_transformation.edit_metadata import EditMetadata, _roles

    p = spec.params
    column = p["column"]
    if p["data_type"] != "Unchanged" or p["categorical"] == "Non categorical":
        return None
    if column.get("start", "none") != "none" or any(r["op"] != "include" or r["types"] for r in column["rules"]):
        return None
    roles = input_roles(spec, "dataset")
    names = list(dict.fromkeys(n for r in column["rules"] for n in r["names"]))
    new = [n.strip() for n in p["new_column_names"].split(",")] if p["new_column_names"].strip() else []
    if roles is None or not names or (new and len(new) != len(names)) or (p["fields"] == "Label" and len(names) != 1):
        return None
    flags_in_order = p["categorical"] == "Categorical" or p["fields"] == "Clear feature"
    if len(names) > 1 and (flags_in_order or (new and any(n in _mentioned(roles) for n in names))):
        return None  # the result would depend on the selected columns' order in the table
    meta = _roles(dict(roles), names, EditMetadata.Params.model_validate(p))
    renames = {old: n for old, n in zip(names, new, strict=False) if old != n}
    return names, new, rename_meta(meta, renames) if renames else meta


def _mentioned(meta: dict[str, Any]) -> set[str]:
    """Column names the roles mention."""
    found = {meta.get("label_column"), meta.get("fold_column")} | set(dict(meta.get("score_columns") or {}).values())
    for key in ("categorical_columns", "non_feature_columns"):
        found |= set(meta.get(key) or [])
    return {n for n in found if isinstance(n, str)}
