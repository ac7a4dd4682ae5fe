"""Endpoint management API (workspace roles) and the operators' /metrics; scoring lives in serving.py."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from designer.pipelines import selectors as pipeline_selectors
from designer.pipelines.models import Pipeline
from designer.pipelines.serializers import PipelineDetailSerializer
from designer.runs.models import Run
from designer.workspaces.permissions import Role
from designer.workspaces.rest import WorkspaceScopedView

from . import monitoring, services
from .models import DerivedPipeline, Endpoint
from .openapi import endpoint_openapi
from .serializers import (
    EndpointCreateSerializer,
    EndpointSerializer,
    EndpointUpdateSerializer,
    InferencePipelineSerializer,
    KeysSerializer,
    MonitoringSerializer,
    RegenerateKeySerializer,
)

DERIVED = inline_serializer(
    "DerivedInferencePipeline",
    {"pipeline": PipelineDetailSerializer(), "notes": serializers.ListField(child=serializers.CharField())},
)
PROBLEMS = OpenApiResponse(
    response=inline_serializer(
        "CannotDerive",
        {"detail": serializers.CharField(), "problems": serializers.ListField(child=serializers.DictField())},
    ),
    description="The inference pipeline cannot be derived or deployed; the problems say why.",
)


class InferencePipelineView(WorkspaceScopedView):
    queryset = Run.objects.select_related("pipeline", "pipeline_version", "workspace")
    object_label = "run"

    @extend_schema(
        request=InferencePipelineSerializer,
        responses={
            201: DERIVED,
            200: OpenApiResponse(DERIVED, description="Made from this run before: that pipeline, as it is now."),
            409: OpenApiResponse(description="The run is not completed."),
            422: PROBLEMS,
        },
        summary="Create a real-time inference pipeline from a completed training run (editor)",
    )
    def post(self, request: Request, pk: int) -> Response:
        run = self.get_object(pk)
        body = InferencePipelineSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        # Asked again for the same run: the pipeline made the first time (200), not another copy.
        earlier = services.made_earlier(run, DerivedPipeline.Kind.REAL_TIME)
        pipeline, notes = earlier or services.create_inference_pipeline(
            request.user, run, body.validated_data["name"], reuse=True
        )
        detail = PipelineDetailSerializer(pipeline_selectors.pipeline_detail(pipeline)).data
        code = status.HTTP_200_OK if earlier else status.HTTP_201_CREATED
        return Response({"pipeline": detail, "notes": notes}, status=code)


class EndpointViewBase(WorkspaceScopedView):
    queryset = Endpoint.objects.select_related("pipeline", "created_by")
    object_label = "endpoint"


class EndpointListView(EndpointViewBase):
    @extend_schema(
        parameters=[OpenApiParameter("workspace", int, description="Only endpoints of this workspace.")],
        responses=EndpointSerializer(many=True),
        summary="Endpoints in your workspaces",
    )
    def get(self, request: Request) -> Response:
        return self.paginate(self.filter_workspace(self.scoped_queryset()), EndpointSerializer)

    @extend_schema(
        request=EndpointCreateSerializer,
        responses={201: EndpointSerializer, 409: OpenApiResponse(description="The name is taken."), 422: PROBLEMS},
        summary="Deploy a pipeline version as a real-time endpoint (editor)",
    )
    def post(self, request: Request) -> Response:
        body = EndpointCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        workspace = self.get_workspace(data["workspace"], Role.EDITOR)
        pipeline = Pipeline.objects.filter(pk=data["pipeline"], workspace=workspace).first()
        if pipeline is None:
            raise ValidationError({"pipeline": [f"Pipeline {data['pipeline']} is not in workspace {workspace.pk}."]})
        if Endpoint.objects.filter(name=data["name"]).exists():
            raise ValidationError({"name": [f"An endpoint named '{data['name']}' already exists."]})
        endpoint = services.create_endpoint(
            workspace=workspace,
            user=request.user,
            name=data["name"],
            pipeline=pipeline,
            version=data["version"],
            description=data["description"],
        )
        return Response(EndpointSerializer(endpoint, context={"request": request}).data, status=201)


class EndpointDetailView(EndpointViewBase):
    @extend_schema(responses=EndpointSerializer, summary="An endpoint (keys only for editors and owners)")
    def get(self, request: Request, pk: int) -> Response:
        return Response(EndpointSerializer(self.get_object(pk), context={"request": request}).data)

    @extend_schema(
        request=EndpointUpdateSerializer,
        responses={200: EndpointSerializer, 422: PROBLEMS},
        summary="Change the description or serve another version of the pipeline (editor)",
    )
    def patch(self, request: Request, pk: int) -> Response:
        endpoint = self.get_object(pk)
        body = EndpointUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.update_endpoint(endpoint, user=request.user, **body.validated_data)
        return Response(EndpointSerializer(endpoint, context={"request": request}).data)

    @extend_schema(responses={204: None}, summary="Delete the endpoint and its call records (editor)")
    def delete(self, request: Request, pk: int) -> Response:
        services.delete_endpoint(self.get_object(pk), request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RegenerateKeyView(EndpointViewBase):
    @extend_schema(request=RegenerateKeySerializer, responses=KeysSerializer, summary="Replace one key (editor)")
    def post(self, request: Request, pk: int) -> Response:
        endpoint = self.get_object(pk)
        body = RegenerateKeySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.regenerate_key(endpoint, body.validated_data["key"], request.user)
        return Response({"primary": endpoint.primary_key, "secondary": endpoint.secondary_key})


class EndpointOpenApiView(EndpointViewBase):
    @extend_schema(responses=OpenApiTypes.OBJECT, summary="The endpoint's own OpenAPI document")
    def get(self, request: Request, pk: int) -> Response:
        return Response(endpoint_openapi(self.get_object(pk), request.build_absolute_uri("/")))


class EndpointMonitoringView(EndpointViewBase):
    @extend_schema(
        parameters=[OpenApiParameter("minutes", int, description="Window length, 5 to 10080 (default 60).")],
        responses=MonitoringSerializer,
        summary="Requests, errors and latency percentiles over time, with figures and the latest calls",
    )
    def get(self, request: Request, pk: int) -> Response:
        endpoint = self.get_object(pk)
        raw = request.query_params.get("minutes", "60")
        if not raw.isdigit() or not 5 <= int(raw) <= 10080:
            raise ValidationError({"minutes": ["Give a whole number of minutes from 5 to 10080."]})
        return Response(monitoring.summary(endpoint, int(raw)))


class EndpointDriftView(EndpointViewBase):
    @extend_schema(
        parameters=[OpenApiParameter("minutes", int, description="Window of recent calls, 5 to 43200 (default 1440).")],
        responses=OpenApiTypes.OBJECT,
        summary="Per-feature drift of recent inputs against the training data, with a figure",
    )
    def get(self, request: Request, pk: int) -> Response:
        endpoint = self.get_object(pk)
        raw = request.query_params.get("minutes", "1440")
        if not raw.isdigit() or not 5 <= int(raw) <= 43200:
            raise ValidationError({"minutes": ["Give a whole number of minutes from 5 to 43200."]})
        return Response(monitoring.drift(endpoint, int(raw)))
