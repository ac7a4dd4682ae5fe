from django.apps import AppConfig


class PublishedConfig(AppConfig):
    name = "designer.published"
    default_auto_field = "django.db.models.BigAutoField"
