"""The Plotly figure of one column of a dataset version (histogram or top values), for the profile view.

Same access as the rest of a dataset: any member of its workspace reads, everyone else gets 404.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from designer.engine.figures import column_figure

from . import selectors
from .views import DatasetViewBase


class ColumnFigureQuerySerializer(serializers.Serializer):
    column = serializers.CharField(help_text="The column to draw.")
    bins = serializers.IntegerField(
        required=False, default=30, min_value=1, max_value=200, help_text="Histogram bins of a numeric column."
    )
    top = serializers.IntegerField(
        required=False, default=20, min_value=1, max_value=100, help_text="Bars of a text column before 'other'."
    )


class ColumnFiguresSerializer(serializers.Serializer):
    figures = serializers.DictField(
        child=serializers.DictField(), help_text='{"column": a Plotly figure ({data, layout})}'
    )


class DatasetColumnFigureView(DatasetViewBase):
    @extend_schema(
        parameters=[ColumnFigureQuerySerializer],
        responses={
            200: ColumnFiguresSerializer,
            400: OpenApiResponse(description="No column given, or an unknown one (the available ones are listed)."),
            404: OpenApiResponse(description="No such dataset in your workspaces, or no such version."),
        },
        summary="A Plotly histogram or bar chart of one column of a version",
    )
    def get(self, request: Request, pk: int, number: int) -> Response:
        version = selectors.version_of(self.get_object(pk), number)
        query = ColumnFigureQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        try:
            figure = column_figure(selectors.frame_of(version), data["column"], bins=data["bins"], top=data["top"])
        except KeyError as missing:
            raise ValidationError({"column": [str(missing.args[0])]}) from None
        return Response({"figures": {"column": figure}})
