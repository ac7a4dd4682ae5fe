"""Pipeline endpoints: viewers read and validate, editors save; a stale save gets 409 and the head."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from designer.engine.graph import PIPELINE_JSON_SCHEMA
from designer.workspaces.permissions import Role
from designer.workspaces.rest import WorkspaceScopedView

from . import selectors, services
from .models import Pipeline
from .serializers import (
    DraftInputSerializer,
    DraftSerializer,
    PipelineCreateSerializer,
    PipelineDetailSerializer,
    PipelineSerializer,
    PipelineUpdateSerializer,
    PipelineVersionCreateSerializer,
    PipelineVersionDiffSerializer,
    PipelineVersionSerializer,
    PipelineVersionSummarySerializer,
    RestoreVersionSerializer,
    SavedVersionSerializer,
    ValidateDocumentInputSerializer,
    ValidateInputSerializer,
    ValidationResultSerializer,
    VersionDiffQuerySerializer,
    WorkspaceRefSerializer,
)

MALFORMED = OpenApiResponse(
    response=inline_serializer(
        "MalformedDocument",
        {"detail": serializers.CharField(), "problems": serializers.ListField(child=serializers.DictField())},
    ),
    description="The body or the pipeline document is malformed; every problem is listed with its path.",
)
STALE = OpenApiResponse(
    response=inline_serializer(
        "StaleVersion", {"detail": serializers.CharField(), "current_version": PipelineVersionSerializer()}
    ),
    description="base_version is not the newest version; the newest is attached.",
)


class PipelineViewBase(WorkspaceScopedView):
    queryset = Pipeline.objects.all()
    object_label = "pipeline"


class PipelineListView(PipelineViewBase):
    @extend_schema(
        parameters=[OpenApiParameter("workspace", int, description="Only pipelines of this workspace.")],
        responses=PipelineSerializer(many=True),
        summary="Pipelines in your workspaces, most recently changed first",
    )
    def get(self, request: Request) -> Response:
        pipelines = selectors.with_head(self.filter_workspace(self.scoped_queryset())).order_by("-updated_at", "-id")
        return self.paginate(pipelines, PipelineSerializer)

    @extend_schema(
        request=PipelineCreateSerializer,
        responses={201: PipelineDetailSerializer, 400: MALFORMED},
        summary="Create a pipeline; its version 1 is the document (editor)",
    )
    def post(self, request: Request) -> Response:
        target = WorkspaceRefSerializer(data=request.data)
        target.is_valid(raise_exception=True)
        workspace = self.get_workspace(target.validated_data["workspace"])
        data = PipelineCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        pipeline = services.create_pipeline(
            request.user,
            workspace,
            data.validated_data["name"],
            data.validated_data["description"],
            data.validated_data.get("document"),
        )
        out = PipelineDetailSerializer(selectors.pipeline_detail(pipeline)).data
        return Response(out, status=status.HTTP_201_CREATED)


class PipelineDetailView(PipelineViewBase):
    @extend_schema(responses=PipelineDetailSerializer, summary="A pipeline with its newest version")
    def get(self, request: Request, pk: int) -> Response:
        return Response(PipelineDetailSerializer(selectors.pipeline_detail(self.get_object(pk))).data)

    @extend_schema(request=PipelineUpdateSerializer, responses=PipelineDetailSerializer, summary="Rename (editor)")
    def patch(self, request: Request, pk: int) -> Response:
        pipeline = self.get_object(pk)
        data = PipelineUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.update_pipeline(pipeline, **data.validated_data)
        return Response(PipelineDetailSerializer(selectors.pipeline_detail(pipeline)).data)

    @extend_schema(responses={204: None}, summary="Delete the pipeline and its versions (editor)")
    def delete(self, request: Request, pk: int) -> Response:
        services.delete_pipeline(self.get_object(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PipelineVersionListView(PipelineViewBase):
    @extend_schema(responses=PipelineVersionSummarySerializer(many=True), summary="Saved versions, newest first")
    def get(self, request: Request, pk: int) -> Response:
        return self.paginate(selectors.versions_of(self.get_object(pk)), PipelineVersionSummarySerializer)

    @extend_schema(
        request=PipelineVersionCreateSerializer,
        responses={201: SavedVersionSerializer, 400: MALFORMED, 409: STALE},
        summary="Save a new version (editor); semantic problems come back but do not block the save",
    )
    def post(self, request: Request, pk: int) -> Response:
        pipeline = self.get_object(pk)
        data = PipelineVersionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        saved = services.save_version(request.user, pipeline, **data.validated_data)
        out = {**PipelineVersionSerializer(saved.version).data, "validation": saved.validation.to_dict()}
        return Response(out, status=status.HTTP_201_CREATED)


class PipelineVersionDetailView(PipelineViewBase):
    @extend_schema(responses=PipelineVersionSerializer, summary="One saved version with its document")
    def get(self, request: Request, pk: int, number: int) -> Response:
        version = selectors.version_of(self.get_object(pk), number)
        return Response(PipelineVersionSerializer(version).data)


class PipelineVersionRestoreView(PipelineViewBase):
    @extend_schema(
        request=RestoreVersionSerializer,
        responses={
            201: SavedVersionSerializer,
            404: OpenApiResponse(description="No such pipeline in your workspaces, or no such version (named)."),
            409: STALE,
        },
        summary="Make an older version's document the new head version (editor); history is kept",
    )
    def post(self, request: Request, pk: int, number: int) -> Response:
        pipeline = self.get_object(pk)
        data = RestoreVersionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        saved = services.restore_version(request.user, pipeline, number, **data.validated_data)
        out = {**PipelineVersionSerializer(saved.version).data, "validation": saved.validation.to_dict()}
        return Response(out, status=status.HTTP_201_CREATED)


class PipelineDiffView(PipelineViewBase):
    @extend_schema(
        parameters=[VersionDiffQuerySerializer],
        responses={
            200: PipelineVersionDiffSerializer,
            404: OpenApiResponse(description="No such pipeline in your workspaces, or no such version (named)."),
        },
        summary="What changed between two saved versions: semantic changes apart from layout-only ones",
    )
    def get(self, request: Request, pk: int) -> Response:
        pipeline = self.get_object(pk)
        query = VersionDiffQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(selectors.version_diff(pipeline, query.validated_data["from"], query.validated_data.get("to")))


class PipelineDraftView(PipelineViewBase):
    @extend_schema(responses=DraftSerializer, summary="The autosaved draft (or the newest version when none)")
    def get(self, request: Request, pk: int) -> Response:
        return Response(DraftSerializer(selectors.draft_of(self.get_object(pk))).data)

    @extend_schema(
        request=DraftInputSerializer, responses={200: DraftSerializer, 400: MALFORMED}, summary="Autosave (editor)"
    )
    def put(self, request: Request, pk: int) -> Response:
        pipeline = self.get_object(pk)
        data = DraftInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.save_draft(request.user, pipeline, **data.validated_data)
        return Response(DraftSerializer(selectors.draft_of(pipeline)).data)

    @extend_schema(responses=DraftSerializer, summary="Discard the draft (editor)")
    def delete(self, request: Request, pk: int) -> Response:
        pipeline = services.discard_draft(self.get_object(pk))
        return Response(DraftSerializer(selectors.draft_of(pipeline)).data)


class PipelineValidateView(PipelineViewBase):
    write_role = Role.VIEWER  # validating changes nothing

    @extend_schema(
        request=ValidateInputSerializer,
        responses={200: ValidationResultSerializer, 400: MALFORMED},
        summary="Validate a document (default: the newest version) against this pipeline's workspace",
        operation_id="pipelines_validate",
    )
    def post(self, request: Request, pk: int) -> Response:
        pipeline = self.get_object(pk)
        data = ValidateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        document: Any = data.validated_data.get("document")
        if "document" not in data.validated_data:
            document = selectors.head_of(pipeline).document
        graph = services.parse_document(document)
        return Response(services.validate_graph(pipeline.workspace, graph).to_dict())


class DocumentValidateView(WorkspaceScopedView):
    queryset = Pipeline.objects.all()
    write_role = Role.VIEWER

    @extend_schema(
        request=ValidateDocumentInputSerializer,
        responses={200: ValidationResultSerializer, 400: MALFORMED},
        summary="Validate a document that is not saved anywhere, resolving datasets in a workspace",
        operation_id="pipelines_validate_document",
    )
    def post(self, request: Request) -> Response:
        target = WorkspaceRefSerializer(data=request.data)
        target.is_valid(raise_exception=True)
        workspace = self.get_workspace(target.validated_data["workspace"])
        data = ValidateDocumentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        graph = services.parse_document(data.validated_data["document"])
        return Response(services.validate_graph(workspace, graph).to_dict())


class PipelineJsonSchemaView(APIView):
    @extend_schema(
        responses=OpenApiResponse(response=dict, description="JSON Schema (2020-12) of the pipeline document."),
        summary="The pipeline document's JSON Schema",
    )
    def get(self, request: Request) -> Response:
        return Response(PIPELINE_JSON_SCHEMA)
