"""Execute R Script: Azure's ``azureml_main(dataframe1, dataframe2)`` contract, run by ``Rscript`` in a sandbox."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import Field

from modules.library._tables import prune_meta
from modules.library.python_language._sandbox import (
    MB,
    Limits,
    Outcome,
    Sandbox,
    child_environment,
    read_child_file,
    read_status,
)
from modules.library.python_language.execute_python_script import (
    BUNDLE_DIR,
    DEFAULT_MEMORY_MB,
    DEFAULT_TIMEOUT_S,
    MAX_MEMORY_MB,
    MAX_SCRIPT_CHARS,
    MAX_TIMEOUT_S,
    MIN_MEMORY_MB,
    extract_bundle,
)
from modules.sdk import DataTable, In, Module, ModuleError, Out, ParamModel, RunContext, Table
from modules.sdk.ports import ZipFile
from modules.sdk.textdata import TextDataError, read_delimited
from modules.sdk.values import ZipArchive

DEFAULT_SCRIPT = """\
# The script MUST contain a function named azureml_main,
# which is the entry point for this component.

# The entry point function MUST have two input arguments.
# If an input port is not connected, the corresponding
# dataframe argument is NULL.
#   Param<dataframe1>: an R data.frame
#   Param<dataframe2>: an R data.frame
azureml_main <- function(dataframe1, dataframe2){
  print("R script run.")

  # Return the datasets as a named list
  return(list(dataset1=dataframe1, dataset2=dataframe2))
}
"""

RSCRIPT = "Rscript"
RUNNER = Path(__file__).with_name("_runner.R")
OUTPUTS = (("result_dataset", "Result Dataset"), ("result_dataset2", "Result Dataset2"))
EXIT_OUT_OF_MEMORY = 3
#: Largest random seed R's set.seed takes (a 32-bit integer).
MAX_SEED = 2**31 - 1


class ExecuteRScript(Module):
    """Run an R script written for Azure's designer unchanged: ``azureml_main <- function(dataframe1, dataframe2)``.

    The function gets the tables connected to Dataset1 and Dataset2 as R data frames (``NULL``
    when a port is not connected) and returns ``list(dataset1=..., dataset2=...)``; a missing or
    ``NULL`` one is an empty table (a single data frame, or an unnamed list of up to two, is taken
    too). Columns reach R as integer, numeric, logical or character vectors; text stays text even
    when it looks like numbers. The returned data frames come back typed as an upload is (whole
    numbers -> integer, other numbers -> number, TRUE/FALSE -> boolean, the rest text; factors and
    dates come back as text). Column roles of Dataset1 stay on Result Dataset for the columns it
    still has. ``print`` output and warnings stream to the run's log as they happen. Random seed,
    when set, is passed to ``set.seed`` before the script runs.

    Better than Azure: no 16 KB script limit; a failure names the line of your script and shows
    the calls that led to it; a wrong return value names what was returned; time and memory are
    parameters, and running past them says which one to raise; cancelling stops the script at once.

    Safety and limits: the same sandbox as Execute Python Script. ``Rscript --vanilla`` runs in a
    separate process with an environment built from nothing (no secrets, settings or service
    URLs), a throwaway temporary directory as its working and home directory, and
    operating-system limits on memory, CPU time, file size and new processes; on hosts with user
    namespaces it has no network at all. Tables cross as CSV files, read back as data. It still
    runs as the worker's operating-system user. ``install.packages`` is not available (no
    network); the R packages installed on the worker are. Where R is not installed on the worker
    the module fails saying so.

    Script Bundle: connect a File Dataset (a .zip uploaded on the Datasets page), as in Azure. The
    zip is unpacked to ``./Script Bundle`` in the script's working directory, so the script can
    ``source("./Script Bundle/helpers.R")`` or read the files in it. A zip with a path leaving its
    folder, a link, an encrypted file, more than 10,000 files or more than 256 MB unpacked is
    refused, naming the file at fault.

    Real-time endpoints: as Execute Python Script, the script stays in a derived inference pipeline
    and each request's rows go through a fresh ``Rscript`` sandbox process (a second or more per
    call), stopped at Timeout (seconds); a failure answers 400 "Module Executing Error" naming the node.
    """

    id = "execute_r_script"
    name = "Execute R Script"
    category = "R Language"
    runs_user_code = True
    user_code_sandboxed = True  # the script runs in _sandbox.py's child process only

    class Inputs:
        dataset1 = In(Table, "Dataset1", optional=True, doc="Passed to azureml_main as dataframe1.")
        dataset2 = In(Table, "Dataset2", optional=True, doc="Passed to azureml_main as dataframe2.")
        script_bundle = In(
            ZipFile,
            "Script Bundle",
            optional=True,
            doc="A zip unpacked to ./Script Bundle, the script's to source() or read.",
        )

    class Outputs:
        result_dataset = Out(Table, "Result Dataset", doc="dataset1 of the list azureml_main returns.")
        result_dataset2 = Out(
            Table, "Result Dataset2", doc="dataset2 of the list azureml_main returns (empty if none)."
        )

    class Params(ParamModel):
        r_script: str = Field(
            DEFAULT_SCRIPT,
            min_length=1,
            max_length=MAX_SCRIPT_CHARS,
            title="R script",
            description="Defines azureml_main <- function(dataframe1, dataframe2), returning list(dataset1, dataset2).",
            json_schema_extra={"x-tessera-widget": "textarea", "x-tessera-language": "r"},
        )
        random_seed: int | None = Field(
            None,
            ge=0,
            le=MAX_SEED,
            title="Random seed",
            description="Passed to set.seed before the script runs; empty leaves R's own seeding.",
        )
        timeout_seconds: int = Field(
            DEFAULT_TIMEOUT_S,
            ge=1,
            le=MAX_TIMEOUT_S,
            title="Timeout (seconds)",
            description="The script is stopped after this many seconds, counted from the start of its process.",
        )
        memory_limit_mb: int = Field(
            DEFAULT_MEMORY_MB,
            ge=MIN_MEMORY_MB,
            le=MAX_MEMORY_MB,
            title="Memory limit (MB)",
            description="The most memory the script's R process may use, the input tables included.",
        )

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        first: DataTable | None = inputs.get("dataset1")
        second: DataTable | None = inputs.get("dataset2")
        bundle: ZipArchive | None = inputs.get("script_bundle")
        frames = run_r_script(params, first, second, ctx, bundle=bundle.data if bundle is not None else None)
        meta = first.meta if first is not None else {}
        return {
            "result_dataset": DataTable(frames[0], prune_meta(meta, frames[0].columns)),
            "result_dataset2": DataTable(frames[1]),
        }


def find_rscript() -> str:
    """The ``Rscript`` the child would run (looked up on the child's own PATH), or a clear ``ModuleError``."""
    found = shutil.which(RSCRIPT, path=child_environment(Path.cwd())["PATH"])
    if found is None:
        raise ModuleError(
            "R is not installed on this worker (no Rscript on its PATH); install R on the worker "
            "(Debian/Ubuntu: apt-get install r-base-core) or run this pipeline on a worker that has it",
            param="r_script",
        )
    return found


def run_r_script(
    params: ExecuteRScript.Params,
    dataset1: DataTable | None,
    dataset2: DataTable | None,
    ctx: RunContext,
    bundle: bytes | None = None,
) -> list[pd.DataFrame]:
    """Run ``azureml_main`` under ``Rscript`` in the sandbox; the two returned tables, or a ``ModuleError``.

    ``bundle`` is a zip unpacked to ``./Script Bundle`` in the R process's working directory.
    """
    rscript = find_rscript()
    limits = Limits(timeout_s=params.timeout_seconds, memory_mb=params.memory_limit_mb)
    with Sandbox(prefix="tessera-r-") as box:
        if bundle is not None:
            extract_bundle(bundle, box.work / BUNDLE_DIR)
        script = box.io / "script.R"
        script.write_text(params.r_script, encoding="utf-8")
        args = [str(script), "" if params.random_seed is None else str(params.random_seed)]
        for index, table in enumerate((dataset1, dataset2), start=1):
            args += _write_input(box.io, index, table)
        outputs = [box.io / f"result{i}.csv" for i in (1, 2)]
        status = box.io / "status.json"
        args += [*map(str, outputs), str(status)]
        job = {"language": "R", "arguments": args}
        ctx.progress(0.0, "starting the script's R process")
        outcome = box.run(job, limits, ctx, command=[rscript, "--vanilla", str(box.install(RUNNER)), *args])
        ctx.log(f"the script's process ended after {outcome.elapsed_s:.1f} s")
        _raise_for_failure(outcome, read_status(status), limits)
        max_bytes = limits.memory_mb * MB
        frames = [read_csv_result(path, max_bytes, label) for path, (_, label) in zip(outputs, OUTPUTS, strict=True)]
    ctx.progress(1.0, "done")
    return frames


def r_column_class(series: pd.Series) -> str:
    """The R class a column is read as (``colClasses``): whole numbers beyond 32 bits become numeric."""
    from pandas.api import types

    if types.is_bool_dtype(series.dtype):
        return "logical"
    if types.is_integer_dtype(series.dtype):
        values = series.dropna()
        fits = values.empty or (int(values.min()) > -MAX_SEED and int(values.max()) <= MAX_SEED)
        return "integer" if fits else "numeric"
    if types.is_numeric_dtype(series.dtype):
        return "numeric"
    return "character"


def _write_input(folder: Path, index: int, table: DataTable | None) -> list[str]:
    """CSV for R plus one R column class per line; two empty arguments for an unconnected port."""
    if table is None:
        return ["", ""]
    df = table.df
    data, types = folder / f"dataframe{index}.csv", folder / f"dataframe{index}.types"
    classes = [r_column_class(df[c]) for c in df.columns]
    out = df.copy()
    for name, kind in zip(df.columns, classes, strict=True):
        if kind == "logical":
            out[name] = df[name].map({True: "TRUE", False: "FALSE"}).astype(object)
    out.to_csv(data, index=False, na_rep="", lineterminator="\n", encoding="utf-8")
    types.write_text("".join(f"{c}\n" for c in classes), encoding="utf-8")
    return [str(data), str(types)]


def read_csv_result(path: Path, max_bytes: int, what: str) -> pd.DataFrame:
    """A CSV file the R process wrote, typed as an upload is; anything unreadable is refused by name."""
    import csv
    import io

    raw = read_child_file(path, max_bytes, what)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ModuleError(f"the script's process returned {what} that is not UTF-8 text") from None
    if not text.strip():
        return pd.DataFrame()
    try:
        return read_delimited(text, refuse_data_as_header=False)  # write.csv always writes the header
    except TextDataError as exc:
        records = [r for r in csv.reader(io.StringIO(text, newline="")) if r]
        if len(records) == 1:  # a header alone: the columns of a data frame with no rows, as text
            return pd.DataFrame({name: pd.Series([], dtype="str") for name in records[0]})
        raise ModuleError(f"the script's process returned {what} that is not a readable table: {exc}") from None


def _raise_for_failure(outcome: Outcome, status: dict[str, Any] | None, limits: Limits) -> None:
    """Turn how the R process ended into one clear message naming the script line or the parameter to change."""
    timeout_hint = f"raise 'Timeout (seconds)' (at most {MAX_TIMEOUT_S}) if it needs longer"
    memory_hint = f"raise 'Memory limit (MB)' (at most {MAX_MEMORY_MB}) if it needs more"
    if outcome.timed_out:
        raise ModuleError(
            f"the script was stopped after running for {limits.timeout_s:g} seconds; {timeout_hint}",
            param="timeout_seconds",
        )
    kind = status.get("kind") if status else None
    if kind == "memory" or outcome.returncode == EXIT_OUT_OF_MEMORY:
        raise ModuleError(
            f"the script ran out of memory: it may use at most {limits.memory_mb} MB; {memory_hint}",
            param="memory_limit_mb",
        )
    if status is not None and status.get("ok") is True and outcome.returncode == 0:
        return
    if status is not None and kind in ("syntax", "exception", "contract", "return"):
        raise ModuleError(_script_error(status), param="r_script")
    if outcome.returncode < 0:
        import signal

        name = signal.Signals(-outcome.returncode).name if -outcome.returncode in signal.valid_signals() else ""
        if name in ("SIGXCPU", "SIGKILL"):
            raise ModuleError(
                f"the script used more than {limits.timeout_s:g} seconds of CPU time and was stopped; {timeout_hint}",
                param="timeout_seconds",
            )
        raise ModuleError(
            f"the script's R process crashed ({name or f'signal {-outcome.returncode}'}), which usually means it "
            f"ran out of its {limits.memory_mb} MB of memory; {memory_hint}",
            param="memory_limit_mb",
        )
    raise ModuleError(
        f"the script's R process exited with code {outcome.returncode} before returning its results "
        "(did the script call quit()? R also exits this way when it cannot start within the memory limit)",
        param="r_script",
    )


def _script_error(status: dict[str, Any]) -> str:
    line = status.get("line")
    message = str(status.get("message") or "the script failed")[:2000]
    where = f" at line {line}" if isinstance(line, int) and not isinstance(line, bool) else ""
    kind = status.get("kind")
    if kind == "syntax":
        head = f"the R script has a syntax error{where}: {message}"
    elif kind == "exception":
        head = f"the R script failed{where}: {message}"
    else:
        head = message
    trace = status.get("traceback")
    lines = [str(t)[:500] for t in trace[-12:]] if isinstance(trace, list) else []
    return "\n".join([head, *lines]) if lines else head
