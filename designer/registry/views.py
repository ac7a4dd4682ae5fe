"""Model registry API: register a run's trained model by name, list, tag, delete (not while served)."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from designer.artifacts import artifact_store
from designer.engine.store import ArtifactMissing
from designer.runs.models import Run
from designer.workspaces.permissions import Role
from designer.workspaces.rest import WorkspaceScopedView

from . import services
from .formats import NATIVE, formats_of
from .models import RegisteredModel
from .serializers import ModelUpdateSerializer, RegisteredModelSerializer, RegisterModelSerializer


class ModelViewBase(WorkspaceScopedView):
    queryset = RegisteredModel.objects.select_related("created_by").prefetch_related("formats")
    object_label = "model"


class ModelListView(ModelViewBase):
    @extend_schema(
        parameters=[
            OpenApiParameter("workspace", int, description="Only models of this workspace."),
            OpenApiParameter("name", str, description="Only versions of this name."),
        ],
        responses=RegisteredModelSerializer(many=True),
        summary="Registered models, by name then newest version",
    )
    def get(self, request: Request) -> Response:
        models = self.filter_workspace(self.scoped_queryset())
        if "name" in request.query_params:
            models = models.filter(name=request.query_params["name"])
        return self.paginate(models, RegisteredModelSerializer)

    @extend_schema(
        request=RegisterModelSerializer,
        responses={201: RegisteredModelSerializer, 422: OpenApiResponse(description="No trained model there.")},
        summary="Register a run's trained model; the same name again is a new version (editor)",
    )
    def post(self, request: Request) -> Response:
        body = RegisterModelSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        workspace = self.get_workspace(data["workspace"], Role.EDITOR)
        run = Run.objects.filter(pk=data["run"], workspace=workspace).first()
        if run is None:
            raise ValidationError({"run": [f"Run {data['run']} is not in workspace {workspace.pk}."]})
        model = services.register_model(
            request.user,
            run,
            data["node"],
            data["name"],
            port=data["port"],
            tags=data["tags"],
            description=data["description"],
        )
        return Response(RegisteredModelSerializer(model).data, status=status.HTTP_201_CREATED)


class ModelDetailView(ModelViewBase):
    @extend_schema(responses=RegisteredModelSerializer, summary="A registered model version")
    def get(self, request: Request, pk: int) -> Response:
        return Response(RegisteredModelSerializer(self.get_object(pk)).data)

    @extend_schema(request=ModelUpdateSerializer, responses=RegisteredModelSerializer, summary="Edit tags (editor)")
    def patch(self, request: Request, pk: int) -> Response:
        model = self.get_object(pk)
        body = ModelUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        for field, value in body.validated_data.items():
            setattr(model, field, value)
        model.save()
        return Response(RegisteredModelSerializer(model).data)

    @extend_schema(
        responses={204: None, 409: OpenApiResponse(description="A live endpoint serves this model.")},
        summary="Delete a model version, unless a live endpoint serves it (editor)",
    )
    def delete(self, request: Request, pk: int) -> Response:
        services.delete_model(self.get_object(pk), request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ModelFormatFileView(ModelViewBase):
    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            404: OpenApiResponse(description="No such format."),
        },
        summary="Download a model version in one of its formats (native: the skops artifact; onnx; bundle...)",
    )
    def get(self, request: Request, pk: int, format_name: str) -> HttpResponse:
        model = self.get_object(pk)
        if format_name == NATIVE:
            digest, name, kind = model.artifact, f"{model.name}-v{model.version}.skops", "application/octet-stream"
        else:
            row = model.formats.filter(format=format_name).first()
            if row is None:
                names = ", ".join(f["format"] for f in formats_of(model))
                raise NotFound(f"Model '{model.name}' version {model.version} has no format '{format_name}' ({names}).")
            digest, name, kind = row.artifact, row.filename, row.content_type
        try:
            content = artifact_store().get(digest)
        except ArtifactMissing:
            raise NotFound(f"The {format_name} file of this model version is gone from the artifact store.") from None
        response = HttpResponse(content, content_type=kind)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
