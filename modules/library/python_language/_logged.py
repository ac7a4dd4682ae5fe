"""Parent side of ``tessera.log_metric``, ``log_table`` and ``log_image``: read, check, stream, keep.

The script's process appends one JSON line per call to ``io/log.jsonl`` (``_runner._logging_api``). The
parent reads the file while the process runs (:meth:`LogChannel.poll`, called at every turn of the
sandbox's wait loop), so every accepted value goes to the run at once as a progress detail record (sent
over the run's WebSocket at the next heartbeat), and once the script has finished the whole log becomes
the node's *Logged values* output (a metrics value: last value of each metric, the series over steps,
tables and images).

Nothing in the file is trusted: the child may write anything there. Each line is parsed as JSON and
checked here; a call that breaks a limit (a non-finite value, an empty or overlong name, an image
over 5 MB or not a PNG, a table over 1,000 rows or 100 columns) fails the node at once with a message
naming the call, its name and the script line that made it.
"""

from __future__ import annotations

import base64
import json
import math
import os
import stat
from pathlib import Path
from typing import Any

from modules.sdk import Metrics, ModuleError, RunContext

MB = 1024 * 1024
MAX_NAME_CHARS = 100
MAX_METRICS = 100
MAX_POINTS = 100_000
MAX_TABLES = 20
MAX_TABLE_ROWS = 1000
MAX_TABLE_COLUMNS = 100
MAX_TABLE_BYTES = 2 * MB
MAX_IMAGES = 20
MAX_IMAGE_BYTES = 5 * MB
MAX_IMAGES_BYTES = 50 * MB
#: One line holds at most a base64 image (4/3 of its bytes) or a Plotly figure of the same size.
MAX_LINE_BYTES = 8 * MB
#: Points of a metric travel live in chunks of this many (one detail record per chunk, replaced as it fills).
CHUNK_POINTS = 200
#: Rows of a logged table sent live (the output keeps them all).
LIVE_TABLE_ROWS = 20
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: The task of the Metrics value the log becomes (the inspector and the figures know it by this).
TASK = "logged"
CALLS = ("log_metric", "log_table", "log_image")


class LogChannel:
    """Reads the log file of one script process; ``param`` is the script's parameter (named in failures)."""

    def __init__(self, folder: Path, ctx: RunContext, param: str) -> None:
        self.path = folder / "log.jsonl"
        self.path.touch(mode=0o600)
        # Opened once, before the child starts: whatever it later puts at this path, we read this file.
        self._fd = os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        self._pending = b""
        self.ctx = ctx
        self.param = param
        self.series: dict[str, list[list[float]]] = {}
        self.last: dict[str, float] = {}
        self.tables: dict[str, dict[str, Any]] = {}
        self.images: dict[str, dict[str, Any]] = {}
        self._image_bytes: dict[str, int] = {}
        self.calls = 0

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    # -- reading ----------------------------------------------------------------------------------

    def poll(self) -> None:
        """Take every complete line the child has written since the last poll; raise on a bad call."""
        if self._fd < 0 or not stat.S_ISREG(os.fstat(self._fd).st_mode):
            return
        while True:
            chunk = os.read(self._fd, 1 * MB)
            if not chunk:
                break
            self._pending += chunk
            *lines, self._pending = self._pending.split(b"\n")
            for line in lines:
                if line.strip():
                    self._take(line)
            if len(self._pending) > MAX_LINE_BYTES:
                raise self._fail(None, "a log call sent more than 8 MB in one record")

    def finish(self) -> None:
        """The last lines, once the child has ended (a last line without its newline included)."""
        self.poll()
        if self._pending.strip():
            self._take(self._pending)
        self._pending = b""
        self.close()

    def _take(self, line: bytes) -> None:
        try:
            record = json.loads(line)
        except ValueError:
            raise self._fail(None, "the script's process wrote a log record that is not JSON") from None
        if not isinstance(record, dict) or record.get("call") not in CALLS:
            raise self._fail(None, "the script's process wrote a log record that is not a tessera.log_* call")
        self.calls += 1
        {"log_metric": self._metric, "log_table": self._table, "log_image": self._image}[record["call"]](record)

    # -- checks -----------------------------------------------------------------------------------

    def _name(self, record: dict[str, Any]) -> str:
        name = record.get("name")
        if not isinstance(name, str):
            raise self._fail(record, f"the name must be text, not {_short(name)}")
        if not name.strip():
            raise self._fail(record, "the name is empty; give the value a name")
        if len(name) > MAX_NAME_CHARS:
            raise self._fail(record, f"the name has {len(name)} characters; at most {MAX_NAME_CHARS} are allowed")
        if any(ord(c) < 32 or ord(c) == 127 for c in name):
            raise self._fail(record, "the name holds control characters (a newline, a tab...)")
        return name

    def _metric(self, record: dict[str, Any]) -> None:
        name = self._name(record)
        value, step = record.get("value"), record.get("step")
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise self._fail(record, f"the value must be a number, not {_short(value)}")
        if not math.isfinite(value):
            raise self._fail(record, f"the value is {value}, which is not finite; log finite numbers only")
        series = self.series.get(name)
        if series is None:
            if len(self.series) >= MAX_METRICS:
                raise self._fail(record, f"a script may log at most {MAX_METRICS} different metrics")
            series = self.series[name] = []
        if step is None:
            step = int(series[-1][0]) + 1 if series else 0
        elif not isinstance(step, int) or isinstance(step, bool) or step < 0:
            raise self._fail(record, f"step must be a whole number of at least 0, not {_short(step)}")
        if sum(len(s) for s in self.series.values()) >= MAX_POINTS:
            raise self._fail(record, f"a script may log at most {MAX_POINTS:,} metric values")
        series.append([step, float(value)])
        self.last[name] = float(value)
        index = len(series) - 1
        chunk = index // CHUNK_POINTS
        points = series[chunk * CHUNK_POINTS :]
        self._send(
            f"{name} = {value:.6g}" + (f" at step {step}" if record.get("step") is not None else ""),
            {f"log:metric:{name}:{chunk}": {"kind": "metric", "name": name, "chunk": chunk, "points": points}},
        )

    def _table(self, record: dict[str, Any]) -> None:
        name = self._name(record)
        columns, rows, total = record.get("columns"), record.get("rows"), record.get("total_rows")
        if not isinstance(columns, list) or not isinstance(rows, list) or not all(isinstance(c, str) for c in columns):
            raise self._fail(record, "the table could not be read")
        count = total if isinstance(total, int) and not isinstance(total, bool) else len(rows)
        if max(count, len(rows)) > MAX_TABLE_ROWS:
            raise self._fail(
                record, f"the table has {max(count, len(rows)):,} rows; at most {MAX_TABLE_ROWS:,} can be logged"
            )
        if len(columns) > MAX_TABLE_COLUMNS:
            raise self._fail(record, f"the table has {len(columns)} columns; at most {MAX_TABLE_COLUMNS} can be logged")
        if not all(isinstance(r, list) and len(r) == len(columns) for r in rows):
            raise self._fail(record, "the table's rows do not match its columns")
        size = len(json.dumps(rows, default=str))
        if size > MAX_TABLE_BYTES:
            raise self._fail(record, f"the table takes {size / MB:.1f} MB; at most {MAX_TABLE_BYTES // MB} MB")
        if name not in self.tables and len(self.tables) >= MAX_TABLES:
            raise self._fail(record, f"a script may log at most {MAX_TABLES} tables")
        self.tables[name] = {"columns": columns, "rows": rows}
        live = {"kind": "table", "name": name, "columns": columns, "rows": rows[:LIVE_TABLE_ROWS], "total": len(rows)}
        self._send(f"table {name} ({len(rows)} rows)", {f"log:table:{name}": live})

    def _image(self, record: dict[str, Any]) -> None:
        name = self._name(record)
        kind = record.get("format")
        if kind == "png":
            text = record.get("data")
            try:
                data = base64.b64decode(text if isinstance(text, str) else "", validate=True)
            except ValueError:
                raise self._fail(record, "the image is not valid base64") from None
            if len(data) > MAX_IMAGE_BYTES:
                raise self._fail(record, f"the image takes {len(data) / MB:.1f} MB; at most {MAX_IMAGE_BYTES // MB} MB")
            if not data.startswith(PNG_SIGNATURE):
                raise self._fail(
                    record, "the image is not a PNG file (pass PNG bytes, or a matplotlib or Plotly figure)"
                )
            kept: dict[str, Any] = {"format": "png", "data": text}
            size = len(data)
        elif kind == "plotly":
            figure = record.get("figure")
            size = len(json.dumps(figure, default=str))
            if not isinstance(figure, dict) or not isinstance(figure.get("data", []), list):
                raise self._fail(record, "the Plotly figure could not be read")
            if size > MAX_IMAGE_BYTES:
                raise self._fail(record, f"the figure takes {size / MB:.1f} MB; at most {MAX_IMAGE_BYTES // MB} MB")
            kept = {"format": "plotly", "figure": figure}
        else:
            raise self._fail(record, "the image must be PNG bytes, a matplotlib figure or a Plotly figure")
        if name not in self.images and len(self.images) >= MAX_IMAGES:
            raise self._fail(record, f"a script may log at most {MAX_IMAGES} images")
        total = sum(v for k, v in self._image_bytes.items() if k != name) + size
        if total > MAX_IMAGES_BYTES:
            raise self._fail(record, f"the script's images take more than {MAX_IMAGES_BYTES // MB} MB in all")
        self.images[name] = kept
        self._image_bytes[name] = size
        live = {"kind": "image", "name": name, "format": kind, "bytes": size}
        self._send(f"image {name} ({size / 1024:.0f} KB)", {f"log:image:{name}": live})

    # -- results ----------------------------------------------------------------------------------

    def _send(self, message: str, detail: dict[str, Any]) -> None:
        self.ctx.progress(0.0, f"logged {message}"[:300], detail=detail)

    def _fail(self, record: dict[str, Any] | None, why: str) -> ModuleError:
        if record is None:
            return ModuleError(f"logging from the script failed: {why}", param=self.param)
        line = record.get("line")
        where = f" at line {line} of the script" if isinstance(line, int) and not isinstance(line, bool) else ""
        call = f"tessera.{record['call']}({_short(record.get('name'))}, ...)"
        return ModuleError(f"{call}{where} was refused: {why}", param=self.param)

    @property
    def empty(self) -> bool:
        return not (self.series or self.tables or self.images)

    def metrics(self) -> Metrics:
        """What the script logged, as the node's Logged values output."""
        detail: dict[str, Any] = {
            "series": {name: sorted(points, key=lambda p: p[0]) for name, points in self.series.items()},
            "tables": self.tables,
            "images": self.images,
            "calls": self.calls,
        }
        return Metrics(values=dict(self.last), task=TASK, detail=detail)


def empty_log() -> Metrics:
    """The Logged values of a script that logged nothing (or ran where logging is not kept)."""
    return Metrics(values={}, task=TASK, detail={"series": {}, "tables": {}, "images": {}, "calls": 0})


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
