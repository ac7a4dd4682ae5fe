"""Where a scoring request's time starts: the WSGI environ key a scoring server's worker sets.

``designer/endpoints/gunicorn_worker.py`` puts the monotonic time at which gunicorn handed the request's
connection to a worker thread in ``environ[READY_AT]``; the scoring view records the time from then to
the answer beside its own latency. Kept apart from the worker so the web app never imports gunicorn.
"""

READY_AT = "tessera.ready_at"
