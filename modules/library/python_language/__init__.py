"""Modules that run user-written Python in a separate, limited process; nothing here imports or unpickles results."""

from __future__ import annotations


def report_confinement() -> str:
    """Find (once per process) and log which confinement user code gets here; the one-line summary.

    Web, scoring and worker processes call this at start-up so the operator sees it in their logs;
    each sandboxed run also writes it to its node's log.
    """
    import logging

    from ._confinement import Refused, current

    try:
        return current().summary
    except Refused as exc:
        logging.getLogger(__name__).error("user code: refused: %s", exc)
        return f"refused: {exc}"
