from django.urls import path

from . import views

urlpatterns = [
    path("workspaces/", views.WorkspaceListView.as_view(), name="workspace-list"),
    path("workspaces/<int:pk>/", views.WorkspaceDetailView.as_view(), name="workspace-detail"),
    path("workspaces/<int:pk>/members/", views.MemberListView.as_view(), name="workspace-members"),
    path(
        "workspaces/<int:pk>/members/<int:user_id>/",
        views.MemberDetailView.as_view(),
        name="workspace-member-detail",
    ),
]
