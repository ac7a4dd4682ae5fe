from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from designer.runs.selectors import elapsed_seconds
from designer.workspaces.permissions import Role, role_of
from designer.workspaces.rest import StrictSerializer

from .models import NAME_PATTERN, PipelineEndpoint, PublishedRun, PublishedVersion
from .selectors import parameters_of


class PipelineEndpointKeysSerializer(serializers.Serializer):
    primary = serializers.CharField()
    secondary = serializers.CharField()


class PublishedBindingSerializer(serializers.Serializer):
    node = serializers.CharField()
    field = serializers.CharField()
    module = serializers.CharField()
    module_name = serializers.CharField(allow_null=True)
    field_title = serializers.CharField(allow_null=True)


class PublishedParameterSerializer(serializers.Serializer):
    name = serializers.CharField()
    type = serializers.ChoiceField(choices=["string", "integer", "number", "boolean", "dataset", "json"])
    required = serializers.BooleanField(help_text="No default: callers must give a value.")
    default = serializers.JSONField(required=False, help_text="What a caller who gives no value gets.")
    document_default = serializers.JSONField(required=False, help_text="The default the pipeline declares.")
    description = serializers.CharField(allow_blank=True)
    bindings = PublishedBindingSerializer(many=True)
    schema = serializers.JSONField(help_text="The JSON Schema a value must satisfy.")


class PublishedVersionSerializer(serializers.ModelSerializer):
    pipeline_version = serializers.IntegerField(source="version.number")
    pipeline_version_message = serializers.CharField(source="version.message")
    published_by = serializers.SerializerMethodField()
    is_default = serializers.SerializerMethodField()
    runs = serializers.SerializerMethodField()
    parameters = serializers.SerializerMethodField()
    runs_url = serializers.SerializerMethodField()

    class Meta:
        model = PublishedVersion
        fields = [
            "number",
            "pipeline_version",
            "pipeline_version_message",
            "defaults",
            "from_run",
            "published_by",
            "published_at",
            "is_default",
            "runs",
            "parameters",
            "runs_url",
        ]

    def get_published_by(self, obj: PublishedVersion) -> str | None:
        return obj.published_by.get_username() if obj.published_by is not None else None

    def get_is_default(self, obj: PublishedVersion) -> bool:
        return obj.number == obj.endpoint.default_version

    def get_runs(self, obj: PublishedVersion) -> int:
        return obj.endpoint.runs.filter(number=obj.number).count()

    @extend_schema_field(PublishedParameterSerializer(many=True))
    def get_parameters(self, obj: PublishedVersion) -> list[dict[str, Any]]:
        return parameters_of(obj)["parameters"]

    def get_runs_url(self, obj: PublishedVersion) -> str:
        path = reverse("pipeline-endpoint-start-version", kwargs={"name": obj.endpoint.name, "number": obj.number})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class PipelineEndpointLastRunSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    kind = serializers.CharField()
    created_at = serializers.DateTimeField()


class PipelineEndpointSerializer(serializers.ModelSerializer):
    pipeline_name = serializers.CharField(source="pipeline.name")
    created_by = serializers.SerializerMethodField()
    runs_url = serializers.SerializerMethodField()
    swagger_url = serializers.SerializerMethodField()
    version_count = serializers.SerializerMethodField()
    default_pipeline_version = serializers.SerializerMethodField()
    last_run = serializers.SerializerMethodField()
    keys = serializers.SerializerMethodField()

    class Meta:
        model = PipelineEndpoint
        fields = [
            "id",
            "workspace",
            "name",
            "description",
            "pipeline",
            "pipeline_name",
            "default_version",
            "default_pipeline_version",
            "version_count",
            "last_run",
            "created_by",
            "created_at",
            "updated_at",
            "runs_url",
            "swagger_url",
            "keys",
        ]

    def _url(self, obj: PipelineEndpoint, name: str) -> str:
        path = reverse(name, kwargs={"name": obj.name})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    def get_created_by(self, obj: PipelineEndpoint) -> str | None:
        return obj.created_by.get_username() if obj.created_by is not None else None

    def get_runs_url(self, obj: PipelineEndpoint) -> str:
        return self._url(obj, "pipeline-endpoint-start")

    def get_swagger_url(self, obj: PipelineEndpoint) -> str:
        return self._url(obj, "pipeline-endpoint-swagger")

    def get_version_count(self, obj: PipelineEndpoint) -> int:
        return obj.versions.count()

    def get_default_pipeline_version(self, obj: PipelineEndpoint) -> int | None:
        found = obj.versions.filter(number=obj.default_version).values_list("version__number", flat=True).first()
        return found

    @extend_schema_field(PipelineEndpointLastRunSerializer(allow_null=True))
    def get_last_run(self, obj: PipelineEndpoint) -> dict[str, Any] | None:
        link = obj.runs.select_related("run").first()
        if link is None:
            return None
        return {"id": link.run_id, "status": link.run.status, "kind": link.kind, "created_at": link.created_at}

    @extend_schema_field(PipelineEndpointKeysSerializer(allow_null=True))
    def get_keys(self, obj: PipelineEndpoint) -> dict[str, str] | None:
        request = self.context.get("request")
        role = role_of(request.user, obj.workspace_id) if request is not None else None
        if role is None or role < Role.EDITOR:
            return None  # viewers see the endpoint, not its keys
        return {"primary": obj.primary_key, "secondary": obj.secondary_key}


class PipelineEndpointDetailSerializer(PipelineEndpointSerializer):
    versions = serializers.SerializerMethodField()

    class Meta(PipelineEndpointSerializer.Meta):
        fields = [*PipelineEndpointSerializer.Meta.fields, "versions"]

    @extend_schema_field(PublishedVersionSerializer(many=True))
    def get_versions(self, obj: PipelineEndpoint) -> list[dict[str, Any]]:
        versions = obj.versions.select_related("version", "published_by", "endpoint").order_by("number")
        return PublishedVersionSerializer(versions, many=True, context=self.context).data


class PipelineEndpointCreateSerializer(StrictSerializer):
    workspace = serializers.IntegerField(min_value=1)
    name = serializers.RegexField(
        NAME_PATTERN,
        max_length=63,
        error_messages={"invalid": "Use 2-63 lower-case letters, digits and hyphens, starting with a letter or digit."},
    )
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    pipeline = serializers.IntegerField(min_value=1, required=False, help_text="Not needed with run.")
    version = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, default=None, help_text="Pipeline version; the newest if omitted."
    )
    defaults = serializers.DictField(
        required=False, default=dict, help_text="Parameter values that replace the pipeline's defaults."
    )
    run = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="Publish the version this run ran, with its parameter values as the defaults.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "pipeline" not in attrs and "run" not in attrs:
            raise serializers.ValidationError({"pipeline": ["Name the pipeline to publish, or a run of it."]})
        return attrs


class PipelineEndpointUpdateSerializer(StrictSerializer):
    description = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    default_version = serializers.IntegerField(required=False, min_value=1, help_text="A published version's number.")


class PublishVersionSerializer(StrictSerializer):
    version = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, default=None, help_text="Pipeline version; the newest if omitted."
    )
    defaults = serializers.DictField(required=False, default=dict)
    run = serializers.IntegerField(
        min_value=1, required=False, help_text="Publish the version this run ran, with its values."
    )
    make_default = serializers.BooleanField(required=False, default=False)


class PipelineEndpointKeyNameSerializer(StrictSerializer):
    key = serializers.ChoiceField(choices=["primary", "secondary"])


class RunNowSerializer(StrictSerializer):
    version = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    parameters = serializers.DictField(required=False, default=dict)


class PublishedRunSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="run_id")
    status = serializers.CharField(source="run.status")
    error = serializers.CharField(source="run.error")
    version = serializers.IntegerField(source="number")
    pipeline_version = serializers.IntegerField(source="run.pipeline_version.number")
    parameters = serializers.JSONField(source="run.parameter_values")
    trigger = serializers.JSONField(source="run.trigger")
    created_by = serializers.SerializerMethodField()
    started_at = serializers.DateTimeField(source="run.started_at", allow_null=True)
    finished_at = serializers.DateTimeField(source="run.finished_at", allow_null=True)
    elapsed = serializers.SerializerMethodField()

    class Meta:
        model = PublishedRun
        fields = [
            "id",
            "kind",
            "status",
            "error",
            "version",
            "pipeline_version",
            "parameters",
            "trigger",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
            "elapsed",
        ]

    def get_created_by(self, obj: PublishedRun) -> str | None:
        user = obj.run.created_by
        return user.get_username() if user is not None else None

    def get_elapsed(self, obj: PublishedRun) -> float | None:
        return elapsed_seconds(obj.run)
