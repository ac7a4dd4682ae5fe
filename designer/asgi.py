"""ASGI entry point: Django over HTTP, Channels over WebSocket (session or token auth)."""

from __future__ import annotations

import os
import tempfile
import time
from typing import Any

from django.conf import settings
from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "designer.settings")
django_asgi_app = get_asgi_application()

# Daphne (Twisted) buffers every request body of 100 kB or more in a temporary file before the app sees it, and
# Django's ASGI handler copies it into another: both in tempfile's folder, /tmp by default, which is memory on
# many hosts. An upload can be as large as the data: its copies go to the scratch folder on the data's disk.
tempfile.tempdir = str(settings.TESSERA_SCRATCH_DIR)

from designer.daphne_requests import body_from_file  # noqa: E402
from designer.daphne_requests import install as read_bodies_from_files  # noqa: E402

read_bodies_from_files()  # a body never whole in Daphne's memory; a full disk answers 507

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from designer.accounts.ws_auth import TokenOrSessionAuthMiddleware  # noqa: E402
from designer.collab.routing import websocket_urlpatterns as collab_routes  # noqa: E402
from designer.endpoints.timing import READY_AT  # noqa: E402
from designer.runs.routing import websocket_urlpatterns as run_routes  # noqa: E402


async def stamped_http(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Django with the moment Daphne handed the request over in ``scope[READY_AT]``: a scoring call records
    the time from then to its answer, the wait for a thread of the app's executor and for a database
    connection included, beside the view's own latency."""
    await django_asgi_app({**scope, READY_AT: time.monotonic()}, body_from_file(receive), send)


application = ProtocolTypeRouter(
    {
        "http": stamped_http,
        "websocket": AllowedHostsOriginValidator(TokenOrSessionAuthMiddleware(URLRouter(run_routes + collab_routes))),
    }
)

from modules.library.python_language import report_confinement  # noqa: E402

report_confinement()  # the web app serves scoring routes too: say how user code is confined
