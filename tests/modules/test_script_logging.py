"""``tessera.log_metric`` / ``log_table`` / ``log_image`` in Execute Python Script and script components: values go
to the run while the script runs, end up in the Logged values output, and a bad call fails the node naming it."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from modules.library.python_language._logged import LogChannel
from modules.library.python_language.execute_python_script import ExecutePythonScript
from modules.library.python_language.script_component import ScriptComponent
from modules.sdk import LocalContext, Metrics, ModuleError

FAST = {"timeout_seconds": 30, "memory_limit_mb": 1024}


class Recording(LocalContext):
    """A context that keeps every progress detail record, with when it came."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[tuple[float, dict[str, Any]]] = []

    def progress(self, fraction: float, message: str = "", detail: Mapping[str, Any] | None = None) -> None:
        if detail:
            self.records.append((time.monotonic(), dict(detail)))


def _script(body: str) -> str:
    lines = "\n".join(f"    {line}" for line in body.strip().splitlines())
    return f"import pandas as pd\n\ndef azureml_main(dataframe1=None, dataframe2=None):\n{lines}\n    return None\n"


def _run(body: str, ctx: LocalContext | None = None) -> dict[str, Any]:
    params = ExecutePythonScript.Params(python_script=_script(body), **FAST)
    return ExecutePythonScript().run({}, params, ctx or LocalContext())


def test_logged_values_stream_as_logged_and_become_the_output() -> None:
    ctx = Recording()
    started = time.monotonic()
    out = _run(
        """
import time
for step in range(3):
    tessera.log_metric("loss", 1.0 / (step + 1), step=step)
time.sleep(1.5)
tessera.log_metric("accuracy", 0.75)
import tessera as t  # the same module, importable too
t.log_table("head", pd.DataFrame({"a": [1, 2], "b": ["x", None]}))
import plotly.graph_objects as go
t.log_image("curve", go.Figure(go.Scatter(y=[3, 1, 2])))
t.log_image("raw", b"\\x89PNG\\r\\n\\x1a\\n" + bytes(64))
""",
        ctx,
    )
    finished = time.monotonic()

    logged = out["logged_values"]
    assert isinstance(logged, Metrics) and logged.task == "logged"
    assert logged.values == {"loss": pytest.approx(1 / 3), "accuracy": 0.75}
    assert logged.detail["series"]["loss"] == [[0, 1.0], [1, 0.5], [2, pytest.approx(1 / 3)]]
    assert logged.detail["series"]["accuracy"] == [[0, 0.75]]
    assert logged.detail["tables"]["head"] == {"columns": ["a", "b"], "rows": [[1, "x"], [2, None]]}
    assert logged.detail["images"]["curve"]["format"] == "plotly"
    assert logged.detail["images"]["curve"]["figure"]["data"][0]["y"] == [3, 1, 2]
    assert logged.detail["images"]["raw"]["format"] == "png"
    # the loss came while the script was still sleeping, one record per call, never all at the end
    loss = [(t, d) for t, d in ctx.records if "log:metric:loss:0" in d]
    assert [len(d["log:metric:loss:0"]["points"]) for _, d in loss] == [1, 2, 3]
    assert finished - loss[-1][0] > 1.0, (started, loss[-1][0], finished)
    kinds = [next(iter(d.values()))["kind"] for _, d in ctx.records]
    assert kinds == ["metric"] * 4 + ["table", "image", "image"]


def test_a_bad_log_call_fails_the_node_naming_the_call_and_the_line() -> None:
    with pytest.raises(ModuleError) as caught:
        _run('x = 1\ntessera.log_metric("loss", float("nan"), step=1)')
    assert str(caught.value).startswith("tessera.log_metric('loss', ...) at line 5 of the script was refused: ")
    assert "not finite" in str(caught.value) and caught.value.param == "python_script"


def test_an_image_over_5_mb_fails_the_node_naming_the_call() -> None:
    with pytest.raises(ModuleError) as caught:
        _run('tessera.log_image("big", b"\\x89PNG\\r\\n\\x1a\\n" + bytes(6 * 1024 * 1024))')
    assert "tessera.log_image('big', ...) at line 4" in str(caught.value) and "at most 5 MB" in str(caught.value)


def _record(call: str, name: Any = "m", **fields: Any) -> dict[str, Any]:
    return {"call": call, "name": name, "line": 7, **fields}


PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(8)).decode()


@pytest.mark.parametrize(
    ("record", "fragment"),
    [
        (_record("log_metric", value=float("inf")), "the value is inf, which is not finite"),
        (_record("log_metric", value="1"), "the value must be a number, not '1'"),
        (_record("log_metric", value=True), "the value must be a number"),
        (_record("log_metric", name="", value=1.0), "the name is empty"),
        (_record("log_metric", name=" ", value=1.0), "the name is empty"),
        (_record("log_metric", name="x" * 101, value=1.0), "101 characters; at most 100"),
        (_record("log_metric", name="a\nb", value=1.0), "control characters"),
        (_record("log_metric", name=3, value=1.0), "the name must be text"),
        (_record("log_metric", value=1.0, step=-1), "step must be a whole number of at least 0"),
        (_record("log_metric", value=1.0, step=1.5), "step must be a whole number"),
        (_record("log_image", format="png", data="not base64!"), "not valid base64"),
        (_record("log_image", format="png", data=base64.b64encode(b"GIF89a").decode()), "not a PNG"),
        (_record("log_image", format="gif", data=PNG), "must be PNG bytes, a matplotlib figure or a Plotly figure"),
        (_record("log_image", format="plotly", figure=[1]), "the Plotly figure could not be read"),
        (_record("log_table", columns=["a"], rows=[[1]] * 1001, total_rows=1001), "1,001 rows; at most 1,000"),
        (_record("log_table", columns=["a"], rows=[[1]], total_rows=50_000), "50,000 rows"),
        (_record("log_table", columns=[str(i) for i in range(101)], rows=[]), "101 columns; at most 100"),
        (_record("log_table", columns=["a", "b"], rows=[[1]]), "rows do not match its columns"),
    ],
)
def test_the_parent_refuses_each_bad_call_by_name(tmp_path: Path, record: dict[str, Any], fragment: str) -> None:
    channel = LogChannel(tmp_path, LocalContext(), "python_script")
    channel.path.write_text(json.dumps(record) + "\n")
    with pytest.raises(ModuleError) as caught:
        channel.finish()
    message = str(caught.value)
    assert message.startswith(f"tessera.{record['call']}({record['name']!r:.57}"), message
    assert " at line 7 of the script was refused: " in message and fragment in message, message


@pytest.mark.parametrize(
    "line", [b"not json\n", b"[1, 2]\n", b'{"call": "os.system", "name": "x"}\n', b"x" * (8 * 1024 * 1024 + 2)]
)
def test_what_is_not_a_log_call_is_refused_as_such(tmp_path: Path, line: bytes) -> None:
    channel = LogChannel(tmp_path, LocalContext(), "script")
    channel.path.write_bytes(line)
    with pytest.raises(ModuleError, match="logging from the script failed") as caught:
        channel.finish()
    assert caught.value.param == "script"


def test_limits_on_how_many_values_a_script_logs(tmp_path: Path) -> None:
    channel = LogChannel(tmp_path, LocalContext(), "python_script")
    lines = [_record("log_metric", name=f"m{i}", value=1.0) for i in range(100)]
    lines.append(_record("log_metric", name="one too many", value=1.0))
    channel.path.write_text("".join(json.dumps(r) + "\n" for r in lines))
    with pytest.raises(ModuleError, match="at most 100 different metrics"):
        channel.finish()


def test_a_wrong_type_fails_in_the_script_at_its_line() -> None:
    with pytest.raises(ModuleError) as caught:
        _run('tessera.log_table("t", [1, 2])')
    assert "line 4" in str(caught.value) and "expects a pandas DataFrame, not a list" in str(caught.value)


def test_a_bad_call_stops_a_running_script_at_once() -> None:
    started = time.monotonic()
    with pytest.raises(ModuleError, match="not finite"):
        _run('import time\ntessera.log_metric("m", float("nan"))\ntime.sleep(20)')
    assert time.monotonic() - started < 10


def test_a_script_component_logs_too() -> None:
    script = "def run(inputs, params):\n    tessera.log_metric('rows', 3)\n    tessera.log_metric('r', 1e400)\n"
    params = ScriptComponent.Params(script=script, inputs=["dataset"], outputs=["result"], **FAST)
    with pytest.raises(ModuleError) as caught:
        ScriptComponent().run({}, params, LocalContext())
    assert "tessera.log_metric('r', ...) at line 3" in str(caught.value) and caught.value.param == "script"
