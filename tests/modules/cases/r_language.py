"""Contract cases for the R Language modules (user R code under Rscript in a limited child process)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from modules.sdk import DataTable
from modules.sdk.values import ZipArchive
from tests.support.zips import zip_of

from ._helpers import Case

TWO_OUTPUTS = """\
source("./Script Bundle/helpers.R")
azureml_main <- function(dataframe1, dataframe2){
  return(list(dataset1=dataframe1, dataset2=head(dataframe2, ROWS)))
}
"""


def _two_tables(table: DataTable, run: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    return {"dataset1": table, "dataset2": table, "script_bundle": ZipArchive(zip_of({"helpers.R": "ROWS <- 5\n"}))}


CASES: dict[str, Case] = {
    "execute_r_script": Case(_two_tables, {"r_script": TWO_OUTPUTS, "timeout_seconds": 60, "memory_limit_mb": 1024}),
}
