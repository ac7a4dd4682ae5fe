from django.urls import path

from . import figures_views, views

urlpatterns = [
    path("datasets/", views.DatasetListView.as_view(), name="dataset-list"),
    path("dataset-registrations/", views.DatasetRegistrationListView.as_view(), name="dataset-registration-list"),
    path(
        "dataset-registrations/<int:pk>/",
        views.DatasetRegistrationDetailView.as_view(),
        name="dataset-registration-detail",
    ),
    path("datasets/preview/", views.UploadPreviewView.as_view(), name="dataset-upload-preview"),
    path("datasets/<int:pk>/", views.DatasetDetailView.as_view(), name="dataset-detail"),
    path("datasets/<int:pk>/versions/", views.DatasetVersionListView.as_view(), name="dataset-versions"),
    path(
        "datasets/<int:pk>/versions/<int:number>/",
        views.DatasetVersionDetailView.as_view(),
        name="dataset-version-detail",
    ),
    path(
        "datasets/<int:pk>/versions/<int:number>/preview/",
        views.DatasetPreviewView.as_view(),
        name="dataset-version-preview",
    ),
    path(
        "datasets/<int:pk>/versions/<int:number>/download/",
        views.DatasetDownloadView.as_view(),
        name="dataset-version-download",
    ),
    path(
        "datasets/<int:pk>/versions/<int:number>/figures/",
        figures_views.DatasetColumnFigureView.as_view(),
        name="dataset-version-figures",
    ),
]
