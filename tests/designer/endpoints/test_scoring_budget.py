"""Drift samples stay cheap under heavy traffic: a bounded number of rows a second per endpoint.

(``db``: the session's teardown closes database sessions, which needs the test database set up.)"""

from __future__ import annotations

import time
from typing import Any

from designer.endpoints.serving import _CaptureBudget


def test_rows_are_kept_while_the_budget_lasts_and_again_once_it_refills(db: Any) -> None:
    budget = _CaptureBudget()
    assert [budget.take(1, 40, rate=100) for _ in range(3)] == [True, True, False]  # 80 of 100 rows, then no
    assert budget.take(2, 40, rate=100)  # another endpoint has its own budget
    time.sleep(0.25)  # 25 rows refilled: 45 available
    assert budget.take(1, 40, rate=100)
    assert not budget.take(1, 40, rate=100)


def test_a_call_larger_than_a_second_of_budget_is_still_kept_when_the_budget_is_full(db: Any) -> None:
    budget = _CaptureBudget()
    assert budget.take(1, 500, rate=100)
    assert not budget.take(1, 1, rate=100)
