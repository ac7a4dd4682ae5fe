from django.urls import path

from . import views

urlpatterns = [
    path("models/<int:pk>/onnx/", views.ModelOnnxExportView.as_view(), name="model-onnx-export"),
    path("endpoints/<int:pk>/onnx/", views.EndpointOnnxView.as_view(), name="endpoint-onnx"),
    path("pipelines/<int:pk>/onnx/", views.PipelineOnnxView.as_view(), name="pipeline-onnx"),
    path("onnx/modules/", views.OnnxModulesView.as_view(), name="onnx-modules"),
]
