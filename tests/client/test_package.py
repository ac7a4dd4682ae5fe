"""The client is a light distribution: it installs alone, without Django or torch, and never imports them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLIENT = ROOT / "clients" / "python"
SERVER_ONLY = {"django", "djangorestframework", "channels", "celery", "torch", "scikit-learn", "lightgbm", "daphne"}


def test_importing_the_sdk_and_the_command_loads_neither_django_nor_torch():
    code = (
        "import sys, json; import tessera_client, tessera_client.cli.app; "
        "heavy = ('django', 'torch', 'sklearn', 'designer', 'modules'); "
        "print(json.dumps(sorted(m for m in heavy if m in sys.modules)))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd="/")

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_pip_install_of_the_client_alone_brings_no_server_dependency(tmp_path):
    # given a fresh virtual environment with nothing but pip
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"

    # when the client is installed with one pip command (from a copy: building leaves build/ behind)
    source = shutil.copytree(CLIENT, tmp_path / "client", ignore=shutil.ignore_patterns("build", "*.egg-info"))
    started = time.monotonic()
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(source)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    elapsed = time.monotonic() - started

    # then it installed, the command works, and nothing of the server came along
    assert install.returncode == 0, install.stderr[-2000:]
    listed = subprocess.run(
        [str(python), "-m", "pip", "list", "--format=json", "--disable-pip-version-check"],
        capture_output=True,
        text=True,
        check=True,
    )
    installed = {p["name"].lower().replace("_", "-") for p in json.loads(listed.stdout)}
    assert {"tessera-client", "httpx", "pandas", "pyarrow", "typer", "rich", "pyyaml", "websockets"} <= installed
    assert installed & SERVER_ONLY == set()
    helped = subprocess.run([str(venv / "bin" / "tessera"), "--help"], capture_output=True, text=True, timeout=60)
    assert helped.returncode == 0, helped.stderr
    assert "pipeline" in helped.stdout and "Exit codes: 0 ok" in helped.stdout
    print(f"pip install clients/python into a fresh venv: {elapsed:.1f} s")
