from __future__ import annotations

from rest_framework import serializers

from designer.workspaces.rest import StrictSerializer


class BatchInferencePipelineSerializer(StrictSerializer):
    name = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=200,
        help_text="Default: '<pipeline> - batch inference'.",
    )
    dataset_name = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=200,
        help_text="The dataset the scored rows are saved to, one version per run. Default: '<pipeline> - scored'.",
    )
