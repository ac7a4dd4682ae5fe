"""A large file uploaded with the command: sent as it is read, registered by a worker, followed to the end."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from tessera_client.datasets import ASYNC_BYTES
from tessera_client.errors import ExitCode

from designer.datasets.models import DatasetRegistration, DatasetVersion

from .conftest import assert_one_line

pytestmark = [pytest.mark.workers, pytest.mark.django_db(transaction=True)]


def _large_csv(path, rows: int = 420_000):
    rng = np.random.default_rng(0)
    df = pd.DataFrame({f"x{i}": rng.normal(size=rows).round(6) for i in range(4)})
    df["label"] = rng.choice(["yes", "no"], size=rows)
    df.to_csv(path, index=False)
    assert path.stat().st_size >= ASYNC_BYTES
    return df


def test_a_large_file_is_registered_by_a_worker_and_a_refusal_names_the_line(workers, tessera, tmp_path):
    good = tmp_path / "big.csv"
    df = _large_csv(good)
    bad = tmp_path / "ragged.csv"
    bad.write_bytes(good.read_bytes() + b"1,2\n")

    uploaded = tessera("dataset", "upload", str(good), "--name", "big")
    refused = tessera("dataset", "upload", str(bad), "--name", "ragged")

    assert uploaded.code == 0, uploaded.stderr
    [done] = DatasetRegistration.objects.filter(name="big")
    assert done.status == "completed" and done.source_name == "big.csv"
    version = DatasetVersion.objects.get(pk=done.version_id)
    assert (version.rows, version.columns) == (len(df), 5)
    listed = json.loads(tessera("dataset", "list", "--output", "json").stdout)
    assert [(d["name"], d["rows"]) for d in listed] == [("big", len(df))]
    assert_one_line(refused, ExitCode.VALIDATION, "'ragged.csv': line 420002 has 2 fields but the header has 5")
    assert DatasetRegistration.objects.get(name="ragged").status == "failed"
