"""Schedules and data triggers under /api/ (workspace roles), and "Schedule this run"."""

from django.urls import path

from . import views

urlpatterns = [
    path(
        "pipeline-endpoints/<int:pk>/schedules/",
        views.EndpointSchedulesView.as_view(),
        name="pipeline-endpoint-schedules",
    ),
    path(
        "pipeline-endpoints/<int:pk>/data-triggers/",
        views.EndpointTriggersView.as_view(),
        name="pipeline-endpoint-data-triggers",
    ),
    path("schedules/preview/", views.SchedulePreviewView.as_view(), name="schedule-preview"),
    path("schedules/<int:pk>/", views.ScheduleDetailView.as_view(), name="schedule-detail"),
    path("schedules/<int:pk>/pause/", views.SchedulePauseView.as_view(), name="schedule-pause"),
    path("schedules/<int:pk>/resume/", views.ScheduleResumeView.as_view(), name="schedule-resume"),
    path("schedules/<int:pk>/ticks/", views.ScheduleTicksView.as_view(), name="schedule-ticks"),
    path("data-triggers/<int:pk>/", views.TriggerDetailView.as_view(), name="data-trigger-detail"),
    path("data-triggers/<int:pk>/pause/", views.TriggerPauseView.as_view(), name="data-trigger-pause"),
    path("data-triggers/<int:pk>/resume/", views.TriggerResumeView.as_view(), name="data-trigger-resume"),
    path("data-triggers/<int:pk>/firings/", views.TriggerFiringsView.as_view(), name="data-trigger-firings"),
    path("runs/<int:pk>/schedule/", views.ScheduleRunView.as_view(), name="run-schedule"),
]
