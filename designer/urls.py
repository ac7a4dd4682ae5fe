"""URL map: the REST API under /api/, its OpenAPI schema and docs, the WebSocket routes live in designer.asgi."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/auth/", include("designer.accounts.urls")),
    path("api/", include("designer.workspaces.urls")),
    path("api/", include("designer.datasets.urls")),
    path("api/", include("designer.catalogue.urls")),
    path("api/", include("designer.pipelines.urls")),
    path("api/", include("designer.components.urls")),
    path("api/", include("designer.runs.urls")),
    path("api/", include("designer.exports.urls")),
    path("api/", include("designer.endpoints.urls")),
    path("api/", include("designer.batch.urls")),
    path("api/", include("designer.registry.urls")),
    path("api/", include("designer.onnx_export.urls")),
    path("api/", include("designer.activity.urls")),
    path("api/", include("designer.published.urls")),
    path("api/", include("designer.schedules.urls")),
    path("api/", include("designer.retraining.urls")),
    path("", include("designer.endpoints.scoring_urls")),
    path("", include("designer.published.trigger_urls")),
    path("", include("designer.web.urls")),
]

# JSON errors for /api/ and /endpoints/ (designer/errors.py), Django's plain pages elsewhere.
handler400 = "designer.errors.bad_request"
handler403 = "designer.errors.permission_denied"
handler404 = "designer.errors.page_not_found"
handler500 = "designer.errors.server_error"
