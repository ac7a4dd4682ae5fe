"""What a Celery worker does once, as it starts, so that its first node does not."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap


def test_a_starting_worker_imports_the_model_format_before_its_first_node() -> None:
    # A process of its own: this one may have imported skops already. worker_init is the signal Celery sends
    # in the worker's main process before a prefork pool forks its children.
    script = textwrap.dedent(
        """
        import sys
        import django
        django.setup()
        from celery.signals import worker_init
        import designer.celery  # noqa: F401  (connects the worker's handlers)
        assert "skops.io" not in sys.modules
        worker_init.send(sender=None)
        print("skops.io" in sys.modules, "sklearn.ensemble" in sys.modules)
        """
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "designer.settings"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)

    assert done.returncode == 0, done.stderr
    # skops, without the scikit-learn packages its default allow-lists would have imported
    assert done.stdout.split() == ["True", "False"], done.stdout
