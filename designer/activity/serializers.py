"""Activity shapes on the wire."""

from __future__ import annotations

from rest_framework import serializers

from .models import ActivityEvent
from .selectors import summary


class ActivityEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    workspace = serializers.IntegerField(source="workspace_id")
    actor = serializers.SerializerMethodField(help_text="Username of who acted; null when Tessera did (a run ending).")
    verb = serializers.ChoiceField(choices=ActivityEvent.Verb.choices)
    object_type = serializers.ChoiceField(choices=ActivityEvent.ObjectType.choices)
    object_id = serializers.IntegerField(
        allow_null=True, help_text="The object's id (a user id for members); it may have been deleted since."
    )
    object_name = serializers.CharField(help_text="The object's name when it happened.")
    detail = serializers.DictField(
        child=serializers.JSONField(),
        help_text="E.g. {version}, {role}, {status}; {key: primary|secondary} for a regenerated key (never the key).",
    )
    summary = serializers.SerializerMethodField(
        help_text="One readable line, e.g. \"olivia saved pipeline 'Churn' (version 3)\"."
    )
    created_at = serializers.DateTimeField()

    def get_actor(self, obj: ActivityEvent) -> str | None:
        return obj.actor_name or None

    def get_summary(self, obj: ActivityEvent) -> str:
        return summary(obj)


class ActivityQuerySerializer(serializers.Serializer):
    object_type = serializers.ChoiceField(
        choices=ActivityEvent.ObjectType.choices, required=False, help_text="Only events about this kind of object."
    )
    object_id = serializers.IntegerField(required=False, min_value=1, help_text="Only events about this object id.")
