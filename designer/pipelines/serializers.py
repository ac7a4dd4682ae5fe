"""Pipeline shapes on the wire. Documents pass through as JSON; the engine checks them, not DRF."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from designer.engine.parameters import TYPES
from designer.workspaces.rest import StrictSerializer

from . import selectors

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
    restored_from = serializers.IntegerField(
        allow_null=True, help_text="Set when this version restores an older one: that version's number."
    )


class ParameterBindingSerializer(serializers.Serializer):
    node = serializers.CharField(help_text="The node whose field the parameter drives.")
    field = serializers.CharField(help_text="The node's parameter (field) name.")
    module = serializers.CharField()
    module_version = serializers.IntegerField()
    module_name = serializers.CharField(allow_null=True, help_text="Null when the module is not installed here.")
    field_title = serializers.CharField(allow_null=True, help_text="The field's title in the module's form.")


class PipelineParameterSerializer(serializers.Serializer):
    name = serializers.CharField()
    type = serializers.ChoiceField(choices=list(TYPES))
    required = serializers.BooleanField(help_text="True when there is no default: a run must be given a value.")
    default = serializers.JSONField(required=False, help_text="Absent when the parameter is required.")
    description = serializers.CharField(allow_blank=True)
    bindings = ParameterBindingSerializer(many=True, help_text="Every node field the parameter drives.")
    schema = serializers.JSONField(
        help_text="JSON Schema of a value: the declared type and the schema of every field it drives."
    )


class PipelineVersionSerializer(PipelineVersionSummarySerializer):
    pipeline = serializers.IntegerField(source="pipeline_id")
    document = serializers.JSONField(help_text=DOCUMENT_HELP)
    parameters = serializers.SerializerMethodField(
        help_text="The pipeline parameters the document declares, with the node fields each drives."
    )
    parameters_schema = serializers.SerializerMethodField(
        help_text='JSON Schema of a whole {"name": value} object of parameter values (what a run takes).'
    )

    def _described(self, version: Any) -> dict[str, Any]:
        cache = self.__dict__.setdefault("_parameter_schemas", {})
        if version.pk not in cache:
            cache[version.pk] = selectors.parameter_schema(version)
        return cache[version.pk]

    @extend_schema_field(PipelineParameterSerializer(many=True))
    def get_parameters(self, version: Any) -> list[dict[str, Any]]:
        return self._described(version)["parameters"]

    @extend_schema_field(serializers.JSONField())
    def get_parameters_schema(self, version: Any) -> dict[str, Any]:
        return self._described(version)["schema"]


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


PARAMETERS_HELP = (
    "Pipeline parameter values by name, checked as a run would check them (a parameter without a default "
    "needs one); leave it out to validate the design, where defaults apply and none is required yet."
)


class ValidateInputSerializer(StrictSerializer):
    document = serializers.JSONField(required=False, help_text=DOCUMENT_HELP + " Default: the head version.")
    parameters = serializers.DictField(required=False, help_text=PARAMETERS_HELP)


class ValidateDocumentInputSerializer(StrictSerializer):
    workspace = serializers.IntegerField(min_value=1, help_text="Datasets are resolved in this workspace.")
    document = serializers.JSONField(help_text=DOCUMENT_HELP)
    parameters = serializers.DictField(required=False, help_text=PARAMETERS_HELP)


class WorkspaceRefSerializer(serializers.Serializer):
    workspace = serializers.IntegerField(min_value=1)


class RestoreVersionSerializer(StrictSerializer):
    message = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=500, help_text='Default: "Restored version N".'
    )
    base_version = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        help_text="The head version you saw; a restore based on an older version is refused with 409.",
    )


class VersionDiffQuerySerializer(serializers.Serializer):
    """``?from=N&to=M``; ``from`` is a Python keyword, so the fields are added in ``get_fields``."""

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["from"] = serializers.IntegerField(min_value=1, help_text="The older version's number.")
        fields["to"] = serializers.IntegerField(
            required=False, min_value=1, help_text="The newer version's number. Default: the newest version."
        )
        return fields


# -- the diff's JSON form (designer.engine.diff.to_json), described for the OpenAPI schema ----------


class DiffValueChangeSerializer(serializers.Serializer):
    name = serializers.CharField()
    change = serializers.ChoiceField(choices=["added", "removed", "changed"])
    old = serializers.JSONField(required=False, help_text="Absent when the value was added.")
    new = serializers.JSONField(required=False, help_text="Absent when the value was removed.")


class DiffSwapSerializer(serializers.Serializer):
    old = serializers.JSONField()
    new = serializers.JSONField()


class DiffNodeSerializer(serializers.Serializer):
    id = serializers.CharField()
    module = serializers.CharField()
    version = serializers.IntegerField()
    params = serializers.DictField(child=serializers.JSONField())
    regenerate = serializers.BooleanField()


class DiffEdgeEndSerializer(serializers.Serializer):
    node = serializers.CharField()
    port = serializers.CharField()


class DiffEdgeSerializer(serializers.Serializer):
    source = DiffEdgeEndSerializer()
    target = DiffEdgeEndSerializer()


class DiffNodeAddedSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="Position in the new version's node list.")
    node = DiffNodeSerializer()


class DiffEdgeAddedSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="Position in the new version's edge list.")
    edge = DiffEdgeSerializer()


class DiffNodeChangeSerializer(serializers.Serializer):
    id = serializers.CharField()
    module = DiffSwapSerializer(allow_null=True, help_text="Module id, when it changed.")
    version = DiffSwapSerializer(allow_null=True, help_text="Module version, when it changed.")
    regenerate = DiffSwapSerializer(allow_null=True, help_text='The "regenerate output" flag, when it changed.')
    params = DiffValueChangeSerializer(many=True)


class DiffSemanticSerializer(serializers.Serializer):
    nodes_added = DiffNodeAddedSerializer(many=True)
    nodes_removed = DiffNodeSerializer(many=True)
    nodes_changed = DiffNodeChangeSerializer(many=True)
    edges_added = DiffEdgeAddedSerializer(many=True)
    edges_removed = DiffEdgeSerializer(many=True)
    parameters = DiffValueChangeSerializer(many=True, help_text="Pipeline parameters.")


class DiffLayoutChangeSerializer(serializers.Serializer):
    node = serializers.CharField()
    old = serializers.DictField(child=serializers.JSONField(), allow_null=True)
    new = serializers.DictField(child=serializers.JSONField(), allow_null=True)


class DiffLayoutSerializer(serializers.Serializer):
    nodes = DiffLayoutChangeSerializer(many=True, help_text="Canvas entries (position, comment, colour).")
    node_order = serializers.ListField(
        child=serializers.CharField(), allow_null=True, help_text="The new node order, when only reordering gives it."
    )
    edge_order = serializers.ListField(
        child=serializers.IntegerField(), allow_null=True, help_text="New edge i is edge edge_order[i] after the adds."
    )


class DiffSummarySerializer(serializers.Serializer):
    nodes_added = serializers.IntegerField()
    nodes_removed = serializers.IntegerField()
    nodes_changed = serializers.IntegerField()
    edges_added = serializers.IntegerField()
    edges_removed = serializers.IntegerField()
    parameters_changed = serializers.IntegerField()
    layout_changed = serializers.IntegerField()
    semantic = serializers.BooleanField(help_text="Whether a run would compute anything differently.")
    layout_only = serializers.BooleanField(help_text="Only the canvas changed (moved, recoloured, reordered).")
    empty = serializers.BooleanField()


class PipelineDiffSerializer(serializers.Serializer):
    format = serializers.IntegerField()
    summary = DiffSummarySerializer()
    semantic = DiffSemanticSerializer()
    layout = DiffLayoutSerializer(help_text="Changes that do not alter what the pipeline computes.")


class PipelineVersionDiffSerializer(serializers.Serializer):
    pipeline = serializers.IntegerField()
    from_version = serializers.IntegerField()
    to_version = serializers.IntegerField()
    diff = PipelineDiffSerializer()


# -- clone, export, import ------------------------------------------------------------------------


class NewPipelineSerializer(PipelineDetailSerializer):
    validation = ValidationResultSerializer(
        help_text="What validation found in the new pipeline against its workspace (e.g. datasets to re-point)."
    )


class PipelineCloneSerializer(StrictSerializer):
    workspace = serializers.IntegerField(
        required=False, min_value=1, help_text="Where the copy goes (you must be an editor there). Default: the same."
    )
    name = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text='Default: "<name> (copy)".'
    )
    version = serializers.IntegerField(required=False, min_value=1, help_text="Version to copy. Default: the newest.")


class ExportQuerySerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False, min_value=1, help_text="Version to export. Default: the newest.")


class ExportedModuleSerializer(serializers.Serializer):
    id = serializers.CharField()
    version = serializers.IntegerField()
    name = serializers.CharField(allow_null=True, help_text="Null when the module is not installed on this server.")


class ExportSourceSerializer(serializers.Serializer):
    pipeline = serializers.IntegerField()
    version = serializers.IntegerField()


class PipelineExportSerializer(serializers.Serializer):
    format = serializers.CharField(help_text='Always "tessera.pipeline".')
    format_version = serializers.IntegerField(help_text="Version of this file format.")
    schema_version = serializers.IntegerField(help_text="Tessera's pipeline document schema version.")
    name = serializers.CharField()
    description = serializers.CharField()
    exported_at = serializers.DateTimeField()
    source = ExportSourceSerializer()
    modules = ExportedModuleSerializer(many=True, help_text="Each module and module version the document uses.")
    document = serializers.JSONField(help_text=DOCUMENT_HELP)


class PipelineImportUploadSerializer(StrictSerializer):
    workspace = serializers.IntegerField(min_value=1, help_text="Where to import (you must be an editor there).")
    name = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="Default: the name in the file."
    )
    file = serializers.FileField(help_text="An export file (.tessera.json) or a bare pipeline document, at most 2 MB.")


class PipelineImportJsonSerializer(StrictSerializer):
    workspace = serializers.IntegerField(min_value=1, help_text="Where to import (you must be an editor there).")
    name = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="Default: the name in the file."
    )
    file = serializers.JSONField(help_text="The content of an export file, or a bare pipeline document.")


# -- sample pipelines -----------------------------------------------------------------------------


class SamplePipelineSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    task = serializers.CharField(
        help_text="regression, binary_classification, multiclass_classification, clustering, "
        "text_classification, image_classification or recommendation."
    )
    mirrors = serializers.CharField(help_text="The Azure ML designer sample this one follows.")
    datasets = serializers.ListField(
        child=serializers.CharField(), help_text="Names of the sample datasets it reads; opening it loads any missing."
    )


class SampleOpenSerializer(StrictSerializer):
    workspace = serializers.IntegerField(min_value=1, help_text="Where to open the copy (you must be an editor there).")


class OpenedSampleSerializer(NewPipelineSerializer):
    datasets_added = serializers.ListField(
        child=serializers.CharField(), help_text="Sample datasets this loaded into the workspace (it lacked them)."
    )
