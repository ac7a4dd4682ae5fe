"""The engine stays plain Python: the import contract holds and importing it loads no Django."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def test_import_contracts_are_kept() -> None:
    # when import-linter checks the project's contracts
    result = subprocess.run(
        [str(BIN / "lint-imports"), "--no-logo", "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )

    # then every contract is kept
    assert result.returncode == 0, result.stdout + result.stderr


def test_importing_the_engine_loads_no_web_framework() -> None:
    # when the engine is imported in a fresh interpreter
    code = (
        "import sys; import designer.engine.validate, designer.engine.execute, designer.engine.plan, "
        "designer.engine.store, designer.engine.profile, designer.engine.graph; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('django', 'rest_framework', 'channels', 'celery')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )

    # then none of Django, DRF, Channels or Celery was loaded
    assert result.stdout.strip() == "[]"
