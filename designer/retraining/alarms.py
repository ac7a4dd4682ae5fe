"""The drift alarm: measured on the endpoint's recent sampled requests (endpoints.monitoring.drift), it
fires when an input has enough rows and drifted past the policy's threshold, and then starts one run of
the retraining pipeline endpoint (kind "drift"), recording which features drifted and their statistics.

It stays quiet while a retraining run or its challenger is undecided, and after an alarm or a decision
it counts only the traffic that came later. Checks take the policy's row lock and skip a policy that
another process is checking, so two checkers never start two runs for one alarm."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from rest_framework.exceptions import APIException

from designer.activity import services as activity
from designer.endpoints import monitoring
from designer.published.models import PublishedRun
from designer.published.services import start_run
from designer.runs.models import Run

from .challengers import error_text
from .models import Challenger, RetrainingPolicy

log = logging.getLogger(__name__)
A = RetrainingPolicy.AlarmState
MAX_FEATURES_IN_DETAIL = 50


def retraining_in_flight(policy: RetrainingPolicy) -> bool:
    """A run of the retraining pipeline endpoint not finished or not yet picked up, or a challenger not decided."""
    runs = PublishedRun.objects.filter(endpoint_id=policy.pipeline_endpoint_id, run__created_at__gte=policy.created_at)
    unfinished = runs.exclude(run__status__in=Run.TERMINAL).exists()
    unclaimed = runs.filter(run__status__in=Run.TERMINAL).exclude(run__challengers__endpoint_id=policy.endpoint_id)
    undecided = Challenger.objects.filter(endpoint_id=policy.endpoint_id, status__in=Challenger.UNDECIDED).exists()
    return unfinished or undecided or unclaimed.exists()


def measure(policy: RetrainingPolicy, now: datetime) -> tuple[str, dict[str, Any]]:
    """The alarm's state over the window and what it saw; ``drifted`` carries the input that fired."""
    since = now - timedelta(minutes=policy.drift_window_minutes)
    if policy.alarm_since is not None and policy.alarm_since > since:
        since = policy.alarm_since
    minutes = max((now - since).total_seconds() / 60.0, 1e-6)
    report = monitoring.drift(policy.endpoint, minutes, now)  # type: ignore[arg-type]  # a fraction of a minute is fine
    inputs, errors, enough = [], [], False
    for entry in report["inputs"]:
        if "features" not in entry:
            errors.append(f"{entry['name']}: {entry.get('error') or entry.get('note')}")
            continue
        rows, measured = int(entry["recent_rows"]), int(entry["measured"])
        has_enough = rows >= policy.drift_min_rows and measured > 0
        enough = enough or has_enough
        threshold = policy.drift_features
        fired = has_enough and (entry["drifted"] >= threshold if threshold else bool(entry["dataset_drifted"]))
        drifted = [f for f in entry["features"] if f["drifted"]][:MAX_FEATURES_IN_DETAIL]
        inputs.append(
            {
                "input": entry["name"],
                "recent_rows": rows,
                "measured": measured,
                "drifted": int(entry["drifted"]),
                "dataset_drifted": bool(entry["dataset_drifted"]),
                "fired": fired,
                "features": [
                    {k: f[k] for k in ("column", "test", "statistic", "p_value", "distance")} for f in drifted
                ],
            }
        )
    detail: dict[str, Any] = {
        "since": since.isoformat(),
        "until": now.isoformat(),
        "window_minutes": policy.drift_window_minutes,
        "min_rows": policy.drift_min_rows,
        "threshold": f"{policy.drift_features} drifted features" if policy.drift_features else "the input drifted",
        "inputs": inputs,
    }
    if errors:
        detail["errors"] = errors
    if any(i["fired"] for i in inputs):
        return A.DRIFTED, detail
    if enough:
        return A.OK, detail
    return (A.ERROR if errors and not inputs else A.NOT_ENOUGH_DATA), detail


def check(policy_id: int, now: datetime | None = None) -> str | None:
    """Check one policy's alarm and fire it when over the threshold; its state (``None``: checked elsewhere)."""
    now = now or timezone.now()
    with transaction.atomic():
        policy = (
            RetrainingPolicy.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("endpoint", "pipeline_endpoint")
            .filter(pk=policy_id)
            .first()
        )
        if policy is None:
            return None
        if not policy.alarm_enabled:
            state, detail = A.OFF, {}
        elif retraining_in_flight(policy):
            state, detail = A.RETRAINING, {"note": "A retraining run or its challenger is not decided yet."}
        else:
            state, detail = measure(policy, now)
            if state == A.DRIFTED:
                detail = _fire(policy, detail, now)
                state = A.ERROR if "error" in detail else A.DRIFTED
        policy.alarm_state, policy.alarm_detail, policy.alarm_checked_at = state, detail, now
        policy.save(update_fields=["alarm_state", "alarm_detail", "alarm_checked_at", "alarm_fired_at", "alarm_since"])
        return state


def _fire(policy: RetrainingPolicy, detail: dict[str, Any], now: datetime) -> dict[str, Any]:
    endpoint = policy.endpoint
    fired = next(i for i in detail["inputs"] if i["fired"])
    alarm = {
        "input": fired["input"],
        "recent_rows": fired["recent_rows"],
        "measured": fired["measured"],
        "drifted": fired["drifted"],
        "threshold": detail["threshold"],
        "since": detail["since"],
        "features": fired["features"],
    }
    policy.alarm_fired_at = policy.alarm_since = now
    try:
        with transaction.atomic():
            run = start_run(
                policy.pipeline_endpoint,
                kind="drift",
                values=policy.values,
                detail={"retraining_policy": policy.pk, "scoring_endpoint": endpoint.pk, "alarm": alarm},
            )
        outcome: dict[str, Any] = {"run": run.pk}
    except APIException as exc:
        outcome = {"error": f"The retraining run could not be started: {error_text(exc)}"}
        log.warning("drift alarm of endpoint %s: %s", endpoint.name, outcome["error"])
    activity.record(
        workspace=endpoint.workspace_id,
        actor=None,
        verb=activity.Verb.ALARMED,
        object_type=activity.ObjectType.ENDPOINT,
        object_id=endpoint.pk,
        object_name=endpoint.name,
        detail={
            "input": fired["input"],
            "drifted": fired["drifted"],
            "measured": fired["measured"],
            "features": [f["column"] for f in fired["features"]],
            **outcome,
        },
    )
    return detail | {"alarm": alarm} | outcome
