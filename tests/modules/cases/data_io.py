"""Contract cases for Import Data and Export Data, on files inside an allowed temporary directory."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from modules.sdk import DataTable

from ._helpers import Case

ROOT = Path(tempfile.mkdtemp(prefix="tessera-contract-io-"))
SOURCE = ROOT / "source.csv"


def _allowed_files(table: DataTable, run: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    os.environ["TESSERA_IMPORT_ROOTS"] = str(ROOT)
    table.df.to_csv(SOURCE, index=False)
    return {}


def _export(table: DataTable, run: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    _allowed_files(table, run)
    return {"dataset": table}


CASES: dict[str, Case] = {
    "import_data": Case(_allowed_files, {"data_source": "Path or object-store URL", "path": str(SOURCE)}),
    "export_data": Case(
        _export, {"path": str(ROOT / "out" / "table.parquet"), "file_format": "Parquet", "if_exists": "replace"}
    ),
}
