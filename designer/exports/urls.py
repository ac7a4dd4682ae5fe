from django.urls import path

from . import views

urlpatterns = [
    path("pipelines/<int:pk>/export-script/", views.PipelineCodeExportView.as_view(), name="pipeline-export-script"),
    path("runs/<int:pk>/export-script/", views.RunCodeExportView.as_view(), name="run-export-script"),
]
