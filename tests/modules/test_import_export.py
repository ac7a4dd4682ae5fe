"""Import Data and Export Data against real files, a real HTTP server and a real PostgreSQL database."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa

from modules.sdk import DataTable, LocalContext, ModuleError, default_registry
from tests.support.web import served

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
FRAME = pd.DataFrame({"city": ["Oslo", "Lima", "Pune"], "rain_mm": [3.5, 0.0, 12.25], "year": [2021, 2022, 2023]})


def run(module_id: str, inputs: dict[str, Any] | None = None, **params: Any) -> dict[str, Any]:
    cls = default_registry().get(module_id)
    return cls().run(dict(inputs or {}), cls.parse_params(params), LocalContext())


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TESSERA_IMPORT_ROOTS", str(tmp_path))
    return tmp_path


@pytest.fixture
def warehouse(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    table = f"weather_{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("TESSERA_DATA_CONNECTIONS", json.dumps({"warehouse": PG}))
    yield table
    engine = sa.create_engine(PG)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")
    engine.dispose()


@pytest.fixture
def web(root: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    (root / "weather.csv").write_text(FRAME.to_csv(index=False))
    monkeypatch.setenv("TESSERA_FETCH_ALLOWED_NETWORKS", "127.0.0.1/32")  # loopback is refused unless allowed

    with served(root) as url:
        yield url


def test_import_from_an_allowed_path_reads_the_file_like_pandas(root):
    FRAME.to_csv(root / "a.csv", index=False)

    df = run("import_data", data_source="Path or object-store URL", path=str(root / "a.csv"))["dataset"].df

    pd.testing.assert_frame_equal(df, FRAME, check_dtype=False)
    assert str(df["year"].dtype) == "Int64"


def test_a_pattern_concatenates_files_with_the_same_columns(root):
    (root / "parts").mkdir()
    FRAME.iloc[:2].to_parquet(root / "parts" / "1.parquet", index=False)
    FRAME.iloc[2:].to_parquet(root / "parts" / "2.parquet", index=False)

    df = run("import_data", data_source="Path or object-store URL", path=str(root / "parts" / "*.parquet"))[
        "dataset"
    ].df

    pd.testing.assert_frame_equal(df, FRAME)


def test_paths_outside_the_allowed_directories_are_refused(root, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "secret.csv"
    elsewhere.write_text("a\n1\n")

    with pytest.raises(ModuleError) as caught:
        run(
            "import_data",
            data_source="Path or object-store URL",
            path=str(root / ".." / elsewhere.parent.name / "secret.csv"),
        )

    assert caught.value.param == "path" and "outside the allowed directories" in caught.value.message


def test_import_over_http(web):
    df = run("import_data", url=f"{web}/weather.csv")["dataset"].df

    pd.testing.assert_frame_equal(df, FRAME, check_dtype=False)


def test_an_http_error_names_the_url_parameter(web):
    with pytest.raises(ModuleError) as caught:
        run("import_data", url=f"{web}/missing.csv")

    assert caught.value.param == "url" and "404" in caught.value.message


def test_export_to_a_database_table_then_import_it_with_a_query(warehouse):
    report = run(
        "export_data",
        {"dataset": DataTable(FRAME)},
        destination="Database table",
        connection="warehouse",
        table=warehouse,
    )

    back = run(
        "import_data", data_source="SQL query", connection="warehouse", query=f"SELECT * FROM {warehouse} ORDER BY year"
    )

    assert report["report"].df.to_dict("records") == [
        {"destination": f"warehouse:{warehouse}", "rows": 3, "columns": 3}
    ]
    pd.testing.assert_frame_equal(back["dataset"].df, FRAME, check_dtype=False)


def test_an_existing_table_is_not_overwritten_unless_asked(warehouse):
    first = {"dataset": DataTable(FRAME)}
    run("export_data", first, destination="Database table", connection="warehouse", table=warehouse)

    with pytest.raises(ModuleError) as caught:
        run("export_data", first, destination="Database table", connection="warehouse", table=warehouse)
    run("export_data", first, destination="Database table", connection="warehouse", table=warehouse, if_exists="append")
    count = run(
        "import_data", data_source="SQL query", connection="warehouse", query=f"SELECT count(*) AS n FROM {warehouse}"
    )

    assert caught.value.param == "if_exists"
    assert count["dataset"].df["n"].tolist() == [6]


def test_queries_run_read_only(warehouse):
    run(
        "export_data",
        {"dataset": DataTable(FRAME)},
        destination="Database table",
        connection="warehouse",
        table=warehouse,
    )

    with pytest.raises(ModuleError) as caught:
        run(
            "import_data", data_source="SQL query", connection="warehouse", query=f"DELETE FROM {warehouse} RETURNING *"
        )

    assert caught.value.param == "query" and "read-only" in caught.value.message


def test_an_unknown_connection_lists_the_configured_ones(warehouse):
    with pytest.raises(ModuleError) as caught:
        run("import_data", data_source="SQL query", connection="prod", query="SELECT 1")

    assert caught.value.param == "connection" and "available: warehouse" in caught.value.message


def test_export_to_a_file_refuses_to_overwrite_by_default(root):
    target = root / "out.csv"
    run("export_data", {"dataset": DataTable(FRAME)}, path=str(target))

    with pytest.raises(ModuleError) as caught:
        run("export_data", {"dataset": DataTable(FRAME)}, path=str(target))

    assert pd.read_csv(target).equals(FRAME)
    assert caught.value.param == "if_exists"


def test_enter_data_manually_reads_arff():
    text = "@relation w\n@attribute outlook {sunny, rainy}\n@attribute temp numeric\n@data\nsunny,85\nrainy,?\n"

    df = run("enter_data_manually", data_format="ARFF", data=text)["dataset"].df

    assert df["outlook"].tolist() == ["sunny", "rainy"]
    assert str(df["temp"].dtype) == "Int64" and df["temp"][0] == 85 and df["temp"].isna()[1]
