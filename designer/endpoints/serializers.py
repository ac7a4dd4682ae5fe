from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from designer.workspaces.permissions import Role, role_of
from designer.workspaces.rest import StrictSerializer

from .models import NAME_PATTERN, Endpoint
from .openapi import ordered_example


class InputColumnSerializer(serializers.Serializer):
    name = serializers.CharField()
    type = serializers.CharField()


class EndpointInputSerializer(serializers.Serializer):
    name = serializers.CharField()
    columns = InputColumnSerializer(many=True)


class KeysSerializer(serializers.Serializer):
    primary = serializers.CharField()
    secondary = serializers.CharField()


class EndpointSerializer(serializers.ModelSerializer):
    pipeline_name = serializers.SerializerMethodField()
    pipeline_version = serializers.IntegerField(source="version_number")
    created_by = serializers.SerializerMethodField()
    scoring_url = serializers.SerializerMethodField()
    invocations_url = serializers.SerializerMethodField()
    swagger_url = serializers.SerializerMethodField()
    inputs = EndpointInputSerializer(many=True)
    outputs = serializers.ListField(child=serializers.CharField())
    example = serializers.SerializerMethodField()
    keys = serializers.SerializerMethodField()

    class Meta:
        model = Endpoint
        fields = [
            "id",
            "workspace",
            "name",
            "description",
            "status",
            "pipeline",
            "pipeline_name",
            "pipeline_version",
            "revision",
            "created_by",
            "created_at",
            "updated_at",
            "scoring_url",
            "invocations_url",
            "swagger_url",
            "inputs",
            "outputs",
            "example",
            "keys",
        ]

    def _url(self, obj: Endpoint, name: str) -> str:
        path = reverse(name, kwargs={"name": obj.name})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    @extend_schema_field(serializers.JSONField())
    def get_example(self, obj: Endpoint) -> dict[str, Any]:
        return ordered_example(obj)

    def get_pipeline_name(self, obj: Endpoint) -> str | None:
        return obj.pipeline.name if obj.pipeline is not None else None

    def get_created_by(self, obj: Endpoint) -> str | None:
        return obj.created_by.get_username() if obj.created_by is not None else None

    def get_scoring_url(self, obj: Endpoint) -> str:
        return self._url(obj, "endpoint-score")

    def get_invocations_url(self, obj: Endpoint) -> str:
        return self._url(obj, "endpoint-invocations")

    def get_swagger_url(self, obj: Endpoint) -> str:
        return self._url(obj, "endpoint-swagger")

    @extend_schema_field(KeysSerializer(allow_null=True))
    def get_keys(self, obj: Endpoint) -> dict[str, str] | None:
        request = self.context.get("request")
        role = role_of(request.user, obj.workspace_id) if request is not None else None
        if role is None or role < Role.EDITOR:
            return None  # viewers see the endpoint, not its keys
        return {"primary": obj.primary_key, "secondary": obj.secondary_key}


class EndpointCreateSerializer(StrictSerializer):
    workspace = serializers.IntegerField(min_value=1)
    name = serializers.RegexField(
        NAME_PATTERN,
        max_length=63,
        error_messages={"invalid": "Use 2-63 lower-case letters, digits and hyphens, starting with a letter or digit."},
    )
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    pipeline = serializers.IntegerField(min_value=1)
    version = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)


class EndpointUpdateSerializer(StrictSerializer):
    description = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    pipeline_version = serializers.IntegerField(required=False, min_value=1)


class RegenerateKeySerializer(StrictSerializer):
    key = serializers.ChoiceField(choices=["primary", "secondary"])


class InferencePipelineSerializer(StrictSerializer):
    name = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class CallSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    status = serializers.IntegerField()
    latency_ms = serializers.FloatField(help_text="In the app: from the view's start to the answer.")
    total_ms = serializers.FloatField(
        allow_null=True,
        help_text="On a scoring server, from the accepted connection to the answer (waiting for a thread "
        "included); null where the server cannot tell.",
    )
    rows = serializers.IntegerField()
    error_kind = serializers.CharField()
    format = serializers.CharField()
    dropped_rows = serializers.IntegerField(help_text="Request rows the pipeline removed (named in the answer).")
    warning_count = serializers.IntegerField(help_text="Warnings the answer carried (unseen categories, ranges...).")


class TotalsSerializer(serializers.Serializer):
    requests = serializers.IntegerField()
    errors = serializers.IntegerField()
    rows = serializers.IntegerField()
    rows_dropped = serializers.IntegerField()
    calls_with_dropped_rows = serializers.IntegerField()
    calls_with_warnings = serializers.IntegerField()
    errors_by_kind = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Failed calls by error kind (bad_body, unauthorized, throttled, overloaded, internal...).",
    )
    p50_ms = serializers.FloatField(allow_null=True)
    p95_ms = serializers.FloatField(allow_null=True)
    p99_ms = serializers.FloatField(allow_null=True)
    total_p50_ms = serializers.FloatField(allow_null=True, help_text="From accept to answer (see CallSerializer).")
    total_p95_ms = serializers.FloatField(allow_null=True)
    total_p99_ms = serializers.FloatField(allow_null=True)


class PointSerializer(serializers.Serializer):
    t = serializers.DateTimeField()
    requests = serializers.IntegerField()
    errors = serializers.IntegerField()
    p50_ms = serializers.FloatField(allow_null=True)
    p95_ms = serializers.FloatField(allow_null=True)
    p99_ms = serializers.FloatField(allow_null=True)
    total_p50_ms = serializers.FloatField(allow_null=True)
    total_p95_ms = serializers.FloatField(allow_null=True)
    total_p99_ms = serializers.FloatField(allow_null=True)


class MonitoringSerializer(serializers.Serializer):
    window = serializers.DictField()
    totals = TotalsSerializer()
    series = PointSerializer(many=True)
    figures = serializers.DictField(child=serializers.JSONField())
    recent = CallSerializer(many=True)
