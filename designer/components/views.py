"""Component endpoints: viewers read, editors write; every object is checked against the caller's workspace role."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from designer.pipelines.services import parse_document
from designer.workspaces.permissions import Role
from designer.workspaces.rest import WorkspaceScopedView

from . import selectors, services
from .models import Component
from .serializers import (
    CatalogueQuerySerializer,
    CatalogueSerializer,
    ComponentCreateSerializer,
    ComponentDetailSerializer,
    ComponentDiffQuerySerializer,
    ComponentSerializer,
    ComponentUpdateSerializer,
    ComponentVersionCreateSerializer,
    ComponentVersionSerializer,
    ComponentVersionSummarySerializer,
    DocumentSerializer,
    GroupedSerializer,
    GroupSerializer,
    UngroupSerializer,
)

PROBLEMS = OpenApiResponse(description="The document has problems; each names the component, port or parameter.")
USED = OpenApiResponse(description="A pipeline version, draft, endpoint or component uses it: the body names them.")


class ComponentViewBase(WorkspaceScopedView):
    queryset = Component.objects.all()
    object_label = "component"


def _detail(component: Component) -> dict[str, Any]:
    return dict(ComponentDetailSerializer(selectors.component_detail(component)).data)


class ComponentListView(ComponentViewBase):
    @extend_schema(
        parameters=[OpenApiParameter("workspace", int, description="Only components of this workspace.")],
        responses=ComponentSerializer(many=True),
        summary="Components in your workspaces, by name",
    )
    def get(self, request: Request) -> Response:
        components = selectors.with_latest(self.filter_workspace(self.scoped_queryset())).order_by("name", "id")
        return self.paginate(components, ComponentSerializer)

    @extend_schema(
        request=ComponentCreateSerializer,
        responses={201: ComponentDetailSerializer, 400: PROBLEMS},
        summary="Create a component; its version 1 is the document (editor)",
    )
    def post(self, request: Request) -> Response:
        data = ComponentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        workspace = self.get_workspace(data.validated_data["workspace"])
        component = services.create_component(
            request.user,
            workspace,
            data.validated_data["name"],
            data.validated_data["description"],
            data.validated_data["message"],
            data.validated_data["document"],
        )
        return Response(_detail(component), status=status.HTTP_201_CREATED)


class ComponentDetailView(ComponentViewBase):
    @extend_schema(responses=ComponentDetailSerializer, summary="A component with its versions")
    def get(self, request: Request, pk: int) -> Response:
        return Response(_detail(self.get_object(pk)))

    @extend_schema(request=ComponentUpdateSerializer, responses=ComponentDetailSerializer, summary="Rename (editor)")
    def patch(self, request: Request, pk: int) -> Response:
        component = self.get_object(pk)
        data = ComponentUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.update_component(component, **data.validated_data)
        return Response(_detail(component))

    @extend_schema(responses={204: None, 409: USED}, summary="Delete the component and its versions (editor)")
    def delete(self, request: Request, pk: int) -> Response:
        services.delete_component(self.get_object(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ComponentVersionListView(ComponentViewBase):
    @extend_schema(responses=ComponentVersionSummarySerializer(many=True), summary="Versions, newest first")
    def get(self, request: Request, pk: int) -> Response:
        return self.paginate(selectors.versions_of(self.get_object(pk)), ComponentVersionSummarySerializer)

    @extend_schema(
        request=ComponentVersionCreateSerializer,
        responses={
            200: ComponentVersionSerializer,
            201: ComponentVersionSerializer,
            400: PROBLEMS,
            409: OpenApiResponse(description="base_version is not the latest version; the latest is attached."),
        },
        summary="Save a new version (editor); an unchanged document answers the latest version with 200",
    )
    def post(self, request: Request, pk: int) -> Response:
        component = self.get_object(pk)
        data = ComponentVersionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        saved = services.save_version(request.user, component, **data.validated_data)
        body = ComponentVersionSerializer(selectors.version_detail(saved.version)).data
        return Response(body, status=status.HTTP_201_CREATED if saved.created else status.HTTP_200_OK)


class ComponentVersionDetailView(ComponentViewBase):
    @extend_schema(responses=ComponentVersionSerializer, summary="One version: its document and interface")
    def get(self, request: Request, pk: int, number: int) -> Response:
        row = selectors.version_of(self.get_object(pk), number)
        return Response(ComponentVersionSerializer(selectors.version_detail(row)).data)

    @extend_schema(responses={204: None, 409: USED}, summary="Delete a version nobody uses (editor)")
    def delete(self, request: Request, pk: int, number: int) -> Response:
        services.delete_version(self.get_object(pk), number)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ComponentDiffView(ComponentViewBase):
    @extend_schema(
        parameters=[ComponentDiffQuerySerializer],
        responses={200: OpenApiResponse(description="Inner graph diff (pipeline diff shape) and interface changes.")},
        summary="What changed between two versions",
    )
    def get(self, request: Request, pk: int) -> Response:
        component = self.get_object(pk)
        query = ComponentDiffQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(selectors.version_diff(component, query.validated_data["from"], query.validated_data["to"]))


class ComponentCatalogueView(ComponentViewBase):
    @extend_schema(
        parameters=[CatalogueQuerySerializer],
        responses=CatalogueSerializer,
        summary="The workspace's components as palette entries, shaped as /api/modules/ entries",
    )
    def get(self, request: Request) -> Response:
        query = CatalogueQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        workspace = self.get_workspace(query.validated_data["workspace"], Role.VIEWER)
        entries = selectors.catalogue(workspace.pk, all_versions=query.validated_data["versions"] == "all")
        return Response({"components": entries})


class ComponentGroupView(ComponentViewBase):
    @extend_schema(
        request=GroupSerializer,
        responses={201: GroupedSerializer, 400: PROBLEMS},
        summary="Make a component of selected nodes; the document comes back with one node in their place (editor)",
    )
    def post(self, request: Request) -> Response:
        data = GroupSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        workspace = self.get_workspace(values["workspace"], Role.EDITOR)
        graph = parse_document(values["document"])
        grouped = services.group_nodes(
            request.user,
            workspace,
            graph,
            list(values["node_ids"]),
            values["name"],
            values["description"],
            values["message"],
            inputs=values.get("inputs"),
            outputs=values.get("outputs"),
            parameters=values.get("parameters"),
        )
        body = {
            "component": _detail(grouped.component),
            "version": ComponentVersionSerializer(selectors.version_detail(grouped.version)).data,
            "document": grouped.document,
        }
        return Response(body, status=status.HTTP_201_CREATED)


class ComponentUngroupView(ComponentViewBase):
    @extend_schema(
        request=UngroupSerializer,
        responses={200: DocumentSerializer, 400: PROBLEMS},
        summary="The document with a component node replaced by its inner nodes (nothing is saved)",
    )
    def post(self, request: Request) -> Response:
        data = UngroupSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        workspace = self.get_workspace(data.validated_data["workspace"], Role.VIEWER)
        graph = parse_document(data.validated_data["document"])
        return Response({"document": services.ungroup_node(workspace, graph, data.validated_data["node_id"])})
