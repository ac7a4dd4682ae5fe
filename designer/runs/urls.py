from django.urls import re_path
from rest_framework.routers import SimpleRouter

from .figures_views import RunOutputFiguresView
from .views import RunViewSet

router = SimpleRouter()
router.register("runs", RunViewSet, basename="run")
urlpatterns = [
    re_path(
        r"^runs/(?P<pk>\d+)/nodes/(?P<node_id>[A-Za-z0-9_-]+)/outputs/(?P<port>[a-z0-9_]+)/figures/$",
        RunOutputFiguresView.as_view(),
        name="run-output-figures",
    ),
    *router.urls,
]
