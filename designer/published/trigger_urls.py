"""The routes key holders call (no session): start runs, poll them, download their tables, the OpenAPI document."""

from django.urls import path

from . import triggering

urlpatterns = [
    path("pipeline-endpoints/<slug:name>/runs", triggering.start_default, name="pipeline-endpoint-start"),
    path(
        "pipeline-endpoints/<slug:name>/versions/<int:number>/runs",
        triggering.start_version,
        name="pipeline-endpoint-start-version",
    ),
    path("pipeline-endpoints/<slug:name>/runs/<int:run_id>", triggering.run_status, name="pipeline-endpoint-run"),
    path(
        "pipeline-endpoints/<slug:name>/runs/<int:run_id>/outputs/<slug:node>/<slug:port>",
        triggering.run_output,
        name="pipeline-endpoint-run-output",
    ),
    path("pipeline-endpoints/<slug:name>/swagger.json", triggering.swagger, name="pipeline-endpoint-swagger"),
]
