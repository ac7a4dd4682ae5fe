from django.urls import re_path
from rest_framework.routers import SimpleRouter

from .figures_views import NodeTrainingCurveView, RunOutputFiguresView
from .views import RunViewSet

router = SimpleRouter()
router.register("runs", RunViewSet, basename="run")
urlpatterns = [
    re_path(
        r"^runs/(?P<pk>\d+)/nodes/(?P<node_id>[A-Za-z0-9_/-]+)/outputs/(?P<port>[a-z0-9_]+)/figures/$",
        RunOutputFiguresView.as_view(),
        name="run-output-figures",
    ),
    re_path(
        r"^runs/(?P<pk>\d+)/nodes/(?P<node_id>[A-Za-z0-9_/-]+)/training-curve/$",
        NodeTrainingCurveView.as_view(),
        name="run-node-training-curve",
    ),
    *router.urls,
]
