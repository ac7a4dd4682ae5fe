"""Catalogue endpoints: the palette, one module's contract, and the port-type connection rule."""

from __future__ import annotations

from django.http import HttpResponse, HttpResponseNotModified
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors
from .serializers import ModuleDetailSerializer, ModuleQuerySerializer, ModuleSerializer, PortTypeSerializer


class ModuleListView(APIView):
    @extend_schema(responses=ModuleSerializer(many=True), summary="Every module's latest version, by category")
    def get(self, request: Request) -> HttpResponse:
        body, etag = selectors.catalogue_json()
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


class PortTypeListView(APIView):
    @extend_schema(responses=PortTypeSerializer(many=True), summary="Port types and which outputs each accepts")
    def get(self, request: Request) -> Response:
        return Response(selectors.port_types())
