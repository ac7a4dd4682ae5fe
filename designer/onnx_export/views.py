"""ONNX export API: a model version's "onnx" format, an endpoint or an inference pipeline as an .onnx file,
and the list of what can be exported."""

from __future__ import annotations

import json

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from designer.endpoints.models import Endpoint
from designer.pipelines.models import Pipeline
from designer.pipelines.serializers import ExportQuerySerializer
from designer.registry.models import RegisteredModel
from designer.registry.serializers import ModelFormatSerializer
from designer.workspaces.rest import WorkspaceScopedView
from modules.sdk import default_registry

from . import services

REFUSED = OpenApiResponse(
    description="Not exportable: the node (module) without an ONNX converter and why, or the check against "
    "Score Model on the training rows failing (its first difference); nothing is stored."
)
ONNX_FILE = {(200, "application/octet-stream"): OpenApiTypes.BINARY, 422: REFUSED}
CHECK_HEADER = "X-Tessera-Onnx-Check"


def _file(onnx: services.OnnxFile) -> HttpResponse:
    response = HttpResponse(onnx.content, content_type=services.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{onnx.filename}"'
    response[CHECK_HEADER] = json.dumps(onnx.detail["check"], separators=(",", ":"))
    return response


class ModelOnnxExportView(WorkspaceScopedView):
    queryset = RegisteredModel.objects.select_related("run")
    object_label = "model"

    @extend_schema(
        request=None,
        responses={201: ModelFormatSerializer, 422: REFUSED},
        summary="Export a model version as ONNX, checked against Score Model on its training rows (editor)",
    )
    def post(self, request: Request, pk: int) -> Response:
        request.data  # noqa: B018 - no body is needed, but one sent is read: a hostile one is a 400, as on every route
        model = self.get_object(pk)
        row = services.export_registered_model(model, request.user)
        return Response(ModelFormatSerializer(row).data, status=status.HTTP_201_CREATED)


class EndpointOnnxView(WorkspaceScopedView):
    queryset = Endpoint.objects.all()
    object_label = "endpoint"

    @extend_schema(
        responses=ONNX_FILE,
        summary="Download the endpoint's inference pipeline as one ONNX model, checked against Score Model",
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        endpoint = self.get_object(pk)
        return _file(services.export_document(endpoint.document, endpoint.name))


class PipelineOnnxView(WorkspaceScopedView):
    queryset = Pipeline.objects.all()
    object_label = "pipeline"

    @extend_schema(
        parameters=[ExportQuerySerializer],
        responses=ONNX_FILE,
        summary="Download a real-time inference pipeline version as one ONNX model, checked against Score Model",
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        pipeline = self.get_object(pk)
        query = ExportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        number = query.validated_data.get("version")
        versions = pipeline.versions.order_by("-number")
        version = versions.first() if number is None else versions.filter(number=number).first()
        if version is None:
            raise services.NotExportable(f"Pipeline '{pipeline.name}' has no version {number or ''}".strip() + ".")
        return _file(services.export_document(version.document, f"{pipeline.name}-v{version.number}"))


class OnnxModulesView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=OpenApiTypes.OBJECT,
        summary="Which modules and learners an ONNX export converts, and why the others cannot be exported",
    )
    def get(self, request: Request) -> Response:
        from designer.engine.onnx_export import supported_modules

        return Response(supported_modules(default_registry()))
