from django.urls import path

from . import views

urlpatterns = [
    path("components/", views.ComponentListView.as_view(), name="component-list"),
    path("components/catalogue/", views.ComponentCatalogueView.as_view(), name="component-catalogue"),
    path("components/group/", views.ComponentGroupView.as_view(), name="component-group"),
    path("components/ungroup/", views.ComponentUngroupView.as_view(), name="component-ungroup"),
    path("components/<int:pk>/", views.ComponentDetailView.as_view(), name="component-detail"),
    path("components/<int:pk>/versions/", views.ComponentVersionListView.as_view(), name="component-versions"),
    path(
        "components/<int:pk>/versions/<int:number>/",
        views.ComponentVersionDetailView.as_view(),
        name="component-version-detail",
    ),
    path("components/<int:pk>/diff/", views.ComponentDiffView.as_view(), name="component-diff"),
]
