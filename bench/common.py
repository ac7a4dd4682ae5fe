"""What the executor benchmarks share: the benchmark database and Redis, a fresh workspace, a run to completion.

Importing it sets the environment (before Django is set up), so import it before anything from designer.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DB_NAME = "tessera_bench"
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{DB_NAME}")
os.environ.update(
    DJANGO_SETTINGS_MODULE="designer.settings",
    TESSERA_ENV="test",
    DATABASE_URL=DATABASE_URL,
    REDIS_URL=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"),
    TESSERA_DATA_DIR=tempfile.mkdtemp(prefix="tessera-bench-"),
)


def ensure_database() -> None:
    """Creates the database BENCH_DATABASE_URL names (``tessera_bench`` by default) when it is missing."""
    import psycopg

    name = DATABASE_URL.rsplit("/", 1)[1].split("?", 1)[0]
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        if not conn.execute("select 1 from pg_database where datname = %s", (name,)).fetchone():
            conn.execute(f'create database "{name}"')


def bench_workspace() -> tuple[Any, Any]:
    """Django set up on the migrated benchmark database, and ``(user, workspace)``: a fresh workspace."""
    ensure_database()
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from designer.workspaces.models import Membership, Workspace

    call_command("migrate", verbosity=0)
    user, _ = get_user_model().objects.get_or_create(username="bench")
    workspace = Workspace.objects.create(name=f"bench {time.time():.0f}", created_by=user)
    Membership.objects.create(workspace=workspace, user=user, role="owner")
    return user, workspace


def run_to_completion(user: Any, pipeline: Any) -> Any:
    """Submit the pipeline's head version and wait for its run; exits the benchmark if the run did not complete."""
    from designer.runs.services import submit_run

    run = submit_run(user=user, pipeline=pipeline)
    while True:
        run.refresh_from_db()
        if run.is_terminal:
            if run.status != "completed":
                raise SystemExit(f"run {run.pk} {run.status}: {run.error}")
            return run
        time.sleep(0.02)
