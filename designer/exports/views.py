"""Code export endpoints: a viewer of the workspace may download a pipeline version or a run as code."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request

from designer.pipelines.models import Pipeline
from designer.pipelines.serializers import ExportQuerySerializer
from designer.runs.models import Run
from designer.workspaces.rest import WorkspaceScopedView

from . import selectors

ZIP = "application/zip"
REFUSED = OpenApiResponse(
    description="An unknown version, or a pipeline that cannot run as it is (a required pipeline parameter "
    "without a value, a dataset or artifact it cannot read): every problem named."
)
NOT_FOUND = OpenApiResponse(description="Not in one of your workspaces.")
DESCRIPTION = (
    "A zip holding pipeline.py (one commented section per node: plain pandas / scikit-learn / LightGBM "
    "where Tessera has a readable equivalent, the Tessera module library otherwise), the same sections as "
    "pipeline.ipynb, the data it reads (data/*.parquet), the artifacts it names (artifacts/), "
    "requirements.txt and README.md. It runs without the server: python pipeline.py."
)


def _zip_response(export: selectors.CodeExport) -> HttpResponse:
    response = HttpResponse(export.content, content_type=ZIP)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response


class PipelineCodeExportView(WorkspaceScopedView):
    queryset = Pipeline.objects.all()
    object_label = "pipeline"

    @extend_schema(
        parameters=[ExportQuerySerializer],
        responses={(200, ZIP): OpenApiTypes.BINARY, 400: REFUSED, 404: NOT_FOUND},
        summary="Download a version as code (script, notebook and data), with the parameters' defaults",
        description=DESCRIPTION,
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        pipeline = self.get_object(pk)
        query = ExportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return _zip_response(selectors.pipeline_code_export(pipeline, query.validated_data.get("version")))


class RunCodeExportView(WorkspaceScopedView):
    queryset = Run.objects.select_related("pipeline", "pipeline_version")
    object_label = "run"

    @extend_schema(
        responses={(200, ZIP): OpenApiTypes.BINARY, 400: REFUSED, 404: NOT_FOUND},
        summary="Download a run as code: its parameter values and the dataset versions it read, pinned",
        description=DESCRIPTION,
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        return _zip_response(selectors.run_code_export(self.get_object(pk)))
