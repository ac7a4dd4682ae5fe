from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from designer.workspaces.rest import StrictSerializer

from . import metrics
from .models import Challenger, RetrainingPolicy
from .policies import auto_promote_allowed
from .selectors import figures


class RetrainingPolicyWriteSerializer(StrictSerializer):
    """PUT takes every field (the ones left out get their defaults); PATCH only those it changes."""

    pipeline_endpoint = serializers.IntegerField(
        min_value=1, help_text="The published pipeline that retrains this endpoint (same workspace)."
    )
    dataset_parameter = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        help_text="Its pipeline parameter naming the training dataset; may be left out when it has only one.",
    )
    values = serializers.DictField(
        required=False, help_text="Parameter values the runs it starts are given (the rest take their defaults)."
    )
    metric = serializers.CharField(max_length=64, help_text="The Evaluate Model metric that decides, e.g. 'AUC'.")
    margin = serializers.FloatField(
        required=False,
        min_value=0,
        help_text="How much better (in the metric's units) a challenger must be to win; below 1 for proportions.",
    )
    auto_promote = serializers.BooleanField(
        required=False,
        help_text="Promote a winning challenger without an editor (only where TESSERA_RETRAINING_AUTO_PROMOTE allows).",
    )
    model_name = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="Registry name of promoted models (the endpoint's)."
    )
    alarm_enabled = serializers.BooleanField(required=False)
    drift_window_minutes = serializers.IntegerField(required=False, min_value=1, max_value=10080)
    drift_min_rows = serializers.IntegerField(required=False, min_value=1, max_value=1_000_000)
    drift_features = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=100_000,
        help_text="Fire when this many features drifted; null: when the input counts as drifted (half its features).",
    )


class RetrainingAlarmSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=RetrainingPolicy.AlarmState.choices)
    checked_at = serializers.DateTimeField(allow_null=True)
    fired_at = serializers.DateTimeField(allow_null=True)
    since = serializers.DateTimeField(allow_null=True, help_text="Traffic before this does not count.")
    detail = serializers.JSONField(help_text="What the last check saw: per input, rows, drifted features, the alarm.")


class RetrainingPolicySerializer(serializers.ModelSerializer):
    pipeline_endpoint_name = serializers.CharField(source="pipeline_endpoint.name", read_only=True)
    higher_is_better = serializers.SerializerMethodField()
    auto_promote_allowed = serializers.SerializerMethodField()
    evaluation_pipeline = serializers.IntegerField(source="evaluation_pipeline_id", read_only=True, allow_null=True)
    alarm = serializers.SerializerMethodField()

    class Meta:
        model = RetrainingPolicy
        fields = [
            "id",
            "endpoint",
            "workspace",
            "pipeline_endpoint",
            "pipeline_endpoint_name",
            "dataset_parameter",
            "values",
            "metric",
            "higher_is_better",
            "margin",
            "auto_promote",
            "auto_promote_allowed",
            "model_name",
            "alarm_enabled",
            "drift_window_minutes",
            "drift_min_rows",
            "drift_features",
            "alarm",
            "evaluation_pipeline",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_higher_is_better(self, obj: RetrainingPolicy) -> bool | None:
        found = next((m for task in metrics.BY_TASK.values() for m in task if m.name == obj.metric), None)
        return found.higher_is_better if found else None

    def get_auto_promote_allowed(self, obj: RetrainingPolicy) -> bool:
        return auto_promote_allowed()

    @extend_schema_field(RetrainingAlarmSerializer())
    def get_alarm(self, obj: RetrainingPolicy) -> dict[str, Any]:
        state = {"state": obj.alarm_state, "checked_at": obj.alarm_checked_at, "fired_at": obj.alarm_fired_at}
        return RetrainingAlarmSerializer(state | {"since": obj.alarm_since, "detail": obj.alarm_detail}).data


class RegisteredVersionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    version = serializers.IntegerField()


class ChallengerSideSerializer(serializers.Serializer):
    artifact = serializers.CharField()
    value = serializers.FloatField(allow_null=True)
    metrics = serializers.DictField()


class ChallengerSerializer(serializers.ModelSerializer):
    endpoint_name = serializers.CharField(source="endpoint.name", read_only=True)
    trigger = serializers.SerializerMethodField()
    champion = serializers.SerializerMethodField()
    challenger = serializers.SerializerMethodField()
    decided_by = serializers.SerializerMethodField()
    registered_model = serializers.SerializerMethodField()

    class Meta:
        model = Challenger
        fields = [
            "id",
            "endpoint",
            "endpoint_name",
            "workspace",
            "run",
            "trigger",
            "status",
            "error",
            "evaluation_run",
            "metric",
            "higher_is_better",
            "margin",
            "champion",
            "challenger",
            "improvement",
            "wins",
            "champion_revision",
            "automatic",
            "decided_by",
            "decided_at",
            "note",
            "registered_model",
            "inference_pipeline",
            "deployed_version",
            "created_at",
            "evaluated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.JSONField())
    def get_trigger(self, obj: Challenger) -> dict[str, Any]:
        return dict(obj.run.trigger or {})

    @extend_schema_field(ChallengerSideSerializer())
    def get_champion(self, obj: Challenger) -> dict[str, Any]:
        return {"artifact": obj.champion_artifact, "value": obj.champion_value, "metrics": obj.champion_metrics}

    @extend_schema_field(ChallengerSideSerializer())
    def get_challenger(self, obj: Challenger) -> dict[str, Any]:
        return {"artifact": obj.challenger_artifact, "value": obj.challenger_value, "metrics": obj.challenger_metrics}

    def get_decided_by(self, obj: Challenger) -> str | None:
        return obj.decided_by.get_username() if obj.decided_by is not None else None

    @extend_schema_field(RegisteredVersionSerializer(allow_null=True))
    def get_registered_model(self, obj: Challenger) -> dict[str, Any] | None:
        model = obj.registered_model
        return None if model is None else {"id": model.pk, "name": model.name, "version": model.version}


class ChallengerDetailSerializer(ChallengerSerializer):
    figures = serializers.SerializerMethodField()

    class Meta(ChallengerSerializer.Meta):
        fields = [*ChallengerSerializer.Meta.fields, "figures"]
        read_only_fields = fields

    @extend_schema_field(serializers.DictField(child=serializers.JSONField()))
    def get_figures(self, obj: Challenger) -> dict[str, Any]:
        return figures(obj)


class ChallengerDecisionSerializer(StrictSerializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class RetrainingMetricSerializer(serializers.Serializer):
    name = serializers.CharField()
    higher_is_better = serializers.BooleanField()
    proportion = serializers.BooleanField()


class OfferedPipelineEndpointSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    default_version = serializers.IntegerField()
    dataset_parameters = serializers.ListField(child=serializers.CharField())
    reports_metrics = serializers.BooleanField()
    problem = serializers.CharField(help_text="Why it cannot retrain this endpoint; empty when it can.")


class RetrainingOptionsSerializer(serializers.Serializer):
    task = serializers.CharField(
        help_text="The task of the model the endpoint serves; empty when it cannot be compared."
    )
    problem = serializers.CharField(help_text="Why the endpoint cannot be retrained; empty when it can.")
    metrics = RetrainingMetricSerializer(many=True)
    pipeline_endpoints = OfferedPipelineEndpointSerializer(many=True)
    auto_promote_allowed = serializers.BooleanField()
