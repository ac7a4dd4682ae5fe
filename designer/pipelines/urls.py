from django.urls import path

from . import views

urlpatterns = [
    path("pipelines/", views.PipelineListView.as_view(), name="pipeline-list"),
    path("pipelines/validate/", views.DocumentValidateView.as_view(), name="pipeline-document-validate"),
    path("pipelines/import/", views.PipelineImportView.as_view(), name="pipeline-import"),
    path("pipelines/json-schema/", views.PipelineJsonSchemaView.as_view(), name="pipeline-json-schema"),
    path("pipelines/<int:pk>/", views.PipelineDetailView.as_view(), name="pipeline-detail"),
    path("pipelines/<int:pk>/versions/", views.PipelineVersionListView.as_view(), name="pipeline-versions"),
    path(
        "pipelines/<int:pk>/versions/<int:number>/",
        views.PipelineVersionDetailView.as_view(),
        name="pipeline-version-detail",
    ),
    path(
        "pipelines/<int:pk>/versions/<int:number>/restore/",
        views.PipelineVersionRestoreView.as_view(),
        name="pipeline-version-restore",
    ),
    path("pipelines/<int:pk>/diff/", views.PipelineDiffView.as_view(), name="pipeline-diff"),
    path("pipelines/<int:pk>/draft/", views.PipelineDraftView.as_view(), name="pipeline-draft"),
    path("pipelines/<int:pk>/validate/", views.PipelineValidateView.as_view(), name="pipeline-validate"),
    path("pipelines/<int:pk>/clone/", views.PipelineCloneView.as_view(), name="pipeline-clone"),
    path("pipelines/<int:pk>/export/", views.PipelineExportView.as_view(), name="pipeline-export"),
    path("sample-pipelines/", views.SamplePipelineListView.as_view(), name="sample-pipeline-list"),
    path("sample-pipelines/<slug:slug>/open/", views.SamplePipelineOpenView.as_view(), name="sample-pipeline-open"),
]
