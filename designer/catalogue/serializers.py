"""Catalogue shapes on the wire (documentation for the generated client; data passes through as is)."""

from __future__ import annotations

from rest_framework import serializers


class PortSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    type = serializers.CharField(help_text="A port type name (see /api/port-types/).")
    optional = serializers.BooleanField(required=False, help_text="Inputs only.")
    doc = serializers.CharField()


class ColumnParamSerializer(serializers.Serializer):
    param = serializers.CharField()
    widget = serializers.ChoiceField(choices=["column", "columns"])
    port = serializers.CharField(help_text="The input port whose columns the picker lists.")


class ModuleSerializer(serializers.Serializer):
    id = serializers.CharField()
    version = serializers.IntegerField()
    name = serializers.CharField()
    category = serializers.CharField()
    description = serializers.CharField()
    queue = serializers.ChoiceField(choices=["cpu", "gpu"])
    inputs = PortSerializer(many=True)
    outputs = PortSerializer(many=True)
    params_schema = serializers.JSONField(help_text="JSON Schema of the parameters (builds the form).")
    column_params = ColumnParamSerializer(many=True)


class ModuleDetailSerializer(ModuleSerializer):
    versions = serializers.ListField(child=serializers.IntegerField())
    latest_version = serializers.IntegerField()


class ModuleQuerySerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, required=False, help_text="Default: the latest.")


class PortTypeSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    accepts_subtypes_of = serializers.ListField(child=serializers.CharField())
    accepts = serializers.ListField(
        child=serializers.CharField(), help_text="Output port types an input of this type can be connected to."
    )
