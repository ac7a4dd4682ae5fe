from django.urls import path

from . import views

urlpatterns = [
    path("modules/", views.ModuleListView.as_view(), name="module-list"),
    path("modules/<str:module_id>/", views.ModuleDetailView.as_view(), name="module-detail"),
    path("modules/<str:module_id>/upgrade/", views.ModuleUpgradeView.as_view(), name="module-upgrade"),
    path("port-types/", views.PortTypeListView.as_view(), name="port-type-list"),
    path("compute-targets/", views.ComputeTargetListView.as_view(), name="compute-target-list"),
]
