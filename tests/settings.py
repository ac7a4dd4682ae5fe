"""Settings for the test suite: real PostgreSQL and Redis (override with DATABASE_URL / REDIS_URL)."""

import os
import tempfile

os.environ.setdefault("TESSERA_ENV", "test")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tessera")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")
# Under pytest-xdist each worker process (gw0, gw1, ...) gets a Redis database of its own, counting down
# from the one above, as pytest-django gives it a PostgreSQL database of its own (test_tessera_gw1):
# Celery queues, channel groups, throttling counters and remote-control broadcasts never meet.
_XDIST = os.environ.get("PYTEST_XDIST_WORKER", "")
if _XDIST.startswith("gw") and _XDIST[2:].isdigit() and int(_XDIST[2:]) > 0:
    _base, _, _db = os.environ["REDIS_URL"].rpartition("/")
    os.environ["REDIS_URL"] = f"{_base}/{int(_db or 0) - int(_XDIST[2:])}"
os.environ.setdefault("TESSERA_EXTRA_MODULES", "tests.support.test_modules")
os.environ.setdefault("TESSERA_HEARTBEAT_SECONDS", "1")
os.environ.setdefault("TESSERA_STALE_AFTER_SECONDS", "4")
os.environ.setdefault("TESSERA_REDISPATCH_AFTER_SECONDS", "3")
os.environ.setdefault("TESSERA_CALL_FLUSH_SECONDS", "0")  # call records inline; one test covers the thread
os.environ.setdefault("TESSERA_DATA_DIR", tempfile.mkdtemp(prefix="tessera-test-"))
# Failure counts live in Redis and outlast a test: limits no other test reaches (tests/designer/
# test_throttling.py lowers them for itself, with identities of its own).
for _scope in ("LOGIN_FAILURES_PER_ACCOUNT", "LOGIN_FAILURES_PER_CLIENT", "KEY_FAILURES_PER_ENDPOINT"):
    os.environ.setdefault(f"TESSERA_{_scope}", "100000")
os.environ.setdefault("TESSERA_KEY_FAILURES_PER_CLIENT", "100000")

from designer.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast user factories
STATIC_ROOT = DATA_DIR / "static"  # noqa: F405
STATIC_ROOT.mkdir(exist_ok=True)
