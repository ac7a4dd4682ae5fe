"""Django settings, read from the environment (see .env.example).

TESSERA_ENV picks the shape: ``local`` (the README's start command: SQLite, no Redis, generated
secret), ``test`` (the suite) or ``production`` (the default: refuses to start without real secrets).
Each optional service switches on with one URL: DATABASE_URL, REDIS_URL, TESSERA_ARTIFACT_STORE.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

from designer.conf import as_bool, as_list, env
from designer.engine.compute import targets_from_env as _compute_targets

BASE_DIR = Path(__file__).resolve().parent.parent
TESSERA_ENV: str = env("TESSERA_ENV", "production")
if TESSERA_ENV not in ("local", "test", "production"):
    raise RuntimeError(f"TESSERA_ENV must be local, test or production, not {TESSERA_ENV!r}")
PRODUCTION = TESSERA_ENV == "production"

DATA_DIR = Path(env("TESSERA_DATA_DIR", str(BASE_DIR / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

if PRODUCTION:
    SECRET_KEY: str = env("TESSERA_SECRET_KEY", required=True)
    if len(SECRET_KEY) < 32:
        raise RuntimeError("TESSERA_SECRET_KEY must be at least 32 characters in production")
else:
    SECRET_KEY = env("TESSERA_SECRET_KEY", "insecure-local-only-" + "x" * 40)

# Django's debug pages show settings and source to anyone who triggers an error: off unless a developer
# turns them on with TESSERA_DEBUG=true (never on a server others can reach).
DEBUG: bool = env("TESSERA_DEBUG", False, cast=as_bool)
ALLOWED_HOSTS: list[str] = env(
    "TESSERA_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"], cast=as_list
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise RuntimeError("TESSERA_ALLOWED_HOSTS must list the host names the app is served on")
CSRF_TRUSTED_ORIGINS: list[str] = env("TESSERA_CSRF_TRUSTED_ORIGINS", [], cast=as_list)

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "django_celery_beat",
    "designer.accounts",
    "designer.workspaces",
    "designer.artifacts",
    "designer.datasets",
    "designer.catalogue",
    "designer.pipelines",
    "designer.components",
    "designer.runs",
    "designer.registry",
    "designer.endpoints",
    "designer.batch",
    "designer.published",
    "designer.schedules",
    "designer.environments",
    "designer.retraining",
    "designer.activity",
    "designer.exports",
    "designer.onnx_export",
    "designer.collab",
    "designer.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "designer.errors.OverloadMiddleware",  # database pool timeout: 503 with Retry-After, never 500
]

ROOT_URLCONF = env("TESSERA_ROOT_URLCONF", "designer.urls")  # scoring servers serve only their routes
TESSERA_SCORING_SERVER = ROOT_URLCONF == "designer.endpoints.scoring_urls"
if TESSERA_SCORING_SERVER:
    # A scoring server's callers bring an endpoint key (or the metrics token): no sessions, cookies, CSRF,
    # static files or messages to run on every call, only the security headers and the overload answer.
    MIDDLEWARE = ["django.middleware.security.SecurityMiddleware", "designer.errors.OverloadMiddleware"]
    # Only the apps whose models scoring reads or writes (an endpoint, its workspace, pipeline and run, its
    # calls and samples; DRF's tokens for /metrics), so a scoring server imports no admin, Channels, DRF
    # views, Celery (runs/apps.py) or Daphne: about a third of the modules it loaded before its first answer.
    INSTALLED_APPS = [
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "rest_framework.authtoken",
        "designer.accounts",
        "designer.workspaces",
        "designer.pipelines",
        "designer.runs",
        "designer.endpoints",
    ]
ASGI_APPLICATION = "designer.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

# --- database: SQLite by default, anything dj-database-url understands via DATABASE_URL ---------
DATABASES = {
    "default": dj_database_url.parse(env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'tessera.sqlite3'}"), conn_max_age=0)
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Web server and worker write the same file: wait for the lock instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 30, "transaction_mode": "IMMEDIATE"})
# PostgreSQL: every process (web app, scoring worker, Celery worker) takes its connections from a pool of
# at most TESSERA_DB_POOL_MAX (Django's psycopg pool; conn_max_age stays 0, a request hands its connection
# back when it ends). A request that waits TESSERA_DB_POOL_TIMEOUT seconds for one answers 503 with
# Retry-After: TESSERA_OVERLOAD_RETRY_AFTER_SECONDS (designer/errors.py). TESSERA_DB_POOL_MAX=0: no pool.
TESSERA_DB_POOL_MIN: int = env("TESSERA_DB_POOL_MIN", 1, cast=int)
TESSERA_DB_POOL_MAX: int = env("TESSERA_DB_POOL_MAX", 10, cast=int)
TESSERA_DB_POOL_TIMEOUT: float = env("TESSERA_DB_POOL_TIMEOUT", 10.0, cast=float)
TESSERA_OVERLOAD_RETRY_AFTER_SECONDS: int = env("TESSERA_OVERLOAD_RETRY_AFTER_SECONDS", 1, cast=int)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and TESSERA_DB_POOL_MAX > 0:
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": max(0, min(TESSERA_DB_POOL_MIN, TESSERA_DB_POOL_MAX)),
        "max_size": TESSERA_DB_POOL_MAX,
        "timeout": TESSERA_DB_POOL_TIMEOUT,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# The browser app (frontend/, built by Vite with base "/static/"); served only once it is built.
FRONTEND_DIST = BASE_DIR / "frontend" / "dist"
STATICFILES_DIRS = [FRONTEND_DIST] if FRONTEND_DIST.is_dir() else []
# Outside production, serve straight from the finders so a fresh `npm run build` needs no collectstatic.
WHITENOISE_USE_FINDERS = not PRODUCTION
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Vite names what it writes under assets/ after a hash of the content (index-CVmyHtyp.js) and the HTML,
# served uncached by designer/web, names them: browsers may keep them for good (a year, immutable).
# WhiteNoise's own test only knows Django's manifest names. The .gz/.br copies come from the Vite build.
WHITENOISE_IMMUTABLE_FILE_TEST = rf"^{STATIC_URL}assets/.+-[\w-]{{8}}\.\w+$"

# --- Redis: broker and channel layer when REDIS_URL is set; embedded fallbacks otherwise ----------
REDIS_URL: str | None = env("REDIS_URL", None)
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # channels_redis waits for a socket's messages with a 5 s blocking pop (BZPOPMIN); redis-py's default
    # socket timeout is also 5 s, so a quiet socket's read timed out and killed its consumer. Reads get
    # TESSERA_REDIS_SOCKET_TIMEOUT_SECONDS (well above the pop; it still catches a Redis gone silent),
    # TCP keepalive notices a dead peer, and a connection idle longer than the health check is pinged
    # before use. Consumers also rejoin their groups now and then (designer/websockets.py).
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "socket_timeout": env("TESSERA_REDIS_SOCKET_TIMEOUT_SECONDS", 30.0, cast=float),
                        "socket_connect_timeout": 5.0,
                        "socket_keepalive": True,
                        "health_check_interval": 30,
                    }
                ]
            },
        }
    }
else:
    # The embedded default: a SQLite-backed broker crosses processes with no server to run.
    CELERY_BROKER_URL = f"sqla+sqlite:///{DATA_DIR / 'broker.sqlite3'}"
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
# Without a cross-process channel layer the WebSocket consumer tails the RunEvent table instead.
TESSERA_EVENTS_VIA_LAYER = bool(REDIS_URL)
# How often an open run or co-editing socket rejoins its channel-layer group and catches up from the
# database: a Redis that restarted without its data, or a broadcast lost while it was down, costs a
# watcher at most this long.
TESSERA_WS_REFRESH_SECONDS: float = env("TESSERA_WS_REFRESH_SECONDS", 30.0, cast=float)

CELERY_TASK_DEFAULT_QUEUE = "cpu"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Schedules: Celery beat with django-celery-beat's database scheduler, whose entries fire at the ticks
# designer/schedules/timing.py computes (so any number of beat processes agree on them).
CELERY_BEAT_SCHEDULER = "designer.schedules.beat:TickScheduler"
# The shortest interval a schedule may have, and how late a tick may start before it counts as missed
# (beat or the workers were down) and the schedule's missed-run policy decides.
TESSERA_SCHEDULE_MIN_INTERVAL_SECONDS: int = env("TESSERA_SCHEDULE_MIN_INTERVAL_SECONDS", 60, cast=int)
TESSERA_SCHEDULE_GRACE_SECONDS: int = env("TESSERA_SCHEDULE_GRACE_SECONDS", 300, cast=int)
# Retrain and promote (designer/retraining): how often beat sends the pass that checks drift alarms and
# evaluates finished retraining runs, and whether a policy may promote a winning challenger without an
# editor (off: every challenger waits for an editor's approval).
TESSERA_RETRAINING_CHECK_SECONDS: float = env("TESSERA_RETRAINING_CHECK_SECONDS", 60.0, cast=float)
TESSERA_RETRAINING_AUTO_PROMOTE: bool = env("TESSERA_RETRAINING_AUTO_PROMOTE", False, cast=as_bool)
CELERY_BEAT_SCHEDULE = {
    "retraining-pass": {
        "task": "designer.retraining.tick",
        "schedule": TESSERA_RETRAINING_CHECK_SECONDS,
        "options": {"expires": TESSERA_RETRAINING_CHECK_SECONDS},  # a pass nobody ran in time is dropped
    },
}

# --- execution -------------------------------------------------------------------------------
TESSERA_ARTIFACT_STORE: str = env("TESSERA_ARTIFACT_STORE", str(DATA_DIR / "artifacts"))
# A worker refreshes a running node's heartbeat every HEARTBEAT seconds; a node whose heartbeat is
# older than STALE_AFTER is retried (up to MAX_ATTEMPTS in all) or failed by any live worker.
TESSERA_HEARTBEAT_SECONDS: float = env("TESSERA_HEARTBEAT_SECONDS", 5.0, cast=float)
TESSERA_STALE_AFTER_SECONDS: float = env("TESSERA_STALE_AFTER_SECONDS", 30.0, cast=float)
TESSERA_MAX_ATTEMPTS: int = env("TESSERA_MAX_ATTEMPTS", 2, cast=int)
# A worker asked to stop (SIGTERM, SIGINT) lets its running nodes finish for this long, then hands them
# back to be retried elsewhere (as if it had been killed) and exits: within GRACE + 5 s of the signal.
TESSERA_SHUTDOWN_GRACE_SECONDS: float = env("TESSERA_SHUTDOWN_GRACE_SECONDS", 5.0, cast=float)
# A node queued this long with no worker taking it has its message sent again (then after 2x, 4x ...):
# the broker may have lost it. Duplicates are harmless; keep it above a typical wait for a free worker.
TESSERA_REDISPATCH_AFTER_SECONDS: float = env("TESSERA_REDISPATCH_AFTER_SECONDS", 60.0, cast=float)
TESSERA_GPU_QUEUE_ENABLED: bool = env("TESSERA_GPU_QUEUE_ENABLED", False, cast=as_bool)
# Compute targets (designer/engine/compute.py): TESSERA_COMPUTE_TARGETS is JSON (or @/path/to/file.json), a list of
# {name, queue, dask: "local" | "tcp://scheduler:8786" | null, path: auto | pandas | dask, threshold_bytes, ...};
# the first is the default. Unset: one target "default", queue cpu, a local Dask cluster started on a worker when a
# node's table inputs reach TESSERA_DASK_THRESHOLD_MB (default 1024). A malformed declaration stops start-up here.
TESSERA_COMPUTE_TARGETS = _compute_targets(os.environ)
TESSERA_COMPUTE_DIR: Path = DATA_DIR / "compute"  # the embedded local clusters' scheduler files and worker spill

# --- uploads ---------------------------------------------------------------------------------
TESSERA_MAX_UPLOAD_BYTES: int = env("TESSERA_MAX_UPLOAD_MB", 200, cast=int) * 1024 * 1024
# The largest request body the web server writes anywhere (Daphne: designer/daphne_requests.py): an upload at the
# limit, its form fields and multipart framing. A larger one is dropped as it arrives and answered 413.
TESSERA_MAX_REQUEST_BYTES: int = int(
    env("TESSERA_MAX_REQUEST_MB", TESSERA_MAX_UPLOAD_BYTES / 2**20 + 16, cast=float) * 1024 * 1024
)
# A table dataset larger than this in memory is stored as partitioned Parquet: row groups of about this size,
# each one partition on the Dask path, and profiled from its partitions (designer/datasets/services.py).
TESSERA_DATASET_PARTITION_BYTES: int = int(env("TESSERA_DATASET_PARTITION_MB", 128.0, cast=float) * 1024 * 1024)
# Large temporary files (an upload on its way in, the pieces of a file or query read in pieces, a fetched body) go
# here, on the data's disk: the system's /tmp is memory on many hosts. Exported for module code, which reads it
# without Django (modules/sdk/scratch.py), in this process and the workers it starts.
TESSERA_SCRATCH_DIR: Path = Path(env("TESSERA_SCRATCH_DIR", str(DATA_DIR / "scratch"))).resolve()
TESSERA_SCRATCH_DIR.mkdir(parents=True, exist_ok=True)
os.environ["TESSERA_SCRATCH_DIR"] = str(TESSERA_SCRATCH_DIR)
FILE_UPLOAD_TEMP_DIR = str(TESSERA_SCRATCH_DIR)

# Scoring (real-time endpoints): request limits, how call records are written, who may scrape /metrics.
TESSERA_SCORING_MAX_BODY_BYTES: int = env("TESSERA_SCORING_MAX_BODY_MB", 5, cast=int) * 1024 * 1024
TESSERA_SCORING_MAX_ROWS: int = env("TESSERA_SCORING_MAX_ROWS", 10_000, cast=int)
# Which endpoints a scoring server loads at start: all (up to 64, most recently changed first), none, or names.
TESSERA_SCORING_PRELOAD: str = env("TESSERA_SCORING_PRELOAD", "all")
# A worker process keeps the Arrow tables it wrote or read lately, up to this many MB, so the next node it runs
# takes them from memory instead of reading the Parquet back (designer/engine/recent_tables.py).
TESSERA_WORKER_TABLE_MEMORY_MB: float = env("TESSERA_WORKER_TABLE_MEMORY_MB", 512, cast=float)
# Scoring servers keep endpoint rows (keys, revision) in memory: processes on the web app's host see a change
# on their next call (a stamp file under TESSERA_DATA_DIR), scoring servers on other hosts within this many seconds.
TESSERA_ENDPOINT_CACHE_SECONDS: float = env("TESSERA_ENDPOINT_CACHE_SECONDS", 2.0, cast=float)
# Call records are buffered and written by a background thread every this many seconds (0: inline).
TESSERA_CALL_FLUSH_SECONDS: float = env("TESSERA_CALL_FLUSH_SECONDS", 0.5, cast=float)
TESSERA_METRICS_TOKEN: str = env("TESSERA_METRICS_TOKEN", "")
# Drift: the first rows of each successful call are kept (0: none), up to this many calls per endpoint.
TESSERA_CAPTURE_ROWS_PER_CALL: int = env("TESSERA_CAPTURE_ROWS_PER_CALL", 100, cast=int)
TESSERA_CAPTURE_MAX_SAMPLES: int = env("TESSERA_CAPTURE_MAX_SAMPLES", 2000, cast=int)
# ... and at most this many rows a second per endpoint and scoring process (bursts of up to ten seconds' worth):
# under heavy traffic a share of the calls.
TESSERA_CAPTURE_ROWS_PER_SECOND: float = env("TESSERA_CAPTURE_ROWS_PER_SECOND", 100, cast=float)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024  # JSON bodies (pipelines); files stream to disk
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Every JSON a client sends (REST bodies, scoring requests, WebSocket messages, imported pipeline files)
# is refused with 400 when its arrays and objects nest deeper than this (designer/engine/safejson.py).
TESSERA_MAX_JSON_DEPTH: int = env("TESSERA_MAX_JSON_DEPTH", 100, cast=int)
# The largest WebSocket message a client may send; a larger one closes the socket with code 1009.
TESSERA_WS_MAX_MESSAGE_BYTES: int = env("TESSERA_WS_MAX_MESSAGE_KB", 1024, cast=int) * 1024

# --- failed sign-ins and wrong endpoint keys (designer/throttling.py) ----------------------------
# Past this many failures within the window, per username / per client address (sign-ins) and per
# endpoint / per client address (scoring keys), further attempts answer 429 for one window.
TESSERA_FAILURE_WINDOW_SECONDS: int = env("TESSERA_FAILURE_WINDOW_SECONDS", 300, cast=int)
TESSERA_LOGIN_FAILURES_PER_ACCOUNT: int = env("TESSERA_LOGIN_FAILURES_PER_ACCOUNT", 10, cast=int)
TESSERA_LOGIN_FAILURES_PER_CLIENT: int = env("TESSERA_LOGIN_FAILURES_PER_CLIENT", 30, cast=int)
TESSERA_KEY_FAILURES_PER_ENDPOINT: int = env("TESSERA_KEY_FAILURES_PER_ENDPOINT", 100, cast=int)
TESSERA_KEY_FAILURES_PER_CLIENT: int = env("TESSERA_KEY_FAILURES_PER_CLIENT", 20, cast=int)
# Reverse proxies in front of the app that append to X-Forwarded-For (0: the socket's address is the client).
TESSERA_PROXY_COUNT: int = env("TESSERA_PROXY_COUNT", 0, cast=int)
AUTHENTICATION_BACKENDS = ["designer.accounts.backends.ThrottledModelBackend"]
# The failure counts must be shared by every process: Redis when configured, else a database table
# (created by a migration). The default cache stays per process; nothing shared is kept there.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "throttle": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "tessera_throttle"}
    )
    | {"KEY_PREFIX": "tessera", "TIMEOUT": 2 * TESSERA_FAILURE_WINDOW_SECONDS},
}

# --- REST API --------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "designer.pagination.Pagination",  # at most 1000 rows a page
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "designer.api.exception_handler",
    # JSON only, read with the shared limits; views taking file uploads name MultiPartParser themselves.
    "DEFAULT_PARSER_CLASSES": ["designer.parsers.JSONParser"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Tessera API",
    "DESCRIPTION": "Build, run and inspect ML pipelines. Session auth for the browser, "
    "`Authorization: Token <key>` for scripts (POST /api/auth/token/).",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "RunStatusEnum": "designer.runs.models.Run.Status",
        "NodeRunStatusEnum": "designer.runs.models.NodeRun.Status",
        "DatasetKindEnum": "designer.datasets.models.DatasetVersion.KINDS",
        "ChallengerStatusEnum": "designer.retraining.models.Challenger.Status",
        "RetrainingAlarmStateEnum": "designer.retraining.models.RetrainingPolicy.AlarmState",
        "PipelineParameterTypeEnum": "designer.engine.parameters.TYPES",
    },
}

LOGIN_URL = "/api/auth/login/"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("TESSERA_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
