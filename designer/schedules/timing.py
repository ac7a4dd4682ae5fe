"""When a schedule fires: its ticks (the scheduled times), computed from a cron expression or an interval,
a time zone and a window. Plain Python over croniter; no Django, no Celery state.

One definition serves everyone who asks "when": the beat entry (designer/schedules/beat.py) fires at
these ticks, the task claims exactly these ticks, and the API shows the next ones. So two beat processes,
a restart, or a late worker all agree on which tick a firing belongs to.

- cron: five fields (minute hour day-of-month month day-of-week) read in the schedule's time zone, with
  cron's usual rule that a day matches when either restricted day field matches. Daylight-saving gaps
  are handled as croniter handles them (a time that does not exist that day fires at the next one).
- interval: every N seconds from an anchor: the start when one is set, else the moment the timing was
  set; so two processes computing ticks at different times find the same ones.
- A tick counts only after ``since`` (when the timing was created or last changed: a schedule never fires
  for a time before it existed), not before ``start`` and not after ``end``.
"""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from celery.schedules import crontab
from cron_descriptor import Options, get_description
from croniter import CroniterBadCronError, CroniterBadDateError, croniter

_FIELD = re.compile(r"^[0-9A-Za-z*,/-]+$")
_NAMES = ("minute", "hour", "day of month", "month", "day of week")
_US = timedelta(microseconds=1)


@cache
def time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


@dataclass(frozen=True)
class Problem:
    field: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


@dataclass(frozen=True)
class Timing:
    cron: str
    interval_seconds: int | None
    tz: str
    since: datetime
    start: datetime | None = None
    end: datetime | None = None

    # -- the window ----------------------------------------------------------------------------
    def _in_window(self, tick: datetime) -> bool:
        after_start = self.start is None or tick >= self.start
        return tick > self.since and after_start and (self.end is None or tick <= self.end)

    @property
    def anchor(self) -> datetime:
        return self.start if self.start is not None else self.since

    # -- ticks ---------------------------------------------------------------------------------
    def following(self, after: datetime, count: int = 1) -> list[datetime]:
        """Up to ``count`` ticks strictly after ``after`` (in UTC)."""
        begin = max(after, self.since)
        if self.start is not None and self.start > begin:
            begin = self.start - _US  # a tick exactly at the start counts
        found: list[datetime] = []
        if self.interval_seconds:
            step = timedelta(seconds=self.interval_seconds)
            k = 0 if begin < self.anchor else (begin - self.anchor) // step + 1
            tick = self.anchor + k * step
            while len(found) < count and (self.end is None or tick <= self.end):
                if self._in_window(tick):
                    found.append(tick)
                tick += step
            return found
        try:
            it = croniter(self.cron, begin.astimezone(zone(self.tz)), day_or=True)
            while len(found) < count:
                tick = it.get_next(datetime).astimezone(UTC)
                if self.end is not None and tick > self.end:
                    break
                if self._in_window(tick):
                    found.append(tick)
        except CroniterBadDateError:  # no date matches the expression (refused when saved)
            pass
        return found

    def previous(self, at: datetime) -> datetime | None:
        """The latest tick at or before ``at``, or ``None`` when there is none yet."""
        if self.end is not None and at > self.end:
            at = self.end
        if self.interval_seconds:
            if at < self.anchor:
                return None
            step = timedelta(seconds=self.interval_seconds)
            tick = self.anchor + ((at - self.anchor) // step) * step
        else:
            try:
                tick = croniter(self.cron, (at + _US).astimezone(zone(self.tz)), day_or=True).get_prev(datetime)
            except CroniterBadDateError:
                return None
            tick = tick.astimezone(UTC)
        return tick if self._in_window(tick) else None

    def is_tick(self, when: datetime) -> bool:
        """Whether ``when`` is one of this timing's ticks (a message for an older timing is not)."""
        if not self._in_window(when):
            return False
        if self.interval_seconds:
            return (when - self.anchor) % timedelta(seconds=self.interval_seconds) == timedelta(0)
        return self.previous(when) == when

    def describe(self) -> str:
        return describe(self.cron, self.interval_seconds)


def describe(cron: str, interval_seconds: int | None) -> str:
    """A sentence for people: "Every 15 minutes, Monday through Friday", "Every 90 minutes"."""
    if interval_seconds:
        return "Every " + _duration(interval_seconds)
    options = Options()
    options.use_24hour_time_format = True
    return str(get_description(cron, options))


def _duration(seconds: int) -> str:
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
        if seconds % size == 0:
            n = seconds // size
            return unit if n == 1 else f"{n} {unit}s"
    return f"{seconds} seconds"  # unreachable: every whole number of seconds divides by 1


def check(
    *,
    cron: str,
    interval_seconds: int | None,
    tz: str,
    start: datetime | None,
    end: datetime | None,
    now: datetime,
    min_interval: int,
) -> list[Problem]:
    """Every reason this timing cannot be saved, each naming its field: neither or both of cron and
    interval, a cron expression that is malformed or never fires, an interval under the minimum, an
    unknown time zone, an end not after the start, and a window in which nothing would ever fire."""
    problems: list[Problem] = []
    if tz not in time_zones():
        problems.append(Problem("timezone", f"'{tz}' is not a known time zone (an IANA name, e.g. Europe/Paris)."))
    if bool(cron) == bool(interval_seconds):
        problems.append(Problem("cron", "Give either a cron expression or an interval in seconds (exactly one)."))
    elif interval_seconds is not None and interval_seconds < min_interval:
        problems.append(
            Problem("interval_seconds", f"The interval must be {min_interval} seconds or more, not {interval_seconds}.")
        )
    elif cron:
        problems += _check_cron(cron, tz if tz in time_zones() else "UTC", now)
    if start is not None and end is not None and end <= start:
        problems.append(Problem("end_at", "The end must be after the start."))
    if problems:
        return problems
    timing = Timing(cron=cron, interval_seconds=interval_seconds, tz=tz, since=now, start=start, end=end)
    if end is not None and not timing.following(now, 1):
        problems.append(Problem("end_at", f"No scheduled time falls between now and the end ({end.isoformat()})."))
    return problems


def _check_cron(cron: str, tz: str, now: datetime) -> list[Problem]:
    fields = cron.split()
    if len(fields) != 5:
        return [
            Problem(
                "cron",
                f"'{cron}' has {len(fields)} fields; a cron expression has five: minute, hour, day of month, "
                "month, day of week (e.g. '0 6 * * 1-5').",
            )
        ]
    for name, value in zip(_NAMES, fields, strict=True):
        if not _FIELD.match(value):
            return [Problem("cron", f"The {name} field '{value}' may hold only numbers, names, * , - and /.")]
    try:
        croniter(cron, now.astimezone(zone(tz)), day_or=True).get_next(datetime)
    except CroniterBadCronError as exc:
        return [Problem("cron", f"'{cron}' is not a valid cron expression: {str(exc).rstrip('.')}.")]
    except CroniterBadDateError:
        return [Problem("cron", f"'{cron}' never fires: no date matches it.")]
    try:  # the celery crontab stored beside it (the row beat's admin shows) must read the same fields
        minute, hour, day_of_month, month_of_year, day_of_week = fields
        crontab(minute, hour, day_of_week, day_of_month, month_of_year)
    except (ValueError, KeyError) as exc:
        return [Problem("cron", f"'{cron}' is not a valid cron expression: {str(exc).rstrip('.')}.")]
    return []
