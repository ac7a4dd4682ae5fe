"""The local trial's first start: one admin, one workspace with the samples, the password shown once."""

from __future__ import annotations

import stat
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from designer.datasets.models import Dataset
from designer.datasets.samples import SAMPLES
from designer.workspaces.models import Membership

pytestmark = pytest.mark.django_db


def run(**kwargs: Any) -> str:
    out = StringIO()
    call_command("bootstrap_local", stdout=out, **kwargs)
    return out.getvalue()


def test_first_run_creates_admin_workspace_and_samples_and_shows_the_password_once(
    settings: Any, tmp_path: Path
) -> None:
    # given a fresh local install
    settings.TESSERA_ENV = "local"
    settings.DATA_DIR = tmp_path
    # when it bootstraps
    output = run()
    # then admin exists with the printed password, owns "My workspace", which holds every sample
    line = next(x for x in output.splitlines() if x.startswith("Sign in at"))
    assert line.startswith("Sign in at http://127.0.0.1:8000 as admin / ")
    password = line.rsplit(" / ", 1)[1]
    admin = get_user_model().objects.get()
    assert admin.username == "admin"
    assert admin.check_password(password)
    membership = Membership.objects.get(user=admin)
    assert (membership.workspace.name, membership.role) == ("My workspace", "owner")
    assert sorted(Dataset.objects.filter(workspace=membership.workspace).values_list("name", flat=True)) == sorted(
        s.name for s in SAMPLES
    )
    saved = tmp_path / "first-user.txt"
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert saved.read_text().splitlines()[0] == line

    # and a second run changes nothing and does not print the password again
    again = run()
    assert password not in again
    assert again == f"Tessera already has users; the first user's sign-in details are in {saved}.\n"
    assert get_user_model().objects.count() == 1
    assert Dataset.objects.count() == len(SAMPLES)


def test_it_refuses_outside_the_local_default(settings: Any) -> None:
    settings.TESSERA_ENV = "production"
    with pytest.raises(CommandError, match="bootstrap_local only runs with TESSERA_ENV=local"):
        run()
    assert not get_user_model().objects.exists()
