"""Content negotiation for file downloads whose ``?format=`` names a file format, not a renderer.

DRF reads the ``format`` query parameter as a choice of renderer and answers 404 when no renderer has
that format. The download view builds its CSV, Parquet, JSON or zip response itself and checks
``format`` with a 400 naming it; only its errors go through a renderer, always as JSON.
"""

from __future__ import annotations

from typing import Any

from rest_framework.negotiation import BaseContentNegotiation


class FileFormatNegotiation(BaseContentNegotiation):
    def select_parser(self, request: Any, parsers: Any) -> Any:
        return parsers[0] if parsers else None

    def select_renderer(self, request: Any, renderers: Any, format_suffix: str | None = None) -> tuple[Any, str]:
        return renderers[0], renderers[0].media_type
