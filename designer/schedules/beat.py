"""django-celery-beat's database scheduler, with one change for Tessera's schedules: their entries fire at
the ticks ``timing.Timing`` computes, and each message names the tick it is for.

Why not the stock entry: an interval entry counts from the moment the last message was sent by *this*
process, so two beat processes (or one restarted) fire at different offsets and nobody can say which
scheduled time a message belongs to. Here an entry is due when a tick has passed since it last fired
(as a crontab entry is), every process computes the same ticks, and the message carries the tick, so
the task's claim on (schedule, tick) lets exactly one run start per tick however many beats send it.
Everything else (reading the PeriodicTask table, noticing changes, saving last_run_at) is the library's.

Run it with ``celery -A designer beat`` (the scheduler is set in settings: CELERY_BEAT_SCHEDULER).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from celery import schedules
from celery.utils.time import maybe_make_aware
from django_celery_beat.schedulers import DatabaseScheduler, ModelEntry

from .dispatch import FIRE_SCHEDULE
from .models import Schedule
from .selectors import timing_of
from .timing import Timing

#: How long to wait before looking again when a schedule has no tick ahead (it ended): any change to
#: it reloads the entry anyway.
_IDLE_SECONDS = 3600.0


class TickSchedule(schedules.BaseSchedule):
    """Due when a tick has passed since the entry last fired; remembers that tick in ``due``."""

    def __init__(self, timing: Timing, app: Any = None) -> None:
        super().__init__(app=app)
        self.timing = timing
        self.due: datetime | None = None

    def remaining_estimate(self, last_run_at: datetime) -> float:
        following = self.timing.following(self.now(), 1)
        return (following[0] - self.now()).total_seconds() if following else _IDLE_SECONDS

    def is_due(self, last_run_at: datetime) -> schedules.schedstate:
        now = self.now()
        latest = self.timing.previous(now)
        following = self.timing.following(now, 1)
        wait = max((following[0] - now).total_seconds(), 0.0) if following else _IDLE_SECONDS
        if latest is not None and latest > maybe_make_aware(last_run_at):
            self.due = latest
            return schedules.schedstate(True, wait)
        return schedules.schedstate(False, wait)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TickSchedule) and other.timing == self.timing

    def __hash__(self) -> int:
        return hash(self.timing)

    def __repr__(self) -> str:
        return f"<ticks: {self.timing.describe()} ({self.timing.tz})>"


class TickEntry(ModelEntry):
    """A PeriodicTask row; for a Tessera schedule, its timing comes from the Schedule row."""

    def __init__(self, model: Any, app: Any = None) -> None:
        super().__init__(model, app=app)
        if model.task == FIRE_SCHEDULE:
            row = Schedule.objects.filter(pk=self.kwargs.get("schedule_id")).first()
            if row is not None:  # gone: the task removes the entry the first time it fires
                self.schedule = TickSchedule(timing_of(row), app=self.app)


class TickScheduler(DatabaseScheduler):
    Entry = TickEntry

    def apply_async(self, entry: Any, producer: Any = None, advance: bool = True, **kwargs: Any) -> Any:
        schedule = entry.schedule
        if not isinstance(schedule, TickSchedule) or schedule.due is None:
            return super().apply_async(entry, producer, advance, **kwargs)
        kept = entry.kwargs
        entry.kwargs = {**kept, "tick": schedule.due.isoformat()}  # this message only
        try:
            return super().apply_async(entry, producer, advance, **kwargs)
        finally:
            entry.kwargs = kept
