"""The workspace activity feed: any member reads it, nobody writes it over the API."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from designer.workspaces.models import Workspace
from designer.workspaces.permissions import Role, workspace_for
from designer.workspaces.rest import WorkspaceScopedView

from . import selectors
from .serializers import ActivityEventSerializer, ActivityQuerySerializer


class WorkspaceActivityView(WorkspaceScopedView):
    queryset = Workspace.objects.all()

    @extend_schema(
        parameters=[ActivityQuerySerializer],
        responses=ActivityEventSerializer(many=True),
        summary="What happened in the workspace, newest first (viewer)",
    )
    def get(self, request: Request, pk: int) -> Response:
        workspace = workspace_for(request.user, pk, Role.VIEWER)
        query = ActivityQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        events = selectors.feed(
            workspace, query.validated_data.get("object_type"), query.validated_data.get("object_id")
        )
        return self.paginate(events, ActivityEventSerializer)
