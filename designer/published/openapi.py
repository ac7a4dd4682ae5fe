"""Each pipeline endpoint's own OpenAPI 3.1 document (3.1, whose schemas are JSON Schema 2020-12, so the
parameters' schemas go in as they are): the trigger body of every published version, from its
parameters' JSON Schemas (``pipelines.selectors.parameter_schema``) and the defaults it stores, with an
example built from those defaults; polling, table downloads and the errors callers get."""

from __future__ import annotations

import copy
from typing import Any

from .models import PipelineEndpoint, PublishedVersion
from .selectors import parameters_of, versions_of

FILE_NOTE = (
    "A CSV, TSV or Parquet file with the columns of the parameter's default dataset; it is stored as a new "
    "version of the endpoint's dataset for this parameter and the run reads it."
)


def _example(described: list[dict[str, Any]]) -> dict[str, Any]:
    """Every parameter at its default; a parameter without one at a placeholder of its type."""
    placeholders = {"string": "", "integer": 0, "number": 0.0, "boolean": False, "json": None}
    example = {}
    for p in described:
        if "default" in p:
            example[p["name"]] = copy.deepcopy(p["default"])
        elif p["type"] == "dataset":
            example[p["name"]] = {"dataset_id": 1, "version": None}
        else:
            example[p["name"]] = placeholders.get(p["type"])
    return example


def _trigger_body(published: PublishedVersion) -> tuple[dict[str, Any], dict[str, Any]]:
    """The JSON body's schema and the multipart form's schema of one published version."""
    described = parameters_of(published)
    values = described["schema"]
    json_body = {
        "type": "object",
        "additionalProperties": False,
        "properties": {"parameters": {**values, "description": "Values by parameter name; left out: the default."}},
        "example": {"parameters": _example(described["parameters"])},
    }
    if values.get("required"):
        json_body["required"] = ["parameters"]
    form: dict[str, Any] = {"type": "object", "properties": {}, "additionalProperties": False}
    for p in described["parameters"]:
        text = {"type": "string", "description": f"{p['description'] or p['name']} (as text: a {p['type']} value)"}
        if p["type"] == "dataset":
            form["properties"][p["name"]] = {
                "oneOf": [
                    {"type": "string", "format": "binary", "description": FILE_NOTE},
                    {**text, "description": 'A dataset of the workspace as JSON text: {"dataset_id": 3, "version": 2}'},
                ]
            }
        elif p["type"] == "string":
            form["properties"][p["name"]] = copy.deepcopy(p["schema"])
        else:
            form["properties"][p["name"]] = text
    required = [p["name"] for p in described["parameters"] if p["required"]]
    if required:
        form["required"] = required
    return json_body, form


def _start_operation(published: PublishedVersion, name: str, summary: str) -> dict[str, Any]:
    schema_name = f"TriggerV{published.number}"
    return {
        "operationId": name,
        "summary": summary,
        "description": f"Runs version {published.version.number} of the pipeline "
        f"'{published.version.pipeline.name}' with the values given (the others at their defaults).",
        "requestBody": {
            "required": False,
            "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}},
                "multipart/form-data": {"schema": {"$ref": f"#/components/schemas/{schema_name}Form"}},
            },
        },
        "responses": {
            "202": {
                "description": "The run started; poll urls.status or follow urls.websocket (with the key).",
                "headers": {"Location": {"schema": {"type": "string"}, "description": "The status URL."}},
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Started"}}},
            },
            **_failures(
                (400, "A value, file or field is invalid; details name it (parameters.<name>)."),
                (401, "The key is missing or wrong."),
                (413, "The body or a file is over the limit."),
                (429, "Too many wrong keys; wait Retry-After seconds."),
            ),
        },
    }


def _failures(*codes: tuple[int, str]) -> dict[str, Any]:
    return {
        str(code): {
            "description": text,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        for code, text in codes
    }


STARTED: dict[str, Any] = {
    "type": "object",
    "required": ["id", "status", "version", "parameters", "urls"],
    "properties": {
        "id": {"type": "integer", "description": "The run id."},
        "status": {"type": "string", "enum": ["queued", "running", "completed", "failed", "cancelled"]},
        "endpoint": {"type": "string"},
        "version": {"type": "integer", "description": "The published version run."},
        "pipeline_version": {"type": "integer"},
        "parameters": {"type": "object", "description": "The value every parameter took."},
        "urls": {
            "type": "object",
            "properties": {
                "status": {"type": "string", "description": "GET it with the key to poll the run."},
                "websocket": {
                    "type": "string",
                    "description": "The run's event stream; send the key as 'Authorization: Bearer <key>' or ?key=.",
                },
            },
        },
    },
}
RUN_STATE: dict[str, Any] = {
    "type": "object",
    "properties": {
        **STARTED["properties"],
        "error": {"type": "string"},
        "created_at": {"type": "string", "format": "date-time"},
        "started_at": {"type": ["string", "null"], "format": "date-time"},
        "finished_at": {"type": ["string", "null"], "format": "date-time"},
        "elapsed": {"type": ["number", "null"]},
        "trigger": {"type": "object"},
        "nodes": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "node": {"type": "string"},
                    "module": {"type": "string"},
                    "module_name": {"type": "string"},
                    "status": {"type": "string"},
                    "progress": {"type": "number"},
                    "error": {"type": ["string", "null"]},
                },
            },
        },
        "outputs": {
            "type": "array",
            "description": "The tables the run produced so far; final: no other node reads it.",
            "items": {
                "type": "object",
                "properties": {
                    "node": {"type": "string"},
                    "port": {"type": "string"},
                    "module": {"type": "string"},
                    "final": {"type": "boolean"},
                    "rows": {"type": ["integer", "null"]},
                    "download_url": {"type": "string", "description": "CSV; add ?format=parquet for Parquet."},
                },
            },
        },
    },
}
ERROR: dict[str, Any] = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "integer"},
                "message": {"type": "string"},
                "details": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {"field": {"type": "string", "description": "e.g. parameters.fraction"}},
                    },
                },
            },
        }
    },
}


def pipeline_endpoint_openapi(endpoint: PipelineEndpoint, base_url: str) -> dict[str, Any]:
    base = base_url.rstrip("/") + f"/pipeline-endpoints/{endpoint.name}"
    versions = list(versions_of(endpoint).select_related("version__pipeline"))
    default = next((v for v in versions if v.number == endpoint.default_version), None)
    schemas: dict[str, Any] = {"Started": STARTED, "RunState": RUN_STATE, "Error": ERROR}
    paths: dict[str, Any] = {}
    for published in versions:
        body, form = _trigger_body(published)
        schemas[f"TriggerV{published.number}"] = body
        schemas[f"TriggerV{published.number}Form"] = form
        paths[f"/versions/{published.number}/runs"] = {
            "post": _start_operation(
                published, f"StartV{published.number}", f"Start a run of version {published.number}"
            )
        }
    if default is not None:
        paths = {"/runs": {"post": _start_operation(default, "Start", "Start a run of the default version")}} | paths
    run_id = {"name": "run_id", "in": "path", "required": True, "schema": {"type": "integer"}}
    paths["/runs/{run_id}"] = {
        "get": {
            "operationId": "RunStatus",
            "summary": "A run this endpoint started: status, nodes, values and table downloads",
            "parameters": [run_id],
            "responses": {
                "200": {
                    "description": "The run.",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RunState"}}},
                },
                **_failures((401, "The key is missing or wrong."), (404, "This endpoint started no such run.")),
            },
        }
    }
    paths["/runs/{run_id}/outputs/{node}/{port}"] = {
        "get": {
            "operationId": "RunOutput",
            "summary": "Download a table the run produced",
            "parameters": [
                run_id,
                {"name": "node", "in": "path", "required": True, "schema": {"type": "string"}},
                {"name": "port", "in": "path", "required": True, "schema": {"type": "string"}},
                {"name": "format", "in": "query", "schema": {"type": "string", "enum": ["csv", "parquet"]}},
            ],
            "responses": {
                "200": {
                    "description": "The table.",
                    "content": {
                        "text/csv": {"schema": {"type": "string"}},
                        "application/vnd.apache.parquet": {"schema": {"type": "string", "format": "binary"}},
                    },
                },
                **_failures((401, "The key is missing or wrong."), (404, "No such table output.")),
            },
        }
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{endpoint.name} (Tessera pipeline endpoint)",
            "version": str(endpoint.default_version),
            "description": endpoint.description
            or f"Starts runs of the pipeline '{endpoint.pipeline.name}'; the default is version "
            f"{endpoint.default_version} of this endpoint.",
        },
        "servers": [{"url": base}],
        "security": [{"Bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "Bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Either of the endpoint's two keys: 'Authorization: Bearer <key>'.",
                }
            },
            "schemas": schemas,
        },
    }
