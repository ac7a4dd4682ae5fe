"""Plotly figures of a run's node outputs: the charts of a metrics output, the distribution of one table column;
and the training curve of a node while it trains, read from its log.

Read access as for the rest of a run: any member of its workspace; everyone else gets 404. The
figures themselves are built by ``designer.engine.figures``; this view only finds the output,
checks the query and maps the engine's errors to 400s.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from designer.artifacts import artifact_store
from designer.engine.figures import (
    column_figure,
    curve_from_log,
    evaluation_figures,
    table_figures,
    training_figure,
)
from designer.engine.store import ArtifactMissing
from modules.sdk import PORT_TYPES, DataTable, Metrics

from .evaluations import models_of
from .models import NodeRun
from .selectors import runs_for_user


class FigureQuerySerializer(serializers.Serializer):
    column = serializers.CharField(
        required=False, help_text="For a table output: the column to draw (required there, ignored for metrics)."
    )
    bins = serializers.IntegerField(
        required=False, default=30, min_value=1, max_value=200, help_text="Histogram bins of a numeric column."
    )
    top = serializers.IntegerField(
        required=False, default=20, min_value=1, max_value=100, help_text="Bars of a text column before 'other'."
    )


class OutputFiguresSerializer(serializers.Serializer):
    figures = serializers.DictField(
        child=serializers.DictField(),
        help_text="Plotly figures ({data, layout}) by name: 'column' for a table; 'roc', 'precision_recall', "
        "'confusion_matrix', 'threshold', 'predicted_vs_actual' or 'residuals' for an evaluation; without a "
        "column, 'sweep_by_trial' and 'sweep_<parameter>' for a sweep, 'feature_scores', or 'clusters'.",
    )


class RunOutputFiguresView(APIView):
    @extend_schema(
        operation_id="runs_nodes_outputs_figures_retrieve",
        parameters=[
            OpenApiParameter("id", int, OpenApiParameter.PATH, description="The run."),
            OpenApiParameter("node_id", str, OpenApiParameter.PATH, description="The node's id in the pipeline."),
            OpenApiParameter("port", str, OpenApiParameter.PATH, description="The output port's name."),
            FigureQuerySerializer,
        ],
        responses={
            200: OutputFiguresSerializer,
            400: OpenApiResponse(
                description="No column given for a table, an unknown column (the available ones are listed), "
                "or an output that has no figures (a model or a transformation)."
            ),
            404: OpenApiResponse(description="No such run in your workspaces, node or output."),
        },
        summary="Plotly figures of a node output: a table column's distribution or an evaluation's charts",
        tags=["runs"],
    )
    def get(self, request: Request, pk: int, node_id: str, port: str) -> Response:
        query = FigureQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        node, out_type, value = _load_output(request.user, pk, node_id, port)
        if isinstance(value, Metrics):  # each model's traces named by its learner
            names = [m["label"] for m in models_of(node.run, node_id, port)]
            return Response({"figures": evaluation_figures(value.values, value.task, value.detail, names)})
        training = getattr(value, "training", None)
        if isinstance(training, dict):  # a trained network: its loss and accuracy per epoch
            figure = training_figure(training)
            return Response({"figures": {"training": figure} if figure else {}})
        if not isinstance(value, DataTable):
            kind = PORT_TYPES[out_type].label.lower()
            raise ValidationError({"port": [f"output '{port}' is a {kind}; figures exist for tables and metrics"]})
        column = query.validated_data.get("column")
        if not column:
            special = table_figures(value.df, value.meta)
            if special:  # a sweep, feature scores or cluster assignments: their own charts
                return Response({"figures": special})
            available = ", ".join(str(c) for c in value.df.columns) or "none"
            raise ValidationError({"column": [f"name the column to draw with ?column= (available: {available})"]})
        try:
            figure = column_figure(value.df, column, bins=query.validated_data["bins"], top=query.validated_data["top"])
        except KeyError as missing:
            raise ValidationError({"column": [str(missing.args[0])]}) from None
        return Response({"figures": {"column": figure}})


class TrainingCurveSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=NodeRun.Status.choices, help_text="The node's status now.")
    figures = serializers.DictField(
        child=serializers.DictField(),
        help_text="'training': the Plotly figure of loss and accuracy per epoch read from the node's log so far; "
        "empty until the first epoch has been logged.",
    )


class NodeTrainingCurveView(APIView):
    @extend_schema(
        operation_id="runs_nodes_training_curve_retrieve",
        parameters=[
            OpenApiParameter("id", int, OpenApiParameter.PATH, description="The run."),
            OpenApiParameter("node_id", str, OpenApiParameter.PATH, description="The node's id in the pipeline."),
        ],
        responses={
            200: TrainingCurveSerializer,
            404: OpenApiResponse(description="No such run in your workspaces, or node."),
        },
        summary="The training curve of a node so far, read from its log (to poll while it trains)",
        tags=["runs"],
    )
    def get(self, request: Request, pk: int, node_id: str) -> Response:
        node = _load_node(request.user, pk, node_id)
        figure = training_figure({"curve": curve_from_log(node.log)})
        return Response({"status": node.status, "figures": {"training": figure} if figure else {}})


def _load_node(user: Any, run_id: int, node_id: str) -> NodeRun:
    """The node of a run in the caller's workspaces, or 404 naming what is missing."""
    run = runs_for_user(user).filter(pk=run_id).first()
    if run is None:
        raise NotFound(f"run {run_id} does not exist")
    node = NodeRun.objects.filter(run=run, node_id=node_id).first()
    if node is None:
        raise NotFound(f"run {run_id} has no node '{node_id}'")
    return node


def _load_output(user: Any, run_id: int, node_id: str, port: str) -> tuple[NodeRun, str, Any]:
    """The node, the output's port type name and value, or 404 naming what is missing (a run outside the caller's
    workspaces is missing too)."""
    node = _load_node(user, run_id, node_id)
    out = (node.outputs or {}).get(port)
    if out is None:
        available = ", ".join(sorted(node.outputs or {})) or "none yet"
        raise NotFound(f"node '{node_id}' has no output '{port}' (available: {available})")
    try:
        value = PORT_TYPES[out["type"]].deserialize(artifact_store().get(out["digest"]))
    except ArtifactMissing:
        raise NotFound(f"the artifact of output '{port}' of node '{node_id}' is no longer stored") from None
    return node, out["type"], value
