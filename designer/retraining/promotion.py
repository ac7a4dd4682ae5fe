"""Deciding a pending challenger. Approving (an editor) or promoting automatically (a policy the operator
allowed to, when the challenger won by the margin) registers the challenger's model, derives the
inference pipeline from its run, saves that as the next version of the endpoint's pipeline and
redeploys the endpoint to it, all in one transaction: scoring processes load the new revision on their
next call and keep serving the old one until then. Rejecting keeps the champion."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from designer.activity import services as activity
from designer.api import Conflict, Unprocessable
from designer.endpoints import services as endpoints
from designer.endpoints.models import Endpoint
from designer.pipelines import services as pipelines
from designer.registry import services as registry

from .challengers import S, rearm, record
from .models import Challenger


def _pending(challenger_id: int) -> Challenger:
    challenger = (
        Challenger.objects.select_for_update(of=("self",))
        .select_related("endpoint", "run", "policy")
        .filter(pk=challenger_id)
        .first()
    )
    if challenger is None:
        raise Unprocessable(f"There is no challenger {challenger_id}.")
    if challenger.status != S.PENDING:
        raise Conflict(
            f"Challenger {challenger.pk} is {challenger.status}; only a pending challenger can be approved or rejected."
        )
    return challenger


def approve(challenger_id: int, user: Any, note: str = "") -> Challenger:
    """An editor's approval: promote now, whatever the margin."""
    return _promote(challenger_id, user, note=note, automatic=False)


def promote_automatically(challenger_id: int) -> Challenger:
    return _promote(challenger_id, None, note="Won by the margin; promoted automatically.", automatic=True)


def reject(challenger_id: int, user: Any, note: str = "") -> Challenger:
    with transaction.atomic():
        challenger = _pending(challenger_id)
        challenger.status = S.REJECTED
        _decided(challenger, user, note)
        challenger.save()
        record(challenger, activity.Verb.REJECTED, actor=user, **({"note": note} if note else {}))
    rearm(challenger.policy)
    return challenger


def _decided(challenger: Challenger, user: Any, note: str) -> None:
    challenger.decided_by = user if getattr(user, "is_authenticated", False) else None
    challenger.decided_at = timezone.now()
    challenger.note = (note or "")[:500]


def _promote(challenger_id: int, user: Any, *, note: str, automatic: bool) -> Challenger:
    with transaction.atomic():
        challenger = _pending(challenger_id)
        endpoint = (
            Endpoint.objects.select_for_update(of=("self",)).select_related("pipeline").get(pk=challenger.endpoint_id)
        )
        if endpoint.revision != challenger.champion_revision:
            raise Conflict(
                f"Endpoint '{endpoint.name}' was redeployed (revision {endpoint.revision}) since challenger "
                f"{challenger.pk} was measured against revision {challenger.champion_revision}; that is stale now."
            )
        if endpoint.pipeline is None:
            raise Unprocessable(
                f"Endpoint '{endpoint.name}''s pipeline was deleted, so there is no pipeline to add the new version to."
            )
        if not automatic:
            record(challenger, activity.Verb.APPROVED, actor=user, **({"note": note} if note else {}))
        run = challenger.run
        policy = challenger.policy
        model_name = (policy.model_name if policy else "") or endpoint.name
        tags = {"endpoint": endpoint.name, "challenger": str(challenger.pk)}
        if challenger.challenger_value is not None:
            tags[challenger.metric] = f"{challenger.challenger_value:.6g}"
        model = registry.register_model(
            user,
            run,
            challenger.model_node,
            model_name,
            port=challenger.model_port,
            tags=tags,
            description=f"Retrained by run {run.pk}; promoted to endpoint '{endpoint.name}'.",
        )
        activity.record(
            workspace=endpoint.workspace_id,
            actor=user,
            verb=activity.Verb.CREATED,
            object_type=activity.ObjectType.MODEL,
            object_id=model.pk,
            object_name=model.name,
            detail={"version": model.version, "run": run.pk, "challenger": challenger.pk},
        )
        derived, _notes = endpoints.create_inference_pipeline(user, run, f"{endpoint.name} inference from run {run.pk}")
        saved = pipelines.save_version(
            user,
            endpoint.pipeline,
            derived.versions.get(number=1).document,
            f"Challenger {challenger.pk} from run {run.pk} promoted",
        )
        endpoints.redeploy(endpoint, saved.version.number, user)
        challenger.status = S.PROMOTED
        challenger.automatic = automatic
        _decided(challenger, user, note)
        challenger.registered_model = model
        challenger.inference_pipeline = derived
        challenger.deployed_version = saved.version.number
        challenger.save()
        record(
            challenger,
            activity.Verb.PROMOTED,
            actor=user,
            automatic=automatic,
            model=model.pk,
            model_version=model.version,
            version=saved.version.number,
            revision=endpoint.revision,
        )
        for other in Challenger.objects.filter(endpoint=endpoint, status=S.PENDING).exclude(pk=challenger.pk):
            other.status = S.SUPERSEDED
            other.save(update_fields=["status"])
            record(other, activity.Verb.FINISHED, status=S.SUPERSEDED, by=challenger.pk)
    rearm(policy)
    return challenger
