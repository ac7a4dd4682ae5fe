"""Execute R Script: Azure's contract, run by Rscript in the same limited process as Execute Python Script."""

from __future__ import annotations

import os
import tempfile
from typing import Any

import pandas as pd
import pytest

from modules.library.r_language import execute_r_script
from modules.library.r_language.execute_r_script import DEFAULT_SCRIPT, ExecuteRScript
from modules.sdk import DataTable, LocalContext, ModuleError

#: Small limits keep every test fast.
FAST = {"timeout_seconds": 20, "memory_limit_mb": 768}


def _run(script: str, ctx: LocalContext | None = None, **inputs: DataTable) -> dict[str, Any]:
    params = ExecuteRScript.Params(r_script=script, **FAST)
    return ExecuteRScript().run(dict(inputs), params, ctx or LocalContext())


def _failure(script: str, **params: Any) -> ModuleError:
    with pytest.raises(ModuleError) as caught:
        ExecuteRScript().run({}, ExecuteRScript.Params(r_script=script, **{**FAST, **params}), LocalContext())
    return caught.value


def _sandboxes() -> set[str]:
    return {name for name in os.listdir(tempfile.gettempdir()) if name.startswith("tessera-r-")}


def test_the_default_template_returns_its_input_with_its_types_and_prints_to_the_log() -> None:
    given = DataTable(
        pd.DataFrame(
            {
                "a": pd.array([1, None, 3], dtype="Int64"),
                "b": pd.Series(["x", None, "z"], dtype="str"),
                "c": [0.1, 2.5, float("nan")],
                "d": pd.array([True, False, None], dtype="boolean"),
            }
        ),
        {"label_column": "a"},
    )
    ctx = LocalContext()

    out = _run(DEFAULT_SCRIPT, ctx, dataset1=given)

    pd.testing.assert_frame_equal(out["result_dataset"].df, given.df)
    assert out["result_dataset"].meta == {"label_column": "a"}
    assert out["result_dataset2"].df.shape == (0, 0)
    assert '[1] "R script run."' in ctx.logs


def test_two_inputs_reach_r_as_data_frames_and_two_outputs_come_back() -> None:
    first = DataTable(pd.DataFrame({"group": ["a", "b"], "value": [1, 2]}))
    second = DataTable(pd.DataFrame({"group": ["a", "c"], "value": [10, 20]}))
    script = """\
azureml_main <- function(dataframe1, dataframe2){
  joined <- rbind(dataframe1, dataframe2)
  totals <- aggregate(value ~ group, data = joined, FUN = sum)
  totals$share <- totals$value / sum(totals$value)
  return(list(dataset1=joined, dataset2=totals))
}
"""

    out = _run(script, dataset1=first, dataset2=second)

    expected_joined = pd.DataFrame(
        {"group": pd.Series(["a", "b", "a", "c"], dtype="str"), "value": pd.array([1, 2, 10, 20], dtype="Int64")}
    )
    expected_totals = pd.DataFrame(
        {
            "group": pd.Series(["a", "b", "c"], dtype="str"),
            "value": pd.array([11, 2, 20], dtype="Int64"),
            "share": [11 / 33, 2 / 33, 20 / 33],
        }
    )
    pd.testing.assert_frame_equal(out["result_dataset"].df, expected_joined)
    pd.testing.assert_frame_equal(out["result_dataset2"].df, expected_totals)


def test_an_unconnected_input_is_null_and_a_seed_makes_random_draws_repeatable() -> None:
    script = """\
azureml_main <- function(dataframe1, dataframe2){
  return(list(dataset1=data.frame(missing=is.null(dataframe1), draw=runif(1))))
}
"""
    params = ExecuteRScript.Params(r_script=script, random_seed=7, **FAST)

    first = ExecuteRScript().run({}, params, LocalContext())["result_dataset"].df
    second = ExecuteRScript().run({}, params, LocalContext())["result_dataset"].df

    assert first["missing"].tolist() == [True]
    assert first["draw"].tolist() == second["draw"].tolist()


def test_an_r_error_reports_its_message_and_the_line_of_the_script() -> None:
    script = """\
check <- function(x) {
  stop("the value is not positive: ", x)
}
azureml_main <- function(dataframe1, dataframe2){
  check(-1)
}
"""

    error = _failure(script)

    assert error.param == "r_script"
    assert error.message == (
        "the R script failed at line 2: the value is not positive: -1\ncheck(-1) at line 5\n"
        'stop("the value is not positive: ", x) at line 2'
    )


def test_a_syntax_error_reports_the_line_of_the_script() -> None:
    error = _failure("x <- 1\ny <- (2\nz\n")

    assert error.param == "r_script"
    assert error.message.splitlines()[0] == "the R script has a syntax error at line 3: unexpected symbol"


def test_a_return_value_that_is_not_a_list_of_data_frames_is_named() -> None:
    error = _failure("azureml_main <- function(dataframe1, dataframe2) 5\n")

    assert error.message == (
        "azureml_main returned a numeric (num 5); it must return a named list, "
        "for example return(list(dataset1=dataframe1, dataset2=dataframe2))"
    )


def test_a_script_without_azureml_main_says_what_is_missing() -> None:
    error = _failure("x <- 1\n")

    assert error.message == "the script defines no function azureml_main <- function(dataframe1, dataframe2)"


def test_an_infinite_loop_is_stopped_at_the_timeout_and_its_sandbox_removed() -> None:
    before = _sandboxes()

    error = _failure("azureml_main <- function(dataframe1, dataframe2){\n  repeat {}\n}\n", timeout_seconds=2)

    assert error.param == "timeout_seconds"
    assert error.message == (
        "the script was stopped after running for 2 seconds; "
        "raise 'Timeout (seconds)' (at most 7200) if it needs longer"
    )
    assert _sandboxes() - before == set()


def test_allocating_far_over_the_memory_limit_fails_with_the_memory_message() -> None:
    error = _failure("azureml_main <- function(dataframe1, dataframe2){\n  x <- numeric(4e9)\n}\n")

    assert error.param == "memory_limit_mb"
    assert error.message == (
        "the script ran out of memory: it may use at most 768 MB; raise 'Memory limit (MB)' (at most 32768) "
        "if it needs more"
    )


def test_the_child_sees_no_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TESSERA_SECRET_KEY", "do-not-leak-4711")
    monkeypatch.setenv("DATABASE_URL", "postgres://user:pw@db/tessera")
    script = """\
azureml_main <- function(dataframe1, dataframe2){
  env <- Sys.getenv()
  return(list(dataset1=data.frame(name=names(env), value=as.character(env))))
}
"""

    env = _run(script)["result_dataset"].df

    assert "TESSERA_SECRET_KEY" not in set(env["name"])
    assert "DATABASE_URL" not in set(env["name"])
    assert not env["value"].astype(str).str.contains("do-not-leak-4711|user:pw", regex=True).any()
    assert env.loc[env["name"] == "HOME", "value"].tolist()[0].startswith(tempfile.gettempdir())


def test_without_an_r_runtime_the_module_says_r_is_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(execute_r_script, "RSCRIPT", "Rscript-not-on-this-worker")
    before = _sandboxes()

    error = _failure(DEFAULT_SCRIPT)

    assert error.param == "r_script"
    assert error.message.startswith("R is not installed on this worker (no Rscript on its PATH)")
    assert _sandboxes() - before == set()
