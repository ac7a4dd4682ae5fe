"""Runs API: submit, list, inspect, cancel, read node logs and outputs."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from designer.artifacts import artifact_store
from designer.engine.profile import page_table, profile_table
from designer.engine.store import ArtifactMissing
from designer.pipelines.models import Pipeline
from designer.pipelines.serializers import PipelineVersionSerializer
from designer.workspaces.permissions import Role, workspace_for
from modules.sdk import PORT_TYPES, DataTable, Table

from . import services
from .evaluations import models_of
from .events import serialize_event
from .models import NodeRun, RunEvent
from .negotiation import FileFormatNegotiation
from .selectors import compare_runs, runs_for_user
from .serializers import (
    CompareQuerySerializer,
    RunComparisonSerializer,
    RunDetailSerializer,
    RunSerializer,
    SubmitRunSerializer,
)

MAX_PAGE = 1000
DOWNLOAD_FORMATS = ("csv", "parquet")


#: A node id in a URL: expanded ids of nodes inside components have "/" between their parts.
NODE = r"(?P<node_id>[A-Za-z0-9_/-]+)"


class RunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = RunSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self):  # type: ignore[no-untyped-def]
        qs = runs_for_user(self.request.user)
        params = self.request.query_params
        for name in ("pipeline", "workspace"):
            if name in params:
                value = params[name]
                if not value.isdigit():
                    raise ValidationError({name: f"'{value}' is not a valid id"})
                qs = qs.filter(**{f"{name}_id": int(value)})
        if "status" in params:
            qs = qs.filter(status=params["status"])
        return qs.prefetch_related("nodes")

    @extend_schema(
        parameters=[
            OpenApiParameter("pipeline", int, description="Only runs of this pipeline."),
            OpenApiParameter("workspace", int, description="Only runs in this workspace."),
            OpenApiParameter("status", str, description="Only runs with this status."),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def get_serializer_class(self):  # type: ignore[no-untyped-def]
        if self.action == "retrieve":
            return RunDetailSerializer
        if self.action == "create":
            return SubmitRunSerializer
        return RunSerializer

    @extend_schema(request=SubmitRunSerializer, responses={201: RunDetailSerializer})
    def create(self, request: Request) -> Response:
        body = SubmitRunSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        pipeline = Pipeline.objects.filter(pk=body.validated_data["pipeline"]).select_related("workspace").first()
        if pipeline is None:
            raise NotFound(f"pipeline {body.validated_data['pipeline']} does not exist")
        workspace_for(request.user, pipeline.workspace_id, Role.EDITOR)
        version = None
        if "version" in body.validated_data:
            version = pipeline.versions.filter(number=body.validated_data["version"]).first()
            if version is None:
                raise ValidationError(
                    {"version": f"pipeline {pipeline.pk} has no version {body.validated_data['version']}"}
                )
        run = services.submit_run(
            user=request.user,
            pipeline=pipeline,
            version=version,
            regenerate=body.validated_data["regenerate"],
            values=body.validated_data["parameters"],
            git=body.validated_data.get("git"),
        )
        return Response(RunDetailSerializer(run).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: RunDetailSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        run = self.get_object()
        workspace_for(request.user, run.workspace_id, Role.EDITOR)
        run = services.cancel_run(run, request.user)
        return Response(RunDetailSerializer(run).data)

    @extend_schema(
        parameters=[OpenApiParameter("after", int, description="Only events with a larger sequence number.")],
        responses={200: OpenApiTypes.OBJECT},
    )
    @action(detail=True, methods=["get"])
    def events(self, request: Request, pk: str) -> Response:
        run = self.get_object()
        after = request.query_params.get("after", "0")
        if not after.isdigit():
            raise ValidationError({"after": "must be a non-negative integer"})
        events = RunEvent.objects.filter(run=run, id__gt=int(after)).order_by("id")[:1000]
        return Response({"events": [serialize_event(e) for e in events]})

    @extend_schema(
        parameters=[CompareQuerySerializer],
        responses={
            200: RunComparisonSerializer,
            400: OpenApiResponse(description="a or b is missing or not a run id."),
            404: OpenApiResponse(description="A run that does not exist in your workspaces (named)."),
        },
        summary="Compare two runs: their pipeline versions, the design diff and each metric's difference",
    )
    @action(detail=False, methods=["get"])
    def compare(self, request: Request) -> Response:
        query = CompareQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        runs = []
        for side in ("a", "b"):
            run = runs_for_user(request.user).filter(pk=query.validated_data[side]).first()
            if run is None:
                raise NotFound(f"run {query.validated_data[side]} does not exist")
            runs.append(run)
        a, b = runs
        sides = {
            name: {"run": RunSerializer(run).data, "version": PipelineVersionSerializer(run.pipeline_version).data}
            for name, run in (("a", a), ("b", b))
        }
        return Response({**sides, **compare_runs(a, b)})

    # -- nodes -------------------------------------------------------------------------------
    def _node(self, pk: str, node_id: str) -> NodeRun:
        run = self.get_object()
        node = run.nodes.filter(node_id=node_id).first()
        if node is None:
            raise NotFound(f"run {run.pk} has no node '{node_id}'")
        return node

    @extend_schema(responses={200: OpenApiTypes.STR})
    @action(detail=True, methods=["get"], url_path=rf"nodes/{NODE}/log")
    def node_log(self, request: Request, pk: str, node_id: str) -> HttpResponse:
        node = self._node(pk, node_id)
        return HttpResponse(node.log, content_type="text/plain; charset=utf-8")

    @extend_schema(
        responses={200: OpenApiTypes.OBJECT},
        summary="What a node has sent with its progress so far (an AutoML node's leaderboard rows), by key",
    )
    @action(detail=True, methods=["get"], url_path=rf"nodes/{NODE}/live")
    def node_live(self, request: Request, pk: str, node_id: str) -> Response:
        node = self._node(pk, node_id)
        return Response(
            {
                "node": node.node_id,
                "module": node.module_id,
                "status": node.status,
                "progress": node.progress,
                "progress_message": node.progress_message,
                "live": node.live,
            }
        )

    def _output(self, pk: str, node_id: str, port: str) -> tuple[NodeRun, dict[str, Any], Any]:
        node = self._node(pk, node_id)
        out = (node.outputs or {}).get(port)
        if out is None:
            available = ", ".join(sorted(node.outputs or {})) or "none yet"
            raise NotFound(f"node '{node_id}' has no output '{port}' (available: {available})")
        port_type = PORT_TYPES[out["type"]]
        try:
            value = port_type.deserialize(artifact_store().get(out["digest"]))
        except ArtifactMissing:
            raise NotFound(f"the artifact of output '{port}' of node '{node_id}' is no longer stored") from None
        return node, out, value

    @extend_schema(
        parameters=[OpenApiParameter("offset", int), OpenApiParameter("limit", int)],
        responses={200: OpenApiTypes.OBJECT},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=rf"nodes/{NODE}/outputs/(?P<port>[a-z0-9_]+)",
    )
    def output(self, request: Request, pk: str, node_id: str, port: str) -> Response:
        node, out, value = self._output(pk, node_id, port)
        body: dict[str, Any] = {"node": node_id, "port": port, "type": out["type"], "size": out["size"]}
        if isinstance(value, DataTable):
            offset, limit = _paging(request)
            body["table"] = page_table(value.df, offset, limit)
            body["meta"] = value.meta
        elif out["type"] == "metrics":
            body["metrics"] = {"values": value.values, "task": value.task, "detail": value.detail}
            body["models"] = models_of(node.run, node_id, port)
        else:
            body["summary"] = PORT_TYPES[out["type"]].summary(value) or _model_summary(value)
        return Response(body)

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    @action(
        detail=True,
        methods=["get"],
        url_path=rf"nodes/{NODE}/outputs/(?P<port>[a-z0-9_]+)/profile",
    )
    def output_profile(self, request: Request, pk: str, node_id: str, port: str) -> Response:
        _, _, value = self._output(pk, node_id, port)
        if not isinstance(value, DataTable):
            raise ValidationError({"port": f"output '{port}' is not a table"})
        return Response(profile_table(value.df))

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "format",
                str,
                enum=["csv", "parquet"],
                description="A table as CSV (the default) or as its stored Parquet file.",
            )
        ],
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, "application/vnd.apache.parquet"): OpenApiTypes.BINARY,
            (200, "application/json"): OpenApiTypes.OBJECT,
            (200, "application/zip"): OpenApiTypes.BINARY,
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=rf"nodes/{NODE}/outputs/(?P<port>[a-z0-9_]+)/download",
        renderer_classes=[JSONRenderer],
        content_negotiation_class=FileFormatNegotiation,
    )
    def output_download(self, request: Request, pk: str, node_id: str, port: str) -> HttpResponse:
        wanted = request.query_params.get("format", "csv")
        if wanted not in DOWNLOAD_FORMATS:
            raise ValidationError({"format": f"'{wanted}' is not a download format; use csv or parquet"})
        if wanted == "parquet":
            return self._parquet_download(pk, node_id, port)
        node, out, value = self._output(pk, node_id, port)
        name = f"run{node.run_id}-{node_id}-{port}"
        if isinstance(value, DataTable):
            response = StreamingHttpResponse(_csv_chunks(value), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
            return response
        if out["type"] == "metrics":
            payload = json.dumps({"values": value.values, "task": value.task, "detail": value.detail}, indent=2)
            response = HttpResponse(payload, content_type="application/json")
            response["Content-Disposition"] = f'attachment; filename="{name}.json"'
            return response
        raw = artifact_store().get(out["digest"])
        response = HttpResponse(raw, content_type=PORT_TYPES[out["type"]].media_type)
        response["Content-Disposition"] = f'attachment; filename="{name}.zip"'
        return response

    def _parquet_download(self, pk: str, node_id: str, port: str) -> HttpResponse:
        """The stored Parquet file of a table output, streamed from the artifact store as it is (never
        read whole, never converted)."""
        node = self._node(pk, node_id)
        out = (node.outputs or {}).get(port)
        if out is None:
            available = ", ".join(sorted(node.outputs or {})) or "none yet"
            raise NotFound(f"node '{node_id}' has no output '{port}' (available: {available})")
        if not issubclass(PORT_TYPES[out["type"]], Table):
            raise ValidationError({"format": f"output '{port}' of node '{node_id}' is not a table ({out['type']})"})
        try:
            stream = artifact_store().open(out["digest"])
        except ArtifactMissing:
            raise NotFound(f"the artifact of output '{port}' of node '{node_id}' is no longer stored") from None
        response = FileResponse(stream, content_type=Table.media_type)
        response["Content-Disposition"] = f'attachment; filename="run{node.run_id}-{node_id}-{port}.parquet"'
        return response


def _paging(request: Request) -> tuple[int, int]:
    try:
        offset = int(request.query_params.get("offset", 0))
        limit = int(request.query_params.get("limit", 100))
    except ValueError:
        raise ValidationError({"offset": "offset and limit must be integers"}) from None
    if offset < 0 or not 1 <= limit <= MAX_PAGE:
        raise ValidationError({"limit": f"offset must be ≥ 0 and limit between 1 and {MAX_PAGE}"})
    return offset, limit


def _csv_chunks(table: DataTable, chunk: int = 5000):  # type: ignore[no-untyped-def]
    df = table.df
    for start in range(0, max(len(df), 1), chunk):
        buf = io.StringIO()
        df.iloc[start : start + chunk].to_csv(buf, index=False, header=start == 0, quoting=csv.QUOTE_MINIMAL)
        yield buf.getvalue()


def _model_summary(value: Any) -> dict[str, Any]:
    fields = ("task", "learner", "name", "label_column", "feature_columns", "classes", "kind")
    summary = {f: getattr(value, f) for f in fields if hasattr(value, f)}
    if hasattr(value, "estimator"):
        summary["estimator"] = type(value.estimator).__name__
        summary["parameters"] = {k: repr(v) for k, v in list(value.estimator.get_params(deep=False).items())[:40]}
    if hasattr(value, "spec"):
        summary["spec"] = value.spec
    return json.loads(json.dumps(summary, default=str))
