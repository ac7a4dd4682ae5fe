from django.apps import AppConfig


class RunsConfig(AppConfig):
    name = "designer.runs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Bind shared tasks to Tessera's Celery app in every process (web and workers), not to Celery's default.
        from designer import celery  # noqa: F401
