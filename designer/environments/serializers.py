"""Environment shapes on the wire; requirement lines are checked by services (each refusal names its line)."""

from __future__ import annotations

from rest_framework import serializers

from designer.workspaces.rest import StrictSerializer
from modules.library.python_language._requirements import MAX_LINES

LINES_HELP = (
    "Requirement lines, one package of the configured index each, pinned or ranged (e.g. 'tabulate==0.9.0'); "
    "blank lines and '#' comments are dropped. URLs, local paths, -e and pip options are refused, naming the line."
)
BASE_HELP = (
    "'worker': the worker's own packages are visible below the environment's; 'none': only what the lines install."
)


class EnvironmentVersionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    base = serializers.CharField()
    requirements = serializers.ListField(child=serializers.CharField())
    content_hash = serializers.CharField()
    message = serializers.CharField(allow_blank=True)
    author = serializers.CharField(source="author.username", allow_null=True, default=None)
    created_at = serializers.DateTimeField()
    choice = serializers.JSONField(
        help_text="The value of a node's 'environment' parameter that pins this version.", read_only=True
    )

    def to_representation(self, instance):  # type: ignore[no-untyped-def]
        data = super().to_representation(instance)
        data["choice"] = instance.choice()
        return data


class EnvironmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    workspace = serializers.IntegerField(source="workspace_id")
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    created_by = serializers.CharField(source="created_by.username", allow_null=True, default=None)
    created_at = serializers.DateTimeField()
    versions = EnvironmentVersionSerializer(many=True, source="version_list", help_text="Newest first.")


class EnvironmentCreateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=100)
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    base = serializers.ChoiceField(choices=["worker", "none"], default="worker", help_text=BASE_HELP)
    requirements = serializers.ListField(
        child=serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=2000),
        max_length=MAX_LINES + 50,  # blank and comment lines count too; the real cap is checked on clean lines
        help_text=LINES_HELP,
    )
    message = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class EnvironmentVersionCreateSerializer(StrictSerializer):
    base = serializers.ChoiceField(choices=["worker", "none"], default="worker", help_text=BASE_HELP)
    requirements = serializers.ListField(
        child=serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=2000),
        max_length=MAX_LINES + 50,
        help_text=LINES_HELP,
    )
    message = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
