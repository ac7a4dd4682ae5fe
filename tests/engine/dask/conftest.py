"""One real Dask cluster (scheduler + 2 worker processes) for every test of the Dask path, and helpers that run
one node both ways: the pandas path (``execute_node`` without a cluster) and the Dask path (tiny partitions)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from designer.engine.compute import ComputeTarget
from designer.engine.execute import DaskPath, OutputRecord, execute_node, load_output
from designer.engine.graph import Node
from designer.engine.store import ArtifactStore, LocalArtifactStore
from modules.sdk import DataTable, LocalContext, Table, default_registry
from tests.support.dask_cluster import local_cluster

PARTITION_ROWS = 7  # tiny, and prime: partitions never line up with anything in the data


@pytest.fixture(scope="session")
def dask_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from distributed import Client

    with local_cluster(tmp_path_factory.mktemp("dask")) as cluster, Client(cluster.address) as client:
        yield client


@pytest.fixture
def store(tmp_path: Path) -> ArtifactStore:
    return LocalArtifactStore(tmp_path / "artifacts")


class Both:
    """Runs a node on the pandas path and on the Dask path over the same stored inputs."""

    def __init__(self, store: ArtifactStore, client: Any) -> None:
        self.store = store
        self.client = client
        self.target = ComputeTarget("test", dask="tcp://test", path="dask", partition_rows=PARTITION_ROWS)
        self.logs: list[str] = []

    def put(self, df: pd.DataFrame, **meta: Any) -> str:
        return self.store.put(Table.serialize(DataTable(df, dict(meta))))

    def run(
        self,
        module: str,
        params: dict[str, Any],
        inputs: dict[str, str],
        *,
        dask: bool,
        version: int | None = None,
        ctx: LocalContext | None = None,
    ) -> dict[str, OutputRecord]:
        registry = default_registry()
        cls = registry.get(module, version)
        node = Node("n", module, cls.version, params)
        ctx = ctx or LocalContext(node_id="n")
        path = DaskPath(self.target, lambda: self.client) if dask else None
        records = execute_node(node, registry, inputs, self.store, ctx, dask=path)
        self.logs = ctx.logs
        return records

    def both(
        self, module: str, params: dict[str, Any], inputs: dict[str, str]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The outputs (values read back from the store) of the pandas path, then of the Dask path."""
        pandas = self.run(module, params, inputs, dask=False)
        dask = self.run(module, params, inputs, dask=True)
        assert any("partition-parallel" in line for line in self.logs), self.logs
        assert {p: r.type for p, r in pandas.items()} == {p: r.type for p, r in dask.items()}
        return self.values(pandas), self.values(dask)

    def values(self, records: dict[str, OutputRecord]) -> dict[str, Any]:
        return {port: load_output(self.store, r.type, r.digest) for port, r in records.items()}

    def row_groups(self, digest: str) -> list[int]:
        from modules.sdk import StoredTable

        return StoredTable(digest, lambda: self.store.open(digest)).row_groups


@pytest.fixture
def both(store: ArtifactStore, dask_client: Any) -> Both:
    return Both(store, dask_client)


def assert_same_table(a: DataTable, b: DataTable) -> None:
    """Same rows in the same order, same columns and dtypes, same meta."""
    pd.testing.assert_frame_equal(a.df, b.df, check_exact=False, rtol=1e-12, atol=1e-12)
    assert a.meta == b.meta
