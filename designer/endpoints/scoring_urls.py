"""Scoring routes, served by the web app and by dedicated scoring servers (``scripts/score``)."""

from django.urls import path

from . import metrics, serving

urlpatterns = [
    path("endpoints/<slug:name>/score", serving.score, name="endpoint-score"),
    path("endpoints/<slug:name>/invocations", serving.invocations, name="endpoint-invocations"),
    path("endpoints/<slug:name>/swagger.json", serving.swagger, name="endpoint-swagger"),
    path("healthz", serving.health, name="scoring-health"),
    path("metrics", metrics.metrics, name="metrics"),
]

# JSON errors for /api/ and /endpoints/ (designer/errors.py), Django's plain pages elsewhere.
handler400 = "designer.errors.bad_request"
handler403 = "designer.errors.permission_denied"
handler404 = "designer.errors.page_not_found"
handler500 = "designer.errors.server_error"
