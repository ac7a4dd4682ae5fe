from django.urls import path

from . import views

urlpatterns = [
    path("endpoints/<int:pk>/retraining/", views.RetrainingPolicyView.as_view(), name="endpoint-retraining"),
    path(
        "endpoints/<int:pk>/retraining/options/",
        views.RetrainingOptionsView.as_view(),
        name="endpoint-retraining-options",
    ),
    path("endpoints/<int:pk>/challengers/", views.EndpointChallengersView.as_view(), name="endpoint-challengers"),
    path("challengers/<int:pk>/", views.ChallengerDetailView.as_view(), name="challenger-detail"),
    path("challengers/<int:pk>/approve/", views.ChallengerApproveView.as_view(), name="challenger-approve"),
    path("challengers/<int:pk>/reject/", views.ChallengerRejectView.as_view(), name="challenger-reject"),
]
