from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "designer.exports"
    default_auto_field = "django.db.models.BigAutoField"
