"""The scoring bundle's server: a WSGI app that answers the endpoint's requests without Tessera's server.

It loads the bundle's ``pipeline.json`` once, reading artifacts from ``artifacts/<sha256>`` (each one
checked against its name), and answers the same routes with the same bodies as a Tessera endpoint:

- ``POST /score`` (also ``/endpoints/<name>/score``): Azure ML designer's ``{"Inputs": ..., "GlobalParameters": {}}``;
- ``POST /invocations`` (also ``/endpoints/<name>/invocations``): MLflow's ``dataframe_split``,
  ``dataframe_records`` or CSV;
- ``GET /healthz``: ``{"status": "Healthy"}``; ``GET /``: the bundle's manifest (``bundle.json``), behind the key
  when one is set.

Request parsing and answer writing are the endpoint's own (``designer.engine.answers``), so an answer is
byte for byte the endpoint's. What the endpoint does beyond answering (call records, drift samples,
throttling of wrong keys) needs its database and is not done here; gunicorn's access log records calls.

Environment: ``TESSERA_SCORING_KEY`` (optional): when set, callers must send ``Authorization: Bearer <key>``
(answered 401 as the endpoint does); ``TESSERA_SCORING_MAX_BODY_MB`` (5), ``TESSERA_SCORING_MAX_ROWS``
(10000) and ``TESSERA_MAX_JSON_DEPTH`` (100), the endpoint's defaults. Pure: no Django, no database.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from designer.engine.answers import answer_headers, answer_json, read_request
from designer.engine.graph import parse_graph
from designer.engine.scoring import Limits, ScoringError, ScoringPipeline
from designer.engine.store import check_digest, digest_of

log = logging.getLogger("tessera.bundle")

KEY_VARIABLE = "TESSERA_SCORING_KEY"
STATUS_TEXT = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


class ArtifactReader:
    """Artifacts by digest from ``artifacts/``, verified: a changed file is refused, never served."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def __call__(self, digest: str) -> bytes:
        data = (self.folder / check_digest(digest)).read_bytes()
        if digest_of(data) != digest:
            raise ValueError(f"artifact {digest} in {self.folder} does not match its digest; the bundle was changed")
        return data


class BundleApp:
    """The WSGI application: one loaded pipeline, the endpoint's routes."""

    def __init__(self, root: Path, environ: dict[str, str] | None = None) -> None:
        from modules.sdk import default_registry

        env = os.environ if environ is None else environ
        self.root = root
        self.manifest = json.loads((root / "bundle.json").read_text())
        document = json.loads((root / "pipeline.json").read_text())
        self.pipeline = ScoringPipeline.load(
            parse_graph(document), default_registry(), ArtifactReader(root / "artifacts")
        )
        self.name = str(self.manifest["endpoint"])
        self.key = env.get(KEY_VARIABLE, "").strip()
        self.limits = Limits(max_rows=int(env.get("TESSERA_SCORING_MAX_ROWS", "10000")))
        self.max_body = int(env.get("TESSERA_SCORING_MAX_BODY_MB", "5")) * 1024 * 1024
        self.max_depth = int(env.get("TESSERA_MAX_JSON_DEPTH", "100"))
        self.routes = {
            "/score": "azure",
            "/invocations": "mlflow",
            f"/endpoints/{self.name}/score": "azure",
            f"/endpoints/{self.name}/invocations": "mlflow",
        }

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO") or "/"
        method = environ.get("REQUEST_METHOD", "GET")
        headers: dict[str, str] = {}
        if path in ("/healthz", f"/endpoints/{self.name}/healthz"):
            status, body = 200, json.dumps({"status": "Healthy"})
        elif path == "/":
            status, body = self._describe(environ)
        elif path in self.routes:
            status, body, headers = self._score(environ, method, self.routes[path])
        else:
            refusal = ScoringError(404, f"Nothing is served at '{path[:200]}'; POST to /score or /invocations.")
            status, body = 404, json.dumps(refusal.to_json())
        data = body.encode()
        head = [("Content-Type", "application/json"), ("Content-Length", str(len(data))), *headers.items()]
        start_response(f"{status} {STATUS_TEXT.get(status, 'Error')}", head)
        return [data]

    def _describe(self, environ: dict[str, Any]) -> tuple[int, str]:
        try:
            self._check_key(environ)
        except ScoringError as exc:
            return exc.status, json.dumps(exc.to_json())
        return 200, json.dumps(self.manifest)

    def _check_key(self, environ: dict[str, Any]) -> None:
        if not self.key:
            return
        scheme, _, given = str(environ.get("HTTP_AUTHORIZATION", "")).partition(" ")
        if scheme.lower() != "bearer" or not given.strip():
            raise ScoringError(401, "Send the endpoint key as 'Authorization: Bearer <key>'.", kind="unauthorized")
        if not hmac.compare_digest(given.strip().encode(), self.key.encode()):
            raise ScoringError(401, "The key is not valid for this endpoint.", kind="unauthorized")

    def _body(self, environ: dict[str, Any]) -> bytes:
        declared = str(environ.get("CONTENT_LENGTH") or "0")
        if declared.isdigit() and int(declared) > self.max_body:
            raise ScoringError(
                413, f"The body is {int(declared)} bytes; the limit is {self.max_body}.", kind="too_large"
            )
        stream = environ["wsgi.input"]
        body = stream.read(int(declared)) if declared.isdigit() and int(declared) else stream.read(self.max_body + 1)
        if len(body) > self.max_body:
            raise ScoringError(413, f"The body is {len(body)} bytes; the limit is {self.max_body}.", kind="too_large")
        return bytes(body)

    def _score(self, environ: dict[str, Any], method: str, style: str) -> tuple[int, str, dict[str, str]]:
        try:
            if method != "POST":
                refusal = ScoringError(405, "Send scoring requests with POST.", kind="method")
                return 405, json.dumps(refusal.to_json()), {"Allow": "POST"}
            self._check_key(environ)
            content_type = str(environ.get("CONTENT_TYPE") or "").split(";", 1)[0].strip()
            tables = read_request(
                self._body(environ), content_type, style, self.pipeline.inputs, self.limits, self.max_depth
            )
            scored = self.pipeline.score_traced(tables)
            return 200, answer_json(scored, style), answer_headers(scored)
        except ScoringError as exc:
            return exc.status, json.dumps(exc.to_json()), {}
        except Exception:
            log.exception("scoring failed")
            failure = ScoringError(500, "Internal error while scoring.", kind="internal")
            return 500, json.dumps(failure.to_json()), {}


def make_app(root: Path | str) -> BundleApp:
    """The app for the unpacked bundle at ``root`` (the folder holding ``bundle.json``)."""
    return BundleApp(Path(root))
