from django.urls import path

from . import bundle_views

urlpatterns = [
    path("endpoints/<int:pk>/bundle/", bundle_views.EndpointBundleView.as_view(), name="endpoint-bundle"),
]
