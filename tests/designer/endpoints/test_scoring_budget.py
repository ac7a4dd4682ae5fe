"""Drift samples stay cheap under heavy traffic: a bounded number of rows a second per endpoint.

(``db``: the session's teardown closes database sessions, which needs the test database set up.)"""

from __future__ import annotations

import time
from typing import Any

from designer.endpoints.serving import _CaptureBudget


def test_rows_are_kept_while_the_budget_lasts_and_again_once_it_refills(db: Any) -> None:
    budget = _CaptureBudget()  # a bucket of ten seconds' worth: 100 rows at 10 rows a second
    assert [budget.take(1, 40, rate=10) for _ in range(3)] == [True, True, False]  # 80 of 100 rows, then no
    assert budget.take(2, 40, rate=10)  # another endpoint has its own budget
    time.sleep(2.5)  # 25 rows refilled: 45 available
    assert budget.take(1, 40, rate=10)
    assert not budget.take(1, 40, rate=10)


def test_a_call_larger_than_the_whole_bucket_is_still_kept_when_the_bucket_is_full(db: Any) -> None:
    budget = _CaptureBudget()
    assert budget.take(1, 5000, rate=100)
    assert not budget.take(1, 1, rate=100)
