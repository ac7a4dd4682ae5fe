"""The REST API's JSON parser: every JSON body is read with the shared limits (size, nesting depth,
strict JSON) before anything parses it, so no body can end in a 500 by its shape.

It is the only default parser (settings.REST_FRAMEWORK): form-encoded bodies would bypass it (DRF's
``JSONField`` parses a form field's text with ``json.loads`` itself), so views that take file uploads
name ``MultiPartParser`` explicitly. JSON is read as UTF-8 whatever charset the Content-Type names.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from designer.engine import safejson


def read_json(stream: Any, *, limit: int, what: str = "The body") -> Any:
    """The JSON value of a request stream: 413 over ``limit`` bytes (without reading more than
    that), 400 naming the fault for anything else the shared reader refuses."""
    from designer.api import PayloadTooLarge  # designer.api imports DRF's views, which import this parser

    raw = stream.read(limit + 1) if stream is not None else b""
    if not raw:
        return {}
    try:
        return safejson.loads(raw, what=what, max_bytes=limit, max_depth=int(settings.TESSERA_MAX_JSON_DEPTH))
    except safejson.JSONRefused as exc:
        if exc.status == 413:
            raise PayloadTooLarge(f"{what} is larger than the {_size(limit)} limit for JSON requests.") from None
        raise ParseError(exc.message) from None


def _size(limit: int) -> str:
    mb = 1024 * 1024
    return f"{limit // mb} MB" if limit % mb == 0 else f"{limit} bytes"


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with the shared limits; the body may be at most DATA_UPLOAD_MAX_MEMORY_SIZE."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        return read_json(stream, limit=int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE))
