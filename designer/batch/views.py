"""Batch inference API: derive a batch inference pipeline from a completed training run (editors)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from designer.endpoints.models import DerivedPipeline
from designer.endpoints.services import made_earlier
from designer.pipelines import selectors as pipeline_selectors
from designer.pipelines.serializers import PipelineDetailSerializer
from designer.runs.models import Run
from designer.workspaces.rest import WorkspaceScopedView

from . import services
from .serializers import BatchInferencePipelineSerializer

DERIVED = inline_serializer(
    "DerivedBatchInferencePipeline",
    {"pipeline": PipelineDetailSerializer(), "notes": serializers.ListField(child=serializers.CharField())},
)
PROBLEMS = OpenApiResponse(
    response=inline_serializer(
        "CannotDeriveBatch",
        {"detail": serializers.CharField(), "problems": serializers.ListField(child=serializers.DictField())},
    ),
    description="No batch inference pipeline can be derived from this run; the problems say why.",
)


class BatchInferencePipelineView(WorkspaceScopedView):
    queryset = Run.objects.select_related("pipeline", "pipeline_version", "workspace", "created_by")
    object_label = "run"

    @extend_schema(
        request=BatchInferencePipelineSerializer,
        responses={
            201: DERIVED,
            200: OpenApiResponse(DERIVED, description="Made from this run before: that pipeline, as it is now."),
            409: OpenApiResponse(description="The run is not completed."),
            422: PROBLEMS,
        },
        summary="Create a batch inference pipeline from a completed training run (editor)",
    )
    def post(self, request: Request, pk: int) -> Response:
        run = self.get_object(pk)
        body = BatchInferencePipelineSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        earlier = made_earlier(run, DerivedPipeline.Kind.BATCH)  # asked again: that one (200), not a copy
        pipeline, notes = earlier or services.create_batch_inference_pipeline(
            request.user, run, data["name"], data["dataset_name"]
        )
        detail = PipelineDetailSerializer(pipeline_selectors.pipeline_detail(pipeline)).data
        code = status.HTTP_200_OK if earlier else status.HTTP_201_CREATED
        return Response({"pipeline": detail, "notes": notes}, status=code)
