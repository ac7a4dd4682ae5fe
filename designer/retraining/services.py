"""Writes for retraining, in one place for views and tasks: policies, the periodic pass, decisions.

``tick`` is what Celery beat runs every TESSERA_RETRAINING_CHECK_SECONDS (and what tests call): for
every policy it supersedes stale challengers, turns finished runs of the retraining pipeline endpoint
into challengers and submits their evaluation, reads finished evaluations (promoting automatically where
allowed) and checks the drift alarm. Every step is idempotent, and a failure in one policy is logged and
leaves the others alone."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from django.db import transaction
from django.utils import timezone

from . import alarms, challengers
from .models import Challenger, RetrainingPolicy
from .policies import auto_promote_allowed, delete_policy, save_policy
from .promotion import approve, promote_automatically, reject

__all__ = ["approve", "delete_policy", "reject", "save_policy", "tick", "Tick"]

log = logging.getLogger(__name__)


@dataclass
class Tick:
    """What one pass did, by id."""

    started: list[int] = field(default_factory=list)  # challengers made (evaluating, or failed)
    evaluated: list[int] = field(default_factory=list)
    promoted: list[int] = field(default_factory=list)  # automatically
    superseded: int = 0
    alarms: dict[int, str | None] = field(default_factory=dict)  # policy -> alarm state
    failures: list[str] = field(default_factory=list)


def tick(now: datetime | None = None) -> Tick:
    now = now or timezone.now()
    done = Tick()
    policies = list(RetrainingPolicy.objects.select_related("endpoint").order_by("pk"))
    for policy in policies:
        _guard(done, f"superseding for policy {policy.pk}", partial(_supersede, done, policy))
        _guard(done, f"collecting runs for policy {policy.pk}", partial(_collect, done, policy))
    for challenger_id in challengers.evaluated_ids():
        _guard(done, f"finishing challenger {challenger_id}", partial(_finish, done, challenger_id))
    for policy in policies:
        _guard(done, f"checking the alarm of policy {policy.pk}", partial(_check, done, policy, now))
    return done


def _guard(done: Tick, what: str, step: Callable[[], None]) -> None:
    try:
        with transaction.atomic():  # a failed step leaves nothing behind, and the connection usable
            step()
    except Exception as exc:  # one policy's trouble must not stop the others; the next pass retries
        log.exception("retraining: %s failed", what)
        done.failures.append(f"{what}: {exc}")


def _supersede(done: Tick, policy: RetrainingPolicy) -> None:
    done.superseded += challengers.supersede_stale(policy.endpoint_id)


def _collect(done: Tick, policy: RetrainingPolicy) -> None:
    done.started += [c.pk for c in challengers.collect(policy)]


def _check(done: Tick, policy: RetrainingPolicy, now: datetime) -> None:
    done.alarms[policy.pk] = alarms.check(policy.pk, now)


def _finish(done: Tick, challenger_id: int) -> None:
    challenger = challengers.finish_evaluation(challenger_id)
    if challenger is None:
        return
    done.evaluated.append(challenger.pk)
    if challenger.status != Challenger.Status.PENDING:
        return
    policy = challenger.policy
    if policy is None or not policy.auto_promote:
        return
    unmet = not challenger.wins
    if unmet or not auto_promote_allowed():  # the operator may have withdrawn it since the policy was saved
        why = (
            f"it did not win by the margin ({challenger.margin:g} {challenger.metric})"
            if unmet
            else "the operator does not allow automatic promotion"
        )
        Challenger.objects.filter(pk=challenger.pk).update(note=f"Not promoted automatically: {why}.")
        return
    try:
        promote_automatically(challenger.pk)
    except Exception as exc:
        log.exception("retraining: automatic promotion of challenger %s failed", challenger.pk)
        Challenger.objects.filter(pk=challenger.pk).update(note=f"Automatic promotion failed: {exc}"[:500])
        return
    done.promoted.append(challenger.pk)
