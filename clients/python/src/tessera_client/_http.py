"""The one HTTP session every resource uses: base URL, token, timeouts, pages, and the server's errors
turned into typed exceptions (``errors.py``) that name their cause in one line.

Nothing above this file sees an ``httpx`` exception or a raw error body.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import httpx

from .errors import (
    AuthError,
    Conflict,
    NetworkError,
    NotFound,
    PermissionDenied,
    ServerError,
    TesseraError,
    ValidationFailed,
)

PAGE = 1000  # the server's largest page
USER_AGENT = "tessera-client/0.1"
#: DRF's words for a request it could not authenticate; it answers them with 403, not 401, when session
#: authentication comes first (as on this server), so they are told apart from a missing permission here.
NOT_AUTHENTICATED = frozenset(
    {
        "Invalid token.",
        "Authentication credentials were not provided.",
        "User inactive or deleted.",
        "Invalid token header. No credentials provided.",
    }
)


class Session:
    """``Session(url, token)``: JSON in, JSON out; ``stream`` for downloads, ``pages`` for lists."""

    def __init__(self, url: str, token: str | None = None, *, timeout: float = 60.0) -> None:
        self.url = url.rstrip("/")
        self.token = token
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Token {token}"
        self._client = httpx.Client(base_url=self.url, headers=headers, timeout=timeout)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- requests ----------------------------------------------------------------------------------
    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._client.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            raise network_error(self.url, method, path, exc) from None
        if response.status_code >= 400:
            raise error_for(response, method, path)
        return response

    def get(self, path: str, **params: Any) -> Any:
        return _json(self.request("GET", path, params=_clean(params)))

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        if "files" in kwargs or "data" in kwargs:
            return _json(self.request("POST", path, **kwargs))
        return _json(self.request("POST", path, json=body if body is not None else {}, **kwargs))

    def patch(self, path: str, body: Any) -> Any:
        return _json(self.request("PATCH", path, json=body))

    def put(self, path: str, body: Any) -> Any:
        return _json(self.request("PUT", path, json=body))

    def delete(self, path: str) -> None:
        self.request("DELETE", path)

    def pages(self, path: str, **params: Any) -> Iterator[dict[str, Any]]:
        """Every row of a paginated list (``?limit=&offset=``), a page at a time."""
        offset = 0
        while True:
            body = self.get(path, **params, limit=PAGE, offset=offset)
            if isinstance(body, list):  # an unpaginated list
                yield from body
                return
            rows = body.get("results", [])
            yield from rows
            offset += len(rows)
            if not body.get("next") or not rows:
                return

    @contextlib.contextmanager
    def stream(self, method: str, path: str, **kwargs: Any) -> Iterator[httpx.Response]:
        """A response whose body is read in chunks (``iter_bytes``); errors raised before it is yielded."""
        try:
            with self._client.stream(method, path, **kwargs) as response:
                if response.status_code >= 400:
                    response.read()
                    raise error_for(response, method, path)
                yield response
        except httpx.TransportError as exc:
            raise network_error(self.url, method, path, exc) from None


def _clean(params: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in params.items() if v is not None}


def _json(response: httpx.Response) -> Any:
    if response.status_code == 204 or not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        raise TesseraError(
            f"The server answered {response.request.method} {response.request.url.path} with something that is "
            f"not JSON ({response.headers.get('content-type', 'no content type')}); is the URL a Tessera server?"
        ) from None


def network_error(url: str, method: str, path: str, exc: httpx.TransportError) -> NetworkError:
    reason = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.ConnectError):
        return NetworkError(f"Cannot reach the server at {url}: {reason}.")
    if isinstance(exc, httpx.TimeoutException):
        return NetworkError(f"The server at {url} did not answer {method} {path} in time ({type(exc).__name__}).")
    return NetworkError(f"The connection to {url} broke during {method} {path}: {reason}.")


def error_for(response: httpx.Response, method: str, path: str) -> TesseraError:
    """The typed error of a 4xx/5xx answer, with the server's own words and problem list."""
    status = response.status_code
    body = _body(response)
    detail = _detail(body) or response.reason_phrase or f"HTTP {status}"
    problems = _problems(body)
    if status == 401 or (status == 403 and detail in NOT_AUTHENTICATED):
        return AuthError(
            f"The server refused your credentials ({detail.rstrip('.')}): sign in again with `tessera login` "
            "or set TESSERA_TOKEN.",
            status=status,
        )
    if status == 403:
        return PermissionDenied(detail, status=status)
    if status == 404:
        return NotFound(detail if detail != "Not Found" else f"{method} {path}: not found.", status=status)
    if status == 409:
        return Conflict(detail, status=status)
    if status >= 500:
        return ServerError(f"The server failed on {method} {path} (HTTP {status}): {detail}", status=status)
    if status in (400, 422) and (problems or isinstance(body, dict)):
        return ValidationFailed(_with_first(detail, problems, body), status=status, problems=problems)
    return TesseraError(f"{detail} (HTTP {status})", status=status, problems=problems)


def _body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text.strip()[:300]


def _detail(body: Any) -> str:
    if isinstance(body, str):
        return body
    if not isinstance(body, dict):
        return ""
    if isinstance(body.get("error"), dict):  # the scoring and trigger routes' shape
        return str(body["error"].get("message", ""))
    detail = body.get("detail", "")
    if isinstance(detail, list):
        detail = " ".join(str(d) for d in detail)
    return str(detail)


def _problems(body: Any) -> list[dict[str, Any]]:
    if not isinstance(body, dict):
        return []
    if isinstance(body.get("problems"), list):
        return [p for p in body["problems"] if isinstance(p, dict)]
    if isinstance(body.get("error"), dict) and isinstance(body["error"].get("details"), list):
        return [p for p in body["error"]["details"] if isinstance(p, dict)]
    fields = body.get("fields") if isinstance(body.get("fields"), dict) else None
    if fields is None and "detail" not in body:
        fields = body  # a bare DRF field-error dict
    if not fields:
        return []
    return [{"code": "invalid", "path": name, "message": f"{name}: {_text(msgs)}"} for name, msgs in fields.items()]


def _text(messages: Any) -> str:
    if isinstance(messages, list):
        return " ".join(_text(m) for m in messages)
    if isinstance(messages, dict):
        return "; ".join(f"{k}: {_text(v)}" for k, v in messages.items())
    return str(messages)


def _with_first(detail: str, problems: list[dict[str, Any]], body: Any) -> str:
    """One line: the server's summary and its first named problem (the CLI lists the others)."""
    if not problems:
        return detail
    first = str(problems[0].get("message", ""))
    if not first or first == detail:
        return detail
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    if detail in ("Some fields are invalid.", ""):
        return f"{first}{more}"
    return f"{detail.rstrip('.')}: {first}{more}"
