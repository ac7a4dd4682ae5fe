"""Contract cases for the Python Language modules (user code in a limited child process)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from modules.sdk import DataTable
from modules.sdk.values import ZipArchive
from tests.support.zips import zip_of

from ._helpers import Case

TWO_OUTPUTS = """\
import pandas as pd
from helpers import ROWS

def azureml_main(dataframe1 = None, dataframe2 = None):
    return dataframe1, dataframe2.head(ROWS)
"""


def _two_tables(table: DataTable, run: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    return {"dataset1": table, "dataset2": table, "script_bundle": ZipArchive(zip_of({"helpers.py": "ROWS = 5\n"}))}


ADD_COLUMN = """\
def run(inputs, params):
    df = inputs["dataset"].copy()
    df["doubled"] = df[params["column"]] * params["factor"]
    return {"result": df, "head": df.head(params["rows"])}
"""


def _one_table(table: DataTable, run: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    return {"input_1": table}


CASES: dict[str, Case] = {
    "script_component": Case(
        _one_table,
        {
            "script": ADD_COLUMN,
            "inputs": ["dataset"],
            "outputs": ["result", "head"],
            "parameters": [
                {"name": "column", "type": "column", "input": "dataset"},
                {"name": "factor", "type": "integer", "default": 2},
                {"name": "rows", "type": "integer", "default": 3, "minimum": 1},
            ],
            "values": {"column": "hours", "factor": 3},
            "timeout_seconds": 60,
            "memory_limit_mb": 1024,
        },
    ),
    "execute_python_script": Case(
        _two_tables, {"python_script": TWO_OUTPUTS, "timeout_seconds": 60, "memory_limit_mb": 1024}
    ),
}
