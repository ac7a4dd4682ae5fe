from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from designer.workspaces.rest import StrictSerializer

from .formats import formats_of
from .models import ModelFormat, RegisteredModel
from .services import endpoints_using


class ModelFormatSerializer(serializers.ModelSerializer):
    class Meta:
        model = ModelFormat
        fields = ["format", "artifact", "filename", "size", "created_at", "detail"]


class FormatSerializer(serializers.Serializer):
    """One format a model version has: ``native`` (always) or an export (onnx, bundle...)."""

    format = serializers.CharField()
    artifact = serializers.CharField()
    filename = serializers.CharField(allow_blank=True)
    size = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()
    detail = serializers.DictField(required=False)


class RegisteredModelSerializer(serializers.ModelSerializer):
    node = serializers.CharField(source="node_id")
    created_by = serializers.SerializerMethodField()
    in_use_by = serializers.SerializerMethodField()
    classes = serializers.ListField(child=serializers.CharField(), read_only=True)
    formats = serializers.SerializerMethodField()

    class Meta:
        model = RegisteredModel
        fields = [
            "id",
            "workspace",
            "name",
            "version",
            "description",
            "tags",
            "run",
            "node",
            "artifact",
            "task",
            "label_column",
            "classes",
            "created_by",
            "created_at",
            "in_use_by",
            "formats",
        ]

    def get_created_by(self, obj: RegisteredModel) -> str | None:
        return obj.created_by.get_username() if obj.created_by is not None else None

    def get_in_use_by(self, obj: RegisteredModel) -> list[str]:
        return endpoints_using(obj)

    @extend_schema_field(FormatSerializer(many=True))
    def get_formats(self, obj: RegisteredModel) -> list[dict[str, Any]]:
        return FormatSerializer(formats_of(obj), many=True).data  # type: ignore[return-value]


class RegisterModelSerializer(StrictSerializer):
    workspace = serializers.IntegerField(min_value=1)
    name = serializers.RegexField(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,199}$", max_length=200)
    run = serializers.IntegerField(min_value=1)
    node = serializers.CharField(max_length=255)
    port = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    tags = serializers.DictField(child=serializers.CharField(max_length=500), required=False, default=dict)
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)

    def validate_tags(self, value: dict[str, str]) -> dict[str, str]:
        if len(value) > 50:
            raise serializers.ValidationError("At most 50 tags.")
        return value


class ModelUpdateSerializer(StrictSerializer):
    tags = serializers.DictField(child=serializers.CharField(max_length=500), required=False)
    description = serializers.CharField(required=False, allow_blank=True, max_length=2000)
