"""Schedules and data triggers of pipeline endpoints (viewers read, editors manage), the timing preview,
and "Schedule this run"."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from designer.published.models import PipelineEndpoint
from designer.runs.models import Run
from designer.workspaces.permissions import Role
from designer.workspaces.rest import StrictSerializer, WorkspaceScopedView

from . import services
from .models import DataTrigger, Schedule
from .selectors import firings_of, schedules_of, ticks_of, triggers_of
from .serializers import (
    DataTriggerInputSerializer,
    DataTriggerSerializer,
    ScheduleInputSerializer,
    SchedulePreviewSerializer,
    ScheduleRunInputSerializer,
    ScheduleSerializer,
    ScheduleTickSerializer,
    ScheduleTimingSerializer,
    TriggerFiringSerializer,
)
from .timing import Timing, check, describe

REFUSED = OpenApiResponse(
    response=inline_serializer(
        "ScheduleRefused",
        {"detail": serializers.CharField(), "problems": serializers.ListField(child=serializers.DictField())},
    ),
    description="Refused; each problem names its field (cron, interval_seconds, timezone, end_at, values, "
    "version, dataset, parameter, endpoint, run).",
)


def _no_body(request: Request) -> None:
    """Routes that take no body still refuse a malformed or unexpected one (400), rather than ignore it."""
    StrictSerializer(data=request.data if request.data is not None else {}).is_valid(raise_exception=True)


class EndpointScoped(WorkspaceScopedView):
    queryset = PipelineEndpoint.objects.select_related("workspace")
    object_label = "pipeline endpoint"


class EndpointSchedulesView(EndpointScoped):
    @extend_schema(responses=ScheduleSerializer(many=True), summary="A pipeline endpoint's schedules")
    def get(self, request: Request, pk: int) -> Response:
        return self.paginate(schedules_of(self.get_object(pk)), ScheduleSerializer)

    @extend_schema(
        request=ScheduleInputSerializer,
        responses={201: ScheduleSerializer, 400: REFUSED},
        summary="Schedule runs of a pipeline endpoint: cron or interval (editor)",
    )
    def post(self, request: Request, pk: int) -> Response:
        body = ScheduleInputSerializer(data=request.data)  # a malformed body is a 400 before anything else
        endpoint = self.get_object(pk)
        body.is_valid(raise_exception=True)
        schedule = services.create_schedule(endpoint, user=request.user, data=body.validated_data)
        return Response(ScheduleSerializer(schedule).data, status=status.HTTP_201_CREATED)


class ScheduleScoped(WorkspaceScopedView):
    queryset = Schedule.objects.select_related("endpoint", "endpoint__workspace", "periodic_task", "created_by")
    object_label = "schedule"
    workspace_path = "endpoint__workspace"


class ScheduleDetailView(ScheduleScoped):
    @extend_schema(responses=ScheduleSerializer, summary="A schedule, its next fire times and its last ticks")
    def get(self, request: Request, pk: int) -> Response:
        return Response(ScheduleSerializer(self.get_object(pk)).data)

    @extend_schema(
        request=ScheduleInputSerializer,
        responses={200: ScheduleSerializer, 400: REFUSED},
        summary="Change a schedule (editor)",
    )
    def patch(self, request: Request, pk: int) -> Response:
        body = ScheduleInputSerializer(data=request.data, partial=True)
        schedule = self.get_object(pk)
        body.is_valid(raise_exception=True)
        schedule = services.update_schedule(schedule, user=request.user, changes=body.validated_data)
        return Response(ScheduleSerializer(schedule).data)

    @extend_schema(responses={204: None}, summary="Delete a schedule; the runs it started stay (editor)")
    def delete(self, request: Request, pk: int) -> Response:
        services.delete_schedule(self.get_object(pk), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SchedulePauseView(ScheduleScoped):
    paused = True

    @extend_schema(request=None, responses=ScheduleSerializer, summary="Pause a schedule (editor)")
    def post(self, request: Request, pk: int) -> Response:
        _no_body(request)
        schedule = services.set_paused(self.get_object(pk), user=request.user, paused=self.paused)
        return Response(ScheduleSerializer(schedule).data)


class ScheduleResumeView(SchedulePauseView):
    paused = False

    @extend_schema(request=None, responses=ScheduleSerializer, summary="Resume a paused schedule (editor)")
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)


class ScheduleTicksView(ScheduleScoped):
    @extend_schema(
        responses=ScheduleTickSerializer(many=True),
        summary="A schedule's history, newest first: ran (with the run), skipped or failed to start (with why)",
    )
    def get(self, request: Request, pk: int) -> Response:
        return self.paginate(ticks_of(self.get_object(pk)), ScheduleTickSerializer)


class SchedulePreviewView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=ScheduleTimingSerializer,
        responses=SchedulePreviewSerializer,
        summary="A timing in words and its next three fire times, or what is wrong with it (nothing saved)",
    )
    def post(self, request: Request) -> Response:
        body = ScheduleTimingSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data: dict[str, Any] = body.validated_data
        now = timezone.now().replace(microsecond=0)
        cron = " ".join((data.get("cron") or "").split())
        interval, tz = data.get("interval_seconds"), data.get("timezone") or "UTC"
        start, end = data.get("start_at"), data.get("end_at")
        problems = check(
            cron=cron,
            interval_seconds=interval,
            tz=tz,
            start=start,
            end=end,
            now=now,
            min_interval=settings.TESSERA_SCHEDULE_MIN_INTERVAL_SECONDS,
        )
        if problems:
            return Response({"description": "", "next_fires": [], "problems": [p.to_dict() for p in problems]})
        timing = Timing(cron=cron, interval_seconds=interval, tz=tz, since=now, start=start, end=end)
        upcoming = [t.isoformat() for t in timing.following(now, 3)]
        return Response({"description": describe(cron, interval), "next_fires": upcoming, "problems": []})


class ScheduleRunView(WorkspaceScopedView):
    queryset = Run.objects.select_related("pipeline", "pipeline_version", "workspace")
    object_label = "run"

    @extend_schema(
        request=ScheduleRunInputSerializer,
        responses={201: ScheduleSerializer, 400: REFUSED},
        summary="Schedule this run: its published version with its parameter values, at a cron or interval "
        "(editor; refused naming why when no pipeline endpoint publishes the run's version)",
    )
    def post(self, request: Request, pk: int) -> Response:
        body = ScheduleRunInputSerializer(data=request.data)
        run = self.get_object(pk, Role.EDITOR)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        endpoint_id = data.pop("endpoint", None)
        schedule = services.schedule_run(run, user=request.user, data=data, endpoint_id=endpoint_id)
        return Response(ScheduleSerializer(schedule).data, status=status.HTTP_201_CREATED)


# -- data triggers ------------------------------------------------------------------------------


class EndpointTriggersView(EndpointScoped):
    @extend_schema(responses=DataTriggerSerializer(many=True), summary="A pipeline endpoint's data triggers")
    def get(self, request: Request, pk: int) -> Response:
        return self.paginate(triggers_of(self.get_object(pk)), DataTriggerSerializer)

    @extend_schema(
        request=DataTriggerInputSerializer,
        responses={201: DataTriggerSerializer, 400: REFUSED},
        summary="Run a pipeline endpoint whenever a dataset of its workspace gets a new version (editor)",
    )
    def post(self, request: Request, pk: int) -> Response:
        body = DataTriggerInputSerializer(data=request.data)
        endpoint = self.get_object(pk)
        body.is_valid(raise_exception=True)
        trigger = services.create_trigger(endpoint, user=request.user, data=body.validated_data)
        return Response(DataTriggerSerializer(trigger).data, status=status.HTTP_201_CREATED)


class TriggerScoped(WorkspaceScopedView):
    queryset = DataTrigger.objects.select_related("endpoint", "endpoint__workspace", "dataset", "created_by")
    object_label = "data trigger"
    workspace_path = "endpoint__workspace"


class TriggerDetailView(TriggerScoped):
    @extend_schema(responses=DataTriggerSerializer, summary="A data trigger and its last firings")
    def get(self, request: Request, pk: int) -> Response:
        return Response(DataTriggerSerializer(self.get_object(pk)).data)

    @extend_schema(
        request=DataTriggerInputSerializer,
        responses={200: DataTriggerSerializer, 400: REFUSED},
        summary="Change a data trigger (editor)",
    )
    def patch(self, request: Request, pk: int) -> Response:
        body = DataTriggerInputSerializer(data=request.data, partial=True)
        trigger = self.get_object(pk)
        body.is_valid(raise_exception=True)
        trigger = services.update_trigger(trigger, user=request.user, changes=body.validated_data)
        return Response(DataTriggerSerializer(trigger).data)

    @extend_schema(responses={204: None}, summary="Delete a data trigger; the runs it started stay (editor)")
    def delete(self, request: Request, pk: int) -> Response:
        services.delete_trigger(self.get_object(pk), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TriggerPauseView(TriggerScoped):
    paused = True

    @extend_schema(request=None, responses=DataTriggerSerializer, summary="Pause a data trigger (editor)")
    def post(self, request: Request, pk: int) -> Response:
        _no_body(request)
        trigger = services.set_trigger_paused(self.get_object(pk), user=request.user, paused=self.paused)
        return Response(DataTriggerSerializer(trigger).data)


class TriggerResumeView(TriggerPauseView):
    paused = False

    @extend_schema(request=None, responses=DataTriggerSerializer, summary="Resume a paused data trigger (editor)")
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)


class TriggerFiringsView(TriggerScoped):
    @extend_schema(
        responses=TriggerFiringSerializer(many=True),
        summary="A data trigger's history, newest first: one row per new dataset version it saw",
    )
    def get(self, request: Request, pk: int) -> Response:
        return self.paginate(firings_of(self.get_object(pk)), TriggerFiringSerializer)
