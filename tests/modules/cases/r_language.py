"""Contract cases for the R Language modules (user R code under Rscript in a limited child process)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from modules.sdk import DataTable

from ._helpers import Case

TWO_OUTPUTS = """\
azureml_main <- function(dataframe1, dataframe2){
  return(list(dataset1=dataframe1, dataset2=head(dataframe2, 5)))
}
"""


def _two_tables(table: DataTable, run: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    return {"dataset1": table, "dataset2": table}


CASES: dict[str, Case] = {
    "execute_r_script": Case(_two_tables, {"r_script": TWO_OUTPUTS, "timeout_seconds": 60, "memory_limit_mb": 1024}),
}
