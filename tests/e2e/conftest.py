"""A live Tessera for the browser: Daphne serving the built front end, real Celery workers, a user.

Run in their own pytest process (see STACK-NOTES):
    DJANGO_ALLOW_ASYNC_UNSAFE=true .venv/bin/pytest tests/e2e -m e2e -p no:cacheprovider
Chromium is Debian's (/usr/bin/chromium); Playwright cannot download browsers here.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.files.uploadedfile import SimpleUploadedFile

from designer.datasets.samples import SAMPLES
from designer.datasets.services import create_dataset
from designer.workspaces.models import Membership, Workspace
from tests.support.processes import Server, WorkerPool

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = ROOT / "frontend"
CHROMIUM = os.environ.get("TESSERA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BREAST_CANCER = "Breast cancer (Wisconsin diagnostic)"
PASSWORD = "e2e-pass-Tessera-42"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}: scripts/services installs it (apt-get install -y chromium)"
        )
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": {"width": 1440, "height": 900}}


@pytest.fixture(scope="session")
def frontend_build() -> Path:
    """The built app; built here once when missing (npm ci + npm run build)."""
    index = FRONTEND / "dist" / "index.html"
    if not index.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("frontend/dist is missing and npm is not installed: build the front end first")
        if not (FRONTEND / "node_modules").exists():
            subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=FRONTEND, check=True)
        subprocess.run([npm, "run", "build"], cwd=FRONTEND, check=True)
    return index


@pytest.fixture(scope="session")
def live_server_e2e(django_db_setup: Any, django_db_blocker: Any, frontend_build: Path) -> Iterator[Server]:
    server = Server()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def e2e_worker_pool(django_db_setup: Any, django_db_blocker: Any) -> Iterator[WorkerPool]:
    pool = WorkerPool(size=2)
    try:
        yield pool
    finally:
        pool.stop()


@pytest.fixture
def workers(e2e_worker_pool: WorkerPool, transactional_db: Any) -> WorkerPool:
    from designer.celery import app

    with app.connection_for_write() as conn:
        for queue in ("cpu", "gpu"):
            with contextlib.suppress(Exception):  # the queue may not exist yet
                conn.default_channel.queue_purge(queue)
    e2e_worker_pool.ensure()
    return e2e_worker_pool


@dataclass(frozen=True)
class Account:
    username: str
    password: str
    workspace: Workspace
    user: Any
    dataset_id: int


@pytest.fixture
def account(transactional_db: Any) -> Account:
    """Grace, owner of the workspace 'Lab' holding the breast-cancer sample, committed for the server to see."""
    user = get_user_model().objects.create(username="grace", email="grace@example.com")
    # Hashed with PBKDF2 explicitly: the test settings' fast MD5 hasher is unknown to the server process.
    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(PASSWORD, hasher.salt())
    user.save(update_fields=["password"])
    workspace = Workspace.objects.create(name="Lab", created_by=user)
    Membership.objects.create(workspace=workspace, user=user, role="owner")
    sample = next(s for s in SAMPLES if s.name == BREAST_CANCER)
    data = sample.build().to_csv(index=False).encode()
    dataset = create_dataset(user, workspace, BREAST_CANCER, SimpleUploadedFile("breast-cancer.csv", data, "text/csv"))
    return Account("grace", PASSWORD, workspace, user, dataset.pk)


@pytest.fixture
def teammate(account: Account) -> Account:
    """Hopper, an editor in Grace's workspace 'Lab' (for co-editing), committed for the server to see."""
    user = get_user_model().objects.create(username="hopper", email="hopper@example.com")
    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(PASSWORD, hasher.salt())
    user.save(update_fields=["password"])
    Membership.objects.create(workspace=account.workspace, user=user, role="editor")
    return Account("hopper", PASSWORD, account.workspace, user, account.dataset_id)
