"""WSGI entry point of a scoring server: only the scoring routes, no sessions, no admin, no SPA.

Run several of these (``scripts/score``) behind a load balancer; each loads the endpoints' pipelines
when it starts (``TESSERA_SCORING_PRELOAD``: ``all``, ``none`` or names; an endpoint deployed later loads
on its first call) and reloads one when it is redeployed. Each process starts its call
recorder at once, so calls spooled by a killed predecessor reach the database without new traffic.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "designer.settings")
os.environ.setdefault("TESSERA_ROOT_URLCONF", "designer.endpoints.scoring_urls")

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()

from designer.endpoints.recorder import recorder  # noqa: E402

recorder.start()  # write the calls a killed process left in the spool, without waiting for traffic

from modules.library.python_language import report_confinement  # noqa: E402

report_confinement()  # endpoints may run Execute Python/R Script: say how it is confined

from django.conf import settings  # noqa: E402

from designer.endpoints.serving import preload  # noqa: E402
from modules.sdk.skops_import import import_skops  # noqa: E402

import_skops()  # before the first model loads: skops without the parts of scikit-learn it does not need

preload(str(settings.TESSERA_SCORING_PRELOAD))  # before the first call, not during it

from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018  # the scoring routes imported now, not by the first call

import gc  # noqa: E402

# What the process loaded to serve (modules, the preloaded models: ~175,000 objects) lives as long as it does:
# kept out of the garbage collector's sweeps, a full collection takes microseconds instead of ~100 ms, a pause
# the call it interrupted would wait out. Before gunicorn forks its workers from this master (--preload), this
# also keeps the workers' collections from writing to the shared pages (copy-on-write).
gc.freeze()
