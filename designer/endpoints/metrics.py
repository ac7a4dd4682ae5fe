"""The operators' /metrics (Prometheus text), served by the web app and by every scoring server.

Its own light module: a scoring server resolves its routes when it starts, and the management API's
views (DRF, drf-spectacular, the pipelines' serializers) are nothing it needs for that. What a scrape
needs (prometheus_client, the monitoring queries, DRF's token check) is imported when one comes.
"""

from __future__ import annotations

import hmac
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus text exposition: a staff user's token or session, or ``TESSERA_METRICS_TOKEN``."""
    from prometheus_client import CollectorRegistry, generate_latest
    from prometheus_client.exposition import CONTENT_TYPE_LATEST

    from .monitoring import EndpointCollector

    if not _may_scrape(request):
        return HttpResponse("Authentication with a staff account or the metrics token is required.\n", status=401)
    registry = CollectorRegistry(auto_describe=False)
    registry.register(EndpointCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


def _may_scrape(request: HttpRequest) -> bool:
    token = str(settings.TESSERA_METRICS_TOKEN)
    header = request.headers.get("Authorization", "")
    if token and header.lower().startswith("bearer ") and hmac.compare_digest(header[7:].strip(), token):
        return True
    user: Any = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_staff:
        return True
    if header.lower().startswith("token "):
        from rest_framework.authentication import TokenAuthentication
        from rest_framework.exceptions import AuthenticationFailed

        try:
            found = TokenAuthentication().authenticate(request)  # type: ignore[arg-type]
        except AuthenticationFailed:
            return False
        return bool(found and found[0].is_staff)
    return False
