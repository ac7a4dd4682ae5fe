"""Tables that stay in the store: ranged reads, chunked writes, files moved into the store, and the executor
handing a stored input over (and recording a stored output) without ever loading it."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from designer.engine.execute import execute_node, load_output
from designer.engine.graph import Node
from designer.engine.store import ArtifactMissing, LocalArtifactStore, digest_of
from designer.engine.tables import StoreTables
from modules.sdk import (
    DataTable,
    In,
    LocalContext,
    Module,
    ModuleError,
    Out,
    ParamModel,
    Registry,
    StoredTable,
    Table,
    TrainedModel,
    check_module,
)
from modules.sdk.stored import ParquetChunks


def frame(n: int, start: int = 0) -> pd.DataFrame:
    rows = np.arange(start, start + n)
    return pd.DataFrame(
        {
            "row": rows,
            "x": rows * 0.5,
            "colour": pd.Series(np.where(rows % 3 == 0, "red", "blue"), dtype="str"),
        }
    )


def stored(df: pd.DataFrame, row_group_rows: int) -> StoredTable:
    buffer = io.BytesIO()
    chunks = ParquetChunks(buffer, row_group_rows)
    chunks.write(DataTable(df, {"label_column": "colour"}))
    chunks.close()
    data = buffer.getvalue()
    return StoredTable(digest_of(data), lambda: io.BytesIO(data), size=len(data))


def test_a_stored_table_reads_the_row_groups_asked_for_and_nothing_else() -> None:
    table = stored(frame(1000), row_group_rows=300)

    assert table.num_rows == 1000
    assert table.row_groups == [300, 300, 300, 100]
    assert table.meta == {"label_column": "colour"}
    assert table.schema.names == ["row", "x", "colour"]
    part = table.read_row_groups([1, 3])
    assert part.df["row"].tolist() == list(range(300, 600)) + list(range(900, 1000))
    assert part.meta == {"label_column": "colour"}
    assert table.read_row_groups([]).df.columns.tolist() == ["row", "x", "colour"]


def test_batches_stream_in_order_through_row_group_boundaries() -> None:
    table = stored(frame(1000), row_group_rows=1000)  # one large row group, as an upload is

    batches = list(table.iter_batches(256))

    assert [len(b.df) for b in batches] == [256, 256, 256, 232]
    assert pd.concat([b.df for b in batches], ignore_index=True)["row"].tolist() == list(range(1000))


def test_chunks_become_one_table_in_order_whatever_types_the_later_chunks_have() -> None:
    buffer = io.BytesIO()
    chunks = ParquetChunks(buffer)
    first = frame(4).assign(kind=pd.Categorical(["a", "b", "a", "b"]))
    later = frame(3, start=4).assign(kind=pd.Categorical(["c", "c", "a"]))  # other categories
    later["x"] = later["x"].astype("float32")

    chunks.write(DataTable(first, {"task": "binary"}))
    chunks.write(DataTable(later, {"task": "ignored: the first chunk's meta is the table's"}))
    chunks.close()

    back = Table.deserialize(buffer.getvalue())
    assert back.df["row"].tolist() == list(range(7))
    assert back.df["x"].dtype == "float64"
    assert back.df["kind"].astype(str).tolist() == ["a", "b", "a", "b", "c", "c", "a"]
    assert back.meta == {"task": "binary"}


def test_a_chunk_with_other_columns_is_refused_naming_them() -> None:
    chunks = ParquetChunks(io.BytesIO())
    chunks.write(DataTable(frame(2)))

    with pytest.raises(ModuleError, match="a chunk has the columns row, x, where the first had row, x, colour"):
        chunks.write(DataTable(frame(2).drop(columns=["colour"])))


def test_a_chunk_whose_column_cannot_take_the_first_chunks_type_names_the_column() -> None:
    chunks = ParquetChunks(io.BytesIO())
    chunks.write(DataTable(frame(2)))

    with pytest.raises(ModuleError) as err:
        chunks.write(DataTable(frame(2).assign(x=["a", "b"])))
    assert err.value.column == "x"


def test_a_file_is_moved_into_the_store_by_its_digest_and_opened_for_ranged_reads(tmp_path: Path) -> None:
    store = LocalArtifactStore(tmp_path / "store")
    path = tmp_path / "out.bin"
    path.write_bytes(b"0123456789" * 1000)

    digest = store.put_file(path)

    assert digest == digest_of(b"0123456789" * 1000)
    assert store.get(digest) == b"0123456789" * 1000
    with store.open(digest) as f:
        f.seek(9995)
        assert f.read() == b"56789"
    with pytest.raises(ArtifactMissing):
        store.open("0" * 64)


class _Owned:
    def __init__(self, *digests: str) -> None:
        self.digests = set(digests)

    def owned(self, digests: Any) -> set[str]:
        return set(digests) & self.digests


def test_store_tables_grant_what_they_write_and_refuse_what_the_workspace_does_not_own(tmp_path: Path) -> None:
    store = LocalArtifactStore(tmp_path)
    granted: list[str] = []
    owned = _Owned()
    tables = StoreTables(
        store, owned=owned, grant=lambda digests: (granted.extend(digests), owned.digests.update(digests))
    )
    foreign = store.put(Table.serialize(DataTable(frame(3))))

    saved = tables.save(DataTable(frame(5)))
    with tables.writer() as writer:
        writer.write(DataTable(frame(5)))
        writer.write(DataTable(frame(5, start=5)))
        written = writer.close()

    assert granted == [saved, written.digest]
    assert tables.load(saved).df["row"].tolist() == list(range(5))
    assert tables.open(written.digest).read().df["row"].tolist() == list(range(10))
    assert tables.open(written.digest).row_groups == [5, 5]
    for read in (tables.load, tables.open):
        with pytest.raises(ModuleError, match="does not belong to this run's workspace"):
            read(foreign)


def test_a_sink_left_unclosed_stores_nothing(tmp_path: Path) -> None:
    store = LocalArtifactStore(tmp_path / "store")
    tables = StoreTables(store)

    with tables.writer() as writer:
        writer.write(DataTable(frame(5)))
        path = writer.path  # type: ignore[attr-defined]

    assert not path.exists()
    assert not any((tmp_path / "store").rglob("*"))


# -- the executor ---------------------------------------------------------------------------------
class _Halve(Module):
    """Reads its stored input in row groups and writes the first half of each as a stored output."""

    id = "halve"
    name = "Halve"
    category = "Utilities"

    class Inputs:
        dataset = In(Table, "Dataset", stored=True)

    class Outputs:
        result = Out(Table, "Result")

    class Params(ParamModel):
        pass

    def run(self, inputs: dict[str, Any], params: Any, ctx: Any) -> dict[str, Any]:
        source = inputs["dataset"]
        assert isinstance(source, StoredTable)  # never a DataTable: the engine did not load it
        with ctx.tables.writer() as writer:
            for group, rows in enumerate(source.row_groups):
                writer.write(DataTable(source.read_row_groups([group]).df.head(rows // 2)))
            return {"result": writer.close()}


def test_a_stored_input_arrives_unread_and_a_stored_output_is_recorded_as_it_is(tmp_path: Path) -> None:
    registry = Registry()
    registry.register(_Halve)
    store = LocalArtifactStore(tmp_path)
    buffer = io.BytesIO()
    chunks = ParquetChunks(buffer, 100)
    chunks.write(DataTable(frame(400)))
    chunks.close()
    source = store.put(buffer.getvalue())
    ctx = LocalContext(tables=StoreTables(store))

    records = execute_node(Node("h", "halve", 1, {}), registry, {"dataset": source}, store, ctx)

    record = records["result"]
    assert record.type == "table"
    assert record.summary == {
        "rows": 200,
        "columns": [{"name": "row", "type": "integer"}, {"name": "x", "type": "number"},
                    {"name": "colour", "type": "string"}],
    }  # fmt: skip
    assert record.size == len(store.get(record.digest))
    rows = load_output(store, "table", record.digest).df["row"].tolist()
    assert rows == [r for start in range(0, 400, 100) for r in range(start, start + 50)]


def test_a_stored_input_whose_artifact_is_gone_fails_naming_the_input(tmp_path: Path) -> None:
    registry = Registry()
    registry.register(_Halve)
    store = LocalArtifactStore(tmp_path)

    with pytest.raises(Exception, match="the artifact for input 'Dataset' cannot be read"):
        execute_node(Node("h", "halve", 1, {}), registry, {"dataset": "a" * 64}, store, LocalContext())


def test_only_a_table_input_may_be_stored() -> None:
    class Wrong(_Halve):
        id = "wrong"

        class Inputs:
            dataset = In(Table, "Dataset", stored=True)
            model = In(TrainedModel, "Model", stored=True)

    assert check_module(Wrong) == ["input port 'model' is stored, which only a Table input can be"]
