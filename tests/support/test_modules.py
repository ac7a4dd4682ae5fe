"""Modules that exist only for the test suite (loaded with TESSERA_EXTRA_MODULES=tests.support.test_modules)."""

from __future__ import annotations

import signal
import time
from typing import Any

from pydantic import Field

from modules.sdk import DataTable, In, Module, ModuleError, Out, ParamModel, Table


class Sleep(Module):
    """Pass a table through after sleeping; checks for cancellation and reports progress."""

    id = "test_sleep"
    name = "Sleep (test)"
    category = "Utilities"

    class Inputs:
        dataset = In(Table, "Dataset", optional=True)

    class Outputs:
        result = Out(Table, "Result")

    class Params(ParamModel):
        seconds: float = Field(1.0, ge=0, le=600)
        tag: str = ""
        #: A file path: the attempt that creates it sleeps ``seconds``, a later attempt (a retry) none.
        once: str = ""
        #: Turn SystemExit (a stop signal reaching a pool child) into a module error, as code that catches
        #: BaseException and raises its own error does, and outlive the further SIGTERMs the worker sends its
        #: children (as slow cleanup would), so that the error reaches the executor.
        exit_as_error: bool = False

    def run(self, inputs: dict[str, Any], params: Any, ctx: Any) -> dict[str, Any]:
        import pandas as pd

        seconds = params.seconds
        if params.once:
            try:
                open(params.once, "x").close()  # noqa: SIM115 - created, not used
            except FileExistsError:
                seconds = 0.0
        end = time.monotonic() + seconds
        try:
            while (left := end - time.monotonic()) > 0:
                ctx.check_cancelled()
                ctx.progress(1 - left / max(seconds, 1e-9), f"{left:.1f} s left")
                time.sleep(min(0.1, left))
        except SystemExit as exc:
            if params.exit_as_error:
                signal.signal(signal.SIGTERM, signal.SIG_IGN)
                raise ModuleError(f"interrupted while sleeping: SystemExit({exc.code})") from exc
            raise
        table = inputs.get("dataset") or DataTable(pd.DataFrame({"x": [1, 2, 3]}))
        ctx.log(f"slept {seconds} s")
        return {"result": DataTable(table.df.assign(slept_by=params.tag or "sleep"), table.meta)}


class Fail(Module):
    """Always fails with a message naming a parameter."""

    id = "test_fail"
    name = "Fail (test)"
    category = "Utilities"

    class Inputs:
        dataset = In(Table, "Dataset", optional=True)

    class Outputs:
        result = Out(Table, "Result")

    class Params(ParamModel):
        message: str = "boom"

    def run(self, inputs: dict[str, Any], params: Any, ctx: Any) -> dict[str, Any]:
        raise ModuleError(f"failing on purpose: {params.message}", param="message")


class SplitSleep(Module):
    """Splits its work into parts with ``ctx.map``: each part sleeps, then says which process ran it."""

    id = "test_split_sleep"
    name = "Split and sleep (test)"
    category = "Utilities"

    class Outputs:
        result = Out(Table, "Result")

    class Params(ParamModel):
        parts: int = Field(4, ge=1, le=100)
        seconds: float = Field(0.5, ge=0, le=600)
        fail_part: int = Field(0, ge=0, description="The part (1, 2, ...) that fails; 0 for none.")

    def run(self, inputs: dict[str, Any], params: Any, ctx: Any) -> dict[str, Any]:
        import pandas as pd

        items = [{"part": i + 1, "seconds": params.seconds} for i in range(params.parts)]
        results = ctx.map(self, inputs, params, items, what="part")
        return {"result": DataTable(pd.DataFrame(results))}

    def run_part(self, inputs: dict[str, Any], params: Any, ctx: Any, item: Any) -> Any:
        import os

        end = time.monotonic() + float(item["seconds"])
        while (left := end - time.monotonic()) > 0:
            ctx.check_cancelled()
            time.sleep(min(0.05, left))
        if item["part"] == params.fail_part:
            raise ModuleError(f"part {item['part']} fails on purpose", param="fail_part")
        ctx.log(f"part {item['part']} slept")
        return {"part": item["part"], "pid": os.getpid(), "square": item["part"] ** 2}


class PoisonRows(Module):
    """Passes a table through, failing while it holds a row whose ``column`` equals ``value``: always, or only
    its first ``failures`` attempts, counted in the file ``counter`` so that attempts on any worker count."""

    id = "test_poison_rows"
    name = "Poison rows (test)"
    category = "Utilities"

    class Inputs:
        dataset = In(Table, "Dataset")

    class Outputs:
        result = Out(Table, "Result")

    class Params(ParamModel):
        column: str = "x"
        value: float = 0.0
        failures: int = Field(-1, ge=-1, description="Attempts that fail before one succeeds; -1: every attempt.")
        counter: str = ""

    def run(self, inputs: dict[str, Any], params: Any, ctx: Any) -> dict[str, Any]:
        from pathlib import Path

        table = inputs["dataset"]
        if (table.df[params.column] == params.value).any():
            counter = Path(params.counter)
            attempt = (int(counter.read_text()) if counter.exists() else 0) + 1
            counter.write_text(str(attempt))
            if params.failures < 0 or attempt <= params.failures:
                raise ModuleError(f"a poisoned row (attempt {attempt})", column=params.column)
        return {"result": DataTable(table.df, table.meta)}
