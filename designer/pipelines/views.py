"""Pipeline endpoints: viewers read and validate, editors save; a stale save gets 409 and the head."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from designer.engine.graph import PIPELINE_JSON_SCHEMA
from designer.workspaces.permissions import Role
from designer.workspaces.rest import WorkspaceScopedView

from . import exchange, samples, selectors, services
from .models import Pipeline
from .serializers import (
    DraftInputSerializer,
    DraftSerializer,
    ExportQuerySerializer,
    NewPipelineSerializer,
    OpenedSampleSerializer,
    PipelineCloneSerializer,
    PipelineCreateSerializer,
    PipelineDetailSerializer,
    PipelineExportSerializer,
    PipelineImportJsonSerializer,
    PipelineImportUploadSerializer,
    PipelineSerializer,
    PipelineUpdateSerializer,
    PipelineVersionCreateSerializer,
    PipelineVersionDiffSerializer,
    PipelineVersionSerializer,
    PipelineVersionSummarySerializer,
    RestoreVersionSerializer,
    SampleOpenSerializer,
    SamplePipelineSerializer,
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
        services.delete_pipeline(self.get_object(pk), request.user)
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
        summary="Validate a document (default: the newest version) against this pipeline's workspace, "
        "optionally with pipeline parameter values as a run would take them",
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
        values = data.validated_data.get("parameters")
        return Response(services.validate_graph(pipeline.workspace, graph, values).to_dict())


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
        values = data.validated_data.get("parameters")
        return Response(services.validate_graph(workspace, graph, values).to_dict())


class PipelineJsonSchemaView(APIView):
    @extend_schema(
        responses=OpenApiResponse(response=dict, description="JSON Schema (2020-12) of the pipeline document."),
        summary="The pipeline document's JSON Schema",
    )
    def get(self, request: Request) -> Response:
        return Response(PIPELINE_JSON_SCHEMA)


# -- clone, export, import ------------------------------------------------------------------------

TOO_LARGE = OpenApiResponse(description="The file is larger than 2 MB; nothing was read.")
IMPORT_REFUSED = OpenApiResponse(
    response=inline_serializer(
        "ImportRefused",
        {"detail": serializers.CharField(), "problems": serializers.ListField(child=serializers.DictField())},
    ),
    description="Not valid JSON, too deeply nested, not a pipeline, or it needs modules (or module versions) "
    "this server does not have: every problem is listed with its node and parameter; nothing was created.",
)


def _new_pipeline(created: services.NewPipeline) -> dict[str, Any]:
    detail = PipelineDetailSerializer(selectors.pipeline_detail(created.pipeline)).data
    return {**detail, "validation": created.validation.to_dict()}


class PipelineCloneView(PipelineViewBase):
    @extend_schema(
        request=PipelineCloneSerializer,
        responses={201: NewPipelineSerializer, 404: OpenApiResponse(description="No such pipeline or version.")},
        summary="Copy a version into a new pipeline, here or in another workspace where you are an editor",
    )
    def post(self, request: Request, pk: int) -> Response:
        source = self.get_object(pk, Role.VIEWER)  # reading the source is enough
        data = PipelineCloneSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        workspace = self.get_workspace(data.validated_data.get("workspace", source.workspace_id), Role.EDITOR)
        created = services.clone_pipeline(
            request.user,
            source,
            workspace,
            name=data.validated_data.get("name", ""),
            version=data.validated_data.get("version"),
        )
        return Response(_new_pipeline(created), status=status.HTTP_201_CREATED)


class PipelineExportView(PipelineViewBase):
    @extend_schema(
        parameters=[ExportQuerySerializer],
        responses={(200, "application/json"): PipelineExportSerializer},
        summary="Download a version as a JSON file to import elsewhere",
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        pipeline = self.get_object(pk)
        query = ExportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        content = services.export_pipeline(pipeline, query.validated_data.get("version"))
        body = json.dumps(content, indent=2, ensure_ascii=False) + "\n"
        response = HttpResponse(body.encode(), content_type="application/json; charset=utf-8")
        filename = exchange.filename_for(pipeline.name, content["source"]["version"])
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class ImportJSONParser(BaseParser):
    """JSON bodies of an import, read with the import's limits (size, nesting, strict JSON)."""

    media_type = "application/json"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        limit = exchange.MAX_IMPORT_BYTES  # the body is the file plus a few bytes of envelope
        raw = stream.read(limit + 1) if stream is not None else b""
        return exchange.loads(raw, limit=limit) if raw else {}


class PipelineImportView(PipelineViewBase):
    parser_classes = [ImportJSONParser, MultiPartParser]

    @extend_schema(
        request={
            "multipart/form-data": PipelineImportUploadSerializer,
            "application/json": PipelineImportJsonSerializer,
        },
        responses={201: NewPipelineSerializer, 400: IMPORT_REFUSED, 413: TOO_LARGE},
        summary="Import an exported pipeline into a workspace (editor); parameter problems are listed, not refused",
    )
    def post(self, request: Request) -> Response:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > exchange.MAX_IMPORT_BYTES + exchange.ENVELOPE_BYTES:
            raise exchange.too_large(length)  # before reading a byte of it
        if not isinstance(request.data, Mapping):  # a JSON body that is a list, a string or null
            raise ParseError("The body must be a JSON object with 'workspace' and 'file'.")
        target = WorkspaceRefSerializer(data={"workspace": request.data.get("workspace")})
        target.is_valid(raise_exception=True)
        workspace = self.get_workspace(target.validated_data["workspace"], Role.EDITOR)
        if request.content_type.startswith("multipart/"):
            upload = PipelineImportUploadSerializer(data=request.data)
            upload.is_valid(raise_exception=True)
            file = upload.validated_data["file"]
            if file.size > exchange.MAX_IMPORT_BYTES:
                raise exchange.too_large(file.size)
            content, name = exchange.loads(file.read()), upload.validated_data.get("name", "")
        else:
            body = PipelineImportJsonSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            content, name = body.validated_data["file"], body.validated_data.get("name", "")
        created = services.import_pipeline(request.user, workspace, content, name=name)
        return Response(_new_pipeline(created), status=status.HTTP_201_CREATED)


# -- sample pipelines -----------------------------------------------------------------------------


class SamplePipelineListView(APIView):
    @extend_schema(
        responses=SamplePipelineSerializer(many=True),
        summary="Sample pipelines to open as editable copies (any signed-in user)",
    )
    def get(self, request: Request) -> Response:
        return Response(SamplePipelineSerializer(samples.available(), many=True).data)


class SamplePipelineOpenView(PipelineViewBase):
    @extend_schema(
        request=SampleOpenSerializer,
        responses={
            201: OpenedSampleSerializer,
            404: OpenApiResponse(description="No such sample pipeline (named), or no such workspace of yours."),
        },
        summary="Open a sample as a new pipeline in a workspace (editor), loading the sample datasets it lacks",
    )
    def post(self, request: Request, slug: str) -> Response:
        data = SampleOpenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        workspace = self.get_workspace(data.validated_data["workspace"], Role.EDITOR)
        opened = samples.open_sample(request.user, workspace, slug)
        created = services.NewPipeline(pipeline=opened.pipeline, validation=opened.validation)
        out = {**_new_pipeline(created), "datasets_added": opened.datasets_added}
        return Response(out, status=status.HTTP_201_CREATED)
