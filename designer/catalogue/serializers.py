"""Catalogue shapes on the wire (documentation for the generated client; data passes through as is)."""

from __future__ import annotations

from rest_framework import serializers

from designer.workspaces.rest import StrictSerializer


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
    partition_parallel = serializers.BooleanField(
        help_text="The module can run partition-parallel on a Dask cluster (a compute target with one)."
    )
    inputs = PortSerializer(many=True)
    outputs = PortSerializer(many=True)
    params_schema = serializers.JSONField(help_text="JSON Schema of the parameters (builds the form).")
    column_params = ColumnParamSerializer(many=True)


class ModuleDetailSerializer(ModuleSerializer):
    versions = serializers.ListField(child=serializers.IntegerField())
    latest_version = serializers.IntegerField()


class ModuleQuerySerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, required=False, help_text="Default: the latest.")


class ModuleListQuerySerializer(serializers.Serializer):
    versions = serializers.ChoiceField(
        choices=["latest", "all"],
        required=False,
        default="latest",
        help_text="'all': every version the server can run, each module's older versions after its latest "
        "(what a saved pipeline may still use). Default: the latest only.",
    )


class UpgradeRequestSerializer(StrictSerializer):
    from_version = serializers.IntegerField(min_value=1, help_text="The version the node was saved with.")
    params = serializers.DictField(required=False, default=dict, help_text="The node's saved parameters.")


class ParamChangeSerializer(serializers.Serializer):
    param = serializers.CharField()
    change = serializers.CharField(help_text="added, removed or changed.")
    old = serializers.JSONField(allow_null=True, help_text="The value the old version runs with (default included).")
    new = serializers.JSONField(allow_null=True, help_text="The value the latest version will run with.")


class PortChangeSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="input or output.")
    port = serializers.CharField()
    change = serializers.CharField(help_text="added or removed (an edge on a removed port is dropped).")


class ParamProblemSerializer(serializers.Serializer):
    param = serializers.CharField()
    message = serializers.CharField()


class UpgradeSerializer(serializers.Serializer):
    module = serializers.CharField()
    from_version = serializers.IntegerField()
    to_version = serializers.IntegerField()
    params = serializers.DictField(help_text="The parameters to save with the latest version (migrate_params' result).")
    changes = ParamChangeSerializer(many=True)
    problems = ParamProblemSerializer(many=True, help_text="Parameters the latest version refuses; empty when valid.")
    ports = PortChangeSerializer(many=True)


class PortTypeSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    accepts_subtypes_of = serializers.ListField(child=serializers.CharField())
    accepts = serializers.ListField(
        child=serializers.CharField(), help_text="Output port types an input of this type can be connected to."
    )


class ComputeTargetSerializer(serializers.Serializer):
    name = serializers.CharField(help_text='What a node\'s "compute" field names.')
    queue = serializers.CharField(help_text="The Celery queue its nodes are sent to.")
    cluster = serializers.ChoiceField(
        choices=["none", "local", "remote"],
        help_text="none: pandas only; local: a Dask cluster started on the worker's host; remote: the operator's.",
    )
    dask = serializers.CharField(allow_null=True, help_text='"local", a scheduler address, or null.')
    path = serializers.ChoiceField(
        choices=["auto", "pandas", "dask"],
        help_text="auto: partition-parallel modules use Dask when their table inputs reach threshold_bytes.",
    )
    threshold_bytes = serializers.IntegerField()
    partition_rows = serializers.IntegerField(allow_null=True)
    workers = serializers.IntegerField(help_text="Worker processes of a local cluster.")
    threads_per_worker = serializers.IntegerField()
    memory_limit = serializers.CharField(help_text="Per worker process, for a local cluster.")
    dashboard = serializers.CharField(allow_null=True)
    description = serializers.CharField(allow_blank=True)
