"""Pipeline endpoint management under /api/ (workspace roles)."""

from django.urls import path

from . import views

urlpatterns = [
    path("pipeline-endpoints/", views.PipelineEndpointListView.as_view(), name="pipeline-endpoint-list"),
    path("pipeline-endpoints/<int:pk>/", views.PipelineEndpointDetailView.as_view(), name="pipeline-endpoint-detail"),
    path(
        "pipeline-endpoints/<int:pk>/versions/",
        views.PipelineEndpointVersionsView.as_view(),
        name="pipeline-endpoint-versions",
    ),
    path(
        "pipeline-endpoints/<int:pk>/versions/<int:number>/",
        views.PipelineEndpointVersionView.as_view(),
        name="pipeline-endpoint-version",
    ),
    path(
        "pipeline-endpoints/<int:pk>/regenerate-key/",
        views.PipelineEndpointRegenerateKeyView.as_view(),
        name="pipeline-endpoint-regenerate-key",
    ),
    path("pipeline-endpoints/<int:pk>/runs/", views.PipelineEndpointRunsView.as_view(), name="pipeline-endpoint-runs"),
    path(
        "pipeline-endpoints/<int:pk>/openapi/",
        views.PipelineEndpointOpenApiView.as_view(),
        name="pipeline-endpoint-openapi",
    ),
]
