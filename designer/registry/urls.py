from django.urls import path

from . import views

urlpatterns = [
    path("models/", views.ModelListView.as_view(), name="model-list"),
    path("models/<int:pk>/", views.ModelDetailView.as_view(), name="model-detail"),
    path("models/<int:pk>/formats/<slug:format_name>/", views.ModelFormatFileView.as_view(), name="model-format-file"),
]
