"""The check at export: onnxruntime's answers against Score Model's on the same rows, within ``TOLERANCE``.

Numbers must agree to 1e-5 (absolute, or relative to the value for large ones); labels exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

TOLERANCE = 1e-5
#: At most this many training rows are scored at export for the check.
CHECK_ROWS = 2000


class ExportMismatch(Exception):
    """onnxruntime's answers differ from Score Model's: the first difference, in words."""


@dataclass(frozen=True)
class Checked:
    rows: int
    columns: list[str]
    max_difference: float

    def to_json(self) -> dict[str, Any]:
        return {"rows": self.rows, "columns": self.columns, "max_difference": self.max_difference}


def session(model_bytes: bytes) -> Any:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    return ort.InferenceSession(model_bytes, options, providers=["CPUExecutionProvider"])


def run(sess: Any, feeds: Mapping[str, Any]) -> dict[str, Any]:
    names = [o.name for o in sess.get_outputs()]
    return dict(zip(names, sess.run(names, dict(feeds)), strict=True))


def compare(expected: Any, got: Mapping[str, Any], *, tolerance: float = TOLERANCE) -> Checked:
    """``expected``: Score Model's scored frame; ``got``: onnxruntime's outputs by column name."""
    import numpy as np

    worst = 0.0
    for name, values in got.items():
        if name not in expected.columns:
            raise ExportMismatch(f"ONNX output '{name}' is not a column Score Model writes")
        want = expected[name]
        values = np.asarray(values).reshape(-1)
        if len(values) != len(want):
            raise ExportMismatch(f"'{name}': onnxruntime gave {len(values)} rows, Score Model {len(want)}")
        if want.dtype.kind in "fc" or str(want.dtype) in ("Float64",):
            a = want.to_numpy(dtype="float64", na_value=np.nan)
            b = values.astype("float64")
            gap = np.abs(a - b)
            limit = tolerance * np.maximum(1.0, np.abs(a))
            bad = np.flatnonzero(~((gap <= limit) | (np.isnan(a) & np.isnan(b))))
            if bad.size:
                i = int(bad[0])
                raise ExportMismatch(
                    f"'{name}', row {i}: Score Model gives {a[i]!r}, onnxruntime {b[i]!r} "
                    f"(differs by more than {tolerance:g} in {bad.size} of {len(a)} rows)"
                )
            finite = gap[np.isfinite(gap)]
            worst = max(worst, float(finite.max()) if finite.size else 0.0)
        else:
            a = [str(v.item() if hasattr(v, "item") else v) for v in want.tolist()]
            b = [v.decode() if isinstance(v, bytes) else str(v.item() if hasattr(v, "item") else v) for v in values]
            bad_rows = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
            if bad_rows:
                i = bad_rows[0]
                raise ExportMismatch(
                    f"'{name}', row {i}: Score Model gives {a[i]!r}, onnxruntime {b[i]!r} "
                    f"({len(bad_rows)} of {len(a)} rows differ)"
                )
    return Checked(len(expected), sorted(got), worst)
