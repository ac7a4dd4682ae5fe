"""Child side of Execute Python Script: run as ``python -I -B -u _runner.py job.json``, never imported by Tessera.

It reads the job file, loads the input tables from Parquet, runs the user's script and calls its
``azureml_main(dataframe1, dataframe2)`` (or, for a script component, ``run(inputs, params)`` with
the tables by input name: a job with ``"entry": "run"``), then writes each returned DataFrame as
Parquet and a small ``status.json``. The user's code runs in this same process, so it can rewrite any of these
files: the parent believes none of them and validates each one as data.

It imports nothing from Tessera (it runs with only the standard library, pandas and pyarrow) and
does nothing when imported, so the module registry's package walk can import it harmlessly.
"""

from __future__ import annotations

import json
import sys
from typing import Any

#: The file name tracebacks show for the user's script, and how its frames are recognised.
SCRIPT_NAME = "Python script"
ENTRY_POINT = "azureml_main"
EXIT_OK, EXIT_SCRIPT_FAILED, EXIT_BROKEN_JOB, EXIT_OUT_OF_MEMORY = 0, 1, 2, 3
TRACEBACK_LINES = 12
PORTS = ("Result dataset", "Python device dataset")


class ScriptFailed(Exception):
    """The user's script failed; ``info`` is what status.json reports."""

    def __init__(self, info: dict[str, Any]) -> None:
        super().__init__(info.get("message", ""))
        self.info = info


def main(argv: list[str]) -> int:
    with open(argv[1], encoding="utf-8") as fh:
        job: dict[str, Any] = json.load(fh)
    status_path = str(job["status"])
    try:
        _run(job)
    except MemoryError:
        _write_status(status_path, {"ok": False, "kind": "memory"})
        return EXIT_OUT_OF_MEMORY
    except ScriptFailed as failed:
        _write_status(status_path, {"ok": False, **failed.info})
        return EXIT_SCRIPT_FAILED
    _write_status(status_path, {"ok": True})
    return EXIT_OK


def _run(job: dict[str, Any]) -> None:
    import linecache

    import pyarrow.parquet as pq

    with open(job["script"], encoding="utf-8") as fh:
        source = fh.read()
    # Tracebacks show the script's own lines; mtime None marks the entry as not backed by a file.
    linecache.cache[SCRIPT_NAME] = (len(source), None, source.splitlines(True), SCRIPT_NAME)
    if job.get("bundle"):
        sys.path.insert(0, str(job["bundle"]))
    component = job.get("entry") == COMPONENT_ENTRY
    frames = [] if component else [None if p is None else pq.read_table(p).to_pandas() for p in job["inputs"]]
    try:
        code = compile(source, SCRIPT_NAME, "exec")
    except SyntaxError as exc:
        raise ScriptFailed(
            {
                "kind": "syntax",
                "line": exc.lineno,
                "message": exc.msg if type(exc) is SyntaxError else f"{type(exc).__name__}: {exc.msg}",
                "traceback": [f"line {exc.lineno}: {(exc.text or '').rstrip()}"],
            }
        ) from None
    namespace: dict[str, Any] = {"__name__": "azureml_script", "__builtins__": __builtins__}
    if job.get("log"):
        namespace["tessera"] = sys.modules["tessera"] = _logging_api(str(job["log"]))
    _call(lambda: exec(code, namespace))
    if component:
        _run_component(job, namespace)
        return
    entry = namespace.get(ENTRY_POINT)
    if not callable(entry):
        raise ScriptFailed(
            {
                "kind": "contract",
                "line": None,
                "message": f"the script defines no function {ENTRY_POINT}(dataframe1=None, dataframe2=None)",
                "traceback": [],
            }
        )
    returned = _call(lambda: entry(frames[0], frames[1]))
    for port, frame, path in zip(PORTS, _frames_of(returned), job["outputs"], strict=True):
        _write_table(frame, str(path), port)


COMPONENT_ENTRY = "run"


def _run_component(job: dict[str, Any], namespace: dict[str, Any]) -> None:
    """A script component: ``run(inputs, params)`` gets ``{input name: DataFrame or None}`` and the parameter
    values, and returns ``{output name: DataFrame}`` (a bare DataFrame when the spec has one output)."""
    import pandas as pd
    import pyarrow.parquet as pq

    entry = namespace.get(COMPONENT_ENTRY)
    if not callable(entry):
        raise _contract("the script defines no function run(inputs, params)")
    inputs = {name: None if path is None else pq.read_table(path).to_pandas() for name, path in job["inputs"].items()}
    outputs: dict[str, str] = job["outputs"]
    returned = _call(lambda: entry(inputs, dict(job.get("params") or {})))
    if isinstance(returned, pd.DataFrame) and len(outputs) == 1:
        returned = {next(iter(outputs)): returned}
    if not isinstance(returned, dict):
        names = ", ".join(outputs)
        raise _contract(
            f"run returned {_kind(returned)}; it must return a dict of DataFrames keyed by output ({names})"
        )
    unknown = sorted(str(k) for k in returned if k not in outputs)
    if unknown:
        raise _contract(f"run returned output(s) {', '.join(unknown)}, which the spec does not declare")
    for name, path in outputs.items():
        frame = returned.get(name)
        if frame is None:
            raise _contract(f"run returned no DataFrame for output '{name}'")
        if not isinstance(frame, pd.DataFrame):
            raise _contract(f"run returned {_kind(frame)} for output '{name}'; it must be a pandas DataFrame")
        _write_table(frame, path, f"output '{name}'")


def _call(thunk: Any) -> Any:
    """Run user code; turn any exception but MemoryError into a ScriptFailed naming the script's line."""
    try:
        return thunk()
    except MemoryError:
        raise
    except BaseException as exc:  # SystemExit and KeyboardInterrupt too: the script must not end the run quietly
        raise ScriptFailed(_describe_exception(exc)) from None


def _describe_exception(exc: BaseException) -> dict[str, Any]:
    import traceback

    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != SCRIPT_NAME:
        tb = tb.tb_next  # drop this runner's own frames
    user_lines = [f.lineno for f in traceback.extract_tb(tb) if f.filename == SCRIPT_NAME]
    formatted = "".join(traceback.format_exception(type(exc), exc, tb)).rstrip().splitlines()
    message = "".join(traceback.format_exception_only(type(exc), exc)).strip().splitlines()
    return {
        "kind": "exception",
        "line": user_lines[-1] if user_lines else None,
        "message": message[-1] if message else type(exc).__name__,
        "traceback": formatted[-TRACEBACK_LINES:],
    }


def _frames_of(returned: Any) -> list[Any]:
    """The two output DataFrames, as Azure: a DataFrame, or a tuple or list of up to two (``None`` = empty)."""
    import pandas as pd

    if returned is None:
        items: list[Any] = []
    elif isinstance(returned, pd.DataFrame):
        items = [returned]
    elif isinstance(returned, tuple | list):
        items = list(returned)
    else:
        raise _contract(
            f"{ENTRY_POINT} returned {_kind(returned)}; it must return a pandas DataFrame or a tuple of up to "
            "two DataFrames, for example `return dataframe1,`"
        )
    if len(items) > len(PORTS):
        raise _contract(f"{ENTRY_POINT} returned {len(items)} values; it may return at most two DataFrames")
    for i, item in enumerate(items):
        if item is not None and not isinstance(item, pd.DataFrame):
            raise _contract(
                f"{ENTRY_POINT} returned {_kind(item)} as value {i + 1} ({PORTS[i]}); it must be a pandas DataFrame"
            )
    items += [None] * (len(PORTS) - len(items))
    return [pd.DataFrame() if item is None else item for item in items]


def _write_table(df: Any, path: str, port: str) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    if any(name is not None for name in df.index.names):
        df = df.reset_index()  # a named index (a groupby's keys) is data; an unnamed one is row numbering
    df = df.set_axis([str(c) for c in df.columns], axis=1)
    twice = sorted({c for c in df.columns if list(df.columns).count(c) > 1})
    if twice:
        raise _contract(f"the DataFrame returned as {port} has duplicate column names: {', '.join(twice)}")
    try:
        table = pa.Table.from_pandas(df, preserve_index=False)
    except (pa.ArrowException, TypeError, ValueError) as exc:
        raise _contract(f"the DataFrame returned as {port} cannot be stored as a table: {exc}") from None
    pq.write_table(table, path)


def _contract(message: str) -> ScriptFailed:
    return ScriptFailed({"kind": "return", "line": None, "message": message, "traceback": []})


def _kind(value: Any) -> str:
    cls = type(value)
    name = cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"
    text = repr(value)
    return f"a {name} ({text[:60]}{'...' if len(text) > 60 else ''})"


# -- tessera.log_metric / log_table / log_image --------------------------------------------------------
#: What the child sends of a table: the parent refuses more rows than it keeps, so one more row tells it.
TABLE_ROWS_SENT = 1001


def _logging_api(path: str) -> Any:
    """The ``tessera`` module the script sees: each call appends one JSON line to ``path``, which the parent
    reads while the script runs. Only what needs the script's own objects (a DataFrame, a figure) is done
    here; every limit (finite values, name length, image size, table size) is checked by the parent."""
    import types

    out = open(path, "a", encoding="utf-8")  # noqa: SIM115 - kept open for the script's whole life

    def send(record: dict[str, Any]) -> None:
        record["line"] = _caller_line()
        out.write(json.dumps(record, default=str) + "\n")
        out.flush()

    def log_metric(name: str, value: Any, step: int | None = None) -> None:
        """Log a number (under ``name``; at ``step``, say the epoch, for a metric over steps)."""
        try:
            number: Any = float(value)
        except (TypeError, ValueError):
            raise TypeError(
                f"tessera.log_metric({name!r}, ...): the value must be a number, not {_kind(value)}"
            ) from None
        send({"call": "log_metric", "name": name, "value": number, "step": step})

    def log_table(name: str, df: Any) -> None:
        """Log a small pandas DataFrame (at most 1,000 rows and 100 columns)."""
        import pandas as pd

        if not isinstance(df, pd.DataFrame):
            raise TypeError(f"tessera.log_table({name!r}, ...): expects a pandas DataFrame, not {_kind(df)}")
        head = json.loads(df.head(TABLE_ROWS_SENT).to_json(orient="split", index=False, date_format="iso"))
        send(
            {
                "call": "log_table",
                "name": name,
                "columns": [str(c) for c in head["columns"]],
                "rows": head["data"],
                "total_rows": len(df),
            }
        )

    def log_image(name: str, figure_or_png: Any) -> None:
        """Log a matplotlib figure, a Plotly figure or the bytes of a PNG file."""
        import base64

        image = figure_or_png
        if isinstance(image, bytes | bytearray | memoryview):
            data = bytes(image)
        elif hasattr(image, "to_plotly_json"):
            send({"call": "log_image", "name": name, "format": "plotly", "figure": json.loads(image.to_json())})
            return
        elif hasattr(image, "savefig"):
            import io

            buffer = io.BytesIO()
            image.savefig(buffer, format="png", dpi=100)
            data = buffer.getvalue()
        else:
            raise TypeError(
                f"tessera.log_image({name!r}, ...): expects a matplotlib figure, a Plotly figure or PNG bytes, "
                f"not {_kind(image)}"
            )
        send({"call": "log_image", "name": name, "format": "png", "data": base64.b64encode(data).decode("ascii")})

    api = types.ModuleType("tessera", "Log metrics, tables and images to the run: log_metric, log_table, log_image.")
    api.log_metric = log_metric  # type: ignore[attr-defined]
    api.log_table = log_table  # type: ignore[attr-defined]
    api.log_image = log_image  # type: ignore[attr-defined]
    return api


def _caller_line() -> int | None:
    """The line of the user's script that made the call (the innermost frame of the script)."""
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_filename == SCRIPT_NAME:
            return frame.f_lineno
        frame = frame.f_back  # type: ignore[assignment]
    return None


def _write_status(path: str, status: dict[str, Any]) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(status, fh, default=str)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
