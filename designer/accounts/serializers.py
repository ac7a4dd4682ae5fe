"""Sign-in shapes on the wire."""

from __future__ import annotations

from rest_framework import serializers

from designer.workspaces.rest import StrictSerializer
from designer.workspaces.serializers import ROLE_CHOICES


class CredentialsSerializer(StrictSerializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})


class MyWorkspaceSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="workspace_id")
    name = serializers.CharField(source="workspace.name")
    role = serializers.ChoiceField(choices=ROLE_CHOICES)


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    email = serializers.EmailField()
    workspaces = MyWorkspaceSerializer(many=True)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`.")


class CsrfSerializer(serializers.Serializer):
    csrf_token = serializers.CharField(help_text="Send back as the X-CSRFToken header on unsafe requests.")
