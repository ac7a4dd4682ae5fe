"""Environment endpoints under /api/workspaces/<id>/environments/: viewers read, editors create versions."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from designer.workspaces.models import Workspace
from designer.workspaces.rest import WorkspaceScopedView

from . import selectors, services
from .models import Environment
from .serializers import (
    EnvironmentCreateSerializer,
    EnvironmentSerializer,
    EnvironmentVersionCreateSerializer,
    EnvironmentVersionSerializer,
)

REFUSED = OpenApiResponse(
    description="Refused; each message names its field (name, base, requirements) and, for requirements, the line "
    "number and text at fault."
)


class EnvironmentViewBase(WorkspaceScopedView):
    queryset = Workspace.objects.all()
    object_label = "workspace"
    workspace_path = "pk"

    def workspace(self, pk: int) -> Workspace:
        return self.get_workspace(pk)


class EnvironmentListView(EnvironmentViewBase):
    @extend_schema(responses=EnvironmentSerializer(many=True), summary="A workspace's environments, by name")
    def get(self, request: Request, pk: int) -> Response:
        return self.paginate(selectors.environments_of(self.workspace(pk)), EnvironmentSerializer)

    @extend_schema(
        request=EnvironmentCreateSerializer,
        responses={201: EnvironmentSerializer, 400: REFUSED},
        summary="Create an environment; its version 1 holds the requirement lines (editor)",
    )
    def post(self, request: Request, pk: int) -> Response:
        body = EnvironmentCreateSerializer(data=request.data)
        workspace = self.workspace(pk)  # 404 / 403 before the body is judged
        body.is_valid(raise_exception=True)
        environment = services.create_environment(request.user, workspace, **body.validated_data)
        detail = selectors.environment_in(workspace, environment.pk)
        return Response(EnvironmentSerializer(detail).data, status=status.HTTP_201_CREATED)


class EnvironmentDetailView(EnvironmentViewBase):
    @extend_schema(responses=EnvironmentSerializer, summary="An environment with its versions, newest first")
    def get(self, request: Request, pk: int, environment_id: int) -> Response:
        return Response(EnvironmentSerializer(selectors.environment_in(self.workspace(pk), environment_id)).data)


class EnvironmentVersionListView(EnvironmentViewBase):
    @extend_schema(
        request=EnvironmentVersionCreateSerializer,
        responses={200: EnvironmentVersionSerializer, 201: EnvironmentVersionSerializer, 400: REFUSED},
        summary="Save a new version (editor); unchanged lines and base answer the latest version with 200",
    )
    def post(self, request: Request, pk: int, environment_id: int) -> Response:
        body = EnvironmentVersionCreateSerializer(data=request.data)
        environment: Environment = selectors.environment_in(self.workspace(pk), environment_id)
        body.is_valid(raise_exception=True)
        saved = services.save_version(request.user, environment, **body.validated_data)
        return Response(
            EnvironmentVersionSerializer(saved.version).data,
            status=status.HTTP_201_CREATED if saved.created else status.HTTP_200_OK,
        )
