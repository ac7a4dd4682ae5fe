"""Component shapes on the wire. Documents pass through as JSON; the engine checks them, not DRF."""

from __future__ import annotations

from rest_framework import serializers

from designer.workspaces.rest import StrictSerializer

DOCUMENT_HELP = (
    "A component version document: {kind: 'graph', graph, inputs, outputs, parameters} or "
    "{kind: 'script', script, spec}."
)


class ComponentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    workspace = serializers.IntegerField(source="workspace_id")
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    kind = serializers.CharField()
    latest_version = serializers.IntegerField(allow_null=True)
    created_by = serializers.CharField(source="created_by.username", allow_null=True, default=None)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class ComponentVersionSummarySerializer(serializers.Serializer):
    number = serializers.IntegerField()
    author = serializers.CharField(source="author.username", allow_null=True, default=None)
    message = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()


class ComponentDetailSerializer(ComponentSerializer):
    versions = ComponentVersionSummarySerializer(many=True, source="version_list")


class ComponentVersionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    author = serializers.CharField(allow_null=True)
    message = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    document = serializers.JSONField(help_text=DOCUMENT_HELP)
    interface = serializers.JSONField(help_text="The version's catalogue entry, shaped as an /api/modules/ entry.")


class ComponentCreateSerializer(StrictSerializer):
    workspace = serializers.IntegerField(min_value=1)
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    message = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
    document = serializers.JSONField(help_text=DOCUMENT_HELP)


class ComponentUpdateSerializer(StrictSerializer):
    name = serializers.CharField(required=False, max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)


class ComponentVersionCreateSerializer(StrictSerializer):
    document = serializers.JSONField(help_text=DOCUMENT_HELP)
    message = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
    base_version = serializers.IntegerField(min_value=1, help_text="The version the edit started from.")


class ComponentDiffQuerySerializer(serializers.Serializer):
    to = serializers.IntegerField(min_value=1)


ComponentDiffQuerySerializer._declared_fields["from"] = serializers.IntegerField(min_value=1)


class CatalogueQuerySerializer(serializers.Serializer):
    workspace = serializers.IntegerField(min_value=1)
    versions = serializers.ChoiceField(choices=["latest", "all"], required=False, default="latest")


class CatalogueSerializer(serializers.Serializer):
    components = serializers.ListField(child=serializers.JSONField())


class GroupSerializer(StrictSerializer):
    workspace = serializers.IntegerField(min_value=1)
    document = serializers.JSONField(help_text="The pipeline document the nodes are in.")
    node_ids = serializers.ListField(child=serializers.CharField(max_length=64), min_length=1, max_length=2000)
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    message = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
    inputs = serializers.ListField(child=serializers.JSONField(), required=False)
    outputs = serializers.ListField(child=serializers.JSONField(), required=False)
    parameters = serializers.ListField(child=serializers.JSONField(), required=False)


class GroupedSerializer(serializers.Serializer):
    component = ComponentDetailSerializer()
    version = ComponentVersionSerializer()
    document = serializers.JSONField(help_text="The pipeline document with the selection replaced by one node.")


class UngroupSerializer(StrictSerializer):
    workspace = serializers.IntegerField(min_value=1)
    document = serializers.JSONField()
    node_id = serializers.CharField(max_length=64)


class DocumentSerializer(serializers.Serializer):
    document = serializers.JSONField()
