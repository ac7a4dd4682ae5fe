"""Workspace and membership shapes on the wire."""

from __future__ import annotations

from rest_framework import serializers

from designer.workspaces.rest import StrictSerializer

ROLE_CHOICES = ["owner", "editor", "viewer"]


class WorkspaceSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    role = serializers.ChoiceField(choices=ROLE_CHOICES, source="my_role", read_only=True, help_text="Your role here.")
    created_by = serializers.CharField(source="created_by.username", read_only=True, allow_null=True, default=None)
    created_at = serializers.DateTimeField(read_only=True)


class WorkspaceInputSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200, trim_whitespace=True)


class MemberSerializer(serializers.Serializer):
    user_id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    role = serializers.ChoiceField(choices=ROLE_CHOICES, read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class MemberCreateSerializer(StrictSerializer):
    user = serializers.CharField(max_length=254, help_text="The new member's username or email.")
    role = serializers.ChoiceField(choices=ROLE_CHOICES)


class MemberUpdateSerializer(StrictSerializer):
    role = serializers.ChoiceField(choices=ROLE_CHOICES)
