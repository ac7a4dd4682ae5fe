"""Readable code for Execute Python Script: the node's script pasted as written, then ``azureml_main`` called.

The module runs the script in a sandboxed child process and passes tables both ways as Parquet; the
readable section runs it in the exported script's own process (the user runs their own code there) and
gives it the same values: each input read back through Apache Arrow as the child reads it (a fresh
copy, so the script cannot change another section's table), and each returned DataFrame stored as the
module stores it (a named index becomes columns, column names become text, ``None`` an empty table).
"""

from __future__ import annotations

import ast

from designer.engine.codegen.node_code import Emitter, NodeCode, NodeSpec

from ._tables import PANDAS, input_roles, meta_of

_THROUGH_ARROW = '''\
def through_arrow(df):
    """A table as the designer stores it: without its index, read back through Apache Arrow."""
    return pa.Table.from_pandas(df, preserve_index=False).to_pandas()
'''

_TESSERA_LOGGING = '''\
def tessera_logging():
    """The designer's ``tessera`` logging calls for the pasted script (``tessera.log_metric(...)`` or ``import
    tessera``): each metric's last value is kept, as the node's Logged values output holds it; logged tables
    and images are accepted and not kept by this script."""
    module = types.ModuleType("tessera")
    module.logged = {}
    module.log_metric = lambda name, value, step=None: module.logged.__setitem__(str(name), float(value))
    module.log_table = lambda name, df: None
    module.log_image = lambda name, figure_or_png: None
    sys.modules["tessera"] = module
    return module
'''

_SCRIPT_RESULTS = '''\
def script_results(returned):
    """What azureml_main returned (a DataFrame, or a tuple of up to two) as the Result dataset and the
    Python device dataset, stored as the designer stores tables; a missing one is an empty table."""
    items = [returned] if isinstance(returned, pd.DataFrame) else list(returned or [])
    if len(items) > 2:
        raise ValueError(f"azureml_main returned {len(items)} values; it may return at most two DataFrames")
    tables = []
    for df in items + [None] * (2 - len(items)):
        df = pd.DataFrame() if df is None else df
        if any(name is not None for name in df.index.names):
            df = df.reset_index()  # a named index (a groupby's keys) is data
        tables.append(through_arrow(df.set_axis([str(c) for c in df.columns], axis=1)))
    return tables
'''


def execute_python_script(spec: NodeSpec) -> NodeCode | None:
    script: str = spec.params["python_script"]
    if "script_bundle" in spec.inputs or not _pastable(script):
        return None
    args = [
        f"through_arrow({spec.inputs[port]})" if port in spec.inputs else "None" for port in ("dataset1", "dataset2")
    ]
    result, device = spec.outputs["result_dataset"], spec.outputs["python_device_dataset"]
    logged = spec.outputs.get("logged_values")
    code = "\n".join(
        [
            "tessera = tessera_logging()  # what the script logs",
            "# the node's script, as written",
            script.rstrip("\n"),
            "",
            "",
            f"{result}, {device} = script_results(azureml_main({args[0]}, {args[1]}))",
            *([f"{logged} = dict(tessera.logged)  # each logged metric's last value"] if logged else []),
        ]
    )
    roles = input_roles(spec, "dataset1") if "dataset1" in spec.inputs else {}
    return NodeCode(
        code,
        (PANDAS, "import pyarrow as pa", "import sys", "import types"),
        (_THROUGH_ARROW, _TESSERA_LOGGING, _SCRIPT_RESULTS),
        meta_of(roles if roles == {} else None, "result_dataset"),
    )


def _pastable(script: str) -> bool:
    """Whether the script can stand at the top level of the exported file: it compiles, defines
    ``azureml_main`` there, and has no ``from __future__`` import (legal only at a file's start)."""
    try:
        tree = ast.parse(script)
    except SyntaxError:
        return False
    defines = any(isinstance(n, ast.FunctionDef) and n.name == "azureml_main" for n in tree.body)
    future = any(isinstance(n, ast.ImportFrom) and n.module == "__future__" for n in ast.walk(tree))
    return defines and not future


EMITTERS: dict[str, Emitter] = {"execute_python_script": execute_python_script}
