from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "designer.catalogue"
    default_auto_field = "django.db.models.BigAutoField"
