"""What the schedules API reads and answers. Inputs refuse unknown fields by name."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from designer.workspaces.rest import StrictSerializer

from .models import DataTrigger, Schedule, ScheduleTick, TriggerFiring
from .selectors import next_ticks, running_runs
from .timing import describe

RECENT = 5  # history rows shown with a schedule or trigger; the history routes page through all of them


class ScheduleTimingSerializer(StrictSerializer):
    cron = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="Five fields: minute hour day-of-month month day-of-week, in the time zone (e.g. '0 6 * * 1-5').",
    )
    interval_seconds = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, help_text="Instead of cron: every N seconds."
    )
    timezone = serializers.CharField(required=False, max_length=64, help_text="An IANA time zone; UTC by default.")
    start_at = serializers.DateTimeField(required=False, allow_null=True)
    end_at = serializers.DateTimeField(required=False, allow_null=True)


class ScheduleInputSerializer(ScheduleTimingSerializer):
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    paused = serializers.BooleanField(required=False)
    max_concurrent = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=100,
        help_text="A tick while this many of the schedule's runs are still running is skipped.",
    )
    missed = serializers.ChoiceField(
        choices=Schedule.Missed.choices,
        required=False,
        help_text="A tick that could not start on time: skip it, or run the latest one once.",
    )
    values = serializers.DictField(required=False, help_text="Pipeline parameter values for every run.")
    version = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, help_text="A published version number; the default if null."
    )


class ScheduleRunInputSerializer(ScheduleTimingSerializer):
    """ "Schedule this run": the timing; the values and the version are the run's."""

    endpoint = serializers.IntegerField(
        required=False, min_value=1, help_text="The pipeline endpoint, when several publish the run's version."
    )
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    max_concurrent = serializers.IntegerField(required=False, min_value=1, max_value=100)
    missed = serializers.ChoiceField(choices=Schedule.Missed.choices, required=False)


class ScheduleTickSerializer(serializers.ModelSerializer):
    run_status = serializers.CharField(source="run.status", allow_null=True, default=None, read_only=True)

    class Meta:
        model = ScheduleTick
        fields = ["id", "tick", "outcome", "run", "run_status", "reason", "created_at"]


class ScheduleSerializer(serializers.ModelSerializer):
    endpoint_name = serializers.CharField(source="endpoint.name", read_only=True)
    description = serializers.SerializerMethodField(help_text="The timing in words.")
    next_fires = serializers.SerializerMethodField(help_text="The next three scheduled times (UTC).")
    next_fire_at = serializers.SerializerMethodField(help_text="When it fires next; null when paused or ended.")
    running = serializers.SerializerMethodField(help_text="Runs it started that are still queued or running.")
    last_ticks = serializers.SerializerMethodField()
    created_by = serializers.CharField(source="created_by.username", allow_null=True, default=None, read_only=True)

    class Meta:
        model = Schedule
        fields = [
            "id",
            "endpoint",
            "endpoint_name",
            "name",
            "cron",
            "interval_seconds",
            "timezone",
            "start_at",
            "end_at",
            "paused",
            "max_concurrent",
            "missed",
            "values",
            "version",
            "description",
            "next_fires",
            "next_fire_at",
            "running",
            "last_ticks",
            "created_by",
            "created_at",
            "updated_at",
        ]

    def get_description(self, obj: Schedule) -> str:
        return describe(obj.cron, obj.interval_seconds)

    def _next(self, obj: Schedule) -> list[Any]:
        cache = self.context.setdefault("_next", {})
        if obj.pk not in cache:
            cache[obj.pk] = next_ticks(obj, 3, timezone.now())
        return cache[obj.pk]

    @extend_schema_field(serializers.ListField(child=serializers.DateTimeField()))
    def get_next_fires(self, obj: Schedule) -> list[str]:
        return [t.isoformat() for t in self._next(obj)]

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_next_fire_at(self, obj: Schedule) -> str | None:
        upcoming = self._next(obj)
        return upcoming[0].isoformat() if upcoming and not obj.paused else None

    def get_running(self, obj: Schedule) -> int:
        return running_runs(obj)

    @extend_schema_field(ScheduleTickSerializer(many=True))
    def get_last_ticks(self, obj: Schedule) -> list[dict[str, Any]]:
        return list(ScheduleTickSerializer(obj.ticks.select_related("run")[:RECENT], many=True).data)


class SchedulePreviewSerializer(serializers.Serializer):
    """The timing in words and its next fire times, or what is wrong with it."""

    description = serializers.CharField(allow_blank=True)
    next_fires = serializers.ListField(child=serializers.DateTimeField())
    problems = serializers.ListField(child=serializers.DictField())


class DataTriggerInputSerializer(StrictSerializer):
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    dataset = serializers.IntegerField(min_value=1, help_text="A dataset of the endpoint's workspace.")
    parameter = serializers.CharField(
        max_length=64, help_text="The pipeline's dataset parameter that receives each new version."
    )
    values = serializers.DictField(required=False, help_text="The other pipeline parameter values.")
    version = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    paused = serializers.BooleanField(required=False)


class TriggerFiringSerializer(serializers.ModelSerializer):
    dataset_version = serializers.IntegerField(source="dataset_version.version", read_only=True)
    run_status = serializers.CharField(source="run.status", allow_null=True, default=None, read_only=True)

    class Meta:
        model = TriggerFiring
        fields = ["id", "dataset_version", "outcome", "run", "run_status", "reason", "created_at"]


class DataTriggerSerializer(serializers.ModelSerializer):
    endpoint_name = serializers.CharField(source="endpoint.name", read_only=True)
    dataset_name = serializers.CharField(source="dataset.name", read_only=True)
    last_firings = serializers.SerializerMethodField()
    created_by = serializers.CharField(source="created_by.username", allow_null=True, default=None, read_only=True)

    class Meta:
        model = DataTrigger
        fields = [
            "id",
            "endpoint",
            "endpoint_name",
            "name",
            "dataset",
            "dataset_name",
            "parameter",
            "values",
            "version",
            "paused",
            "last_firings",
            "created_by",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(TriggerFiringSerializer(many=True))
    def get_last_firings(self, obj: DataTrigger) -> list[dict[str, Any]]:
        recent = obj.firings.select_related("run", "dataset_version")[:RECENT]
        return list(TriggerFiringSerializer(recent, many=True).data)
