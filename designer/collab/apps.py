from django.apps import AppConfig


class CollabConfig(AppConfig):
    name = "designer.collab"
    default_auto_field = "django.db.models.BigAutoField"
