"""``RunContext.map`` in one process (``LocalContext``): the contract every worker context keeps."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from modules.sdk import Cancelled, LocalContext, Module, ModuleError


class _Squares(Module):
    id = "squares"
    name = "Squares"
    category = "Utilities"

    def run(self, inputs: dict[str, Any], params: Any, ctx: Any) -> dict[str, Any]:
        return {}

    def run_part(self, inputs: dict[str, Any], params: Any, ctx: Any, item: Any) -> Any:
        if item.get("fail"):
            raise ModuleError("part fails", param="fail")
        if item.get("numpy"):
            return {"value": np.float64(item["x"]) ** 2, "array": np.arange(2)}
        return {"x": item["x"], "square": item["x"] ** 2, "nan": math.nan}


def test_results_come_back_in_item_order_through_json_with_nan_kept() -> None:
    ctx = LocalContext()

    results = ctx.map(_Squares(), {}, None, [{"x": 3}, {"x": 1}, {"x": 2}], what="trial", progress=(0.0, 0.5))

    assert [r["square"] for r in results] == [9, 1, 4]
    assert all(math.isnan(r["nan"]) for r in results)
    assert ctx.progress_updates == [(0.0, "trial 1 of 3"), (0.5 / 3, "trial 2 of 3"), (1.0 / 3, "trial 3 of 3")]
    assert [line.split(" in ")[0] for line in ctx.logs] == ["trial 1 done", "trial 2 done", "trial 3 done"]


def test_an_item_or_result_that_could_not_travel_between_workers_fails_here_too() -> None:
    ctx = LocalContext()

    with pytest.raises(TypeError, match=r"trial 1's item must be JSON"):
        ctx.map(_Squares(), {}, None, [{"x": {1, 2}}], what="trial")
    with pytest.raises(TypeError, match=r"the result of part 1 must be JSON"):
        ctx.map(_Squares(), {}, None, [{"x": 2, "numpy": True}])


def test_a_failing_part_raises_the_modules_own_error() -> None:
    with pytest.raises(ModuleError) as err:
        LocalContext().map(_Squares(), {}, None, [{"x": 1}, {"x": 2, "fail": True}, {"x": 3}])

    assert err.value.param == "fail"


def test_a_cancelled_context_runs_no_part() -> None:
    class Cancelling(LocalContext):
        def check_cancelled(self) -> None:
            raise Cancelled()

    ctx = Cancelling()
    with pytest.raises(Cancelled):
        ctx.map(_Squares(), {}, None, [{"x": 1}])
    assert ctx.logs == []


def test_a_module_that_does_not_split_its_work_says_so() -> None:
    class Whole(Module):
        id = "whole"
        name = "Whole"
        category = "Utilities"

        def run(self, inputs: dict[str, Any], params: Any, ctx: Any) -> dict[str, Any]:
            return {}

    with pytest.raises(NotImplementedError, match="Whole does not split its work into parts"):
        LocalContext().map(Whole(), {}, None, [{"x": 1}])
