"""Gunicorn's threaded worker with the moment each request became ready to serve, for monitoring.

In a gthread worker the main thread accepts connections (and watches kept-alive ones) and hands each
ready connection to a pool of ``--threads`` threads. Under load requests wait in that pool's queue: after
the accept, before any application code runs, so the view's own latency cannot see it (issue 14 saw
18 ms recorded while clients waited 1.3 s). This worker notes ``time.monotonic()`` at the hand-over
(``enqueue_req``: a connection just accepted, a kept-alive connection whose next request is readable,
or a pipelined request already buffered) and passes it to the application as
``environ["tessera.ready_at"]``.

What it cannot see: time in the kernel's listen backlog (this worker's main thread accepts as soon as
the listening socket is readable, up to ``worker_connections`` open connections, so that queue stays
short unless every worker is saturated), and time in front of gunicorn (a load balancer).
``scripts/score`` starts gunicorn with ``--worker-class designer.endpoints.gunicorn_worker.TimedThreadWorker``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from gunicorn.workers.gthread import ThreadWorker

from .timing import READY_AT

_current = threading.local()


class TimedThreadWorker(ThreadWorker):  # type: ignore[misc]
    def enqueue_req(self, conn: Any) -> None:
        conn.tessera_ready_at = time.monotonic()
        super().enqueue_req(conn)

    def handle_request(self, req: Any, conn: Any) -> Any:
        # Runs in the worker thread that serves the request; the WSGI wrapper below reads it there.
        _current.ready_at = getattr(conn, "tessera_ready_at", None)
        try:
            return super().handle_request(req, conn)
        finally:
            _current.ready_at = None

    def load_wsgi(self) -> None:
        super().load_wsgi()
        app: Any = getattr(self, "wsgi")  # noqa: B009 - set by the base class, untyped

        def stamped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            ready = getattr(_current, "ready_at", None)
            if ready is not None:
                environ[READY_AT] = ready
            return app(environ, start_response)  # type: ignore[no-any-return]

        self.wsgi = stamped
