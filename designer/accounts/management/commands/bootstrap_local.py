"""``manage.py bootstrap_local``: the first user, workspace and sample datasets of a local trial.

Only for TESSERA_ENV=local. Safe to run on every start: it does nothing once a user exists, except
saying where the first user's sign-in details were written.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from designer.datasets.services import load_samples
from designer.workspaces.services import create_workspace

USERNAME = "admin"
WORKSPACE_NAME = "My workspace"
URL = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"  # the port scripts/start serves on


def credentials_file() -> Path:
    return Path(settings.DATA_DIR) / "first-user.txt"


def write_private(path: Path, text: str) -> None:
    """Write ``text`` readable by the owner only (created 0600, never world-readable even briefly)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(path, 0o600)  # an older file may have had other bits


class Command(BaseCommand):
    help = "Local trial only: create the first user (admin), a workspace and the sample datasets."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.TESSERA_ENV != "local":
            raise CommandError(
                f"bootstrap_local only runs with TESSERA_ENV=local (this is {settings.TESSERA_ENV!r}); "
                "create users with `manage.py createsuperuser` instead."
            )
        users = get_user_model().objects
        if users.exists():
            where = credentials_file()
            hint = f"; the first user's sign-in details are in {where}" if where.exists() else ""
            self.stdout.write(f"Tessera already has users{hint}.")
            return
        password = secrets.token_urlsafe(12)
        with transaction.atomic():
            admin = users.create_superuser(USERNAME, email="", password=password)
            workspace = create_workspace(user=admin, name=WORKSPACE_NAME)
            samples = load_samples(admin, workspace)
            write_private(
                credentials_file(),
                f"Sign in at {URL} as {USERNAME} / {password}\n"
                "Change the password after signing in; delete this file once you have.\n",
            )
        self.stdout.write(f"Created workspace '{WORKSPACE_NAME}' with {len(samples)} sample datasets.")
        self.stdout.write(self.style.SUCCESS(f"Sign in at {URL} as {USERNAME} / {password}"))
        self.stdout.write(f"(also saved in {credentials_file()}, readable only by you)")
