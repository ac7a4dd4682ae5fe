"""Client-side routes of the browser app; /api/, /admin/, /ws/ and /static/ are matched before these."""

from django.urls import path, re_path

from . import views

urlpatterns = [
    path("", views.spa, name="home"),
    re_path(r"^(?P<path>(?:login|w|pipelines|runs|datasets)(?:/.*)?)$", views.spa, name="spa"),
]
