"""Catalogue endpoints: the palette, one module's contract, and the port-type connection rule."""

from __future__ import annotations

from django.http import HttpResponse, HttpResponseNotModified
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors
from .serializers import (
    ComputeTargetSerializer,
    ModuleDetailSerializer,
    ModuleListQuerySerializer,
    ModuleQuerySerializer,
    ModuleSerializer,
    PortTypeSerializer,
    UpgradeRequestSerializer,
    UpgradeSerializer,
)


class ModuleListView(APIView):
    @extend_schema(
        parameters=[ModuleListQuerySerializer],
        responses=ModuleSerializer(many=True),
        summary="Every module's latest version, by category (or every version, with ?versions=all)",
    )
    def get(self, request: Request) -> HttpResponse:
        query = ModuleListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        body, etag = selectors.catalogue_json(all_versions=query.validated_data["versions"] == "all")
        if etag in (t.strip() for t in request.headers.get("If-None-Match", "").split(",")):
            response: HttpResponse = HttpResponseNotModified()
        else:
            response = HttpResponse(body, content_type="application/json")
        response["ETag"] = etag
        response["Cache-Control"] = "private, no-cache"  # revalidated on each load: 304 while unchanged
        return response


class ModuleDetailView(APIView):
    @extend_schema(parameters=[ModuleQuerySerializer], responses=ModuleDetailSerializer, summary="One module")
    def get(self, request: Request, module_id: str) -> Response:
        query = ModuleQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(selectors.module(module_id, query.validated_data.get("version")))


class ModuleUpgradeView(APIView):
    @extend_schema(
        request=UpgradeRequestSerializer,
        responses=UpgradeSerializer,
        summary="Preview upgrading a node's parameters from an older version to the latest (nothing is saved)",
    )
    def post(self, request: Request, module_id: str) -> Response:
        body = UpgradeRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        return Response(selectors.upgrade(module_id, data["from_version"], data["params"]))


class PortTypeListView(APIView):
    @extend_schema(responses=PortTypeSerializer(many=True), summary="Port types and which outputs each accepts")
    def get(self, request: Request) -> Response:
        return Response(selectors.port_types())


class ComputeTargetListView(APIView):
    @extend_schema(
        responses=ComputeTargetSerializer(many=True),
        summary="The compute targets a node may choose (the first is the default), as the operator declared them",
    )
    def get(self, request: Request) -> Response:
        return Response(selectors.compute_targets())
