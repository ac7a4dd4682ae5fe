from django.urls import path

from . import views

urlpatterns = [
    path(
        "runs/<int:pk>/batch-inference-pipeline/",
        views.BatchInferencePipelineView.as_view(),
        name="run-batch-inference-pipeline",
    ),
]
