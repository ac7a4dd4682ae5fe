from django.apps import AppConfig


class BatchConfig(AppConfig):
    name = "designer.batch"
    default_auto_field = "django.db.models.BigAutoField"
