"""Scoring routes, served by the web app and by dedicated scoring servers (``scripts/score``)."""

from django.urls import path

from . import serving, views

urlpatterns = [
    path("endpoints/<slug:name>/score", serving.score, name="endpoint-score"),
    path("endpoints/<slug:name>/invocations", serving.invocations, name="endpoint-invocations"),
    path("endpoints/<slug:name>/swagger.json", serving.swagger, name="endpoint-swagger"),
    path("healthz", serving.health, name="scoring-health"),
    path("metrics", views.metrics, name="metrics"),
]
