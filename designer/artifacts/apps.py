from django.apps import AppConfig


class ArtifactsConfig(AppConfig):
    name = "designer.artifacts"
    default_auto_field = "django.db.models.BigAutoField"
