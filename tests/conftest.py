"""For every stage of the suite (with or without Django): a skipped test is a failed one.

A skip hides a test that did not run, so the suite refuses them wherever they come from: ``pytest.skip``
inside a test or a fixture, ``@pytest.mark.skip`` and ``skipif``, ``pytest.importorskip`` in a test, and
``xfail`` (a test that cannot fail). A whole module skipped while being collected (``importorskip`` or
``pytest.skip(allow_module_level=True)`` at the top of a file) becomes a collection error, as the failed
import behind it would have been. Plain pytest only here: this file is loaded with ``-p no:django`` too.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest


def _reason(report: Any) -> str:
    if getattr(report, "wasxfail", None) is not None:
        return f"is marked xfail ({report.wasxfail or 'no reason given'}), so it cannot fail"
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:  # (path, line, "Skipped: why")
        path, line, why = longrepr
        return f"did not run: {why} (at {path}:{int(line) + 1})"
    return f"did not run: {longrepr}"


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    report = yield
    if report.skipped or getattr(report, "wasxfail", None) is not None:
        reason = _reason(report)
        if hasattr(report, "wasxfail"):
            del report.wasxfail  # else the terminal and junit reports still call it an xfail
        report.outcome = "failed"
        report.longrepr = f"{item.nodeid} {reason}. This suite allows no skipped or xfail tests."
    return report


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Generator[None, Any, Any]:
    report = yield
    if report.skipped:
        reason = _reason(report)
        report.outcome = "failed"
        report.longrepr = (
            f"{collector.nodeid} was skipped while collected, so its tests {reason}. This suite allows no skips."
        )
    return report
