"""Workspace and membership endpoints: viewers read, owners manage."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from . import selectors, services
from .models import Workspace
from .permissions import Role, require_role, workspace_for
from .rest import WorkspaceScopedView
from .serializers import (
    MemberCreateSerializer,
    MemberSerializer,
    MemberUpdateSerializer,
    WorkspaceInputSerializer,
    WorkspaceSerializer,
)


class WorkspaceListView(WorkspaceScopedView):
    queryset = Workspace.objects.all()

    @extend_schema(responses=WorkspaceSerializer(many=True), summary="Workspaces you are a member of")
    def get(self, request: Request) -> Response:
        return self.paginate(selectors.workspaces_of(request.user), WorkspaceSerializer)

    @extend_schema(
        request=WorkspaceInputSerializer,
        responses={201: WorkspaceSerializer},
        summary="Create a workspace (you own it)",
    )
    def post(self, request: Request) -> Response:
        data = WorkspaceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        workspace = services.create_workspace(user=request.user, name=data.validated_data["name"])
        out = selectors.workspace_with_role(workspace, request.user)
        return Response(WorkspaceSerializer(out).data, status=status.HTTP_201_CREATED)


class WorkspaceDetailView(WorkspaceScopedView):
    queryset = Workspace.objects.all()

    def _workspace(self, pk: int, minimum: Role) -> Workspace:
        return workspace_for(self.request.user, pk, minimum)

    @extend_schema(responses=WorkspaceSerializer)
    def get(self, request: Request, pk: int) -> Response:
        workspace = self._workspace(pk, Role.VIEWER)
        return Response(WorkspaceSerializer(selectors.workspace_with_role(workspace, request.user)).data)

    @extend_schema(request=WorkspaceInputSerializer, responses=WorkspaceSerializer, summary="Rename (owner)")
    def patch(self, request: Request, pk: int) -> Response:
        workspace = self._workspace(pk, Role.OWNER)
        data = WorkspaceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.rename_workspace(workspace=workspace, name=data.validated_data["name"], user=request.user)
        return Response(WorkspaceSerializer(selectors.workspace_with_role(workspace, request.user)).data)

    @extend_schema(responses={204: None}, summary="Delete the workspace and everything in it (owner)")
    def delete(self, request: Request, pk: int) -> Response:
        services.delete_workspace(workspace=self._workspace(pk, Role.OWNER), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MemberListView(WorkspaceScopedView):
    queryset = Workspace.objects.all()

    @extend_schema(responses=MemberSerializer(many=True), summary="Members and their roles")
    def get(self, request: Request, pk: int) -> Response:
        workspace = workspace_for(request.user, pk, Role.VIEWER)
        return self.paginate(selectors.members_of(workspace), MemberSerializer)

    @extend_schema(request=MemberCreateSerializer, responses={201: MemberSerializer}, summary="Add a member (owner)")
    def post(self, request: Request, pk: int) -> Response:
        workspace = workspace_for(request.user, pk, Role.OWNER)
        data = MemberCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member = services.add_member(
            workspace=workspace,
            identifier=data.validated_data["user"],
            role=Role.parse(data.validated_data["role"]),
            actor=request.user,
        )
        return Response(MemberSerializer(member).data, status=status.HTTP_201_CREATED)


class MemberDetailView(WorkspaceScopedView):
    queryset = Workspace.objects.all()

    def _membership(self, pk: int, user_id: int, *, leaving: bool = False) -> Any:
        """Owners manage anyone; any member may remove themselves (leave)."""
        workspace = workspace_for(self.request.user, pk, Role.VIEWER)
        if not (leaving and user_id == self.request.user.pk):
            require_role(self.request.user, workspace, Role.OWNER)
        member = selectors.membership(workspace, user_id)
        if member is None:
            raise NotFound(f"user {user_id} is not a member of workspace '{workspace.name}'")
        return member

    @extend_schema(request=MemberUpdateSerializer, responses=MemberSerializer, summary="Change a member's role (owner)")
    def patch(self, request: Request, pk: int, user_id: int) -> Response:
        member = self._membership(pk, user_id)
        data = MemberUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.change_role(membership=member, role=Role.parse(data.validated_data["role"]), actor=request.user)
        return Response(MemberSerializer(member).data)

    @extend_schema(responses={204: None}, summary="Remove a member (owner), or leave the workspace yourself")
    def delete(self, request: Request, pk: int, user_id: int) -> Response:
        services.remove_member(membership=self._membership(pk, user_id, leaving=True), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
