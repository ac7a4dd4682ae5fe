"""Model registry API: register a run's trained model by name, list, tag, delete (not while served)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from designer.runs.models import Run
from designer.workspaces.permissions import Role
from designer.workspaces.rest import WorkspaceScopedView

from . import services
from .models import RegisteredModel
from .serializers import ModelUpdateSerializer, RegisteredModelSerializer, RegisterModelSerializer


class ModelViewBase(WorkspaceScopedView):
    queryset = RegisteredModel.objects.select_related("created_by")
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
