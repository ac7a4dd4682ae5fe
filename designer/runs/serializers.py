from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from designer.components.planning import run_components
from designer.pipelines.mapper import graph_of
from designer.pipelines.serializers import PipelineDiffSerializer, PipelineVersionSerializer
from designer.workspaces.rest import StrictSerializer

from .evaluations import main_metrics
from .models import NodeRun, Run
from .selectors import elapsed_seconds, key_metrics


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
    components = serializers.SerializerMethodField(
        help_text='Each component node of the run\'s document: {"<node>": {"component", "version", "nodes": '
        '[the expanded ids of its inner nodes, "<node>/<inner>"]}}; a script component adds "ports".'
    )

    class Meta(RunSerializer.Meta):
        fields = [*RunSerializer.Meta.fields, "nodes", "dataset_pins", "components"]

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


class RunComparisonSerializer(serializers.Serializer):
    a = ComparedRunSerializer()
    b = ComparedRunSerializer()
    same_pipeline = serializers.BooleanField()
    diff = PipelineDiffSerializer(help_text="The design change from run a's pipeline version to run b's.")
    metrics = MetricDifferenceSerializer(many=True)
