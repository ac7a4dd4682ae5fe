"""Component documents the component tests share."""

from __future__ import annotations

from typing import Any

from tests.support.pipelines import document


def prep_document(method: str = "ZScore", columns: list[str] | None = None) -> dict[str, Any]:
    """'Prep': clean missing values, then normalize; exposes the normalization method."""
    inner = document(
        [
            (
                "clean",
                "clean_missing_data",
                {"cleaning_mode": "Replace with mean", "columns": ["sepal_length", "sepal_width"]},
            ),
            (
                "norm",
                "normalize_data",
                {"transformation_method": method, "columns": columns or ["sepal_length", "sepal_width"]},
            ),
        ],
        ["clean.cleaned_dataset -> norm.dataset"],
    )
    return {
        "kind": "graph",
        "graph": inner,
        "inputs": [{"name": "dataset", "description": "Raw rows", "targets": [{"node": "clean", "port": "dataset"}]}],
        "outputs": [{"name": "cleaned", "description": "", "source": {"node": "norm", "port": "transformed_dataset"}}],
        "parameters": [
            {
                "name": "method",
                "description": "How to scale",
                "targets": [{"node": "norm", "param": "transformation_method"}],
            }
        ],
    }


def pipeline_using(dataset_id: int, component_id: int, version: int = 1, **params: Any) -> dict[str, Any]:
    doc = document(
        [
            ("data", "dataset", {"dataset": {"dataset_id": dataset_id}}),
            ("prep", f"component:{component_id}", dict(params)),
            ("pick", "select_columns", {"columns": ["sepal_length", "species"]}),
        ],
        ["data.dataset -> prep.dataset", "prep.cleaned -> pick.dataset"],
    )
    doc["nodes"][1]["version"] = version
    return doc


SCRIPT = {
    "kind": "script",
    "script": (
        "def run(inputs, params):\n"
        "    df = inputs['dataset']\n"
        "    out = df[df[params['column']] > params['threshold']].copy()\n"
        "    out['flag'] = 1\n"
        "    return {'result': out}\n"
    ),
    "spec": {
        "category": "Data Transformation",
        "description": "Rows above a threshold",
        "inputs": [{"name": "dataset", "type": "table", "optional": False, "description": ""}],
        "outputs": [{"name": "result", "type": "table", "description": ""}],
        "parameters": [
            {"name": "column", "type": "column", "input": "dataset", "default": "sepal_length"},
            {"name": "threshold", "type": "number", "default": 5.0, "minimum": 0},
        ],
    },
}
