"""Writes for challengers: one per finished run of a policy's retraining pipeline endpoint (however it was
started), its evaluation against the champion on the workers, and the result read back.

Idempotent and safe to run from several processes at once: a challenger is unique per (endpoint, run),
and an evaluation is finished under a row lock that others skip."""

from __future__ import annotations

import logging
from typing import Any, TypeGuard

from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.exceptions import APIException

from designer.activity import services as activity
from designer.endpoints.models import Endpoint
from designer.pipelines import services as pipelines
from designer.pipelines.models import Pipeline, PipelineVersion
from designer.published.models import PublishedRun
from designer.runs import services as runs
from designer.runs.models import Run

from . import metrics
from .evaluation import NotEvaluable, challenger_sources, champion_of, evaluation_document, evaluation_results
from .models import Challenger, RetrainingPolicy

log = logging.getLogger(__name__)
S = Challenger.Status


def record(subject: Challenger, verb: str, /, *, actor: Any = None, **detail: Any) -> None:
    """One activity event about ``subject``; ``detail`` adds to the endpoint and run it names."""
    activity.record(
        workspace=subject.workspace_id,
        actor=actor,
        verb=verb,
        object_type=activity.ObjectType.CHALLENGER,
        object_id=subject.pk,
        object_name=f"{subject.endpoint.name} · run {subject.run_id}",
        detail={"endpoint": subject.endpoint_id, "run": subject.run_id, **detail},
    )


def rearm(policy: RetrainingPolicy | None) -> None:
    """A challenger was decided: the drift alarm measures only traffic from now on (and says it is waiting
    for its next check rather than for a decision)."""
    if policy is None:
        return
    found = RetrainingPolicy.objects.filter(pk=policy.pk)
    found.update(alarm_since=timezone.now())
    found.filter(alarm_state=RetrainingPolicy.AlarmState.RETRAINING).update(
        alarm_state=RetrainingPolicy.AlarmState.UNCHECKED
    )


# -- picking up finished runs ---------------------------------------------------------------------------


def unclaimed_runs(policy: RetrainingPolicy) -> list[Run]:
    """Finished runs of the policy's pipeline endpoint, started since the policy exists, with no challenger yet."""
    found = (
        PublishedRun.objects.filter(
            endpoint_id=policy.pipeline_endpoint_id,
            run__created_at__gte=policy.created_at,
            run__status__in=Run.TERMINAL,
        )
        .exclude(run__challengers__endpoint_id=policy.endpoint_id)
        .select_related("run")
        .order_by("run__created_at")
    )
    return [p.run for p in found]


def collect(policy: RetrainingPolicy) -> list[Challenger]:
    return [c for run in unclaimed_runs(policy) if (c := start_challenger(policy, run)) is not None]


def start_challenger(policy: RetrainingPolicy, run: Run) -> Challenger | None:
    """The challenger of ``run`` with its evaluation submitted (or failed, saying why); ``None`` when
    another process made it first."""
    endpoint = policy.endpoint
    metric = metrics.find(_task_or_empty(endpoint), policy.metric)
    with transaction.atomic():
        try:
            with transaction.atomic():
                challenger = Challenger.objects.create(
                    workspace_id=endpoint.workspace_id,
                    endpoint=endpoint,
                    policy=policy,
                    run=run,
                    metric=policy.metric,
                    higher_is_better=metric.higher_is_better if metric else True,
                    margin=policy.margin,
                    champion_revision=endpoint.revision,
                )
        except IntegrityError:
            return None
        if run.status != Run.Status.COMPLETED:
            _fail(challenger, f"Retraining run {run.pk} {run.status}" + (f": {run.error}" if run.error else "."))
            record(challenger, activity.Verb.CREATED, status=challenger.status, error=challenger.error)
        else:
            try:
                with transaction.atomic():
                    _submit_evaluation(policy, challenger)
            except (NotEvaluable, APIException) as exc:
                _fail(challenger, f"Run {run.pk} cannot be compared with the endpoint's model: {error_text(exc)}")
            record(
                challenger,
                activity.Verb.CREATED,
                status=challenger.status,
                evaluation_run=challenger.evaluation_run_id,
                **({"error": challenger.error} if challenger.error else {}),
            )
    if challenger.status == S.FAILED:
        rearm(policy)
    return challenger


def _task_or_empty(endpoint: Endpoint) -> str:
    try:
        return champion_of(endpoint.document).task
    except NotEvaluable:
        return ""


def _submit_evaluation(policy: RetrainingPolicy, challenger: Challenger) -> None:
    run, endpoint = challenger.run, challenger.endpoint
    champion = champion_of(endpoint.document)
    sources = challenger_sources(run)
    document = evaluation_document(champion.artifact, sources, run_id=run.pk, endpoint_name=endpoint.name)
    pipeline, version = _evaluation_version(policy, document, f"Challenger from run {run.pk}")
    evaluation = runs.submit_run(
        user=None,
        pipeline=pipeline,
        version=version,
        trigger={
            "kind": "retraining_evaluation",
            "challenger": challenger.pk,
            "run": run.pk,
            "scoring_endpoint": endpoint.pk,
        },
    )
    challenger.model_node, challenger.model_port = sources.model_node, sources.model_port
    challenger.challenger_artifact, challenger.held_out_artifact = sources.model, sources.held_out
    challenger.champion_artifact = champion.artifact
    challenger.evaluation_run = evaluation
    challenger.save()


def _evaluation_version(
    policy: RetrainingPolicy, document: dict[str, Any], message: str
) -> tuple[Pipeline, PipelineVersion]:
    """The policy's evaluation pipeline (made on first use, again if someone deleted it) at a new version."""
    locked = RetrainingPolicy.objects.select_for_update().get(pk=policy.pk)
    pipeline = (
        Pipeline.objects.filter(pk=locked.evaluation_pipeline_id).first() if locked.evaluation_pipeline_id else None
    )
    if pipeline is None:
        endpoint = policy.endpoint
        pipeline = pipelines.create_pipeline(
            None,
            endpoint.workspace,
            f"Retraining evaluation: {endpoint.name}"[:200],
            f"Scores each challenger and endpoint '{endpoint.name}''s model on the challenger run's held-out rows.",
            document=document,
        )
        locked.evaluation_pipeline = pipeline
        locked.save(update_fields=["evaluation_pipeline", "updated_at"])
        return pipeline, pipeline.versions.get(number=1)
    saved = pipelines.save_version(None, pipeline, document, message)
    return pipeline, saved.version


def _fail(challenger: Challenger, error: str) -> None:
    challenger.status = S.FAILED
    challenger.error = error[:5000]
    challenger.save(update_fields=["status", "error"])


def error_text(exc: Exception) -> str:
    if isinstance(exc, APIException):
        detail = exc.detail
        return str(detail if not isinstance(detail, dict | list) else exc.get_full_details())
    return str(exc)


# -- finishing evaluations ---------------------------------------------------------------------------------


def evaluated_ids() -> list[int]:
    """Challengers whose evaluation run has ended (or is gone)."""
    waiting = Challenger.objects.filter(status=S.EVALUATING)
    ended = waiting.filter(evaluation_run__status__in=Run.TERMINAL) | waiting.filter(evaluation_run__isnull=True)
    return list(ended.values_list("pk", flat=True))


def finish_evaluation(challenger_id: int) -> Challenger | None:
    """Reads both metrics into the challenger: pending, or failed saying why. ``None`` when another process
    holds it or it is no longer being evaluated."""
    with transaction.atomic():
        challenger = (
            Challenger.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("endpoint", "evaluation_run", "policy")
            .filter(pk=challenger_id, status=S.EVALUATING)
            .first()
        )
        if challenger is None:
            return None
        _read_results(challenger)
        challenger.evaluated_at = timezone.now()
        challenger.save()
        detail: dict[str, Any] = {"status": challenger.status, "metric": challenger.metric}
        if challenger.status == S.FAILED:
            detail["error"] = challenger.error
        else:
            detail |= {
                "champion": challenger.champion_value,
                "challenger": challenger.challenger_value,
                "improvement": challenger.improvement,
                "wins": challenger.wins,
            }
        record(challenger, activity.Verb.FINISHED, **detail)
    if challenger.status != S.PENDING:
        rearm(challenger.policy)
    return challenger


def _read_results(challenger: Challenger) -> None:
    evaluation = challenger.evaluation_run
    if evaluation is None or evaluation.status != Run.Status.COMPLETED:
        why = (
            "was deleted"
            if evaluation is None
            else f"{evaluation.status}" + (f": {evaluation.error}" if evaluation.error else "")
        )
        challenger.status, challenger.error = S.FAILED, f"The evaluation run {why}."
        return
    if challenger.endpoint.revision != challenger.champion_revision:
        challenger.status = S.SUPERSEDED
        challenger.error = "The endpoint was redeployed while this challenger was evaluated against its earlier model."
        return
    try:
        results = evaluation_results(evaluation)
    except NotEvaluable as exc:
        challenger.status, challenger.error = S.FAILED, str(exc)
        return
    challenger.challenger_metrics, challenger.champion_metrics = results.challenger, results.champion
    metric = metrics.find(results.metrics.task, challenger.metric)
    champion, new = results.champion.get(challenger.metric), results.challenger.get(challenger.metric)
    if metric is None or not _number(champion) or not _number(new):
        challenger.status = S.FAILED
        challenger.error = (
            f"Evaluate Model gave no value of '{challenger.metric}' for both models "
            f"(a {results.metrics.task} evaluation: {champion!r} for the champion, {new!r} for the challenger)."
        )
        return
    challenger.higher_is_better = metric.higher_is_better
    challenger.champion_value, challenger.challenger_value = float(champion), float(new)
    challenger.improvement = metrics.improvement(metric, float(champion), float(new))
    challenger.wins = challenger.improvement > 0 and challenger.improvement >= challenger.margin
    challenger.status = S.PENDING


def _number(value: Any) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value  # not NaN


def supersede_stale(endpoint_id: int) -> int:
    """Pending challengers measured against a model the endpoint no longer serves: nothing to decide any more."""
    revision = Endpoint.objects.filter(pk=endpoint_id).values_list("revision", flat=True).first()
    if revision is None:
        return 0
    stale = Challenger.objects.filter(endpoint_id=endpoint_id, status=S.PENDING).exclude(champion_revision=revision)
    count = 0
    for challenger in stale.select_related("endpoint"):
        with transaction.atomic():
            if Challenger.objects.filter(pk=challenger.pk, status=S.PENDING).update(status=S.SUPERSEDED):
                count += 1
                record(challenger, activity.Verb.FINISHED, status=S.SUPERSEDED, revision=revision)
    return count
