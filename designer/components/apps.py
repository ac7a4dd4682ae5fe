from django.apps import AppConfig


class ComponentsConfig(AppConfig):
    name = "designer.components"
    default_auto_field = "django.db.models.BigAutoField"
