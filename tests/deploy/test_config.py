"""Deployment shape: production refuses to start without real secrets; compose is valid and matches the README."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def _settings(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TESSERA_", "DATABASE_URL", "REDIS_URL"))}
    clean.update(env, DJANGO_SETTINGS_MODULE="designer.settings")
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)",
        ],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    done = _settings({"TESSERA_DATA_DIR": str(tmp_path)})

    assert done.returncode != 0
    assert "TESSERA_SECRET_KEY must be set" in done.stderr


def test_production_refuses_a_short_secret_key_and_missing_hosts(tmp_path):
    short = _settings({"TESSERA_DATA_DIR": str(tmp_path), "TESSERA_SECRET_KEY": "short"})
    no_hosts = _settings({"TESSERA_DATA_DIR": str(tmp_path), "TESSERA_SECRET_KEY": "k" * 40})

    assert "at least 32 characters" in short.stderr
    assert "TESSERA_ALLOWED_HOSTS" in no_hosts.stderr


def test_production_starts_with_real_settings_and_debug_off(tmp_path):
    done = _settings(
        {"TESSERA_DATA_DIR": str(tmp_path), "TESSERA_SECRET_KEY": "k" * 40, "TESSERA_ALLOWED_HOSTS": "example.com"}
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_compose_defines_the_documented_services_and_commands():
    compose = yaml.safe_load((ROOT / "docker" / "compose.yaml").read_text())
    services = compose["services"]

    assert set(services) == {
        "migrate", "web", "scoring", "worker-cpu", "beat", "worker-gpu", "dask-scheduler", "dask-worker", "redis",
        "postgres",
    }  # fmt: skip
    assert services["scoring"]["command"][:2] == ["gunicorn", "designer.scoring_wsgi:application"]
    assert services["worker-cpu"]["command"][:6] == ["celery", "-A", "designer", "worker", "-Q", "cpu"]
    assert services["worker-gpu"]["command"][:6] == ["celery", "-A", "designer", "worker", "-Q", "gpu"]
    assert services["worker-gpu"]["profiles"] == ["gpu"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "designer", "beat"]
    assert services["dask-scheduler"]["profiles"] == services["dask-worker"]["profiles"] == ["dask"]
    assert services["dask-worker"]["command"][:3] == ["dask", "worker", "tcp://dask-scheduler:8786"]
    readme = (ROOT / "README.md").read_text()
    assert "celery -A designer worker -Q cpu" in readme and "-Q gpu" in readme
    assert "gunicorn designer.scoring_wsgi:application" in readme
    assert "celery -A designer beat" in readme and "make beat" in readme


@pytest.mark.parametrize("profile", [None, "gpu", "dask"])
def test_docker_compose_config_accepts_the_file(profile):
    binary = shutil.which("docker-compose")
    assert binary, "docker-compose is installed by scripts/services"
    args = [binary, "-f", "docker/compose.yaml"] + (["--profile", profile] if profile else []) + ["config", "-q"]
    env = dict(os.environ, TESSERA_SECRET_KEY="k" * 40)

    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)

    assert done.returncode == 0, done.stderr
