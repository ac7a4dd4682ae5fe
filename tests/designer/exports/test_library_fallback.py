"""The library fallback for every module the sample pipelines use: with no readable emitter at all, each
sample's script (every node a library section) gives the engine's outputs exactly, in a fresh process.

No database: the engine runs the sample node by node in this process (``tests/engine/codegen/harness``);
the test lives here only because the sample documents are built by a Django app's module.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from designer.datasets.samples import sample_named
from designer.pipelines.samples import SAMPLE_PIPELINES
from modules.sdk import DataTable, Metrics
from tests.engine.codegen.harness import export, run_engine, run_script, script_outputs

pytestmark = pytest.mark.django_db  # no rows are read; the session's database checks expect one


@pytest.mark.parametrize("sample", SAMPLE_PIPELINES, ids=lambda s: s.slug)
def test_every_sample_module_runs_as_a_library_section_and_gives_the_engine_outputs(sample, tmp_path: Path) -> None:
    # given the sample over its bundled datasets, exported with no readable emitter
    ids = {name: i + 1 for i, name in enumerate(sample.datasets)}
    tables = {ids[name]: sample_named(name).build() for name in sample.datasets}
    document = sample.build(ids)
    exported = export(document, tables, tmp_path / "export", emitters={})
    assert exported.readable == ()
    assert sorted(exported.library) == sorted(n["id"] for n in document["nodes"])

    # when its script runs in a fresh process
    done = run_script(tmp_path / "export")
    assert done.returncode == 0, done.stderr[-4000:]

    # then every table and metrics output equals the engine's
    engine = run_engine(document, tables, tmp_path)
    expected = {k: v for k, v in engine.items() if isinstance(v, DataTable | Metrics)}
    got = script_outputs(tmp_path / "export")
    assert sorted(got) == sorted(expected)
    for key, value in expected.items():
        if isinstance(value, DataTable):
            pd.testing.assert_frame_equal(got[key], value.df, obj=str(key))
        else:
            assert got[key] == value.values, key
