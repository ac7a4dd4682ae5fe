"""Dataset shapes on the wire."""

from __future__ import annotations

from rest_framework import serializers

from designer.workspaces.rest import StrictSerializer

from .models import DatasetVersion


class LatestVersionSerializer(serializers.Serializer):
    """Read from the ``latest_*`` annotations of ``selectors.with_latest``."""

    version = serializers.IntegerField(source="latest_version")
    kind = serializers.ChoiceField(
        choices=DatasetVersion.KINDS,
        help_text='"table" (rows and columns) or "file" (a zip of files).',
        source="latest_kind",
    )
    rows = serializers.IntegerField(source="latest_rows")
    columns = serializers.IntegerField(source="latest_columns")
    size_bytes = serializers.IntegerField(source="latest_size_bytes")
    created_at = serializers.DateTimeField(source="latest_created_at")


class DatasetSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    workspace = serializers.IntegerField(source="workspace_id")
    name = serializers.CharField()
    description = serializers.CharField()
    created_by = serializers.CharField(source="created_by.username", allow_null=True, default=None)
    created_at = serializers.DateTimeField()
    latest_version = LatestVersionSerializer(source="*")


class DatasetVersionSummarySerializer(serializers.Serializer):
    version = serializers.IntegerField()
    kind = serializers.ChoiceField(
        choices=DatasetVersion.KINDS, help_text='"table" (rows and columns) or "file" (a zip of files).'
    )
    rows = serializers.IntegerField(help_text="0 for a file dataset.")
    columns = serializers.IntegerField(help_text="0 for a file dataset.")
    size_bytes = serializers.IntegerField(help_text="Size of the stored Parquet table, or of the uploaded zip.")
    source_name = serializers.CharField(help_text="Name of the uploaded file.")
    created_by = serializers.CharField(source="created_by.username", allow_null=True, default=None)
    created_at = serializers.DateTimeField()


class DatasetDetailSerializer(DatasetSerializer):
    versions = DatasetVersionSummarySerializer(many=True)


class ColumnSchemaSerializer(serializers.Serializer):
    name = serializers.CharField()
    type = serializers.ChoiceField(choices=["integer", "number", "boolean", "string", "category", "datetime"])


class TableSchemaSerializer(serializers.Serializer):
    columns = ColumnSchemaSerializer(many=True)
    meta = serializers.DictField()


class DatasetVersionSerializer(DatasetVersionSummarySerializer):
    dataset = serializers.IntegerField(source="dataset_id")
    digest = serializers.CharField(help_text="sha256 of the Parquet table (or of the zip) in the artifact store.")
    schema = TableSchemaSerializer(help_text="No columns for a file dataset.")
    profile = serializers.JSONField(
        help_text='A table: {"rows", "columns": [{name, type, missing, distinct, min, max, mean, std, '
        'histogram | top}]}. A file dataset: {"files", "bytes", "members": [{name, size}]} (sizes unpacked).'
    )


HAS_HEADER_HELP = (
    "CSV/TSV: the first line names the columns (default). It must be there: a blank first line, or one that "
    "looks like data (all numbers over numeric columns), is refused. false: every line is data, and the columns "
    "are named Col1, Col2 and so on. Ignored for Parquet and .zip."
)


class DatasetCreateSerializer(StrictSerializer):
    workspace = serializers.IntegerField(min_value=1)
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)
    file = serializers.FileField(help_text="CSV, TSV or Parquet (a table dataset), or .zip (a file dataset).")
    has_header = serializers.BooleanField(default=True, help_text=HAS_HEADER_HELP)


class DatasetUpdateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True, max_length=10000)


class DatasetVersionCreateSerializer(StrictSerializer):
    file = serializers.FileField(
        help_text="The new content: CSV, TSV or Parquet for a table dataset, .zip for a file dataset."
    )
    has_header = serializers.BooleanField(default=True, help_text=HAS_HEADER_HELP)


class PreviewQuerySerializer(serializers.Serializer):
    offset = serializers.IntegerField(min_value=0, default=0, required=False)
    limit = serializers.IntegerField(min_value=1, max_value=1000, default=100, required=False)


class PreviewSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    offset = serializers.IntegerField()
    limit = serializers.IntegerField()
    columns = ColumnSchemaSerializer(many=True)
    rows = serializers.ListField(child=serializers.ListField(child=serializers.JSONField()))
