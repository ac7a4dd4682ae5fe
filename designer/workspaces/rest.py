"""DRF building blocks for workspace-scoped apps: a role-aware base view, strict input, pagination.

Subclass ``WorkspaceScopedView`` for any model that belongs to a workspace::

    class RunDetailView(WorkspaceScopedView):
        queryset = Run.objects.all()
        object_label = "run"

        def get(self, request, pk):
            run = self.get_object(pk)          # 404 for non-members, viewer is enough for GET
            ...

        def delete(self, request, pk):
            run = self.get_object(pk)          # editor needed for unsafe methods
            ...

Lists use ``self.scoped_queryset()`` (only member workspaces), ``self.filter_workspace(qs)``
(honours ``?workspace=<id>``, 404 when the caller is not a member) and ``self.paginate(qs, Serializer)``.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any, ClassVar

from django.db import models
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.views import APIView

from designer.pagination import Pagination

from .models import Workspace
from .permissions import Role, get_scoped, scope_to_member, workspace_for

#: Form keys a browser may add to any form post; never an "unknown field".
_IGNORED_KEYS = frozenset({"csrfmiddlewaretoken"})


class StrictSerializer(serializers.Serializer):
    """An input serializer that refuses unknown fields by name, so a typo is never silently ignored."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            unknown = sorted(str(k) for k in data if k not in self.fields and k not in _IGNORED_KEYS)
            if unknown:
                raise serializers.ValidationError({k: [unknown_field_message(k, list(self.fields))] for k in unknown})
        return super().to_internal_value(data)


def unknown_field_message(name: str, allowed: list[str]) -> str:
    """``Unknown field 'pipeline_id' (did you mean 'pipeline'?); allowed fields: pipeline, version.``"""
    near = (
        difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
        or [field for field in allowed if name.startswith(field) or field.startswith(name)][:1]
    )
    hint = f" (did you mean '{near[0]}'?)" if near else ""
    return f"Unknown field '{name}'{hint}; allowed fields: {', '.join(allowed)}."


class WorkspaceQuerySerializer(serializers.Serializer):
    workspace = serializers.IntegerField(required=False, min_value=1, help_text="Only objects of this workspace.")


# No docstring on purpose: drf-spectacular would copy it into every subclass's operation description.
# Objects outside the caller's workspaces are invisible (404); unsafe methods need ``write_role``.
class WorkspaceScopedView(APIView):
    queryset: ClassVar[models.QuerySet[Any]]
    object_label: ClassVar[str] = "object"
    workspace_path: ClassVar[str] = "workspace"
    read_role: ClassVar[Role] = Role.VIEWER
    write_role: ClassVar[Role] = Role.EDITOR
    pagination_class = Pagination  # at most 1000 rows a page

    def required_role(self) -> Role:
        return self.read_role if self.request.method in SAFE_METHODS else self.write_role

    def scoped_queryset(self) -> models.QuerySet[Any]:
        return scope_to_member(self.queryset.all(), self.request.user, self.workspace_path)

    def get_object(self, pk: Any, minimum: Role | None = None) -> Any:
        return get_scoped(
            self.queryset.all(),
            self.request.user,
            pk,
            minimum if minimum is not None else self.required_role(),
            label=self.object_label,
            workspace_path=self.workspace_path,
        )

    def get_workspace(self, workspace_id: Any, minimum: Role | None = None) -> Workspace:
        return workspace_for(self.request.user, workspace_id, minimum if minimum is not None else self.required_role())

    def filter_workspace(self, queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
        """Narrow to ``?workspace=<id>`` when given; 404 when the caller is not a member there."""
        query = WorkspaceQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        workspace_id = query.validated_data.get("workspace")
        if workspace_id is None:
            return queryset
        workspace = workspace_for(self.request.user, workspace_id, Role.VIEWER)
        return queryset.filter(**{self.workspace_path: workspace})

    def paginate(self, queryset: Any, serializer_class: type[serializers.BaseSerializer], **context: Any) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(queryset, self.request, view=self)
        data = serializer_class(page, many=True, context={"request": self.request, **context}).data
        return paginator.get_paginated_response(data)
