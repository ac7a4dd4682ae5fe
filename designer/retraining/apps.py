from django.apps import AppConfig


class RetrainingConfig(AppConfig):
    name = "designer.retraining"
    default_auto_field = "django.db.models.BigAutoField"
