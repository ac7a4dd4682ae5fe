"""Contract cases for the modules of batch inference pipelines: Parallel Run and Register Dataset.

Both read their input as a stored table (``In(Table, stored=True)``): the cases store the shared table in
the context's artifacts and hand over a ``StoredTable``. Parallel Run scores through ``ctx.score``, which the
engine provides on workers; here a stand-in runs the library's Score Model code on each mini-batch."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from modules.library.scoring.score_model import score_table
from modules.sdk import DataTable, StoredTable

from ._helpers import Case, _scoring

COLUMNS = [
    {"name": "age", "type": "integer"},
    {"name": "hours", "type": "number"},
    {"name": "workclass", "type": "string"},
    {"name": "married", "type": "boolean"},
]
SCORING = {
    "schema_version": 1,
    "nodes": [
        {"id": "input", "module": "web_service_input", "version": 1, "params": {"columns": COLUMNS}},
        {"id": "model", "module": "saved_trained_model", "version": 1, "params": {"artifact": "6" * 64}},
        {"id": "score", "module": "score_model", "version": 1, "params": {}},
        {"id": "output", "module": "web_service_output", "version": 1, "params": {}},
    ],
    "edges": [
        {"source": {"node": "input", "port": "request"}, "target": {"node": "score", "port": "dataset"}},
        {"source": {"node": "model", "port": "trained_model"}, "target": {"node": "score", "port": "trained_model"}},
        {"source": {"node": "score", "port": "scored_dataset"}, "target": {"node": "output", "port": "dataset"}},
    ],
}


def _stored(table: DataTable, run: Callable[..., dict[str, Any]]) -> StoredTable:
    tables = run.ctx.tables  # type: ignore[attr-defined]
    stored: StoredTable = tables.open(tables.save(table))
    return stored


def _dataset(table: DataTable, run: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    return {"dataset": _stored(table, run)}


def _scored_in_mini_batches(table: DataTable, run: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    model = _scoring(table, run)["trained_model"]

    def scorer(document: Mapping[str, Any], tables: Mapping[str, DataTable]) -> dict[str, DataTable]:
        return {"WebServiceOutput0": score_table(model, tables["WebServiceInput0"])}

    run.ctx.scorer = scorer  # type: ignore[attr-defined]
    return _dataset(table, run)


CASES: dict[str, Case] = {
    "parallel_run": Case(_scored_in_mini_batches, {"scoring_pipeline": SCORING, "mini_batch_size": 25}),
    "register_dataset": Case(_dataset, {"dataset_name": "scored"}),
}
