"""ASGI entry point: Django over HTTP, Channels over WebSocket (session or token auth)."""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "designer.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from designer.accounts.ws_auth import TokenOrSessionAuthMiddleware  # noqa: E402
from designer.collab.routing import websocket_urlpatterns as collab_routes  # noqa: E402
from designer.runs.routing import websocket_urlpatterns as run_routes  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(TokenOrSessionAuthMiddleware(URLRouter(run_routes + collab_routes))),
    }
)

from modules.library.python_language import report_confinement  # noqa: E402

report_confinement()  # the web app serves scoring routes too: say how user code is confined
