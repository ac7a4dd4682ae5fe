"""Scoring requests: key check, one loaded pipeline per endpoint revision and process, call records.

Plain Django views (no DRF, no session, no CSRF: callers authenticate with an endpoint key). Every
outcome, including refusals, failures and overload (503 with Retry-After when no database connection
came free in time), is recorded, with the in-app latency and, on a scoring server, the time from accept
to answer; nothing a caller sends escapes as a 500 without a record.
"""

from __future__ import annotations

import hmac
import json
import logging
import threading
import time
from collections import OrderedDict
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from designer import throttling
from designer.artifacts import artifact_store
from designer.engine.answers import answer_headers, answer_json, read_request
from designer.engine.graph import parse_graph
from designer.engine.scoring import Limits, NotServable, Scored, ScoringError, ScoringPipeline
from designer.engine.store import ArtifactMissing
from designer.environments.building import build_environments
from designer.errors import is_overload, overload_envelope, retry_after_seconds

from .lookup import lookup
from .models import Endpoint
from .needed_modules import registry_for
from .openapi import endpoint_openapi
from .recorder import call_record, recorder
from .samples import sample_json
from .timing import READY_AT

log = logging.getLogger(__name__)
CACHE_SIZE = 64


class _Loaded:
    """Loaded pipelines by (endpoint id, revision): loaded once per process, dropped least recently used."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: OrderedDict[tuple[int, int], ScoringPipeline] = OrderedDict()

    def get(self, endpoint_id: int, revision: int) -> ScoringPipeline:
        key = (endpoint_id, revision)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        document = Endpoint.objects.values_list("document", flat=True).get(pk=endpoint_id)
        build_environments(document)  # built once per host; found at once afterwards
        graph = parse_graph(document)
        pipeline = ScoringPipeline.load(graph, registry_for(graph), artifact_store().get)
        with self._lock:
            self._items[key] = pipeline
            while len(self._items) > CACHE_SIZE:
                self._items.popitem(last=False)
        return pipeline


loaded = _Loaded()


def preload(names: str) -> int:
    """Load endpoints' pipelines before the first call (``TESSERA_SCORING_PRELOAD``): ``all`` (the most
    recently changed, as many as the cache holds), ``none``, or a comma-separated list of names. Returns
    how many loaded; an endpoint that cannot load is logged and left to fail on its own calls."""
    if names.strip().lower() in ("", "none"):
        return 0
    endpoints = Endpoint.objects.order_by("-updated_at")
    if names.strip().lower() != "all":
        endpoints = endpoints.filter(name__in=[n.strip() for n in names.split(",") if n.strip()])
    try:
        found = list(endpoints.values_list("id", "revision", "name")[:CACHE_SIZE])
    except DatabaseError as exc:  # not migrated yet, or the database is down: load on first calls instead
        log.warning("no endpoint preloaded: %s", exc)
        connection.close()
        return 0
    count = 0
    for endpoint_id, revision, name in found:
        try:
            loaded.get(endpoint_id, revision)
        except Exception as exc:  # noqa: BLE001 - a broken endpoint must not keep the server from starting
            log.warning("endpoint %r not preloaded: %s", name, exc)
            continue
        count += 1
    connection.close()
    return count


def _error(status: int, message: str, kind: str, details: list[dict[str, Any]] | None = None) -> ScoringError:
    return ScoringError(status, message, details, kind=kind)


def _caller_key(request: HttpRequest) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise _error(401, "Send the endpoint key as 'Authorization: Bearer <key>'.", "unauthorized")
    return key.strip()


def _authorized(endpoint: dict[str, Any], key: str) -> bool:
    ok_primary = hmac.compare_digest(key.encode(), endpoint["primary_key"].encode())
    ok_secondary = hmac.compare_digest(key.encode(), endpoint["secondary_key"].encode())
    return ok_primary or ok_secondary


class _KeyRefused(ScoringError):
    """A wrong key: 401, or 429 with ``retry_after`` seconds once this endpoint or this client sent too many."""

    def __init__(self, retry_after: int | None) -> None:
        if retry_after is None:
            super().__init__(401, "The key is not valid for this endpoint.", kind="unauthorized")
        else:
            message = f"Too many wrong keys for this endpoint or from this address; try again in {retry_after} seconds."
            super().__init__(429, message, [{"retry_after": retry_after}], kind="throttled")
        self.retry_after = retry_after


def _wrong_key(request: HttpRequest, endpoint: dict[str, Any]) -> _KeyRefused:
    """Count a wrong key per endpoint and per client address. Only failures reach the counters: a right
    key is never looked up there, so a flood of wrong keys cannot lock legitimate callers out."""
    checks = [
        (throttling.KEY_ENDPOINT, str(endpoint["id"])),
        (throttling.KEY_CLIENT, throttling.client_address(request)),
    ]
    wait = throttling.locked_for(checks)  # while locked, attempts are refused without being counted
    return _KeyRefused(wait if wait is not None else throttling.record_failure(checks))


def _retry_after(response: HttpResponse, refusal: object | None) -> HttpResponse:
    wait = getattr(refusal, "retry_after", None)
    if wait is not None:
        response["Retry-After"] = str(wait)
    return response


def _endpoint(name: str) -> dict[str, Any]:
    found = lookup.get(name)  # from memory; changes reach it at once on this host (lookup.py)
    if found is None:
        raise _error(404, f"No endpoint is named '{name}'.", "not_found")
    return found


def _body(request: HttpRequest) -> bytes:
    limit = int(settings.TESSERA_SCORING_MAX_BODY_BYTES)
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if declared.isdigit() and int(declared) > limit:
        raise _error(413, f"The body is {int(declared)} bytes; the limit is {limit}.", "too_large")
    try:
        body = request.body
    except RequestDataTooBig:
        raise _error(413, f"The body is larger than the limit of {limit} bytes.", "too_large") from None
    if len(body) > limit:
        raise _error(413, f"The body is {len(body)} bytes; the limit is {limit}.", "too_large")
    return body


class _CaptureBudget:
    """Rows per second each endpoint may keep for drift, per process: a token bucket holding ten seconds'
    worth, so bursts of a few calls keep every row.

    Under steady heavy traffic a bounded share of calls is kept, enough to judge drift, while the cost
    (turning rows into JSON and writing them, on the recorder's thread) stops growing with the traffic:
    on ~600 single-row calls a second, samples at 100 rows/s cost 12 % of the throughput (p99 at one
    connection 10.9 ms against 6.0 ms without samples); at 1,000 rows/s, 24 % and 24.7 ms
    (``make bench-scoring``'s servers, medians of 3 rounds, 2026-12-06)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buckets: dict[int, tuple[float, float]] = {}  # endpoint id -> (tokens, when)

    def take(self, endpoint_id: int, rows: int, rate: float) -> bool:
        now = time.monotonic()
        capacity = max(rate * BURST_SECONDS, float(rows))
        with self._lock:
            tokens, when = self._buckets.get(endpoint_id, (capacity, now))
            tokens = min(capacity, tokens + (now - when) * rate)
            if tokens < rows:
                self._buckets[endpoint_id] = (tokens, now)
                return False
            self._buckets[endpoint_id] = (tokens - rows, now)
            return True


_budget = _CaptureBudget()
BURST_SECONDS = 10.0


def _capture(endpoint_id: int, tables: dict[str, Any], images: set[str]) -> None:
    """Keep the first rows of each input for drift analysis (written with the call records), within
    ``TESSERA_CAPTURE_ROWS_PER_SECOND`` per endpoint and process.

    Image inputs are not kept: a sample would store the callers' images, and drift is not measured on them.
    """
    keep = int(settings.TESSERA_CAPTURE_ROWS_PER_CALL)
    if keep <= 0:
        return
    kept = {name: table for name, table in tables.items() if name not in images}
    rows = sum(min(keep, len(table.df)) for table in kept.values())
    if not rows or not _budget.take(endpoint_id, rows, float(settings.TESSERA_CAPTURE_ROWS_PER_SECOND)):
        return
    for name, table in kept.items():
        frame = table.df if len(table.df) <= keep else table.df.head(keep)  # written at once: no copy needed
        recorder.record_sample(sample_json(endpoint_id, name, frame))


def _handle(request: HttpRequest, endpoint: dict[str, Any], style: str) -> tuple[str, int, Scored]:
    """The response body (JSON text), the number of rows scored, and what the answer says beyond its rows.

    Beyond ``Results`` (Azure) or ``predictions`` (MLflow) the answer carries, only when there is something
    to say, the rows the pipeline removed and why, the request row of each output row, and warnings about
    values the model never saw in training (``Scored.extras``): clients that read only the usual key are
    unaffected, and a clean answer is byte for byte what it always was.
    """
    try:
        pipeline = loaded.get(endpoint["id"], endpoint["revision"])
    except (NotServable, ArtifactMissing) as exc:
        log.error("endpoint %s cannot load: %s", endpoint["id"], exc)
        raise _error(503, "The endpoint cannot load its pipeline; redeploy it.", "unavailable") from None
    _release_database()
    limits = Limits(max_rows=int(settings.TESSERA_SCORING_MAX_ROWS))
    body = _body(request)
    depth = int(settings.TESSERA_MAX_JSON_DEPTH)
    tables = read_request(body, request.content_type or "", style, pipeline.inputs, limits, depth)
    rows = sum(len(t.df) for t in tables.values())
    scored = pipeline.score_traced(tables)
    _capture(endpoint["id"], tables, {i.name for i in pipeline.inputs if i.takes_images})
    return answer_json(scored, style), rows, scored


def _release_database() -> None:
    """Hand the database connection back to the pool before scoring: scoring reads nothing more from the
    database (the call record goes to the spool), so a slow model does not hold a connection others
    wait for. A request inside a transaction (the in-process test client) keeps its connection."""
    if not connection.in_atomic_block:
        connection.close()


def _noted(scored: Scored | None) -> dict[str, Any]:
    """The call record's fields for what the answer said beyond its rows."""
    if scored is None:
        return {}
    return {
        "dropped_rows": scored.rows_dropped,
        "warning_count": scored.warnings_total,
        "warnings": scored.record(),
    }


def _tell(response: HttpResponse, scored: Scored | None) -> None:
    """Headers for clients that read no body keys beyond the rows (CSV, MLflow clients): counts only."""
    if scored is None:
        return
    for header, value in answer_headers(scored).items():
        response[header] = value


def _score(request: HttpRequest, name: str, style: str) -> HttpResponse:
    started = time.perf_counter()
    endpoint: dict[str, Any] | None = None
    scored: Scored | None = None
    rows = 0
    kind = ""
    refusal: ScoringError | _Overloaded | None = None
    try:
        if request.method != "POST":
            raise _error(405, "Send scoring requests with POST.", "method")
        endpoint = _endpoint(name)
        key = _caller_key(request)
        if not _authorized(endpoint, key):
            raise _wrong_key(request, endpoint)
        body, rows, scored = _handle(request, endpoint, style)
        status = 200
    except ScoringError as exc:
        body, status, kind, refusal = json.dumps(exc.to_json()), exc.status, exc.kind, exc
    except Exception as exc:
        if is_overload(exc):
            log.warning("scoring on endpoint %r refused: %s", name, exc)
            body, status, kind = json.dumps(overload_envelope()), 503, "overloaded"
            refusal = _Overloaded()
        else:
            log.exception("scoring on endpoint %r failed", name)
            failure = _error(500, "Internal error while scoring.", "internal").to_json()
            body, status, kind = json.dumps(failure), 500, "internal"
    response = _retry_after(HttpResponse(body, status=status, content_type="application/json"), refusal)
    _tell(response, scored)
    if status == 405:
        response["Allow"] = "POST"
    # Every call is recorded, refusals and failures included; one the database could not be asked about
    # is recorded by endpoint name (found when the record is written, dropped if no endpoint has it).
    ready = request.META.get(READY_AT, getattr(request, "scope", {}).get(READY_AT))  # gunicorn, or Daphne
    recorder.record_call(
        call_record(
            endpoint_id=endpoint["id"] if endpoint is not None else None,
            endpoint_name=name,
            status=status,
            latency_ms=(time.perf_counter() - started) * 1000.0,
            total_ms=(time.monotonic() - ready) * 1000.0 if isinstance(ready, float) else None,
            rows=rows,
            error_kind=kind,
            style=style,
            noted=_noted(scored),
        )
    )
    return response


class _Overloaded:
    """No database connection came free in time: the client may try again shortly."""

    @property
    def retry_after(self) -> int:
        return retry_after_seconds()


@csrf_exempt
def score(request: HttpRequest, name: str) -> HttpResponse:
    """Azure ML designer's contract: ``{"Inputs": {...}, "GlobalParameters": {}}`` -> ``{"Results": {...}}``."""
    return _score(request, name, "azure")


@csrf_exempt
def invocations(request: HttpRequest, name: str) -> HttpResponse:
    """MLflow's scoring contract: ``dataframe_split``, ``dataframe_records`` or CSV -> ``{"predictions": ...}``."""
    return _score(request, name, "mlflow")


def swagger(request: HttpRequest, name: str) -> JsonResponse:
    """The endpoint's own OpenAPI document; it describes the key, so reading it needs one too."""
    try:
        endpoint = _endpoint(name)
        if not _authorized(endpoint, _caller_key(request)):
            raise _wrong_key(request, endpoint)
    except ScoringError as exc:
        return _retry_after(JsonResponse(exc.to_json(), status=exc.status), exc)
    full = Endpoint.objects.get(pk=endpoint["id"])
    return JsonResponse(endpoint_openapi(full, request.build_absolute_uri("/")))


def health(request: HttpRequest) -> JsonResponse:
    """For load balancers: this scoring process answers."""
    return JsonResponse({"status": "Healthy"})
