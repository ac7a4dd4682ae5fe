from django.apps import AppConfig


class EndpointsConfig(AppConfig):
    name = "designer.endpoints"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from .lookup import endpoint_saved
        from .models import Endpoint

        # Scoring processes keep endpoint rows in memory (lookup.py): a change must reach them.
        post_save.connect(endpoint_saved, sender=Endpoint, dispatch_uid="endpoint-lookup-save")
        post_delete.connect(endpoint_saved, sender=Endpoint, dispatch_uid="endpoint-lookup-delete")
