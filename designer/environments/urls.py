from django.urls import path

from . import views

urlpatterns = [
    path("workspaces/<int:pk>/environments/", views.EnvironmentListView.as_view(), name="environment-list"),
    path(
        "workspaces/<int:pk>/environments/<int:environment_id>/",
        views.EnvironmentDetailView.as_view(),
        name="environment-detail",
    ),
    path(
        "workspaces/<int:pk>/environments/<int:environment_id>/versions/",
        views.EnvironmentVersionListView.as_view(),
        name="environment-versions",
    ),
]
