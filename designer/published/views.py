"""Pipeline endpoint management API (workspace roles: viewers read, editors change, outsiders get 404).
Key holders start and follow runs through ``triggering.py`` instead."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from designer.pipelines.models import Pipeline
from designer.runs.models import Run
from designer.runs.serializers import RunDetailSerializer
from designer.workspaces.models import Workspace
from designer.workspaces.permissions import Role
from designer.workspaces.rest import WorkspaceScopedView

from . import selectors, services
from .models import PipelineEndpoint, PublishedRun
from .openapi import pipeline_endpoint_openapi
from .serializers import (
    PipelineEndpointCreateSerializer,
    PipelineEndpointDetailSerializer,
    PipelineEndpointKeyNameSerializer,
    PipelineEndpointKeysSerializer,
    PipelineEndpointSerializer,
    PipelineEndpointUpdateSerializer,
    PublishedRunSerializer,
    PublishedVersionSerializer,
    PublishVersionSerializer,
    RunNowSerializer,
)

PROBLEMS = OpenApiResponse(
    response=inline_serializer(
        "PublishProblems",
        {"detail": serializers.CharField(), "problems": serializers.ListField(child=serializers.DictField())},
    ),
    description="A value, version or field does not fit; each problem names it.",
)
CONFLICT = OpenApiResponse(description="The name is taken, or the version is the default or has runs.")


def _run_in(workspace: Workspace | int, run_id: int) -> Run:
    workspace_id = workspace if isinstance(workspace, int) else workspace.pk
    run = (
        Run.objects.select_related("pipeline", "pipeline_version").filter(pk=run_id, workspace_id=workspace_id).first()
    )
    if run is None:
        raise ValidationError({"run": [f"Run {run_id} is not in workspace {workspace_id}."]})
    return run


class PipelineEndpointViewBase(WorkspaceScopedView):
    queryset = PipelineEndpoint.objects.select_related("pipeline", "created_by", "workspace")
    object_label = "pipeline endpoint"

    def detail(self, endpoint: PipelineEndpoint, code: int = 200) -> Response:
        endpoint.refresh_from_db()
        data = PipelineEndpointDetailSerializer(endpoint, context={"request": self.request}).data
        return Response(data, status=code)


class PipelineEndpointListView(PipelineEndpointViewBase):
    @extend_schema(
        parameters=[OpenApiParameter("workspace", int, description="Only pipeline endpoints of this workspace.")],
        responses=PipelineEndpointSerializer(many=True),
        summary="Pipeline endpoints (published pipelines) in your workspaces",
    )
    def get(self, request: Request) -> Response:
        return self.paginate(self.filter_workspace(self.scoped_queryset()), PipelineEndpointSerializer)

    @extend_schema(
        request=PipelineEndpointCreateSerializer,
        responses={201: PipelineEndpointDetailSerializer, 400: PROBLEMS, 409: CONFLICT},
        summary="Publish a pipeline version (or a run's version, with its values) as a pipeline endpoint (editor)",
    )
    def post(self, request: Request) -> Response:
        body = PipelineEndpointCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        workspace = self.get_workspace(data["workspace"], Role.EDITOR)
        run = _run_in(workspace, data["run"]) if "run" in data else None
        pipeline_id = data.get("pipeline", run.pipeline_id if run is not None else None)
        pipeline = Pipeline.objects.filter(pk=pipeline_id, workspace=workspace).first()
        if pipeline is None:
            raise ValidationError({"pipeline": [f"Pipeline {pipeline_id} is not in workspace {workspace.pk}."]})
        version, defaults = data["version"], data["defaults"]
        if run is not None:
            if run.pipeline_id != pipeline.pk:
                raise ValidationError({"run": [f"Run {run.pk} is a run of another pipeline."]})
            version, defaults = run.pipeline_version.number, {**run.parameter_values, **defaults}
        if PipelineEndpoint.objects.filter(name=data["name"]).exists():
            raise ValidationError({"name": [f"A pipeline endpoint named '{data['name']}' already exists."]})
        endpoint = services.create_endpoint(
            workspace=workspace,
            user=request.user,
            name=data["name"],
            pipeline=pipeline,
            version=version,
            description=data["description"],
            defaults=defaults,
            from_run=run,
        )
        return self.detail(endpoint, status.HTTP_201_CREATED)


class PipelineEndpointDetailView(PipelineEndpointViewBase):
    @extend_schema(
        responses=PipelineEndpointDetailSerializer,
        summary="A pipeline endpoint with its versions and their parameters (keys only for editors and owners)",
    )
    def get(self, request: Request, pk: int) -> Response:
        return self.detail(self.get_object(pk))

    @extend_schema(
        request=PipelineEndpointUpdateSerializer,
        responses={200: PipelineEndpointDetailSerializer, 400: PROBLEMS},
        summary="Change the description or the default version (editor)",
    )
    def patch(self, request: Request, pk: int) -> Response:
        endpoint = self.get_object(pk)
        body = PipelineEndpointUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.update_endpoint(endpoint, user=request.user, **body.validated_data)
        return self.detail(endpoint)

    @extend_schema(
        responses={204: None},
        summary="Delete the pipeline endpoint, its versions and keys (editor); the runs it started stay",
    )
    def delete(self, request: Request, pk: int) -> Response:
        services.delete_endpoint(self.get_object(pk), request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PipelineEndpointVersionsView(PipelineEndpointViewBase):
    @extend_schema(
        responses=PublishedVersionSerializer(many=True), summary="The versions a pipeline endpoint publishes"
    )
    def get(self, request: Request, pk: int) -> Response:
        endpoint = self.get_object(pk)
        versions = selectors.versions_of(endpoint).select_related("endpoint")
        return Response(PublishedVersionSerializer(versions, many=True, context={"request": request}).data)

    @extend_schema(
        request=PublishVersionSerializer,
        responses={201: PipelineEndpointDetailSerializer, 400: PROBLEMS},
        summary="Publish another pipeline version (or a run's version and values) as the next version (editor)",
    )
    def post(self, request: Request, pk: int) -> Response:
        endpoint = self.get_object(pk)
        body = PublishVersionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        version, defaults = data["version"], data["defaults"]
        run = _run_in(endpoint.workspace_id, data["run"]) if "run" in data else None
        if run is not None:
            if run.pipeline_id != endpoint.pipeline_id:
                raise ValidationError({"run": [f"Run {run.pk} is a run of another pipeline than this endpoint's."]})
            version, defaults = run.pipeline_version.number, {**run.parameter_values, **defaults}
        services.publish_version(
            endpoint, user=request.user, version=version, defaults=defaults, from_run=run,
            make_default=data["make_default"],
        )  # fmt: skip
        return self.detail(endpoint, status.HTTP_201_CREATED)


class PipelineEndpointVersionView(PipelineEndpointViewBase):
    @extend_schema(
        responses={204: None, 409: CONFLICT},
        summary="Unpublish a version that never ran and is not the default (editor)",
    )
    def delete(self, request: Request, pk: int, number: int) -> Response:
        services.unpublish_version(self.get_object(pk), number, request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PipelineEndpointRegenerateKeyView(PipelineEndpointViewBase):
    @extend_schema(
        request=PipelineEndpointKeyNameSerializer,
        responses=PipelineEndpointKeysSerializer,
        summary="Replace one key of a pipeline endpoint (editor)",
    )
    def post(self, request: Request, pk: int) -> Response:
        endpoint = self.get_object(pk)
        body = PipelineEndpointKeyNameSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.regenerate_key(endpoint, body.validated_data["key"], request.user)
        return Response({"primary": endpoint.primary_key, "secondary": endpoint.secondary_key})


class PipelineEndpointRunsView(PipelineEndpointViewBase):
    @extend_schema(
        parameters=[OpenApiParameter("kind", str, description="Only runs started this way (rest, schedule, ...).")],
        responses=PublishedRunSerializer(many=True),
        summary="The runs a pipeline endpoint started: trigger, parameter values, status",
    )
    def get(self, request: Request, pk: int) -> Response:
        endpoint = self.get_object(pk)
        runs = selectors.runs_of(endpoint).select_related("run__created_by")
        kind = request.query_params.get("kind")
        if kind is not None:
            if kind not in PublishedRun.Kind.values:
                raise ValidationError({"kind": [f"Use one of: {', '.join(PublishedRun.Kind.values)}."]})
            runs = runs.filter(kind=kind)
        return self.paginate(runs, PublishedRunSerializer)

    @extend_schema(
        request=RunNowSerializer,
        responses={201: RunDetailSerializer, 400: PROBLEMS},
        summary="Run a published version now with parameter values (editor)",
    )
    def post(self, request: Request, pk: int) -> Response:
        endpoint = self.get_object(pk)
        body = RunNowSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        run = services.start_run(
            endpoint,
            kind=PublishedRun.Kind.MANUAL,
            values=body.validated_data["parameters"],
            number=body.validated_data["version"],
            user=request.user,
        )
        return Response(RunDetailSerializer(run).data, status=status.HTTP_201_CREATED)


class PipelineEndpointOpenApiView(PipelineEndpointViewBase):
    @extend_schema(responses=OpenApiTypes.OBJECT, summary="The pipeline endpoint's own OpenAPI document")
    def get(self, request: Request, pk: int) -> Response:
        return Response(pipeline_endpoint_openapi(self.get_object(pk), request.build_absolute_uri("/")))
