from django.apps import AppConfig


class OnnxExportConfig(AppConfig):
    name = "designer.onnx_export"
    label = "onnx_export"
    default_auto_field = "django.db.models.BigAutoField"
