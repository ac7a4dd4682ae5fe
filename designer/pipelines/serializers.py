"""Pipeline shapes on the wire. Documents pass through as JSON; the engine checks them, not DRF."""

from __future__ import annotations

from rest_framework import serializers

from designer.workspaces.rest import StrictSerializer

DOCUMENT_HELP = "A pipeline document (see GET /api/pipelines/json-schema/)."


class PipelineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    workspace = serializers.IntegerField(source="workspace_id")
    name = serializers.CharField()
    description = serializers.CharField()
    created_by = serializers.CharField(source="created_by.username", allow_null=True, default=None)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    head_version = serializers.IntegerField(source="head_number", help_text="Number of the newest saved version.")
    has_draft = serializers.SerializerMethodField(help_text="Whether there are autosaved, unsaved changes.")

    def get_has_draft(self, obj: object) -> bool:
        return getattr(obj, "draft", None) is not None


class PipelineVersionSummarySerializer(serializers.Serializer):
    number = serializers.IntegerField()
    message = serializers.CharField()
    author = serializers.CharField(source="author.username", allow_null=True, default=None)
    created_at = serializers.DateTimeField()
    base_number = serializers.IntegerField(allow_null=True, help_text="The version this one was edited from.")


class PipelineVersionSerializer(PipelineVersionSummarySerializer):
    pipeline = serializers.IntegerField(source="pipeline_id")
    document = serializers.JSONField(help_text=DOCUMENT_HELP)


class PipelineDetailSerializer(PipelineSerializer):
    head = PipelineVersionSerializer()


class PipelineCreateSerializer(StrictSerializer):
    workspace = serializers.IntegerField(min_value=1)
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)
    document = serializers.JSONField(required=False, help_text=DOCUMENT_HELP + " Default: an empty canvas.")


class PipelineUpdateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True, max_length=10000)


class PipelineVersionCreateSerializer(StrictSerializer):
    document = serializers.JSONField(help_text=DOCUMENT_HELP)
    message = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
    base_version = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        help_text="The version you started editing from; a save based on an older version is refused with 409.",
    )


class ProblemSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    node = serializers.CharField(allow_null=True)
    port = serializers.CharField(allow_null=True)
    param = serializers.CharField(allow_null=True)
    column = serializers.CharField(allow_null=True)
    path = serializers.CharField(allow_null=True, help_text="JSON path in the document, e.g. nodes[2].params.")


class ValidationResultSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    problems = ProblemSerializer(many=True)
    schemas = serializers.DictField(
        child=serializers.DictField(child=serializers.JSONField(allow_null=True)),
        help_text="node id -> output port -> table schema ({columns: [{name, type}], meta}) or null when unknown.",
    )


class SavedVersionSerializer(PipelineVersionSerializer):
    validation = ValidationResultSerializer(help_text="Problems do not block saving; fix them before running.")


class DraftSerializer(serializers.Serializer):
    document = serializers.JSONField(help_text=DOCUMENT_HELP)
    base_version = serializers.IntegerField(allow_null=True)
    updated_at = serializers.DateTimeField(allow_null=True)
    updated_by = serializers.CharField(allow_null=True)
    unsaved = serializers.BooleanField(help_text="False when there is no draft and this is the head version.")


class DraftInputSerializer(StrictSerializer):
    document = serializers.JSONField(help_text=DOCUMENT_HELP)
    base_version = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)


class ValidateInputSerializer(StrictSerializer):
    document = serializers.JSONField(required=False, help_text=DOCUMENT_HELP + " Default: the head version.")


class ValidateDocumentInputSerializer(StrictSerializer):
    workspace = serializers.IntegerField(min_value=1, help_text="Datasets are resolved in this workspace.")
    document = serializers.JSONField(help_text=DOCUMENT_HELP)


class WorkspaceRefSerializer(serializers.Serializer):
    workspace = serializers.IntegerField(min_value=1)
