from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from designer.components.planning import run_components
from designer.pipelines.mapper import graph_of
from designer.pipelines.serializers import PipelineDiffSerializer, PipelineVersionSerializer
from designer.workspaces.rest import StrictSerializer

from .evaluations import main_metrics
from .models import NodeRun, Run
from .selectors import elapsed_seconds, key_metrics, provenance_of

COMMIT = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")  # SHA-1 or SHA-256 object names


class GitProvenanceSerializer(StrictSerializer):
    """Where the submitter's code stood: the CLI and SDK send it when run inside a Git working copy."""

    repository = serializers.CharField(
        max_length=2000,
        allow_null=True,
        required=False,
        default=None,
        help_text="The 'origin' remote's URL, without credentials; null when the repository has no remote.",
    )
    branch = serializers.CharField(
        max_length=255, allow_null=True, required=False, default=None, help_text="Null on a detached HEAD."
    )
    commit = serializers.CharField(help_text="The checked-out commit: 40 (SHA-1) or 64 (SHA-256) hex digits.")
    dirty = serializers.BooleanField(help_text="Whether the working copy had changes not committed.")

    def validate_repository(self, value: str | None) -> str | None:
        if value is None:
            return None
        if any(c.isspace() or ord(c) < 32 for c in value) or not value.strip():
            raise serializers.ValidationError("must be a repository URL without spaces or control characters.")
        parts = urlsplit(value)
        if parts.scheme and parts.scheme not in ("ssh", "git") and (parts.password or parts.username):
            raise serializers.ValidationError(
                "holds credentials (user or token before '@'); send the URL without them, e.g. https://host/path."
            )
        return value

    def validate_commit(self, value: str) -> str:
        if not COMMIT.fullmatch(value):
            raise serializers.ValidationError("must be a full commit hash: 40 or 64 lower-case hex digits.")
        return value

    def validate_branch(self, value: str | None) -> str | None:
        if value is not None and (not value.strip() or any(c.isspace() or ord(c) < 32 for c in value)):
            raise serializers.ValidationError("must be a branch name without spaces or control characters.")
        return value


class SubmitRunSerializer(StrictSerializer):
    pipeline = serializers.IntegerField(help_text="Pipeline id.")
    version = serializers.IntegerField(required=False, min_value=1, help_text="Version number; the head if omitted.")
    regenerate = serializers.ListField(
        child=serializers.CharField(max_length=255),
        required=False,
        default=list,
        help_text="Node ids whose outputs must be recomputed even when cached.",
    )
    parameters = serializers.DictField(
        required=False,
        default=dict,
        help_text="Pipeline parameter values by name; parameters left out take their defaults.",
    )
    git = GitProvenanceSerializer(
        required=False, help_text="The submitter's Git provenance (the CLI and SDK send it from a working copy)."
    )


class NodeComputeSerializer(serializers.Serializer):
    target = serializers.CharField(required=False, help_text="The compute target the node ran (or runs) on.")
    path = serializers.ChoiceField(
        choices=["pandas", "dask"], required=False, help_text="How it ran; absent until it ran (and for reused nodes)."
    )
    scheduler = serializers.CharField(required=False, help_text="The Dask scheduler's address (Dask path only).")
    dashboard = serializers.CharField(
        required=False, allow_null=True, help_text="The Dask dashboard's link, when the scheduler serves one."
    )
    partitions = serializers.IntegerField(required=False, help_text="Partitions of its table inputs (Dask path).")


class NodeRunSerializer(serializers.ModelSerializer):
    node = serializers.CharField(source="node_id")
    compute = NodeComputeSerializer(read_only=True, help_text="Where the node ran: its compute target and path.")

    class Meta:
        model = NodeRun
        fields = [
            "node",
            "module_id",
            "module_version",
            "module_name",
            "queue",
            "status",
            "reason",
            "attempt",
            "worker",
            "progress",
            "progress_message",
            "error",
            "outputs",
            "spread",
            "compute",
            "cache_key",
            "started_at",
            "finished_at",
        ]


class MainMetricSerializer(serializers.Serializer):
    node = serializers.CharField(help_text="The Evaluate Model node.")
    port = serializers.CharField()
    input = serializers.CharField(help_text="The Evaluate Model input the model's scored table came in on.")
    label = serializers.CharField(help_text="The model's name: its learner's (with the node id when two share one).")
    learner_node = serializers.CharField(allow_null=True, help_text="The learner's node; null when none was found.")
    task = serializers.CharField(help_text="binary, multiclass, regression, quantile_regression or clustering.")
    metric = serializers.CharField(help_text="The task's main metric: AUC, Overall Accuracy, R², ...")
    value = serializers.JSONField(allow_null=True)


class ModuleVersionsSerializer(serializers.Serializer):
    module = serializers.CharField()
    name = serializers.CharField()
    versions = serializers.ListField(child=serializers.IntegerField())


class ProvenanceSerializer(serializers.Serializer):
    pipeline_version = serializers.IntegerField(help_text="The pipeline version the run executed.")
    modules = ModuleVersionsSerializer(many=True, help_text="Each module the run used, with the version(s) it ran.")
    git = GitProvenanceSerializer(allow_null=True, help_text="The submitter's Git state; null when not recorded.")


class RunSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(source="pipeline_version.number")
    pipeline_name = serializers.CharField(source="pipeline.name")
    created_by = serializers.CharField(source="created_by.username", default=None)
    elapsed = serializers.SerializerMethodField()
    metrics = serializers.SerializerMethodField()
    main_metrics = serializers.SerializerMethodField()

    class Meta:
        model = Run
        fields = [
            "id",
            "workspace",
            "pipeline",
            "pipeline_name",
            "version",
            "status",
            "error",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
            "elapsed",
            "metrics",
            "main_metrics",
            "regenerate",
            "parameter_values",
            "trigger",
            "git",
        ]

    def get_elapsed(self, run: Run) -> float | None:
        return elapsed_seconds(run)

    def get_metrics(self, run: Run) -> dict[str, Any]:
        return key_metrics(run)

    @extend_schema_field(MainMetricSerializer(many=True))
    def get_main_metrics(self, run: Run) -> list[dict[str, Any]]:
        """The task's main metric of each model the run evaluated (both of a two-model Evaluate Model)."""
        return main_metrics(run)


class RunDetailSerializer(RunSerializer):
    nodes = NodeRunSerializer(many=True, read_only=True)
    provenance = serializers.SerializerMethodField()
    components = serializers.SerializerMethodField(
        help_text='Each component node of the run\'s document: {"<node>": {"component", "version", "nodes": '
        '[the expanded ids of its inner nodes, "<node>/<inner>"]}}; a script component adds "ports".'
    )

    class Meta(RunSerializer.Meta):
        fields = [*RunSerializer.Meta.fields, "nodes", "dataset_pins", "components", "provenance"]

    @extend_schema_field(ProvenanceSerializer)
    def get_provenance(self, run: Run) -> dict[str, Any]:
        return provenance_of(run)

    @extend_schema_field(serializers.DictField(child=serializers.DictField()))
    def get_components(self, run: Run) -> dict[str, Any]:
        return run_components(graph_of(run.pipeline_version), run.workspace_id)


class CompareQuerySerializer(serializers.Serializer):
    a = serializers.IntegerField(min_value=1, help_text="The first run (the 'before' side of the diff).")
    b = serializers.IntegerField(min_value=1, help_text="The second run (the 'after' side).")


class ComparedRunSerializer(serializers.Serializer):
    run = RunSerializer()
    version = PipelineVersionSerializer(help_text="The pipeline version the run executed, with its document.")


class MetricDifferenceSerializer(serializers.Serializer):
    node = serializers.CharField(help_text="The node that produced the metrics (an Evaluate Model node).")
    port = serializers.CharField()
    module = serializers.CharField()
    model = serializers.CharField(
        help_text="The Evaluate Model input the model came in on: scored_dataset or scored_dataset_to_compare."
    )
    learner = serializers.CharField(help_text="The model's name: its learner's; 'a → b' when the runs differ.")
    metric = serializers.CharField()
    a = serializers.JSONField(allow_null=True, help_text="The value in run a; null when run a has no such metric.")
    b = serializers.JSONField(allow_null=True, help_text="The value in run b; null when run b has no such metric.")
    delta = serializers.FloatField(allow_null=True, help_text="b - a when both are numbers.")


class SeriesDifferenceSerializer(serializers.Serializer):
    node = serializers.CharField(help_text="The script node that logged the metric.")
    metric = serializers.CharField()
    a = serializers.ListField(
        child=serializers.ListField(child=serializers.FloatField()),
        allow_null=True,
        help_text="Run a's [step, value] points; null when run a did not log it.",
    )
    b = serializers.ListField(
        child=serializers.ListField(child=serializers.FloatField()),
        allow_null=True,
        help_text="Run b's [step, value] points; null when run b did not log it.",
    )


class CommitDifferenceSerializer(serializers.Serializer):
    a = serializers.CharField(allow_null=True, help_text="Run a's commit; null when not submitted from Git.")
    b = serializers.CharField(allow_null=True, help_text="Run b's commit; null when not submitted from Git.")
    different = serializers.BooleanField(help_text="Both runs came from Git, from different commits.")
    dirty = serializers.BooleanField(help_text="Either run came from a working copy with uncommitted changes.")


class RunComparisonSerializer(serializers.Serializer):
    a = ComparedRunSerializer()
    b = ComparedRunSerializer()
    same_pipeline = serializers.BooleanField()
    diff = PipelineDiffSerializer(help_text="The design change from run a's pipeline version to run b's.")
    metrics = MetricDifferenceSerializer(many=True)
    series = SeriesDifferenceSerializer(many=True, help_text="Metrics scripts logged over steps, both runs' points.")
    commits = CommitDifferenceSerializer(help_text="The runs' Git commits, flagged when they differ.")
