from django.apps import AppConfig


class RunsConfig(AppConfig):
    name = "designer.runs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.conf import settings
        from django.db.models.signals import post_migrate

        # Bind shared tasks to Tessera's Celery app in every process (web and workers), not to Celery's default;
        # a scoring server sends no tasks and starts faster without it.
        if not settings.TESSERA_SCORING_SERVER:
            from designer import celery  # noqa: F401

        from .broker import declare_embedded_queues

        # The embedded broker's queues, made once after migrate (sender: only when this app migrates).
        post_migrate.connect(declare_embedded_queues, sender=self, dispatch_uid="tessera-embedded-queues")
