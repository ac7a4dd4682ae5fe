"""Download an endpoint as a scoring bundle (any member of its workspace: the bundle holds no key)."""

from __future__ import annotations

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request

from . import bundles
from .views import PROBLEMS, EndpointViewBase

DESCRIPTION = (
    "A .tar.gz holding the endpoint's inference pipeline (pipeline.json), the models and transformations it "
    "reads (artifacts/, named by SHA-256), its input schema and example requests, Tessera's engine and module "
    "library (src/), a runner that answers the endpoint's Azure- and MLflow-shaped requests with the same "
    "answers without the Tessera server or database (runner.py, served by gunicorn), requirements.txt, a "
    "Dockerfile and a README. No key of the endpoint is in it."
)


class EndpointBundleView(EndpointViewBase):
    @extend_schema(
        responses={
            (200, bundles.MEDIA_TYPE): OpenApiTypes.BINARY,
            404: OpenApiResponse(description="Not in one of your workspaces."),
            422: PROBLEMS,
        },
        summary="Download the endpoint as a self-contained scoring bundle (viewer)",
        description=DESCRIPTION,
    )
    def get(self, request: Request, pk: int) -> FileResponse:
        stream, filename = bundles.scoring_bundle(self.get_object(pk))
        return FileResponse(stream, content_type=bundles.MEDIA_TYPE, as_attachment=True, filename=filename)
