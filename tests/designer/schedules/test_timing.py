"""Ticks of a cron expression or an interval: time zones, daylight saving, the window, and what is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from designer.schedules.timing import Timing, check, describe

NOW = datetime(2026, 3, 27, 10, 0, 30, tzinfo=UTC)


def _check(**kwargs):  # type: ignore[no-untyped-def]
    args = {"cron": "", "interval_seconds": None, "tz": "UTC", "start": None, "end": None, "now": NOW}
    return [(p.field, p.message) for p in check(**(args | kwargs), min_interval=60)]


def test_cron_ticks_are_read_in_the_schedules_time_zone_across_a_daylight_saving_change():
    paris = Timing(cron="30 2 * * *", interval_seconds=None, tz="Europe/Paris", since=NOW)

    ticks = paris.following(NOW, 3)

    # 02:30 does not exist in Paris on 29 March 2026 (clocks go 02:00 -> 03:00): it fires at 03:00 local
    assert ticks == [
        datetime(2026, 3, 28, 1, 30, tzinfo=UTC),
        datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
        datetime(2026, 3, 30, 0, 30, tzinfo=UTC),
    ]


def test_the_latest_tick_and_whether_a_time_is_a_tick():
    hourly = Timing(cron="0 * * * *", interval_seconds=None, tz="UTC", since=NOW)

    assert hourly.previous(NOW) is None  # 10:00 came before the schedule existed
    assert hourly.previous(datetime(2026, 3, 27, 12, 59, 59, tzinfo=UTC)) == datetime(2026, 3, 27, 12, tzinfo=UTC)
    assert hourly.previous(datetime(2026, 3, 27, 13, tzinfo=UTC)) == datetime(2026, 3, 27, 13, tzinfo=UTC)
    assert hourly.is_tick(datetime(2026, 3, 27, 13, tzinfo=UTC))
    assert not hourly.is_tick(datetime(2026, 3, 27, 13, 0, 1, tzinfo=UTC))
    assert not hourly.is_tick(datetime(2026, 3, 27, 10, tzinfo=UTC))  # before ``since``


def test_interval_ticks_count_from_the_start_or_from_when_the_timing_was_set():
    from_since = Timing(cron="", interval_seconds=90, tz="UTC", since=NOW)
    start = NOW - timedelta(seconds=100)
    from_start = Timing(cron="", interval_seconds=90, tz="UTC", since=NOW, start=start)

    assert from_since.following(NOW, 2) == [NOW + timedelta(seconds=90), NOW + timedelta(seconds=180)]
    assert from_start.following(NOW, 1) == [start + timedelta(seconds=180)]
    assert from_since.previous(NOW + timedelta(seconds=200)) == NOW + timedelta(seconds=180)
    assert from_since.is_tick(NOW + timedelta(seconds=270)) and not from_since.is_tick(NOW + timedelta(seconds=271))


def test_no_tick_after_the_end_or_before_the_start():
    start, end = NOW + timedelta(minutes=30), NOW + timedelta(hours=3, minutes=30)
    window = Timing(cron="0 * * * *", interval_seconds=None, tz="UTC", since=NOW, start=start, end=end)

    assert window.following(NOW, 5) == [NOW.replace(minute=0, second=0) + timedelta(hours=h) for h in (1, 2, 3)]
    assert window.previous(NOW + timedelta(days=1)) == NOW.replace(minute=0, second=0) + timedelta(hours=3)
    assert window.previous(NOW + timedelta(minutes=40)) is None


@pytest.mark.parametrize(
    ("kwargs", "field", "words"),
    [
        ({"cron": "0 0 30 2 *"}, "cron", "'0 0 30 2 *' never fires"),
        ({"cron": "0 0 31 4,6 *"}, "cron", "never fires"),
        ({"cron": "61 * * * *"}, "cron", "not a valid cron expression"),
        ({"cron": "0 0 L * *"}, "cron", "not a valid cron expression"),
        ({"cron": "0 6 * *"}, "cron", "has 4 fields; a cron expression has five"),
        ({"cron": "0 6 * * 1", "interval_seconds": 600}, "cron", "exactly one"),
        ({}, "cron", "exactly one"),
        ({"interval_seconds": 59}, "interval_seconds", "60 seconds or more, not 59"),
        ({"cron": "0 6 * * *", "tz": "Mars/Olympus"}, "timezone", "'Mars/Olympus' is not a known time zone"),
        ({"cron": "0 6 * * *", "start": NOW, "end": NOW - timedelta(days=1)}, "end_at", "after the start"),
        ({"cron": "0 6 * * *", "end": NOW + timedelta(hours=1)}, "end_at", "No scheduled time falls"),
    ],
)
def test_a_timing_that_cannot_fire_is_refused_naming_the_field(kwargs, field, words):
    problems = _check(**kwargs)

    assert [f for f, _ in problems] == [field]
    assert words in problems[0][1]


def test_a_good_timing_has_no_problem_and_reads_as_words():
    assert _check(cron="*/15 9-17 * * 1-5", tz="America/New_York") == []
    assert _check(interval_seconds=5400) == []
    assert describe("*/15 9-17 * * 1-5", None) == "Every 15 minutes, between 09:00 and 17:59, Monday through Friday"
    assert describe("", 5400) == "Every 90 minutes"
    assert describe("", 3600) == "Every hour"
    assert describe("", 2) == "Every 2 seconds"
