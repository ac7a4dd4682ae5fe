"""Contract case for Create Python Model: Azure's default AzureMLModel script (sklearn's LogisticRegression)."""

from __future__ import annotations

from modules.library.python_language.create_python_model import DEFAULT_SCRIPT

from ._helpers import Case, _no_inputs

CASES: dict[str, Case] = {
    "create_python_model": Case(
        _no_inputs,
        {
            "python_script": DEFAULT_SCRIPT,
            "task": "Two-class classification",
            "timeout_seconds": 60,
            "memory_limit_mb": 1024,
        },
    ),
}
