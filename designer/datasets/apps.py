from django.apps import AppConfig


class DatasetsConfig(AppConfig):
    name = "designer.datasets"
    default_auto_field = "django.db.models.BigAutoField"
