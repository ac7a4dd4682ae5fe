"""Schedules on the embedded default (`make start`): SQLite, the SQLite broker, no Redis, and a beat process
beside the worker, started as scripts/start starts them."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.processes import LOG_DIR, ROOT

BIN = Path(sys.executable).parent

SETUP = """
from django.contrib.auth import get_user_model
from designer.schedules.services import create_schedule
from designer.workspaces.services import create_workspace
from tests.designer.schedules.conftest import publish
user = get_user_model().objects.create_user("planner", "planner@example.com", "pw-planner-123456")
endpoint = publish(user, create_workspace(user=user, name="Local"))
schedule = create_schedule(endpoint, user=user, data={"interval_seconds": 2, "max_concurrent": 50})
print(schedule.pk)
"""


@pytest.mark.workers
def test_make_starts_beat_fires_a_schedule_on_sqlite_without_redis(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TESSERA_", "DATABASE_URL", "REDIS_URL"))}
    env.update(
        TESSERA_ENV="local",
        TESSERA_DATA_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="designer.settings",
        TESSERA_EXTRA_MODULES="tests.support.test_modules",
        TESSERA_SCHEDULE_MIN_INTERVAL_SECONDS="1",
    )
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput"], cwd=ROOT, env=env, check=True, capture_output=True, timeout=300)
    # migrate made the broker's queues, so the worker and beat starting together do not race to insert
    # them (the loser's kombu session stayed rolled back and beat sent nothing until restarted)
    broker = sqlite3.connect(tmp_path / "broker.sqlite3")
    assert sorted(name for (name,) in broker.execute("select name from kombu_queue")) == ["cpu", "gpu"]
    broker.close()
    made = subprocess.run(
        [*manage, "shell", "-c", SETUP], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert made.returncode == 0, made.stderr[-3000:]
    schedule_id = int(made.stdout.split()[-1])

    LOG_DIR.mkdir(parents=True, exist_ok=True)
    celery = str(BIN / "celery")
    commands = {  # as scripts/start runs them
        "worker": [celery, "-A", "designer", "worker", "-Q", "cpu,gpu", "-c", "2", "-n", "local@%h",
                   "--without-gossip", "--without-mingle", "-l", "INFO"],
        "beat": [celery, "-A", "designer", "beat", "-l", "INFO"],
    }  # fmt: skip
    procs = []
    try:
        for name, command in commands.items():
            log = open(LOG_DIR / f"embedded-{name}.log", "wb")  # noqa: SIM115 - closed with the process
            procs.append((subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT), log))
        db = sqlite3.connect(tmp_path / "tessera.sqlite3", timeout=30)

        def ticks() -> list[tuple[str, str]]:
            rows = db.execute(
                "select outcome, tick from schedules_scheduletick where schedule_id = ? order by tick", (schedule_id,)
            )
            return list(rows)

        deadline = time.monotonic() + 90
        while len(ticks()) < 4 and time.monotonic() < deadline:
            time.sleep(0.5)
        found = ticks()
        runs = db.execute("select count(*) from runs_run").fetchone()[0]
    finally:
        for proc, log in procs:
            proc.terminate()
            proc.wait(30)
            log.close()

    assert len(found) >= 4, (LOG_DIR / "embedded-beat.log").read_text()[-3000:]
    assert {outcome for outcome, _ in found} == {"ran"}
    assert len(found) <= runs <= len(found) + 1  # a tick may have committed its run after the last look
