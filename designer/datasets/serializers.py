"""Dataset shapes on the wire."""

from __future__ import annotations

import json
from typing import Any

from rest_framework import serializers

from designer.workspaces.rest import StrictSerializer
from modules.sdk.textdata import COLUMN_TYPES, MISSING_MARKERS

from . import options as upload_options
from .models import DatasetRegistration, DatasetVersion


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


class JSONTextField(serializers.JSONField):
    """A JSON value that a multipart form sends as text (``column_types={"price": "number"}``)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except ValueError:
                raise serializers.ValidationError(f"not valid JSON: {data[:100]!r}") from None
        return super().to_internal_value(data)


class ReadOptionsSerializer(StrictSerializer):
    """How a CSV/TSV is read; every option is ignored for Parquet and .zip."""

    has_header = serializers.BooleanField(default=True, help_text=HAS_HEADER_HELP)
    delimiter = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        max_length=20,
        help_text="One character that separates fields (or comma, semicolon, tab, pipe, space). Unset or blank: "
        "guessed (tab for .tsv; comma for .csv unless its first line has none; otherwise the most frequent of "
        ", tab ; | on the first line).",
    )
    encoding = serializers.CharField(
        required=False,
        default="utf-8",
        max_length=40,
        help_text="Any Python text codec: utf-8 (default; a BOM is skipped), latin-1, cp1252, utf-16 ...",
    )
    missing_values = JSONTextField(
        required=False,
        help_text="A JSON list of cell values that mean missing, replacing the defaults "
        f"({', '.join(repr(m) for m in sorted(MISSING_MARKERS) if m)}); compared case-insensitively after "
        "stripping spaces; an empty cell is always missing.",
    )
    decimal = serializers.CharField(
        required=False,
        default=".",
        trim_whitespace=False,
        max_length=1,
        help_text="'.' (default) or ','; with ',' a value like 1,5 is a number (and 1.5 is text). Not with a "
        "',' delimiter.",
    )
    column_types = JSONTextField(
        required=False,
        help_text=f"A JSON object of column name to type ({', '.join(COLUMN_TYPES)}) overriding the guess; a "
        "value that does not convert is refused naming the column, line and value. date reads ISO 8601; boolean "
        "reads true/false, yes/no, 1/0.",
    )

    def validate_delimiter(self, value: str) -> str | None:
        return upload_options.delimiter_of(value) if value else None

    def validate_encoding(self, value: str) -> str:
        return upload_options.encoding_of(value)

    def validate_decimal(self, value: str) -> str:
        return upload_options.decimal_of(value)

    def validate_missing_values(self, value: Any) -> tuple[str, ...]:
        return upload_options.missing_values_of(value)

    def validate_column_types(self, value: Any) -> dict[str, str]:
        return upload_options.column_types_of(value)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("decimal") == "," and attrs.get("delimiter") == ",":
            raise serializers.ValidationError(
                {"decimal": ["the decimal separator and the delimiter cannot both be ','; choose another delimiter"]}
            )
        return attrs

    def read_options(self) -> upload_options.ReadOptions:
        data = self.validated_data
        return upload_options.ReadOptions(
            delimiter=data.get("delimiter"),
            has_header=data["has_header"],
            encoding=data["encoding"],
            missing_values=data.get("missing_values"),
            decimal=data["decimal"],
            column_types=data.get("column_types") or {},
        )


class DatasetCreateSerializer(ReadOptionsSerializer):
    workspace = serializers.IntegerField(min_value=1)
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)
    file = serializers.FileField(help_text="CSV, TSV or Parquet (a table dataset), or .zip (a file dataset).")


class UploadPreviewSerializer(ReadOptionsSerializer):
    workspace = serializers.IntegerField(min_value=1, help_text="The workspace the file would be uploaded to.")
    file = serializers.FileField(help_text="CSV, TSV or Parquet.")
    limit = serializers.IntegerField(min_value=1, max_value=200, default=20, help_text="Rows to return.")


class UploadPreviewResponseSerializer(serializers.Serializer):
    source_name = serializers.CharField()
    format = serializers.CharField(help_text='"text" (CSV/TSV, read with ``options``) or "parquet".')
    total = serializers.IntegerField(help_text="Rows in the whole file.")
    columns = ColumnSchemaSerializer(many=True)
    rows = serializers.ListField(child=serializers.ListField(child=serializers.JSONField()))
    options = serializers.JSONField(
        allow_null=True,
        help_text="The options the reading used: the delimiter as guessed, the missing markers in force... "
        "null for Parquet.",
    )
    problems = serializers.ListField(
        child=serializers.DictField(),
        help_text="Hints (the table can still be saved): {field, column?, message}, e.g. numbers left as text.",
    )


class DatasetUpdateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True, max_length=10000)


class DatasetVersionCreateSerializer(ReadOptionsSerializer):
    file = serializers.FileField(
        help_text="The new content: CSV, TSV or Parquet for a table dataset, .zip for a file dataset."
    )


class PreviewQuerySerializer(serializers.Serializer):
    offset = serializers.IntegerField(min_value=0, default=0, required=False)
    limit = serializers.IntegerField(min_value=1, max_value=1000, default=100, required=False)


class PreviewSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    offset = serializers.IntegerField()
    limit = serializers.IntegerField()
    columns = ColumnSchemaSerializer(many=True)
    rows = serializers.ListField(child=serializers.ListField(child=serializers.JSONField()))


class DatasetRegistrationSerializer(serializers.ModelSerializer):
    """An upload a worker registers: where it stands, and what it became or why not."""

    url = serializers.SerializerMethodField(help_text="This registration; poll it until it is completed or failed.")
    dataset = serializers.SerializerMethodField(
        help_text="The dataset registered (or given a version), once completed."
    )
    version = serializers.SerializerMethodField(help_text="The version number registered, once completed.")
    target = serializers.IntegerField(
        source="target_id", allow_null=True, help_text="The dataset given a new version; null for a new dataset."
    )
    error = serializers.JSONField(
        allow_null=True,
        help_text="Once failed: the body the upload would have been answered with in the request ({detail, fields}).",
    )

    class Meta:
        model = DatasetRegistration
        fields = [
            "id",
            "url",
            "workspace",
            "name",
            "target",
            "source_name",
            "size_bytes",
            "status",
            "error",
            "error_status",
            "dataset",
            "version",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_url(self, obj: Any) -> str:
        return f"/api/dataset-registrations/{obj.pk}/"

    def get_dataset(self, obj: Any) -> int | None:
        return obj.version.dataset_id if obj.version is not None else None

    def get_version(self, obj: Any) -> int | None:
        return obj.version.version if obj.version is not None else None


class RegistrationQuerySerializer(serializers.Serializer):
    workspace = serializers.IntegerField(required=False, min_value=1, help_text="Only this workspace's registrations.")
    status = serializers.MultipleChoiceField(
        choices=[c for c, _ in DatasetRegistration.STATUSES],
        required=False,
        help_text="Only registrations in these states (repeat the parameter for several); all when left out.",
    )
