"""Writes for schedules and data triggers, and their firing.

Saving checks everything first (timing, published version, values as ``start_run`` would check them)
and then writes in one transaction: the row, its beat entry (``periodic``) and the activity event, so a
refusal leaves nothing behind. Firing claims a history row unique per (schedule, tick) or (trigger,
dataset version) under a lock on the schedule or trigger, then starts the run through
``published.services.start_run`` in the same transaction: a tick or a version starts at most one run,
and one that could not start says why in its history.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from rest_framework.exceptions import APIException

from designer.activity import services as activity
from designer.api import Unprocessable
from designer.datasets.models import Dataset, DatasetVersion
from designer.engine.parameters import declarations
from designer.pipelines.mapper import graph_of
from designer.published.models import PipelineEndpoint
from designer.published.services import published_version, start_run
from designer.runs.models import Run

from . import periodic
from .models import DataTrigger, Outcome, Schedule, ScheduleTick, TriggerFiring
from .selectors import running_runs, timing_of
from .timing import check, describe
from .values import check_values

log = logging.getLogger(__name__)

TIMING_FIELDS = ("cron", "interval_seconds", "timezone", "start_at", "end_at")
SCHEDULE_FIELDS = (*TIMING_FIELDS, "name", "paused", "max_concurrent", "missed", "values", "version")
TRIGGER_FIELDS = ("name", "dataset", "parameter", "values", "version", "paused")
_SCHEDULE_DEFAULTS: dict[str, Any] = {
    "cron": "",
    "interval_seconds": None,
    "timezone": "UTC",
    "start_at": None,
    "end_at": None,
    "name": "",
    "paused": False,
    "max_concurrent": 1,
    "missed": Schedule.Missed.RUN_ONCE,
    "values": {},
    "version": None,
}


def _actor(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def _label(obj: Schedule | DataTrigger) -> str:
    kind = "schedule" if isinstance(obj, Schedule) else "trigger"
    return obj.name or f"{obj.endpoint.name} {kind} {obj.pk}"


def _now() -> datetime:
    return timezone.now().replace(microsecond=0)


# -- schedules: saving --------------------------------------------------------------------------


def _check_timing(fields: Mapping[str, Any], now: datetime) -> None:
    problems = check(
        cron=fields["cron"] or "",
        interval_seconds=fields["interval_seconds"],
        tz=fields["timezone"],
        start=fields["start_at"],
        end=fields["end_at"],
        now=now,
        min_interval=settings.TESSERA_SCHEDULE_MIN_INTERVAL_SECONDS,
    )
    if problems:
        raise Unprocessable(
            problems[0].message if len(problems) == 1 else "The schedule's timing has problems.",
            [p.to_dict() for p in problems],
        )


def create_schedule(endpoint: PipelineEndpoint, *, user: Any, data: Mapping[str, Any]) -> Schedule:
    """A schedule of ``endpoint`` (fields as ``SCHEDULE_FIELDS``), with its beat entry."""
    fields = {**_SCHEDULE_DEFAULTS, **{k: v for k, v in data.items() if k in SCHEDULE_FIELDS}}
    fields["cron"] = " ".join((fields["cron"] or "").split())
    now = _now()
    _check_timing(fields, now)
    check_values(endpoint, fields["version"], fields["values"])
    with transaction.atomic():
        schedule = Schedule.objects.create(endpoint=endpoint, timing_since=now, created_by=_actor(user), **fields)
        periodic.sync(schedule, reset=True)
        activity.record(
            workspace=endpoint.workspace_id,
            actor=user,
            verb="created",
            object_type="schedule",
            object_id=schedule.pk,
            object_name=_label(schedule),
            detail={"endpoint": endpoint.pk, "timing": describe(schedule.cron, schedule.interval_seconds)},
        )
    return schedule


def update_schedule(schedule: Schedule, *, user: Any, changes: Mapping[str, Any]) -> Schedule:
    """Change any of ``SCHEDULE_FIELDS``. A new timing counts its ticks from now; new values or a new
    version are checked against the pipeline first."""
    changes = {k: v for k, v in changes.items() if k in SCHEDULE_FIELDS}
    if "cron" in changes:
        changes["cron"] = " ".join((changes["cron"] or "").split())
    changed = sorted(k for k, v in changes.items() if getattr(schedule, k) != v)
    if not changed:
        return schedule
    merged = {k: changes.get(k, getattr(schedule, k)) for k in SCHEDULE_FIELDS}
    timing_changed = any(k in TIMING_FIELDS for k in changed)
    now = _now()
    if timing_changed:
        _check_timing(merged, now)
    if "values" in changed or "version" in changed:
        check_values(schedule.endpoint, merged["version"], merged["values"])
    resumed = "paused" in changed and not merged["paused"]
    with transaction.atomic():
        locked = (
            Schedule.objects.select_for_update(of=("self",))
            .select_related("endpoint", "periodic_task")
            .get(pk=schedule.pk)
        )
        for name in changed:
            setattr(locked, name, merged[name])
        if timing_changed:
            locked.timing_since = now
        locked.save()
        periodic.sync(locked, reset=timing_changed or resumed)
        verb = "updated"
        if changed == ["paused"]:
            verb = "paused" if locked.paused else "resumed"
        activity.record(
            workspace=locked.endpoint.workspace_id,
            actor=user,
            verb=verb,
            object_type="schedule",
            object_id=locked.pk,
            object_name=_label(locked),
            detail={"endpoint": locked.endpoint_id, "changed": changed},
        )
    return locked


def set_paused(schedule: Schedule, *, user: Any, paused: bool) -> Schedule:
    return update_schedule(schedule, user=user, changes={"paused": paused})


def delete_schedule(schedule: Schedule, *, user: Any) -> None:
    """The schedule, its beat entry and its history; the runs it started stay (each run's trigger names it)."""
    with transaction.atomic():
        periodic.remove(schedule)
        schedule_id, label = schedule.pk, _label(schedule)
        schedule.delete()
        activity.record(
            workspace=schedule.endpoint.workspace_id,
            actor=user,
            verb="deleted",
            object_type="schedule",
            object_id=schedule_id,
            object_name=label,
            detail={"endpoint": schedule.endpoint_id},
        )


def schedule_run(run: Run, *, user: Any, data: Mapping[str, Any], endpoint_id: int | None = None) -> Schedule:
    """ "Schedule this run": a schedule of the pipeline endpoint that publishes the run's pipeline version,
    of that published version, with the run's parameter values. Refused (naming why) when no endpoint
    of the run's workspace publishes the version, or several do and ``endpoint_id`` names none of them."""
    publishing = PipelineEndpoint.objects.filter(
        workspace_id=run.workspace_id, versions__version=run.pipeline_version_id
    ).distinct()
    pipeline, number = run.pipeline.name, run.pipeline_version.number
    if endpoint_id is not None:
        endpoint = publishing.filter(pk=endpoint_id).first()
        if endpoint is None:
            raise Unprocessable(
                f"Pipeline endpoint {endpoint_id} does not publish version {number} of '{pipeline}'.",
                [{"field": "endpoint", "code": "not_published"}],
            )
    else:
        found = list(publishing[:10])
        if not found:
            raise Unprocessable(
                f"Version {number} of '{pipeline}' is not published: publish it as a pipeline endpoint first, "
                "then schedule it.",
                [{"field": "run", "code": "not_published"}],
            )
        if len(found) > 1:
            names = ", ".join(f"'{e.name}' ({e.pk})" for e in found)
            raise Unprocessable(
                f"Version {number} of '{pipeline}' is published by several endpoints ({names}): name one.",
                [{"field": "endpoint", "code": "ambiguous"}],
            )
        endpoint = found[0]
    published = endpoint.versions.filter(version_id=run.pipeline_version_id).order_by("-number").first()
    assert published is not None  # the query above found the endpoint through this version
    fields = {**dict(data), "version": published.number, "values": dict(run.parameter_values or {})}
    if not fields.get("name"):
        fields["name"] = f"From run {run.pk}"
    return create_schedule(endpoint, user=user, data=fields)


# -- schedules: firing --------------------------------------------------------------------------


def _missed(schedule: Schedule, tick: datetime, now: datetime) -> str:
    """Why a late tick is skipped under the schedule's missed-run policy ("" when it runs)."""
    late = now - tick
    if late <= timedelta(seconds=settings.TESSERA_SCHEDULE_GRACE_SECONDS):
        return ""
    minutes = int(late.total_seconds() // 60)
    if schedule.missed == Schedule.Missed.SKIP:
        return f"missed: {minutes} min late (beat or the workers were down); this schedule skips missed runs"
    latest = timing_of(schedule).previous(now)
    if latest is not None and latest > tick:
        return f"missed: {minutes} min late; the later tick {latest.isoformat()} runs instead (run once)"
    return ""


def _skip_reason(schedule: Schedule, tick: datetime, now: datetime) -> str:
    if schedule.paused:
        return "skipped: the schedule is paused"
    running = running_runs(schedule)
    if running >= schedule.max_concurrent:
        return (
            f"skipped: {running} run{'s' if running != 1 else ''} of this schedule still running "
            f"(max concurrent runs: {schedule.max_concurrent})"
        )
    return _missed(schedule, tick, now)


def _start(endpoint: PipelineEndpoint, **kwargs: Any) -> tuple[Run | None, str]:
    """``start_run`` inside a savepoint: the run, or why it could not start (nothing of it kept)."""
    try:
        with transaction.atomic():
            return start_run(endpoint, **kwargs), ""
    except Unprocessable as exc:
        said = "; ".join(str(p.get("message", "")) for p in exc.problems[:3] if p.get("message"))
        return None, f"could not start: {exc.detail}" + (f" ({said})" if said else "")
    except APIException as exc:
        return None, f"could not start: {exc.detail}"
    except Exception as exc:  # recorded on the tick; the beat goes on with the next one
        log.exception("a scheduled run of endpoint %s could not start", endpoint.pk)
        return None, f"could not start: {type(exc).__name__}: {exc}"


def fire_tick(schedule_id: int, tick: datetime | None = None) -> ScheduleTick | None:
    """Run the schedule for ``tick`` (a scheduled time; the latest one when ``None``), once: a tick already
    claimed, or not one of the schedule's current ticks, does nothing and returns ``None``."""
    now = timezone.now()
    with transaction.atomic():
        schedule = Schedule.objects.select_for_update().select_related("endpoint").filter(pk=schedule_id).first()
        if schedule is None:
            periodic.remove_orphan(schedule_id)
            return None
        timing = timing_of(schedule)
        tick = tick if tick is not None else timing.previous(now)
        if tick is None or not timing.is_tick(tick):
            return None  # sent for an older timing, or before the schedule existed
        if ScheduleTick.objects.filter(schedule=schedule, tick=tick).exists():
            return None  # another beat process sent this tick too
        reason = _skip_reason(schedule, tick, now)
        run = None
        if not reason:
            run, reason = _start(
                schedule.endpoint,
                kind="schedule",
                values=schedule.values,
                number=schedule.version,
                detail={"schedule": schedule.pk, "tick": tick.isoformat()},
            )
        outcome = _outcome(run, reason)
        fired = ScheduleTick.objects.create(schedule=schedule, tick=tick, outcome=outcome, run=run, reason=reason)
        if outcome != Outcome.SKIPPED:
            _record_fire(schedule, fired.run, reason, {"tick": tick.isoformat()})
    return fired


def _outcome(run: Run | None, reason: str) -> str:
    if run is not None:
        return Outcome.RAN
    return Outcome.SKIPPED if reason.startswith(("skipped", "missed")) else Outcome.FAILED


def _record_fire(obj: Schedule | DataTrigger, run: Run | None, reason: str, detail: dict[str, Any]) -> None:
    kind = "schedule" if isinstance(obj, Schedule) else "trigger"
    activity.record(
        workspace=obj.endpoint.workspace_id,
        actor=None,
        verb="triggered",
        object_type=kind,
        object_id=obj.pk,
        object_name=_label(obj),
        detail={**detail, "endpoint": obj.endpoint_id, **({"run": run.pk} if run else {"failed": reason})},
    )


# -- data triggers --------------------------------------------------------------------------------


def _trigger_fields(endpoint: PipelineEndpoint, fields: dict[str, Any]) -> dict[str, Any]:
    """``fields`` with ``dataset`` a Dataset of the endpoint's workspace, ``parameter`` a dataset parameter
    of the published version, and values the pipeline accepts once the trigger fills that parameter."""
    dataset = fields["dataset"]
    if not isinstance(dataset, Dataset):
        dataset = Dataset.objects.filter(pk=dataset, workspace_id=endpoint.workspace_id).first()
        if dataset is None:
            raise Unprocessable(
                f"Dataset {fields['dataset']} is not a dataset of this endpoint's workspace.",
                [{"field": "dataset", "code": "other_workspace"}],
            )
    fields["dataset"] = dataset
    published = published_version(endpoint, fields["version"])
    declared, _ = declarations(graph_of(published.version))
    datasets = sorted(name for name, spec in declared.items() if spec.type == "dataset")
    parameter = fields["parameter"]
    if parameter not in datasets:
        listed = ", ".join(datasets) or "none"
        raise Unprocessable(
            f"'{parameter}' is not a dataset parameter of version {published.number} of '{endpoint.name}' "
            f"(its dataset parameters: {listed}).",
            [{"field": "parameter"}],
        )
    if parameter in fields["values"]:
        raise Unprocessable(
            f"'{parameter}' receives each new version of '{dataset.name}'; leave it out of the values.",
            [{"field": "values", "path": f"values.{parameter}"}],
        )
    check_values(
        endpoint, fields["version"], fields["values"], filled={parameter: {"dataset_id": dataset.pk, "version": None}}
    )
    return fields


def create_trigger(endpoint: PipelineEndpoint, *, user: Any, data: Mapping[str, Any]) -> DataTrigger:
    fields: dict[str, Any] = {"name": "", "values": {}, "version": None, "paused": False}
    fields |= {k: v for k, v in data.items() if k in TRIGGER_FIELDS}
    fields = _trigger_fields(endpoint, fields)
    with transaction.atomic():
        trigger = DataTrigger.objects.create(endpoint=endpoint, created_by=_actor(user), **fields)
        activity.record(
            workspace=endpoint.workspace_id,
            actor=user,
            verb="created",
            object_type="trigger",
            object_id=trigger.pk,
            object_name=_label(trigger),
            detail={"endpoint": endpoint.pk, "dataset": trigger.dataset_id, "parameter": trigger.parameter},
        )
    return trigger


def update_trigger(trigger: DataTrigger, *, user: Any, changes: Mapping[str, Any]) -> DataTrigger:
    changes = {k: v for k, v in changes.items() if k in TRIGGER_FIELDS}
    current = {k: getattr(trigger, "dataset_id" if k == "dataset" else k) for k in TRIGGER_FIELDS}
    changed = sorted(k for k, v in changes.items() if current[k] != (v.pk if isinstance(v, Dataset) else v))
    if not changed:
        return trigger
    merged = {**current, **changes}
    if set(changed) & {"dataset", "parameter", "values", "version"}:
        merged = _trigger_fields(trigger.endpoint, merged)
    with transaction.atomic():
        locked = DataTrigger.objects.select_for_update().select_related("endpoint").get(pk=trigger.pk)
        for name in changed:
            value = merged[name]
            if isinstance(value, Dataset):
                name, value = "dataset_id", value.pk
            setattr(locked, name, value)
        locked.save()
        verb = "updated"
        if changed == ["paused"]:
            verb = "paused" if locked.paused else "resumed"
        activity.record(
            workspace=locked.endpoint.workspace_id,
            actor=user,
            verb=verb,
            object_type="trigger",
            object_id=locked.pk,
            object_name=_label(locked),
            detail={"endpoint": locked.endpoint_id, "changed": changed},
        )
    return locked


def set_trigger_paused(trigger: DataTrigger, *, user: Any, paused: bool) -> DataTrigger:
    return update_trigger(trigger, user=user, changes={"paused": paused})


def delete_trigger(trigger: DataTrigger, *, user: Any) -> None:
    with transaction.atomic():
        trigger_id, label = trigger.pk, _label(trigger)
        trigger.delete()
        activity.record(
            workspace=trigger.endpoint.workspace_id,
            actor=user,
            verb="deleted",
            object_type="trigger",
            object_id=trigger_id,
            object_name=label,
            detail={"endpoint": trigger.endpoint_id},
        )


def fire_trigger(trigger_id: int, version_id: int) -> TriggerFiring | None:
    """Run the trigger's endpoint for one new version of its dataset, once: a version already seen, one
    of another dataset, or one older than the trigger does nothing and returns ``None``."""
    with transaction.atomic():
        trigger = DataTrigger.objects.select_for_update().select_related("endpoint").filter(pk=trigger_id).first()
        version = DatasetVersion.objects.filter(pk=version_id).first()
        if trigger is None or version is None or version.dataset_id != trigger.dataset_id:
            return None
        if version.created_at < trigger.created_at:
            return None
        if TriggerFiring.objects.filter(trigger=trigger, dataset_version=version).exists():
            return None
        run, reason = None, "skipped: the trigger is paused" if trigger.paused else ""
        if not reason:
            run, reason = _start(
                trigger.endpoint,
                kind="data",
                values={
                    **trigger.values,
                    trigger.parameter: {"dataset_id": version.dataset_id, "version": version.version},
                },
                number=trigger.version,
                detail={"trigger": trigger.pk, "dataset": version.dataset_id, "dataset_version": version.version},
            )
        outcome = _outcome(run, reason)
        fired = TriggerFiring.objects.create(
            trigger=trigger, dataset_version=version, outcome=outcome, run=run, reason=reason
        )
        if outcome != Outcome.SKIPPED:
            _record_fire(trigger, run, reason, {"dataset": version.dataset_id, "dataset_version": version.version})
    return fired
