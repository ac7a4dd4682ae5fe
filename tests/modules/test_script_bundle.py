"""The Script bundle input of Execute Python Script and Execute R Script, fed a zip as File Dataset outputs it."""

from __future__ import annotations

import os
import tempfile

import pandas as pd
import pytest

from modules.library.python_language.execute_python_script import ExecutePythonScript
from modules.library.r_language.execute_r_script import ExecuteRScript
from modules.sdk import DataTable, LocalContext, ModuleError
from modules.sdk.ports import ZipFile
from modules.sdk.values import ZipArchive
from tests.support.zips import zip_of, zip_with_link

FAST = {"timeout_seconds": 30, "memory_limit_mb": 768}

PYTHON_HELPERS = """\
import pandas as pd

def add_total(df):
    return df.assign(total=df["a"] + df["b"])
"""

PYTHON_SCRIPT = """\
import helpers
from tools.units import TO_KM

def azureml_main(dataframe1 = None, dataframe2 = None):
    with open("./Script Bundle/rates.txt") as fh:
        rate = float(fh.read())
    out = helpers.add_total(dataframe1)
    out["km"] = out["total"] * TO_KM * rate
    return out,
"""

R_HELPERS = """\
add_total <- function(df) {
  df$total <- df$a + df$b
  df
}
"""

R_SCRIPT = """\
source("./Script Bundle/helpers.R")
azureml_main <- function(dataframe1, dataframe2){
  rate <- as.numeric(readLines("./Script Bundle/data/rate.txt"))
  out <- add_total(dataframe1)
  out$scaled <- out$total * rate
  list(dataset1=out)
}
"""


def _bundle(files: dict[str, str]) -> ZipArchive:
    """As it arrives on the input: read back from the store by the zip port, like any artifact."""
    return ZipFile.deserialize(zip_of(files))


def _table() -> DataTable:
    return DataTable(pd.DataFrame({"a": [1, 2], "b": [10, 20]}))


def _sandboxes(prefix: str) -> set[str]:
    return {name for name in os.listdir(tempfile.gettempdir()) if name.startswith(prefix)}


def test_python_imports_modules_and_a_package_from_the_bundle_and_reads_its_files() -> None:
    bundle = _bundle(
        {"helpers.py": PYTHON_HELPERS, "tools/__init__.py": "", "tools/units.py": "TO_KM = 2\n", "rates.txt": "0.5"}
    )
    params = ExecutePythonScript.Params(python_script=PYTHON_SCRIPT, **FAST)

    out = ExecutePythonScript().run({"dataset1": _table(), "script_bundle": bundle}, params, LocalContext())

    expected = pd.DataFrame({"a": [1, 2], "b": [10, 20], "total": [11, 22], "km": [11.0, 22.0]})
    pd.testing.assert_frame_equal(out["result_dataset"].df, expected)


def test_python_without_a_bundle_cannot_import_the_helper() -> None:
    params = ExecutePythonScript.Params(python_script=PYTHON_SCRIPT, **FAST)

    with pytest.raises(ModuleError) as caught:
        ExecutePythonScript().run({"dataset1": _table()}, params, LocalContext())

    assert caught.value.param == "python_script"
    assert caught.value.message.startswith(
        "the Python script failed at line 1: ModuleNotFoundError: No module named 'helpers'"
    )


def test_r_sources_a_file_from_the_bundle_and_reads_its_data() -> None:
    bundle = _bundle({"helpers.R": R_HELPERS, "data/rate.txt": "0.5\n"})
    params = ExecuteRScript.Params(r_script=R_SCRIPT, **FAST)

    out = ExecuteRScript().run({"dataset1": _table(), "script_bundle": bundle}, params, LocalContext())

    whole = {
        name: pd.array(values, dtype="Int64") for name, values in (("a", [1, 2]), ("b", [10, 20]), ("total", [11, 22]))
    }
    expected = pd.DataFrame({**whole, "scaled": [5.5, 11.0]})  # R's results come back typed as an upload is
    pd.testing.assert_frame_equal(out["result_dataset"].df, expected)


@pytest.mark.parametrize(
    ("module", "params", "prefix"),
    [
        (ExecutePythonScript, ExecutePythonScript.Params(**FAST), "tessera-python-"),
        (ExecuteRScript, ExecuteRScript.Params(**FAST), "tessera-r-"),
    ],
    ids=["python", "r"],
)
def test_a_bundle_with_a_link_is_refused_naming_the_port_and_member_and_leaves_nothing_behind(
    module: type[ExecutePythonScript] | type[ExecuteRScript], params: object, prefix: str
) -> None:
    hostile = ZipArchive(zip_with_link("secrets", "/etc/shadow"))  # as a forged artifact would arrive
    before = _sandboxes(prefix)

    with pytest.raises(ModuleError) as caught:
        module().run({"script_bundle": hostile}, params, LocalContext())  # type: ignore[arg-type]

    assert (
        caught.value.message == "the script bundle: the archive member 'secrets' is a symbolic link; links are refused"
    )
    assert caught.value.port == "script_bundle"
    assert _sandboxes(prefix) == before


def test_both_script_modules_offer_the_bundle_as_an_optional_third_input() -> None:
    for module, label in ((ExecutePythonScript, "Script bundle"), (ExecuteRScript, "Script Bundle")):
        ports = {p["name"]: p for p in module.describe()["inputs"]}

        assert list(ports) == ["dataset1", "dataset2", "script_bundle"]
        assert (ports["script_bundle"]["type"], ports["script_bundle"]["label"]) == ("zip_file", label)
        assert ports["script_bundle"]["optional"] is True
