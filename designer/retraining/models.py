"""A scoring endpoint's retraining policy, and the challengers the runs of its retraining pipeline produce."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class RetrainingPolicy(models.Model):
    """How one endpoint is retrained: the published pipeline that retrains it (parameterized on its
    training dataset), the Evaluate Model metric that decides, a drift alarm, and whether a challenger
    that wins by ``margin`` is promoted without an editor (only where the operator allows it)."""

    class AlarmState(models.TextChoices):
        UNCHECKED = "unchecked"  # not checked since the policy was saved
        OFF = "off"  # the drift alarm is switched off
        OK = "ok"  # enough recent data, under the threshold
        NOT_ENOUGH_DATA = "not_enough_data"
        DRIFTED = "drifted"  # fired: a retraining run was started
        RETRAINING = "retraining"  # a retraining run or its challenger is not decided yet: not checked
        ERROR = "error"  # drift could not be measured, or the run could not be started

    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="+")
    endpoint = models.OneToOneField("endpoints.Endpoint", on_delete=models.CASCADE, related_name="retraining_policy")
    pipeline_endpoint = models.ForeignKey(
        "published.PipelineEndpoint", on_delete=models.CASCADE, related_name="retraining_policies"
    )
    dataset_parameter = models.CharField(max_length=64)  # the pipeline parameter naming the training dataset
    values = models.JSONField(default=dict, blank=True)  # parameter values the runs it starts are given
    metric = models.CharField(max_length=64)  # an Evaluate Model metric name, e.g. "AUC"
    margin = models.FloatField(default=0.0)  # in the metric's own units; the challenger must win by at least this
    auto_promote = models.BooleanField(default=False)
    model_name = models.CharField(max_length=200)  # promoted models are registered under this name
    # The drift alarm: over the last ``drift_window_minutes`` with at least ``drift_min_rows`` sampled
    # rows, fire when ``drift_features`` features drifted (None: when the input counts as drifted).
    alarm_enabled = models.BooleanField(default=True)
    drift_window_minutes = models.PositiveIntegerField(default=60)
    drift_min_rows = models.PositiveIntegerField(default=100)
    drift_features = models.PositiveIntegerField(null=True, blank=True)
    alarm_state = models.CharField(max_length=16, choices=AlarmState.choices, default=AlarmState.UNCHECKED)
    alarm_checked_at = models.DateTimeField(null=True, blank=True)
    alarm_detail = models.JSONField(default=dict, blank=True)
    alarm_fired_at = models.DateTimeField(null=True, blank=True)
    # Traffic before this does not count: set when the alarm fires and when a challenger is decided.
    alarm_since = models.DateTimeField(null=True, blank=True)
    # Where challengers are scored against the champion: one pipeline, a version per evaluation.
    evaluation_pipeline = models.ForeignKey(
        "pipelines.Pipeline", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"retraining of endpoint {self.endpoint_id}"


class Challenger(models.Model):
    """A model a retraining run trained, measured against the endpoint's model on the same held-out rows."""

    class Status(models.TextChoices):
        EVALUATING = "evaluating"  # its evaluation run is on the workers
        PENDING = "pending"  # evaluated; waiting for an editor (or it did not qualify for automatic promotion)
        PROMOTED = "promoted"  # registered and deployed
        REJECTED = "rejected"
        SUPERSEDED = "superseded"  # the endpoint was redeployed since it was evaluated
        FAILED = "failed"  # the retraining run failed, or it could not be evaluated

    UNDECIDED = (Status.EVALUATING, Status.PENDING)

    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="+")
    endpoint = models.ForeignKey("endpoints.Endpoint", on_delete=models.CASCADE, related_name="challengers")
    policy = models.ForeignKey(
        RetrainingPolicy, on_delete=models.SET_NULL, null=True, blank=True, related_name="challengers"
    )
    run = models.ForeignKey("runs.Run", on_delete=models.CASCADE, related_name="challengers")  # the retraining run
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.EVALUATING, db_index=True)
    error = models.TextField(blank=True, default="")
    evaluation_run = models.ForeignKey("runs.Run", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # What was compared: both trained models and the challenger run's held-out rows, by digest.
    model_node = models.CharField(max_length=64, blank=True, default="")
    model_port = models.CharField(max_length=64, blank=True, default="")
    challenger_artifact = models.CharField(max_length=64, blank=True, default="")
    champion_artifact = models.CharField(max_length=64, blank=True, default="")
    held_out_artifact = models.CharField(max_length=64, blank=True, default="")
    champion_revision = models.PositiveIntegerField(default=0)  # the endpoint revision it was measured against
    # The decision rule as it stood when it was evaluated, and both sides' Evaluate Model metrics.
    metric = models.CharField(max_length=64, blank=True, default="")
    higher_is_better = models.BooleanField(default=True)
    margin = models.FloatField(default=0.0)
    champion_metrics = models.JSONField(default=dict, blank=True)
    challenger_metrics = models.JSONField(default=dict, blank=True)
    champion_value = models.FloatField(null=True, blank=True)
    challenger_value = models.FloatField(null=True, blank=True)
    improvement = models.FloatField(null=True, blank=True)  # in the metric's units; positive: the challenger is better
    wins = models.BooleanField(null=True, blank=True)  # improved by at least the margin
    # The decision and what promotion did.
    automatic = models.BooleanField(default=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True, default="")
    registered_model = models.ForeignKey(
        "registry.RegisteredModel", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    inference_pipeline = models.ForeignKey(
        "pipelines.Pipeline", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    deployed_version = models.PositiveIntegerField(null=True, blank=True)  # of the endpoint's pipeline
    created_at = models.DateTimeField(auto_now_add=True)
    evaluated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["endpoint", "run"], name="challenger_one_per_run")]

    def __str__(self) -> str:
        return f"challenger of endpoint {self.endpoint_id} from run {self.run_id} ({self.status})"
