"""The API key holders call: start a run of a pipeline endpoint, poll it, download its tables, read the
endpoint's OpenAPI document.

Plain Django views like scoring (``designer.endpoints.serving``): no session, no CSRF, the endpoint key
in ``Authorization: Bearer <key>``, wrong keys throttled as scoring keys are, JSON read with the shared
limits, and every refusal in the scoring error shape ``{"error": {"code", "message", "details"}}`` whose
details name the field at fault (``parameters.<name>``, ``version``).

A run is started with a JSON body ``{"parameters": {...}}`` or a multipart form whose fields are
parameter values (as text, read by each parameter's type) and whose files are datasets for dataset
parameters (``overrides.py``).
"""

from __future__ import annotations

import io
import logging
import math
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pandas as pd
from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from rest_framework.exceptions import APIException

from designer.artifacts import artifact_store
from designer.engine import safejson
from designer.engine.parameters import PipelineParameter, declarations
from designer.engine.scoring import ScoringError
from designer.engine.store import ArtifactMissing
from designer.pipelines.mapper import graph_of

from . import keys, selectors, services
from .models import PipelineEndpoint, PublishedRun
from .openapi import pipeline_endpoint_openapi
from .overrides import Upload

log = logging.getLogger(__name__)
CSV_BATCH_ROWS = 5000
_INTEGER = re.compile(r"^[+-]?\d+$")


def _error(status: int, message: str, kind: str = "", details: list[dict[str, Any]] | None = None) -> ScoringError:
    return ScoringError(status, message, details, kind=kind)


def _answer(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Turn every refusal into the scoring error shape (with Retry-After when throttled); log the rest as 500."""

    def wrapped(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, **kwargs)
        except ScoringError as exc:
            refusal = exc
        except APIException as exc:
            refusal = _from_api(exc)
        except Exception:
            log.exception("pipeline endpoint call %s %s failed", request.method, request.path)
            refusal = _error(500, "Internal error; it was logged.", "internal")
        response = JsonResponse(refusal.to_json(), status=refusal.status)
        wait = getattr(refusal, "retry_after", None)
        if wait is not None:
            response["Retry-After"] = str(wait)
        return response

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return csrf_exempt(wrapped)


def _from_api(exc: APIException) -> ScoringError:
    """A service's refusal (400 with problems, 409, 413) in the scoring shape, problems as details."""
    problems = getattr(exc, "problems", None)
    detail: Any = exc.detail
    if problems is None and isinstance(detail, dict):  # a serializer-style {"field": [messages]}
        message = str(detail.pop("detail", "")) or "Some fields are invalid."
        problems = [{"field": k, "message": " ".join(map(str, v)) if isinstance(v, list) else str(v)}
                    for k, v in detail.items()]  # fmt: skip
        return _error(exc.status_code, message, details=problems)
    details = [_named(dict(p)) for p in problems or []]
    return _error(exc.status_code, str(detail), details=details)


def _named(problem: dict[str, Any]) -> dict[str, Any]:
    """A problem with ``field`` saying which part of the request it is about (``parameters.<name>``)."""
    path = problem.get("path") or ""
    if "field" not in problem and path.startswith(("values.", "parameters.")):
        problem["field"] = "parameters." + path.split(".", 1)[1]
    return {k: v for k, v in problem.items() if v is not None}


def _endpoint_for_key(request: HttpRequest, name: str) -> PipelineEndpoint:
    endpoint = selectors.endpoint_named(name)
    if endpoint is None:
        raise _error(404, f"No pipeline endpoint is named '{name}'.", "not_found")
    keys.check(endpoint, keys.bearer(request.headers.get("Authorization", "")), request.META)
    return endpoint


def _only(request: HttpRequest, *methods: str) -> None:
    if request.method not in methods:
        raise _error(405, f"Use {' or '.join(methods)} here.", "method")


# -- reading a trigger ----------------------------------------------------------------------------


def _json_values(request: HttpRequest) -> dict[str, Any]:
    limit = int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if declared.isdigit() and int(declared) > limit:
        raise _error(413, f"The body is {int(declared)} bytes; the limit is {limit}.", "too_large")
    try:
        raw = request.body
    except RequestDataTooBig:
        raise _error(413, f"The body is larger than the limit of {limit} bytes.", "too_large") from None
    if not raw.strip():
        return {}
    try:
        body = safejson.loads(raw, max_bytes=limit, max_depth=int(settings.TESSERA_MAX_JSON_DEPTH))
    except safejson.JSONRefused as exc:
        raise _error(exc.status, exc.message, exc.code) from None
    if not isinstance(body, dict):
        raise _error(400, 'The body must be a JSON object: {"parameters": {"<name>": <value>, ...}}.', "bad_body")
    unknown = sorted(set(body) - {"parameters"})
    if unknown:
        raise _error(400, f"Unknown field '{unknown[0]}'; the body takes only \"parameters\".", "bad_body",
                     [{"field": name} for name in unknown])  # fmt: skip
    values = body.get("parameters", {})
    if not isinstance(values, dict):
        raise _error(400, '"parameters" must be an object of values by parameter name.', "bad_body",
                     [{"field": "parameters"}])  # fmt: skip
    return values


def _form(request: HttpRequest, declared: Mapping[str, PipelineParameter]) -> tuple[dict[str, Any], dict[str, Upload]]:
    """Values from a multipart form's text fields (read by each parameter's type) and its files."""
    try:
        fields, files = request.POST, request.FILES
    except RequestDataTooBig:
        limit = int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        raise _error(413, f"The form's fields are larger than the limit of {limit} bytes.", "too_large") from None
    except (MultiPartParserError, SuspiciousOperation) as exc:
        raise _error(400, f"The multipart body cannot be read: {exc}", "bad_body") from None
    values: dict[str, Any] = {}
    for name in fields:
        texts = fields.getlist(name)
        if len(texts) != 1:
            raise _error(400, f"Pipeline parameter '{name}' was given {len(texts)} times.", "bad_body",
                         [{"field": f"parameters.{name}"}])  # fmt: skip
        spec = declared.get(name)
        if spec is None:
            known = ", ".join(sorted(declared)) or "none"
            raise _error(400, f"There is no pipeline parameter '{name}' (this pipeline's parameters: {known}).",
                         "bad_body", [{"field": f"parameters.{name}"}])  # fmt: skip
        values[name] = _read_text(spec, texts[0])
    uploads: dict[str, Upload] = {}
    for name in files:
        sent = files.getlist(name)
        if len(sent) != 1:
            raise _error(400, f"Pipeline parameter '{name}' was sent {len(sent)} files; send one.", "bad_body",
                         [{"field": f"parameters.{name}"}])  # fmt: skip
        uploads[name] = Upload(sent[0])
    return values, uploads


def _read_text(spec: PipelineParameter, text: str) -> Any:
    """A form field's text as a value of ``spec``'s type: 400 naming the parameter when it is not one."""
    kind = spec.type
    if kind == "string":
        return text
    if kind in ("dataset", "json"):
        try:
            return safejson.loads(text, max_depth=int(settings.TESSERA_MAX_JSON_DEPTH))
        except safejson.JSONRefused as exc:
            raise _error(400, f"Pipeline parameter '{spec.name}' must be JSON text: {exc.message}", "bad_body",
                         [{"field": f"parameters.{spec.name}"}]) from None  # fmt: skip
    value: Any = None
    stripped = text.strip()
    if kind == "integer" and _INTEGER.match(stripped):
        value = int(stripped)
    elif kind == "number":
        try:
            number = float(stripped)
        except ValueError:
            number = math.nan
        value = number if math.isfinite(number) else None
    elif kind == "boolean" and stripped.lower() in ("true", "false"):
        value = stripped.lower() == "true"
    if value is None:
        wanted = {"integer": "a whole number", "number": "a number", "boolean": "true or false"}[kind]
        shown = text if len(text) <= 60 else text[:57] + "..."
        raise _error(400, f"Pipeline parameter '{spec.name}' must be {wanted}, not '{shown}'.", "bad_body",
                     [{"field": f"parameters.{spec.name}"}])  # fmt: skip
    return value


def read_trigger(
    request: HttpRequest, endpoint: PipelineEndpoint, number: int | None
) -> tuple[dict[str, Any], dict[str, Upload]]:
    """The parameter values and files of a trigger request, JSON or multipart."""
    content_type = (request.content_type or "").lower()
    if content_type == "multipart/form-data":
        published = services.published_version(endpoint, number)
        declared, _ = declarations(graph_of(published.version))
        return _form(request, declared)
    if content_type in ("application/json", "", "text/plain") or content_type.endswith("+json"):
        return _json_values(request), {}
    raise _error(
        415,
        f"Send JSON (Content-Type: application/json) or a multipart form (with files), not {content_type}.",
        "unsupported_media_type",
    )


# -- the views ------------------------------------------------------------------------------------


def _absolute(request: HttpRequest, path: str) -> str:
    return request.build_absolute_uri(path)


def run_urls(request: HttpRequest, endpoint: PipelineEndpoint, run_id: int) -> dict[str, str]:
    status = _absolute(request, reverse("pipeline-endpoint-run", kwargs={"name": endpoint.name, "run_id": run_id}))
    scheme = "wss" if request.is_secure() else "ws"
    return {"status": status, "websocket": f"{scheme}://{request.get_host()}/ws/runs/{run_id}/"}


def _start(request: HttpRequest, name: str, number: int | None) -> HttpResponse:
    _only(request, "POST")
    endpoint = _endpoint_for_key(request, name)
    values, uploads = read_trigger(request, endpoint, number)
    run = services.trigger(endpoint, kind=PublishedRun.Kind.REST, values=values, uploads=uploads, number=number)
    link = PublishedRun.objects.get(run=run)
    urls = run_urls(request, endpoint, run.pk)
    body = {
        "id": run.pk,
        "status": run.status,
        "endpoint": endpoint.name,
        "version": link.number,
        "pipeline_version": run.pipeline_version.number,
        "parameters": run.parameter_values,
        "urls": urls,
    }
    response = JsonResponse(body, status=202)
    response["Location"] = urls["status"]
    return response


@_answer
def start_default(request: HttpRequest, name: str) -> HttpResponse:
    """Start a run of the endpoint's default version: 202 with the run id and the URLs to follow it."""
    return _start(request, name, None)


@_answer
def start_version(request: HttpRequest, name: str, number: int) -> HttpResponse:
    """Start a run of one published version of the endpoint."""
    return _start(request, name, number)


def _run(request: HttpRequest, name: str, run_id: int) -> tuple[PipelineEndpoint, Any]:
    endpoint = _endpoint_for_key(request, name)
    run = selectors.published_run(endpoint, run_id)
    if run is None:
        raise _error(404, f"Pipeline endpoint '{endpoint.name}' started no run {run_id}.", "not_found")
    return endpoint, run


@_answer
def run_status(request: HttpRequest, name: str, run_id: int) -> HttpResponse:
    """The run's status, its nodes', the values it ran with, and download links of its tables."""
    _only(request, "GET")
    endpoint, run = _run(request, name, run_id)
    state = selectors.run_state(run)
    for out in state["outputs"]:
        path = reverse(
            "pipeline-endpoint-run-output",
            kwargs={"name": endpoint.name, "run_id": run.pk, "node": out["node"], "port": out["port"]},
        )
        out["download_url"] = _absolute(request, path)
    state["endpoint"] = endpoint.name
    state["urls"] = run_urls(request, endpoint, run.pk)
    return JsonResponse(state)


@_answer
def run_output(request: HttpRequest, name: str, run_id: int, node: str, port: str) -> HttpResponse:
    """A table the run produced, as CSV (``?format=parquet`` for the stored Parquet file)."""
    _only(request, "GET")
    _endpoint, run = _run(request, name, run_id)
    out = selectors.table_output(run, node, port)
    if out is None:
        tables = ", ".join(f"{t['node']}/{t['port']}" for t in selectors.table_outputs(run)) or "none yet"
        raise _error(404, f"Run {run.pk} has no table output '{port}' of node '{node}' (tables: {tables}).",
                     "not_found")  # fmt: skip
    wanted = request.GET.get("format", "csv")
    if wanted not in ("csv", "parquet"):
        raise _error(400, "format must be csv or parquet.", "bad_request", [{"field": "format"}])
    try:
        data = artifact_store().get(out["digest"])
    except ArtifactMissing:
        raise _error(410, f"The table '{port}' of node '{node}' is no longer stored.", "gone") from None
    filename = f"run{run.pk}-{node}-{port}"
    if wanted == "parquet":
        response = HttpResponse(data, content_type="application/vnd.apache.parquet")
        response["Content-Disposition"] = f'attachment; filename="{filename}.parquet"'
        return response
    streamed = StreamingHttpResponse(_csv_batches(data), content_type="text/csv; charset=utf-8")
    streamed["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return streamed


def _csv_batches(data: bytes) -> Iterator[str]:
    """The Parquet table as CSV (written as the designer's own download writes it), a batch of rows at a
    time: never the whole table as one frame."""
    import pyarrow.parquet as pq

    parquet = pq.ParquetFile(io.BytesIO(data))
    header = True
    for batch in parquet.iter_batches(batch_size=CSV_BATCH_ROWS):
        frame = batch.to_pandas()
        text = frame.to_csv(index=not isinstance(frame.index, pd.RangeIndex), header=header)
        header = False
        yield text
    if header:  # no rows: the header alone
        yield parquet.schema_arrow.empty_table().to_pandas().to_csv(index=False)


@_answer
def swagger(request: HttpRequest, name: str) -> HttpResponse:
    """The endpoint's own OpenAPI document; it describes the key, so reading it needs one too."""
    _only(request, "GET")
    endpoint = _endpoint_for_key(request, name)
    return JsonResponse(pipeline_endpoint_openapi(endpoint, request.build_absolute_uri("/")))
