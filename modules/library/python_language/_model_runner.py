"""Child side of Create Python Model: run as ``python -I -B -u _model_runner.py job.json``, never imported by Tessera.

It runs the user's script (which defines ``class AzureMLModel``) as the module ``azureml_script``
and then, by the job's ``mode``:

- ``train``: builds ``AzureMLModel()``, calls ``train(df_train, df_label)`` and pickles the object
  to ``model_out``. The pickle is made here and is only ever unpickled here, in a later child.
- ``predict``: unpickles ``model_in`` (the bytes from an earlier ``train``), calls ``predict(df)``
  and writes its "Scored Labels" and "Scored Probabilities..." columns as Parquet.

The status file and error reporting are Execute Python Script's (``_runner.py``, loaded by path:
``-I`` keeps this file's folder off ``sys.path``). It imports nothing from Tessera and does nothing
when imported, so the module registry's package walk can import it harmlessly.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

MODULE_NAME = "azureml_script"
CLASS_NAME = "AzureMLModel"
SCORED_LABELS = "Scored Labels"
SCORED_PROBABILITIES = "Scored Probabilities"
EXIT_OK, EXIT_SCRIPT_FAILED, EXIT_OUT_OF_MEMORY = 0, 1, 3


def main(argv: list[str]) -> int:
    helpers = _helpers()
    with open(argv[1], encoding="utf-8") as fh:
        job: dict[str, Any] = json.load(fh)
    status_path = str(job["status"])
    try:
        _run(job, helpers)
    except MemoryError:
        helpers._write_status(status_path, {"ok": False, "kind": "memory"})
        return EXIT_OUT_OF_MEMORY
    except helpers.ScriptFailed as failed:
        helpers._write_status(status_path, {"ok": False, **failed.info})
        return EXIT_SCRIPT_FAILED
    helpers._write_status(status_path, {"ok": True})
    return EXIT_OK


def _helpers() -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location("_tessera_runner", Path(__file__).with_name("_runner.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(job: dict[str, Any], h: Any) -> None:
    import linecache
    import pickle
    import types

    import pyarrow.parquet as pq

    with open(job["script"], encoding="utf-8") as fh:
        source = fh.read()
    linecache.cache[h.SCRIPT_NAME] = (len(source), None, source.splitlines(True), h.SCRIPT_NAME)
    try:
        code = compile(source, h.SCRIPT_NAME, "exec")
    except SyntaxError as exc:
        raise h.ScriptFailed(
            {
                "kind": "syntax",
                "line": exc.lineno,
                "message": exc.msg,
                "traceback": [f"line {exc.lineno}: {(exc.text or '').rstrip()}"],
            }
        ) from None
    # A real module, so pickle finds AzureMLModel (and the script's other classes) by name.
    module = types.ModuleType(MODULE_NAME)
    sys.modules[MODULE_NAME] = module
    h._call(lambda: exec(code, module.__dict__))
    cls = module.__dict__.get(CLASS_NAME)
    if not isinstance(cls, type):
        raise _contract(h, f"the script defines no class {CLASS_NAME} (with train(df_train, df_label) and predict(df))")
    features = pq.read_table(job["features"]).to_pandas()
    if job["mode"] == "train":
        label = pq.read_table(job["label"]).to_pandas().iloc[:, 0]
        model = h._call(cls)
        h._call(lambda: model.train(features, label))
        blob = h._call(lambda: pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL))
        with open(job["model_out"], "wb") as out:
            out.write(blob)
        return
    with open(job["model_in"], "rb") as fh:
        blob = fh.read()
    model = h._call(lambda: pickle.loads(blob))
    returned = h._call(lambda: model.predict(features))
    h._write_table(_scores(h, returned, len(features)), str(job["predictions"]), "predict's result")


def _scores(h: Any, returned: Any, rows: int) -> Any:
    import pandas as pd

    if not isinstance(returned, pd.DataFrame):
        raise _contract(h, f"predict returned {h._kind(returned)}; it must return a pandas DataFrame")
    if SCORED_LABELS not in returned.columns:
        raise _contract(h, f"the DataFrame predict returned has no column {SCORED_LABELS!r}")
    if len(returned) != rows:
        raise _contract(h, f"predict returned {len(returned)} rows for {rows} input rows")
    keep = [SCORED_LABELS] + [c for c in returned.columns if isinstance(c, str) and c.startswith(SCORED_PROBABILITIES)]
    return returned[keep].reset_index(drop=True)


def _contract(h: Any, message: str) -> Any:
    return h.ScriptFailed({"kind": "contract", "line": None, "message": message, "traceback": []})


if __name__ == "__main__":
    sys.exit(main(sys.argv))
