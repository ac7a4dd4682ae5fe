from django.apps import AppConfig


class EndpointsConfig(AppConfig):
    name = "designer.endpoints"
    default_auto_field = "django.db.models.BigAutoField"
