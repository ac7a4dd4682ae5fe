"""A scoring call's body in and answer out, shared by the endpoint (``designer/endpoints/serving.py``) and
the scoring bundle's runner (``designer/engine/bundle/runner.py``), so both answer byte for byte alike.

``read_request`` turns the body into one table per Web Service Input: Azure ML designer's JSON at
``score``, MLflow's JSON (``dataframe_split`` / ``dataframe_records``) or CSV at ``invocations``.
``answer_json`` writes ``{"Results": {...}}`` or ``{"predictions": ...}`` with the extra keys
``Scored.extras`` has to say. Pure: no Django.
"""

from __future__ import annotations

import json
from typing import Any

from modules.sdk import DataTable

from . import safejson
from .scoring import InputSpec, Limits, Scored, ScoringError, parse_azure, parse_csv, parse_mlflow, records_json

CSV_TYPES = ("text/csv", "application/csv")


def parse_json(body: bytes, max_depth: int) -> Any:
    """The request's JSON, read with the shared limits (depth, duplicate keys); NaN and Infinity are
    allowed, as Python clients write missing values that way."""
    try:
        return safejson.loads(body, max_depth=max_depth, allow_nan=True)
    except safejson.JSONRefused as exc:
        kind = {"too_deep": "too_deep", "too_large": "too_large"}.get(exc.code, "bad_body")
        raise ScoringError(exc.status, exc.message, kind=kind) from None


def read_request(
    body: bytes, content_type: str, style: str, inputs: list[InputSpec], limits: Limits, max_depth: int
) -> dict[str, DataTable]:
    """One table per input name; ``style`` is ``"azure"`` or ``"mlflow"``; a refusal is a ``ScoringError``."""
    if style == "mlflow" and content_type.lower() in CSV_TYPES:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise ScoringError(400, "The CSV body is not UTF-8 text.", kind="bad_body") from None
        return parse_csv(text, inputs, limits)
    if style == "mlflow":
        return parse_mlflow(parse_json(body, max_depth), inputs, limits)
    return parse_azure(parse_json(body, max_depth), inputs, limits)


def answer_json(scored: Scored, style: str) -> str:
    """The answer's JSON text: the rows (``Results`` per output, or MLflow's ``predictions``), then the extras."""
    results = scored.results
    outputs = ",".join(f"{json.dumps(k)}:{records_json(v)}" for k, v in results.items())
    extras = "".join(f",{json.dumps(k)}:{json.dumps(v)}" for k, v in scored.extras(style).items())
    if style == "mlflow":
        answer = records_json(next(iter(results.values()))) if len(results) == 1 else "{" + outputs + "}"
        return '{"predictions":' + answer + extras + "}"
    return '{"Results":{' + outputs + "}" + extras + "}"


def answer_headers(scored: Scored) -> dict[str, str]:
    """Headers for clients that read no body keys beyond the rows (CSV, MLflow clients): counts only."""
    headers: dict[str, str] = {}
    if scored.rows_dropped:
        headers["Tessera-Dropped-Rows"] = str(scored.rows_dropped)
    if scored.warnings_total:
        headers["Tessera-Warnings"] = str(scored.warnings_total)
    return headers
