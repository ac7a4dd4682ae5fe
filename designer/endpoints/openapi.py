"""Each endpoint's own OpenAPI 3 document: its input columns and types, an example from the training data."""

from __future__ import annotations

from typing import Any

from .models import Endpoint

JSON_TYPES = {
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "boolean": {"type": "boolean"},
    "string": {"type": "string"},
    "category": {"type": "string"},
    "datetime": {"type": "string", "format": "date-time"},
    "image": {"type": "string", "format": "byte", "description": "A PNG or JPEG image as base64 text."},
}


def _value_schema(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, int):
        return {"type": "integer"}
    if isinstance(value, float):
        return {"type": "number"}
    return {"type": "string"}


def _row_schema(columns: list[dict[str, str]]) -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": [c["name"] for c in columns],
        "properties": {c["name"]: {**JSON_TYPES[c["type"]], "nullable": True} for c in columns},
    }


def _output_schema(example_response: dict[str, Any]) -> dict[str, Any]:
    results = example_response.get("Results") or {}
    properties = {}
    for name, rows in results.items():
        first = rows[0] if rows else {}
        properties[name] = {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {k: {**_value_schema(v), "nullable": True} for k, v in first.items()},
            },
        }
    return {
        "type": "object",
        "required": ["Results"],
        "properties": {"Results": {"type": "object", "properties": properties}, **_notes(AZURE_NOTES, list(results))},
    }


#: The answer's keys beyond the rows, per request style; present only when they say something.
AZURE_NOTES = ("DroppedRows", "RowIndex", "Warnings", "WarningsOmitted")
MLFLOW_NOTES = ("dropped_rows", "row_index", "warnings", "warnings_omitted")
ROWS = {"type": "array", "items": {"type": "integer", "minimum": 0}}


def _notes(names: tuple[str, ...], outputs: list[str]) -> dict[str, Any]:
    """Schemas of the keys an answer carries beyond its rows, named as ``names`` (Azure or MLflow style)."""
    traced = {**ROWS, "nullable": True, "description": "null: a node changed the row count untraceably."}
    if names == MLFLOW_NOTES and len(outputs) == 1:
        row_index: dict[str, Any] = traced
    else:
        row_index = {"type": "object", "additionalProperties": traced}
    return {
        names[0]: {
            "type": "array",
            "description": "Present when the pipeline removed request rows: which (0-based, in request order), "
            "which node removed them and why. The output holds one row per remaining request row.",
            "items": {"$ref": "#/components/schemas/DroppedRows"},
        },
        names[1]: {
            **row_index,
            "description": "Present when rows were removed (or untraceably changed): the 0-based request row of "
            "each output row, per output.",
        },
        names[2]: {
            "type": "array",
            "description": "Present when a value lies outside what the model saw in training, or a node changed "
            "the row count untraceably; at most 100 per answer.",
            "items": {"$ref": "#/components/schemas/Warning"},
        },
        names[3]: {"type": "integer", "description": "Present when more warnings were found than listed."},
    }


NOTE_SCHEMAS: dict[str, Any] = {
    "DroppedRows": {
        "type": "object",
        "required": ["input", "rows", "node", "module", "message"],
        "properties": {
            "input": {"type": "string", "description": "The Web Service Input the rows were sent to."},
            "rows": {**ROWS, "description": "0-based indexes of the removed rows in the request."},
            "node": {"type": "string", "description": "Id of the node that removed them."},
            "module": {"type": "string"},
            "columns": {"type": "array", "items": {"type": "string"}, "description": "The columns at fault."},
            "message": {"type": "string"},
        },
    },
    "Warning": {
        "type": "object",
        "required": ["kind", "message"],
        "properties": {
            "kind": {"type": "string", "enum": ["unseen_category", "out_of_range", "rows_untraceable"]},
            "input": {"type": "string"},
            "row": {"type": "integer", "description": "0-based index of the row in the request."},
            "column": {"type": "string"},
            "value": {"nullable": True},
            "expected": {
                "type": "object",
                "description": 'out_of_range: {"min", "max"} of the training data; unseen_category: '
                '{"categories": the first 20 training categories, "count": how many there are}.',
            },
            "node": {"type": "string", "description": "rows_untraceable: the node that changed the row count."},
            "message": {"type": "string"},
        },
    },
}
NOTE_HEADERS = {
    "Tessera-Dropped-Rows": {
        "description": "How many request rows the pipeline removed (absent when none).",
        "schema": {"type": "integer"},
    },
    "Tessera-Warnings": {
        "description": "How many warnings the answer found, listed or not (absent when none).",
        "schema": {"type": "integer"},
    },
}


def _ordered(row: dict[str, Any], names: list[str]) -> dict[str, Any]:
    """``row`` with the input columns first, in their order (PostgreSQL's jsonb does not keep key order)."""
    first = {n: row[n] for n in names if n in row}
    return {**first, **{k: v for k, v in row.items() if k not in first}}


def ordered_example(endpoint: Endpoint) -> dict[str, Any]:
    columns = {i["name"]: [c["name"] for c in i["columns"]] for i in endpoint.inputs}
    given = (endpoint.example or {}).get("Inputs", {})
    inputs = {name: [_ordered(r, columns.get(name, [])) for r in rows] for name, rows in given.items()}
    return {"Inputs": inputs, "GlobalParameters": {}}


def ordered_example_response(endpoint: Endpoint) -> dict[str, Any]:
    names = [c["name"] for i in endpoint.inputs for c in i["columns"]]
    results = (endpoint.example_response or {}).get("Results")
    if not results:
        return {}
    return {"Results": {k: [_ordered(r, names) for r in rows] for k, rows in results.items()}}


def endpoint_openapi(endpoint: Endpoint, base_url: str) -> dict[str, Any]:
    base = base_url.rstrip("/") + f"/endpoints/{endpoint.name}"
    inputs = {i["name"]: {"type": "array", "items": _row_schema(i["columns"])} for i in endpoint.inputs}
    request_schema = {
        "type": "object",
        "required": ["Inputs"],
        "additionalProperties": False,
        "properties": {
            "Inputs": {
                "type": "object",
                "required": list(inputs),
                "additionalProperties": False,
                "properties": inputs,
            },
            "GlobalParameters": {"type": "object", "maxProperties": 0},
        },
        "example": ordered_example(endpoint),
    }
    example_response = ordered_example_response(endpoint)
    output_schema = {**_output_schema(example_response), "example": example_response}
    first_input = endpoint.inputs[0] if endpoint.inputs else {"columns": []}
    mlflow_schema = {
        "oneOf": [
            {
                "type": "object",
                "required": ["dataframe_split"],
                "properties": {
                    "dataframe_split": {
                        "type": "object",
                        "required": ["columns", "data"],
                        "properties": {
                            "columns": {"type": "array", "items": {"type": "string"}},
                            "data": {"type": "array", "items": {"type": "array", "items": {}}},
                        },
                    }
                },
            },
            {
                "type": "object",
                "required": ["dataframe_records"],
                "properties": {"dataframe_records": {"type": "array", "items": _row_schema(first_input["columns"])}},
            },
        ]
    }
    mlflow_output = {
        "type": "object",
        "required": ["predictions"],
        "properties": {"predictions": {}, **_notes(MLFLOW_NOTES, list(endpoint.outputs))},
    }
    error = {
        "type": "object",
        "properties": {
            "error": {
                "type": "object",
                "properties": {
                    "code": {"type": "integer"},
                    "message": {"type": "string"},
                    "details": {"type": "array", "items": {"type": "object"}},
                },
            }
        },
    }
    failures = {
        str(code): {
            "description": text,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        for code, text in (
            (400, "The body or a value is invalid; the message names the input, row and column."),
            (401, "The key is missing or wrong."),
            (413, "The body or the number of rows is over the limit."),
        )
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": f"{endpoint.name} (Tessera real-time endpoint)",
            "version": str(endpoint.version_number),
            "description": endpoint.description
            or f"Scores rows with version {endpoint.version_number} of its pipeline.",
        },
        "servers": [{"url": base}],
        "security": [{"Bearer": []}],
        "paths": {
            "/score": {
                "post": {
                    "operationId": "RunMLService",
                    "summary": "Score rows (Azure ML designer request format)",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ServiceInput"}}},
                    },
                    "responses": {
                        "200": {
                            "description": "One object per scored row under each output name; rows a pipeline "
                            "removes are named under DroppedRows, never left out silently.",
                            "headers": NOTE_HEADERS,
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ServiceOutput"}}},
                        },
                        **failures,
                    },
                }
            },
            "/invocations": {
                "post": {
                    "operationId": "Invocations",
                    "summary": "Score rows (MLflow request formats: dataframe_split, dataframe_records, CSV)",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": mlflow_schema},
                            "text/csv": {"schema": {"type": "string"}},
                        },
                    },
                    "responses": {
                        "200": {
                            "description": 'Scored rows under "predictions"; rows a pipeline removes are named '
                            'under "dropped_rows", never left out silently.',
                            "headers": NOTE_HEADERS,
                            "content": {"application/json": {"schema": mlflow_output}},
                        },
                        **failures,
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {
                "Bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Either of the endpoint's two keys: 'Authorization: Bearer <key>'.",
                }
            },
            "schemas": {"ServiceInput": request_schema, "ServiceOutput": output_schema, "Error": error, **NOTE_SCHEMAS},
        },
    }
