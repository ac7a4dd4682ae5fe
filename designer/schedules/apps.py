from django.apps import AppConfig


class SchedulesConfig(AppConfig):
    name = "designer.schedules"
    default_auto_field = "django.db.models.BigAutoField"
