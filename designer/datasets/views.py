"""Dataset endpoints: viewers read and preview, editors upload, rename and delete; outsiders see nothing."""

from __future__ import annotations

import json
import re
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import renderers, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from designer.workspaces.rest import WorkspaceScopedView

from . import registration, selectors, services
from .models import Dataset, DatasetRegistration, DatasetVersion
from .serializers import (
    DatasetCreateSerializer,
    DatasetDetailSerializer,
    DatasetRegistrationSerializer,
    DatasetSerializer,
    DatasetUpdateSerializer,
    DatasetVersionCreateSerializer,
    DatasetVersionSerializer,
    DatasetVersionSummarySerializer,
    PreviewQuerySerializer,
    PreviewSerializer,
    RegistrationQuerySerializer,
    UploadPreviewResponseSerializer,
    UploadPreviewSerializer,
)
from .upload_preview import preview_upload

UPLOAD_ERRORS = {
    400: OpenApiResponse(
        description="The file cannot be read (the message names the line and column, or the zip member at fault), "
        "e.g. a blank or missing header line."
    ),
    413: OpenApiResponse(description="The file is larger than TESSERA_MAX_UPLOAD_MB."),
}
ASYNC = OpenApiResponse(
    DatasetRegistrationSerializer,
    description="With `Prefer: respond-async`: the file is stored as it came and a worker registers it; poll the "
    "registration (its `url`, also the `Location` header) until `status` is `completed` (its `dataset` and "
    "`version`) or `failed` (its `error`: the body the upload would have been answered with, and `error_status`).",
)
PREFER = OpenApiParameter(
    "Prefer",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="`respond-async`: answer 202 at once and register the file on a worker (large files; a proxy's "
    "time-out then cannot cut the upload off).",
)


def _accepted(registration_row: DatasetRegistration) -> Response:
    body = DatasetRegistrationSerializer(registration_row).data
    return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})


class _WorkspaceField(serializers.Serializer):
    workspace = serializers.IntegerField(min_value=1)


class DatasetViewBase(WorkspaceScopedView):
    queryset = Dataset.objects.all()
    object_label = "dataset"


class DatasetListView(DatasetViewBase):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        parameters=[OpenApiParameter("workspace", int, description="Only datasets of this workspace.")],
        responses=DatasetSerializer(many=True),
        summary="Datasets in your workspaces",
    )
    def get(self, request: Request) -> Response:
        datasets = selectors.with_latest(self.filter_workspace(self.scoped_queryset())).order_by("name", "id")
        return self.paginate(datasets, DatasetSerializer)

    @extend_schema(
        request={"multipart/form-data": DatasetCreateSerializer},
        responses={201: DatasetDetailSerializer, 202: ASYNC, **UPLOAD_ERRORS},
        parameters=[PREFER],
        summary="Upload a CSV, TSV or Parquet file as a new table dataset, or a .zip as a file dataset (editor)",
    )
    def post(self, request: Request) -> Response:
        # Authorize before looking at the file: a viewer gets 403 whatever they send.
        target = _WorkspaceField(data={"workspace": request.data.get("workspace")})
        target.is_valid(raise_exception=True)
        workspace = self.get_workspace(target.validated_data["workspace"])
        data = DatasetCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if registration.prefers_async(request):
            return _accepted(
                registration.start(
                    request.user,
                    workspace,
                    data.validated_data["file"],
                    name=data.validated_data["name"],
                    description=data.validated_data["description"],
                    options=data.read_options(),
                )
            )
        dataset = services.create_dataset(
            request.user,
            workspace,
            data.validated_data["name"],
            data.validated_data["file"],
            description=data.validated_data["description"],
            options=data.read_options(),
        )
        return Response(DatasetDetailSerializer(selectors.dataset_detail(dataset)).data, status=status.HTTP_201_CREATED)


class UploadPreviewView(DatasetViewBase):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": UploadPreviewSerializer},
        responses={200: UploadPreviewResponseSerializer, **UPLOAD_ERRORS},
        summary="What an upload would become with these options: its first rows typed, the options used (the "
        "guessed delimiter...) and hints; stores nothing (editor)",
    )
    def post(self, request: Request) -> Response:
        target = _WorkspaceField(data={"workspace": request.data.get("workspace")})
        target.is_valid(raise_exception=True)
        self.get_workspace(target.validated_data["workspace"])  # an editor's: previewing is the first step of saving
        data = UploadPreviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        preview = preview_upload(data.validated_data["file"], data.read_options(), limit=data.validated_data["limit"])
        return Response(UploadPreviewResponseSerializer(preview).data)


class DatasetDetailView(DatasetViewBase):
    @extend_schema(responses=DatasetDetailSerializer, summary="A dataset and its versions")
    def get(self, request: Request, pk: int) -> Response:
        return Response(DatasetDetailSerializer(selectors.dataset_detail(self.get_object(pk))).data)

    @extend_schema(request=DatasetUpdateSerializer, responses=DatasetDetailSerializer, summary="Rename (editor)")
    def patch(self, request: Request, pk: int) -> Response:
        dataset = self.get_object(pk)
        data = DatasetUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.update_dataset(dataset, **data.validated_data)
        return Response(DatasetDetailSerializer(selectors.dataset_detail(dataset)).data)

    @extend_schema(responses={204: None}, summary="Delete the dataset and all its versions (editor)")
    def delete(self, request: Request, pk: int) -> Response:
        services.delete_dataset(self.get_object(pk), request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DatasetVersionListView(DatasetViewBase):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(responses=DatasetVersionSummarySerializer(many=True), summary="Versions, oldest first")
    def get(self, request: Request, pk: int) -> Response:
        return self.paginate(selectors.versions_of(self.get_object(pk)), DatasetVersionSummarySerializer)

    @extend_schema(
        request={"multipart/form-data": DatasetVersionCreateSerializer},
        responses={201: DatasetVersionSerializer, 202: ASYNC, **UPLOAD_ERRORS},
        parameters=[PREFER],
        summary="Upload a new version (editor)",
    )
    def post(self, request: Request, pk: int) -> Response:
        dataset = self.get_object(pk)
        data = DatasetVersionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if registration.prefers_async(request):
            return _accepted(
                registration.start(
                    request.user,
                    dataset.workspace,
                    data.validated_data["file"],
                    options=data.read_options(),
                    target=dataset,
                )
            )
        version = services.add_version(request.user, dataset, data.validated_data["file"], options=data.read_options())
        return Response(DatasetVersionSerializer(version).data, status=status.HTTP_201_CREATED)


class DatasetVersionDetailView(DatasetViewBase):
    @extend_schema(responses=DatasetVersionSerializer, summary="One version: schema and column profile")
    def get(self, request: Request, pk: int, number: int) -> Response:
        version = selectors.version_of(self.get_object(pk), number)
        return Response(DatasetVersionSerializer(version).data)


class DatasetPreviewView(DatasetViewBase):
    @extend_schema(parameters=[PreviewQuerySerializer], responses=PreviewSerializer, summary="A page of rows")
    def get(self, request: Request, pk: int, number: int) -> Response:
        version = selectors.version_of(self.get_object(pk), number)
        query = PreviewQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(selectors.preview(version, **query.validated_data))


class CSVRenderer(renderers.BaseRenderer):
    """Lets clients ask for ``text/csv``; errors on this route still render as JSON text."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        return json.dumps(data, default=str).encode()


class DatasetDownloadView(DatasetViewBase):
    renderer_classes = [renderers.JSONRenderer, CSVRenderer]

    @extend_schema(
        responses={(200, "text/csv"): OpenApiTypes.BINARY, (200, "application/zip"): OpenApiTypes.BINARY},
        summary="The version as CSV (streamed), or a file dataset's zip as uploaded",
    )
    def get(self, request: Request, pk: int, number: int) -> HttpResponse:
        dataset = self.get_object(pk)
        version = selectors.version_of(dataset, number)
        stem = re.sub(r"[^A-Za-z0-9._-]+", "_", dataset.name).strip("_") or "dataset"
        if version.kind == DatasetVersion.FILE:
            response = HttpResponse(selectors.file_of(version), content_type="application/zip")
            response["Content-Disposition"] = f'attachment; filename="{stem}-v{version.version}.zip"'
            return response
        response = StreamingHttpResponse(selectors.csv_chunks(version), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{stem}-v{version.version}.csv"'
        return response


class DatasetRegistrationViewBase(WorkspaceScopedView):
    queryset = DatasetRegistration.objects.select_related("version__dataset")
    object_label = "dataset registration"


class DatasetRegistrationListView(DatasetRegistrationViewBase):
    @extend_schema(
        parameters=[RegistrationQuerySerializer],
        responses=DatasetRegistrationSerializer(many=True),
        summary="Uploads workers register (Prefer: respond-async) in your workspaces, newest first",
    )
    def get(self, request: Request) -> Response:
        query = RegistrationQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = self.filter_workspace(self.scoped_queryset())
        if query.validated_data.get("status"):
            rows = rows.filter(status__in=sorted(query.validated_data["status"]))
        return self.paginate(rows.order_by("-created_at", "-id"), DatasetRegistrationSerializer)


class DatasetRegistrationDetailView(DatasetRegistrationViewBase):
    @extend_schema(
        responses={204: None, 409: OpenApiResponse(description="The registration is still queued or running.")},
        summary="Dismiss a finished registration from the list (editor); its dataset stays",
    )
    def delete(self, request: Request, pk: int) -> Response:
        registration.dismiss(self.get_object(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        responses=DatasetRegistrationSerializer,
        summary="An upload a worker registers (Prefer: respond-async): queued, running, completed or failed",
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(DatasetRegistrationSerializer(self.get_object(pk)).data)
