from __future__ import annotations

from rest_framework import serializers

from designer.workspaces.rest import StrictSerializer

from .models import RegisteredModel
from .services import endpoints_using


class RegisteredModelSerializer(serializers.ModelSerializer):
    node = serializers.CharField(source="node_id")
    created_by = serializers.SerializerMethodField()
    in_use_by = serializers.SerializerMethodField()
    classes = serializers.ListField(child=serializers.CharField(), read_only=True)

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
        ]

    def get_created_by(self, obj: RegisteredModel) -> str | None:
        return obj.created_by.get_username() if obj.created_by is not None else None

    def get_in_use_by(self, obj: RegisteredModel) -> list[str]:
        return endpoints_using(obj)


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
