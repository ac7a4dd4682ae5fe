from django.urls import path

from . import views
from .bundle_urls import urlpatterns as bundle_urlpatterns

urlpatterns = [
    path("runs/<int:pk>/inference-pipeline/", views.InferencePipelineView.as_view(), name="run-inference-pipeline"),
    path("endpoints/", views.EndpointListView.as_view(), name="endpoint-list"),
    path("endpoints/<int:pk>/", views.EndpointDetailView.as_view(), name="endpoint-detail"),
    path("endpoints/<int:pk>/regenerate-key/", views.RegenerateKeyView.as_view(), name="endpoint-regenerate-key"),
    path("endpoints/<int:pk>/openapi/", views.EndpointOpenApiView.as_view(), name="endpoint-openapi"),
    path("endpoints/<int:pk>/monitoring/", views.EndpointMonitoringView.as_view(), name="endpoint-monitoring"),
    path("endpoints/<int:pk>/drift/", views.EndpointDriftView.as_view(), name="endpoint-drift"),
]
urlpatterns += bundle_urlpatterns  # scoring bundles (bundle_views.py)
