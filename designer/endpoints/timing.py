"""Where a scoring request's time starts: the key a scoring server's worker (WSGI environ) or the web app
(ASGI scope) sets.

``designer/endpoints/gunicorn_worker.py`` puts the monotonic time at which gunicorn handed the request's
connection to a worker thread in ``environ[READY_AT]``; ``designer/asgi.py`` puts the time Daphne handed
the request to the application in ``scope[READY_AT]``. The scoring view records the time from then to
the answer beside its own latency. Kept apart from the worker so the web app never imports gunicorn.
"""

READY_AT = "tessera.ready_at"
