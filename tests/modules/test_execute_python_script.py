"""Execute Python Script: Azure's contract, run in a separate limited process, results read back as data only."""

from __future__ import annotations

import io
import os
import socket
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from modules.library.python_language._sandbox import child_environment
from modules.library.python_language.execute_python_script import (
    DEFAULT_SCRIPT,
    ExecutePythonScript,
    run_python_script,
)
from modules.sdk import Cancelled, DataTable, LocalContext, ModuleError

#: Small limits keep every test fast.
FAST = {"timeout_seconds": 20, "memory_limit_mb": 768}


def _run(script: str, ctx: LocalContext | None = None, **inputs: DataTable) -> dict[str, Any]:
    params = ExecutePythonScript.Params(python_script=script, **FAST)
    return ExecutePythonScript().run(dict(inputs), params, ctx or LocalContext())


def _failure(script: str, **params: Any) -> ModuleError:
    with pytest.raises(ModuleError) as caught:
        ExecutePythonScript().run({}, ExecutePythonScript.Params(python_script=script, **params), LocalContext())
    return caught.value


def _sandboxes() -> set[str]:
    return {name for name in os.listdir(tempfile.gettempdir()) if name.startswith("tessera-python-")}


def _alive(pid: int) -> bool:
    """Whether ``pid`` is a running process (a zombie waiting for a reaper counts as dead)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


# -- Azure's contract ---------------------------------------------------------------------------------


def test_the_default_template_returns_its_input_and_prints_to_the_log() -> None:
    given = DataTable(pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"]}), {"label_column": "a"})
    ctx = LocalContext()

    out = _run(DEFAULT_SCRIPT, ctx, dataset1=given)

    pd.testing.assert_frame_equal(out["result_dataset"].df, given.df)
    assert out["result_dataset"].meta == {"label_column": "a"}
    assert out["python_device_dataset"].df.shape == (0, 0)
    assert "Input pandas.DataFrame #1:    a  b" in ctx.logs
    assert (out["logged_values"].values, out["logged_values"].detail["calls"]) == ({}, 0)  # it logged nothing


def test_an_azure_style_script_uses_both_inputs_and_returns_two_frames() -> None:
    first = pd.DataFrame({"group": ["a", "b"], "value": [1, 2]})
    second = pd.DataFrame({"group": ["a", "c"], "value": [10, 20]})
    script = """\
import pandas as pd

def azureml_main(dataframe1 = None, dataframe2 = None):
    joined = pd.concat([dataframe1, dataframe2], ignore_index=True)
    totals = joined.groupby("group", as_index=False)["value"].sum()
    return joined, totals
"""

    out = _run(script, dataset1=DataTable(first), dataset2=DataTable(second))

    joined = pd.concat([first, second], ignore_index=True)
    pd.testing.assert_frame_equal(out["result_dataset"].df, joined)
    pd.testing.assert_frame_equal(
        out["python_device_dataset"].df, joined.groupby("group", as_index=False).agg(value=("value", "sum"))
    )


def test_an_unconnected_input_is_none_and_a_named_index_comes_back_as_columns() -> None:
    script = """\
import pandas as pd

def azureml_main(dataframe1 = None, dataframe2 = None):
    frame = pd.DataFrame({"k": ["a", "a", "b"], "v": [1, 2, 3], "none": [dataframe2 is None] * 3})
    return frame.groupby("k")[["v"]].sum(),
"""

    out = _run(script)

    pd.testing.assert_frame_equal(out["result_dataset"].df, pd.DataFrame({"k": ["a", "b"], "v": [3, 3]}))


def test_a_return_value_that_is_not_a_dataframe_is_named() -> None:
    error = _failure("def azureml_main(dataframe1 = None, dataframe2 = None):\n    return {'a': 1}\n", **FAST)

    assert error.message == (
        "azureml_main returned a dict ({'a': 1}); it must return a pandas DataFrame or a tuple of up to "
        "two DataFrames, for example `return dataframe1,`"
    )
    assert error.param == "python_script"


def test_a_second_value_that_is_not_a_dataframe_is_named_with_its_port() -> None:
    error = _failure("import pandas as pd\ndef azureml_main(a, b):\n    return pd.DataFrame(), [1]\n", **FAST)

    assert error.message == (
        "azureml_main returned a list ([1]) as value 2 (Python device dataset); it must be a pandas DataFrame"
    )


def test_a_script_without_azureml_main_says_what_is_missing() -> None:
    error = _failure("x = 1\n", **FAST)

    assert error.message == "the script defines no function azureml_main(dataframe1=None, dataframe2=None)"


# -- errors name the user's line ------------------------------------------------------------------------


def test_a_syntax_error_reports_the_line_of_the_script() -> None:
    error = _failure("import pandas as pd\n\ndef azureml_main(dataframe1 = None:\n    return dataframe1,\n", **FAST)

    assert error.message.splitlines()[0] == "the Python script has a syntax error at line 3: invalid syntax"
    assert error.param == "python_script"


def test_an_exception_reports_the_deepest_line_of_the_script_and_the_traceback_tail() -> None:
    script = """\
def helper(frame):
    return frame["missing"]

def azureml_main(dataframe1 = None, dataframe2 = None):
    return helper(dataframe1),
"""

    with pytest.raises(ModuleError) as caught:
        _run(script, dataset1=DataTable(pd.DataFrame({"a": [1]})))

    lines = caught.value.message.splitlines()
    assert lines[0] == "the Python script failed at line 2: KeyError: 'missing'"
    assert '  File "Python script", line 5, in azureml_main' in lines
    assert '  File "Python script", line 2, in helper' in lines
    assert lines[-1] == "KeyError: 'missing'"
    assert not any("_runner.py" in line for line in lines)


# -- limits -----------------------------------------------------------------------------------------------


def test_a_script_allocating_far_over_the_memory_limit_fails_with_the_memory_message() -> None:
    script = "def azureml_main(dataframe1 = None, dataframe2 = None):\n    block = bytearray(8 * 1024**3)\n"

    error = _failure(script, timeout_seconds=20, memory_limit_mb=512)

    assert error.message == (
        "the script ran out of memory: it may use at most 512 MB; raise 'Memory limit (MB)' (at most 32768) "
        "if it needs more"
    )
    assert error.param == "memory_limit_mb"


def test_an_infinite_loop_is_stopped_at_the_timeout() -> None:
    script = "def azureml_main(dataframe1 = None, dataframe2 = None):\n    while True:\n        pass\n"

    error = _failure(script, timeout_seconds=1, memory_limit_mb=512)

    # the message comes only from the timeout's own path (a loop that was not stopped fails the test
    # at pytest-timeout's limit instead)
    assert error.message == (
        "the script was stopped after running for 1 seconds; raise 'Timeout (seconds)' (at most 7200) "
        "if it needs longer"
    )
    assert error.param == "timeout_seconds"


def test_the_limits_have_sane_defaults_and_maximums() -> None:
    params = ExecutePythonScript.Params()

    assert (params.timeout_seconds, params.memory_limit_mb) == (600, 2048)
    with pytest.raises(ValueError):
        ExecutePythonScript.Params(timeout_seconds=7201)
    with pytest.raises(ValueError):
        ExecutePythonScript.Params(memory_limit_mb=32769)


# -- isolation --------------------------------------------------------------------------------------------


def test_the_child_sees_no_secrets_only_a_minimal_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TESSERA_SECRET_KEY", "s3cret-key")
    monkeypatch.setenv("DATABASE_URL", "postgres://tessera:s3cret@db/tessera")
    monkeypatch.setenv("REDIS_URL", "redis://:s3cret@redis:6379/0")
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "designer.settings")
    script = """\
import os
import pandas as pd

def azureml_main(dataframe1 = None, dataframe2 = None):
    return pd.DataFrame({"key": sorted(os.environ), "value": [os.environ[k] for k in sorted(os.environ)]}),
"""

    seen = _run(script)["result_dataset"].df

    assert list(seen["key"]) == sorted(child_environment(Path("/unused")))
    assert not seen["value"].str.contains("s3cret").any()


def test_the_script_runs_in_a_fresh_temporary_directory_that_is_removed_afterwards() -> None:
    script = """\
import os
import pandas as pd

def azureml_main(dataframe1 = None, dataframe2 = None):
    return pd.DataFrame({"cwd": [os.getcwd()], "home": [os.environ["HOME"]], "entries": [len(os.listdir("."))]}),
"""

    seen = _run(script)["result_dataset"].df.iloc[0]

    cwd = Path(seen["cwd"])
    assert cwd != Path.cwd()
    assert cwd.parent.parent == Path(tempfile.gettempdir())
    assert cwd.parent.name.startswith("tessera-python-")
    assert seen["home"] == seen["cwd"]
    assert seen["entries"] == 0
    assert not cwd.parent.exists()


def test_the_script_reaches_neither_the_network_nor_the_worker_process() -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    script = f"""\
import os
import socket
import pandas as pd

def azureml_main(dataframe1 = None, dataframe2 = None):
    try:
        socket.create_connection(("127.0.0.1", {port}), timeout=2).close()
        network = "connected"
    except OSError:
        network = "refused"
    try:
        open(f"/proc/{os.getpid()}/environ", "rb").read()
        worker = "read"
    except OSError:
        worker = "denied"
    return pd.DataFrame({{"network": [network], "worker": [worker]}}),
"""
    ctx = LocalContext()

    with listener:
        seen = _run(script, ctx)["result_dataset"].df.iloc[0]

    assert (seen["network"], seen["worker"]) == ("refused", "denied")
    assert any(line.startswith("sandbox: bubblewrap") for line in ctx.logs)


def _processes_mentioning(text: str) -> list[int]:
    """Host pids whose command line contains ``text`` (pids inside the sandbox are its own namespace's)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if text in entry.joinpath("cmdline").read_bytes().decode("utf-8", "replace") and _alive(
                    int(entry.name)
                ):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def test_cancelling_the_run_kills_the_script_process() -> None:
    script = """\
import sys
import time

def azureml_main(dataframe1 = None, dataframe2 = None):
    print(f"job={sys.argv[1]}", flush=True)
    time.sleep(60)
    print("woke", flush=True)
"""

    class CancelOnPid(LocalContext):
        def check_cancelled(self) -> None:
            if any(line.startswith("job=") for line in self.logs):
                raise Cancelled()

    ctx = CancelOnPid()

    with pytest.raises(Cancelled):
        _run(script, ctx)

    # then the run was cancelled while the script slept (it never woke to log) and its process is gone
    job = next(line for line in ctx.logs if line.startswith("job="))[4:]
    assert not any("woke" in line for line in ctx.logs)
    assert _processes_mentioning(job) == []


def test_a_background_process_left_by_the_script_is_killed_with_its_group() -> None:
    script = """\
import subprocess
import pandas as pd

def azureml_main(dataframe1 = None, dataframe2 = None):
    subprocess.Popen(["sleep", "60.4242"])
    return pd.DataFrame({"started": [1]}),
"""

    _run(script)

    deadline = time.monotonic() + 5
    while _processes_mentioning("60.4242") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _processes_mentioning("60.4242") == []


# -- what comes back is data, validated -------------------------------------------------------------------


def _forging(first_output: str) -> str:
    """A script that writes the runner's result files itself, then ends its process before the runner can."""
    return f"""\
import json
import os
import sys
import pandas as pd

def azureml_main(dataframe1 = None, dataframe2 = None):
    job = json.load(open(sys.argv[1]))
    {first_output}
    pd.DataFrame().to_parquet(job["outputs"][1])
    json.dump({{"ok": True}}, open(job["status"], "w"))
    os._exit(0)
"""


def test_an_output_that_is_a_link_is_refused(tmp_path: Path) -> None:
    private = tmp_path / "private.parquet"
    pd.DataFrame({"secret": ["only the worker may read this"]}).to_parquet(private)

    error = _failure(_forging(f"os.symlink({str(private)!r}, job['outputs'][0])"), **FAST)

    assert error.message == "the script's process returned Result dataset as a link, which is refused"


def test_an_output_that_is_not_parquet_is_refused() -> None:
    error = _failure(_forging("open(job['outputs'][0], 'wb').write(b'not a table')"), **FAST)

    assert error.message.startswith("the script's process returned Result dataset that is not a readable table: ")


def test_a_script_that_exits_early_is_reported_without_results() -> None:
    error = _failure("import os\ndef azureml_main(a, b):\n    os._exit(7)\n", **FAST)

    assert error.message == (
        "the script's process exited with code 7 before returning its results (did the script call os._exit?)"
    )


# -- script bundle (through the port: tests/modules/test_script_bundle.py) ------------------------------


def _zip(files: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return buf.getvalue()


def test_a_script_bundle_is_importable_from_the_script() -> None:
    script = "import helpers\n\ndef azureml_main(dataframe1 = None, dataframe2 = None):\n    return helpers.table(),\n"
    bundle = _zip({"helpers.py": "import pandas as pd\n\ndef table():\n    return pd.DataFrame({'n': [42]})\n"})
    params = ExecutePythonScript.Params(python_script=script, **FAST)

    first, second = run_python_script(params, None, None, LocalContext(), bundle=bundle)

    pd.testing.assert_frame_equal(first, pd.DataFrame({"n": [42]}))


def test_a_script_bundle_with_a_path_outside_its_folder_is_refused(tmp_path: Path) -> None:
    params = ExecutePythonScript.Params(python_script=DEFAULT_SCRIPT, **FAST)
    before = _sandboxes()

    with pytest.raises(ModuleError) as caught:
        run_python_script(params, None, None, LocalContext(), bundle=_zip({"../escape.py": "x = 1\n"}))

    assert caught.value.message == (
        "the script bundle: the archive member '../escape.py' is refused: "
        "its name has '..', '.' or an empty folder name"
    )
    assert caught.value.port == "script_bundle"
    assert _sandboxes() == before
