"""Reads for schedules and triggers: the timing of a schedule, its next ticks, its history."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from designer.published.models import PipelineEndpoint
from designer.runs.models import Run

from .models import DataTrigger, Schedule, ScheduleTick, TriggerFiring
from .timing import Timing


def timing_of(schedule: Schedule) -> Timing:
    return Timing(
        cron=schedule.cron,
        interval_seconds=schedule.interval_seconds,
        tz=schedule.timezone,
        since=schedule.timing_since,
        start=schedule.start_at,
        end=schedule.end_at,
    )


def next_ticks(schedule: Schedule, count: int = 3, now: datetime | None = None) -> list[datetime]:
    """The next ``count`` ticks from now, paused or not (a paused schedule shows when it would fire)."""
    return timing_of(schedule).following(now or timezone.now(), count)


def schedules_of(endpoint: PipelineEndpoint) -> QuerySet[Schedule]:
    return Schedule.objects.filter(endpoint=endpoint).select_related("endpoint", "created_by")


def triggers_of(endpoint: PipelineEndpoint) -> QuerySet[DataTrigger]:
    return DataTrigger.objects.filter(endpoint=endpoint).select_related("endpoint", "dataset", "created_by")


def ticks_of(schedule: Schedule) -> QuerySet[ScheduleTick]:
    return schedule.ticks.select_related("run")


def firings_of(trigger: DataTrigger) -> QuerySet[TriggerFiring]:
    return trigger.firings.select_related("run", "dataset_version")


def running_runs(schedule: Schedule) -> int:
    """How many runs this schedule started are still queued or running."""
    active = (Run.Status.QUEUED, Run.Status.RUNNING)
    return schedule.ticks.filter(run__status__in=active).count()
