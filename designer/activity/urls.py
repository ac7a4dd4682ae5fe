from django.urls import path

from . import views

urlpatterns = [
    path("workspaces/<int:pk>/activity/", views.WorkspaceActivityView.as_view(), name="workspace-activity"),
]
