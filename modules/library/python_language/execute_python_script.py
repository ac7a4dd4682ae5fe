"""Execute Python Script: Azure's ``azureml_main(dataframe1, dataframe2)`` contract, run in a limited child process."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from pydantic import Field, model_serializer

from modules.library._tables import prune_meta
from modules.sdk import DataTable, In, Metrics, MetricsPort, Module, ModuleError, Out, ParamModel, RunContext, Table
from modules.sdk.ports import MAX_ZIP_BYTES, MAX_ZIP_FILES, ZipFile, zip_members
from modules.sdk.values import ZipArchive

from ._environment_param import EnvironmentChoice, environment_field, interpreter, omit_builtin
from ._logged import LogChannel
from ._sandbox import MB, Limits, Outcome, Sandbox, read_status, read_table_file

DEFAULT_SCRIPT = """\
# The script MUST contain a function named azureml_main,
# which is the entry point for this component.

# Imports up here can be used in the function below.
import pandas as pd

# The entry point function MUST have two input arguments.
# If an input port is not connected, the corresponding
# dataframe argument is None.
#   Param<dataframe1>: a pandas.DataFrame
#   Param<dataframe2>: a pandas.DataFrame
def azureml_main(dataframe1 = None, dataframe2 = None):

    # Execution logic goes here
    print(f'Input pandas.DataFrame #1: {dataframe1}')

    # Return value must be a sequence of pandas.DataFrame
    # E.g.
    #   -  Single return value: return dataframe1,
    #   -  Two return values: return dataframe1, dataframe2
    return dataframe1,
"""

DEFAULT_TIMEOUT_S = 600
MAX_TIMEOUT_S = 7200
DEFAULT_MEMORY_MB = 2048
MIN_MEMORY_MB = 512
MAX_MEMORY_MB = 32768
MAX_SCRIPT_CHARS = 1_000_000
#: A script bundle is unpacked to ``./Script Bundle`` (as Azure) within the bounds of the zip port.
MAX_BUNDLE_FILES = MAX_ZIP_FILES
MAX_BUNDLE_MB = MAX_ZIP_BYTES // MB
BUNDLE_DIR = "Script Bundle"
OUTPUTS = (("result_dataset", "Result dataset"), ("python_device_dataset", "Python device dataset"))


class ExecutePythonScript(Module):
    """Run a Python script written for Azure's designer unchanged: ``azureml_main(dataframe1, dataframe2)``.

    The function gets the tables connected to Dataset1 and Dataset2 as pandas DataFrames (``None``
    when a port is not connected) and returns a DataFrame or a tuple of up to two (Result dataset,
    Python device dataset; a missing or ``None`` one is an empty table). A named index, such as a
    groupby's keys, comes back as columns; an unnamed one is dropped. Column roles of Dataset1
    (label, scores) stay on the Result dataset for the columns it still has. ``print`` output and
    warnings stream to the run's log as they happen.

    Logging to the run: the script sees a ``tessera`` module without importing anything:
    ``tessera.log_metric(name, value, step=None)``, ``tessera.log_table(name, df)`` and
    ``tessera.log_image(name, figure_or_png)`` (a matplotlib figure, a Plotly figure or PNG bytes).
    Values stream to the run while the script runs (a metric over steps draws as a line chart in
    the node's panel) and end up in the Logged values output, the runs table and run comparison.
    A non-finite value, an empty name or one over 100 characters, an image over 5 MB or not a PNG,
    a table over 1,000 rows or 100 columns fails the node naming the call and the script line.

    Better than Azure: no 16 KB script limit (up to 1,000,000 characters); a failure names the
    line of your script and shows the end of the traceback; a wrong return value names what was
    returned; time and memory are parameters, and running past them says which one to raise;
    cancelling a run stops the script at once, and a stuck script is stopped at its timeout
    rather than holding the pipeline; the script runs in seconds on the local worker instead of a
    freshly provisioned environment.

    Safety and limits: the script runs in a separate, fresh ``python -I`` process, never in the
    worker, with an environment built from nothing (no secrets, settings or service URLs), a
    throwaway temporary directory as its working and home directory, one thread per numeric
    library, and operating-system limits on memory (address space), CPU time, file size and new
    processes; on hosts with user namespaces it also has no network at all and cannot inspect the
    worker process. Tables go to it and come back as Parquet files, read as data and never
    unpickled. It still runs as the worker's operating-system user: it can read any file that
    user can read (project files, a SQLite database, other datasets on local disk) and write
    wherever that user can, and where user namespaces are unavailable it has the network. Run
    workers as a dedicated user, or inside a container, for stronger isolation. ``pip install``
    is not available (no network); the worker's own packages (pandas, numpy, scikit-learn,
    pyarrow, ...) are, and the Environment parameter adds more: a version of one of the workspace's
    environments (requirement lines), built once per host by the workers from the configured package
    index and visible to the script read-only.

    Script bundle: connect a File Dataset (a .zip uploaded on the Datasets page) to bring your own
    modules, as in Azure. The zip is unpacked to ``./Script Bundle`` in the script's working
    directory, which is put first on ``sys.path``: a ``helpers.py`` at the top of the zip is
    ``import helpers``, and other files in it can be opened as ``./Script Bundle/<name>``. A zip with
    a path leaving its folder, a link, an encrypted file, more than 10,000 files or more than 256 MB
    unpacked is refused, naming the file at fault.

    Real-time endpoints: a script on the data path into Score Model stays in the inference pipeline,
    and every request's rows go through it in a fresh sandbox process, as in training: about a
    second per call (Python and pandas starting), so it suits modest request rates. The same limits
    apply, Timeout (seconds) included (a stuck script holds its request until then: keep the timeout
    short in pipelines you deploy). A script that fails on a request answers 400 "Module Executing
    Error" naming the node and the script line (not its traceback). A Script bundle and a Dataset2
    that do not depend on the request become constants pinned to the training run (Saved Files,
    Saved Dataset), read once when the endpoint loads. The script gets the request's columns: the
    label is not sent.
    """

    id = "execute_python_script"
    name = "Execute Python Script"
    category = "Python Language"
    runs_user_code = True
    user_code_sandboxed = True  # the script runs in _sandbox.py's child process only

    class Inputs:
        dataset1 = In(Table, "Dataset1", optional=True, doc="Passed to azureml_main as dataframe1.")
        dataset2 = In(Table, "Dataset2", optional=True, doc="Passed to azureml_main as dataframe2.")
        script_bundle = In(
            ZipFile,
            "Script bundle",
            optional=True,
            doc="A zip unpacked to ./Script Bundle and put on sys.path, so the script can import its modules.",
        )

    class Outputs:
        result_dataset = Out(Table, "Result dataset", doc="The first DataFrame azureml_main returns.")
        python_device_dataset = Out(
            Table, "Python device dataset", doc="The second DataFrame azureml_main returns (empty if none)."
        )
        logged_values = Out(
            MetricsPort,
            "Logged values",
            doc="What the script logged with tessera.log_metric, log_table and log_image (empty if nothing).",
        )

    class Params(ParamModel):
        python_script: str = Field(
            DEFAULT_SCRIPT,
            min_length=1,
            max_length=MAX_SCRIPT_CHARS,
            title="Python script",
            description="Defines azureml_main(dataframe1=None, dataframe2=None), which returns up to two DataFrames.",
            json_schema_extra={"x-tessera-widget": "textarea", "x-tessera-language": "python"},
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
            description="The most memory the script's process may use, pandas and the input tables included.",
        )
        environment: EnvironmentChoice | None = environment_field()
        _omit_builtin = model_serializer(mode="wrap")(omit_builtin)

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        first: DataTable | None = inputs.get("dataset1")
        second: DataTable | None = inputs.get("dataset2")
        bundle: ZipArchive | None = inputs.get("script_bundle")
        data = bundle.data if bundle is not None else None
        frames, logged = run_python_script_logged(params, first, second, ctx, bundle=data)
        meta = first.meta if first is not None else {}
        return {
            "result_dataset": DataTable(frames[0], prune_meta(meta, frames[0].columns)),
            "python_device_dataset": DataTable(frames[1]),
            "logged_values": logged,
        }


def run_python_script(
    params: ExecutePythonScript.Params,
    dataset1: DataTable | None,
    dataset2: DataTable | None,
    ctx: RunContext,
    bundle: bytes | None = None,
) -> list[Any]:
    """Run ``azureml_main`` in the sandbox; the two returned tables as DataFrames, or a ``ModuleError``.

    ``bundle`` is a zip of Python files unpacked to ``./Script Bundle`` and put on ``sys.path``
    (Azure's Script bundle, the ``script_bundle`` input).
    """
    return run_python_script_logged(params, dataset1, dataset2, ctx, bundle)[0]


def run_python_script_logged(
    params: ExecutePythonScript.Params,
    dataset1: DataTable | None,
    dataset2: DataTable | None,
    ctx: RunContext,
    bundle: bytes | None = None,
) -> tuple[list[Any], Metrics]:
    """:func:`run_python_script`, and what the script logged (``tessera.log_*``) as a metrics value."""
    limits = Limits(timeout_s=params.timeout_seconds, memory_mb=params.memory_limit_mb)
    with Sandbox() as box:
        script = box.io / "script.py"
        script.write_text(params.python_script, encoding="utf-8")
        channel = LogChannel(box.io, ctx, "python_script")
        job: dict[str, Any] = {
            "script": str(script),
            "inputs": [_write_input(box.io, i, t) for i, t in enumerate((dataset1, dataset2), start=1)],
            "outputs": [str(box.io / f"result{i}.parquet") for i in (1, 2)],
            "status": str(box.io / "status.json"),
            "bundle": str(extract_bundle(bundle, box.work / BUNDLE_DIR)) if bundle is not None else None,
            "log": str(channel.path),
        }
        python, readonly = interpreter(params.environment, ctx)
        ctx.progress(0.0, "starting the script's Python process")
        try:
            outcome = box.run(job, limits, ctx, watch=channel.poll, python=python, readonly=readonly)
            ctx.log(f"the script's process ended after {outcome.elapsed_s:.1f} s")
            channel.finish()  # a bad log call names itself, even when the script failed after it
        finally:
            channel.close()
        _raise_for_failure(outcome, read_status(box.io / "status.json"), limits)
        max_bytes = limits.memory_mb * MB
        frames = [
            read_table_file(box.io / f"result{i}.parquet", max_bytes, label) for i, (_, label) in enumerate(OUTPUTS, 1)
        ]
    ctx.progress(1.0, "done")
    return frames, channel.metrics()


def _write_input(folder: Path, index: int, table: DataTable | None) -> str | None:
    if table is None:
        return None
    path = folder / f"dataframe{index}.parquet"
    path.write_bytes(Table.serialize(table))
    return str(path)


def _raise_for_failure(outcome: Outcome, status: dict[str, Any] | None, limits: Limits) -> None:
    """Turn how the child ended into one clear message naming the script line or the parameter to change."""
    timeout_hint = f"raise 'Timeout (seconds)' (at most {MAX_TIMEOUT_S}) if it needs longer"
    memory_hint = f"raise 'Memory limit (MB)' (at most {MAX_MEMORY_MB}) if it needs more"
    if outcome.timed_out:
        raise ModuleError(
            f"the script was stopped after running for {limits.timeout_s:g} seconds; {timeout_hint}",
            param="timeout_seconds",
        )
    kind = status.get("kind") if status else None
    if kind == "memory" or outcome.returncode == 3:
        raise ModuleError(
            f"the script ran out of memory: it may use at most {limits.memory_mb} MB; {memory_hint}",
            param="memory_limit_mb",
        )
    if status is not None and status.get("ok") is True and outcome.returncode == 0:
        return
    if status is not None and kind in ("syntax", "exception", "contract", "return"):
        raise ModuleError(_script_error(status), param="python_script")
    signal_name = _signal_name(-outcome.returncode) if outcome.returncode < 0 else ""
    if signal_name in ("SIGXCPU", "SIGKILL"):
        raise ModuleError(
            f"the script used more than {limits.timeout_s:g} seconds of CPU time and was stopped; {timeout_hint}",
            param="timeout_seconds",
        )
    if signal_name:
        raise ModuleError(
            f"the script's process crashed ({signal_name}), which usually means it ran out of its "
            f"{limits.memory_mb} MB of memory; {memory_hint}",
            param="memory_limit_mb",
        )
    raise ModuleError(
        f"the script's process exited with code {outcome.returncode} before returning its results "
        "(did the script call os._exit?)",
        param="python_script",
    )


def _script_error(status: dict[str, Any]) -> str:
    line = status.get("line")
    message = str(status.get("message") or "the script failed")[:2000]
    where = f" at line {line}" if isinstance(line, int) and not isinstance(line, bool) else ""
    kind = status.get("kind")
    if kind == "syntax":
        head = f"the Python script has a syntax error{where}: {message}"
    elif kind == "exception":
        head = f"the Python script failed{where}: {message}"
    else:
        head = message
    trace = status.get("traceback")
    lines = [str(t)[:500] for t in trace[-12:]] if isinstance(trace, list) else []
    return "\n".join([head, *lines]) if lines else head


def _signal_name(number: int) -> str:
    import signal

    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def extract_bundle(data: bytes, dest: Path) -> Path:
    """Unpack a script bundle zip into ``dest`` after the zip port's checks (paths, links, encryption, size).

    A refusal names the ``script_bundle`` input and the member at fault.
    """
    try:
        members = zip_members(data, what="the script bundle")
    except ValueError as exc:
        raise ModuleError(str(exc), port="script_bundle") from None
    dest.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for member in members:
            archive.extract(member, dest)
    return dest
