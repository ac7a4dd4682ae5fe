"""Keeps django-celery-beat's PeriodicTask of each schedule in step with it. Called by the services inside
the schedule's own transaction, so a schedule and its beat entry are created, changed, paused and
deleted together; saving a PeriodicTask marks the beat schedule changed, and every beat process
reloads it within its loop interval (5 seconds)."""

from __future__ import annotations

import json

from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from .dispatch import FIRE_SCHEDULE
from .models import Schedule

#: What a change other than timing or resuming writes: everything but beat's own bookkeeping.
_KEPT = ["task", "crontab", "interval", "kwargs", "enabled", "description", "date_changed"]


def _crontab(schedule: Schedule) -> CrontabSchedule:
    minute, hour, day_of_month, month_of_year, day_of_week = schedule.cron.split()
    fields = {
        "minute": minute,
        "hour": hour,
        "day_of_month": day_of_month,
        "month_of_year": month_of_year,
        "day_of_week": day_of_week,
        "timezone": schedule.timezone,
    }
    # Rows are shared and have no unique constraint: take the oldest match rather than get_or_create.
    return CrontabSchedule.objects.filter(**fields).order_by("pk").first() or CrontabSchedule.objects.create(**fields)


def _interval(schedule: Schedule) -> IntervalSchedule:
    fields = {"every": schedule.interval_seconds, "period": IntervalSchedule.SECONDS}
    return IntervalSchedule.objects.filter(**fields).order_by("pk").first() or IntervalSchedule.objects.create(**fields)


def sync(schedule: Schedule, *, reset: bool) -> PeriodicTask:
    """Create or update the schedule's beat entry: its timing (which beat's admin shows; the entry fires
    at ``timing.Timing``'s ticks), enabled unless paused, and the schedule's id as the task's argument.
    ``reset`` (a new timing, or resuming): nothing before now is due. Otherwise the time beat last
    fired it is left as beat wrote it."""
    task = schedule.periodic_task or PeriodicTask(name=f"tessera schedule {schedule.pk}", task=FIRE_SCHEDULE)
    if schedule.cron:
        task.crontab, task.interval = _crontab(schedule), None
    else:
        task.crontab, task.interval = None, _interval(schedule)
    task.kwargs = json.dumps({"schedule_id": schedule.pk})
    task.enabled = not schedule.paused
    task.description = f"Pipeline endpoint '{schedule.endpoint.name}': {schedule.name or 'schedule'}"[:1000]
    if reset or task.pk is None:
        task.last_run_at = timezone.now()
        task.save()
    else:
        task.save(update_fields=_KEPT)
    if schedule.periodic_task_id != task.pk:
        schedule.periodic_task = task
        schedule.save(update_fields=["periodic_task"])
    return task


def remove(schedule: Schedule) -> None:
    if schedule.periodic_task_id is not None:
        task = PeriodicTask.objects.filter(pk=schedule.periodic_task_id).first()
        if task is not None:
            task.delete()  # the instance, so beat hears of it (PeriodicTasks.changed)


def remove_orphan(schedule_id: int) -> None:
    """The beat entry of a schedule that is gone (its endpoint was deleted under it)."""
    task = PeriodicTask.objects.filter(name=f"tessera schedule {schedule_id}", task=FIRE_SCHEDULE).first()
    if task is not None:
        task.delete()
