"""Run a pipeline two ways, the engine node by node and its exported script in a fresh process, for comparison."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from designer.engine.codegen.data_files import dataset_fields
from designer.engine.codegen.script import ExportedCode, generate
from designer.engine.execute import OutputRecord, execute_node, load_output
from designer.engine.graph import parse_graph
from designer.engine.parameters import resolve
from designer.engine.store import LocalArtifactStore
from modules.sdk import DataTable, LocalContext, Table, default_registry


def run_engine(
    document: dict[str, Any], tables: Mapping[int, pd.DataFrame], tmp: Path, values: Mapping[str, Any] | None = None
) -> dict[tuple[str, str], Any]:
    """(node, port) -> output value, every node run by the engine from the store as a worker runs it."""
    registry = default_registry()
    graph = resolve(parse_graph(document), dict(values or {})).graph
    store = LocalArtifactStore(tmp / "store")
    datasets = {k: DataTable(df) for k, df in tables.items()}
    records: dict[str, dict[str, OutputRecord]] = {}
    for node_id in graph.topological_order():
        inputs = {e.target_port: records[e.source][e.source_port].digest for e in graph.incoming(node_id).values()}
        ctx = LocalContext(datasets=datasets, node_id=node_id, threads=os.cpu_count() or 1)
        records[node_id] = execute_node(graph.nodes[node_id], registry, inputs, store, ctx)
    return {(n, p): load_output(store, r.type, r.digest) for n, ports in records.items() for p, r in ports.items()}


def export(
    document: dict[str, Any],
    tables: Mapping[int, pd.DataFrame],
    folder: Path,
    values: Mapping[str, Any] | None = None,
    **options: Any,
) -> ExportedCode:
    """The script and notebook written into ``folder``, each dataset node's table in data/<node>.parquet."""
    (folder / "data").mkdir(parents=True, exist_ok=True)
    registry = default_registry()
    files = {}
    for item in dataset_fields(resolve(parse_graph(document), dict(values or {})).graph, registry):
        (folder / item.path).write_bytes(Table.serialize(DataTable(tables[item.ref.dataset_id])))
        files[item.key] = item.data_file()
    exported = generate(document, values=values, data_files=files, name="Test pipeline", origin="run 1", **options)
    (folder / "pipeline.py").write_text(exported.script)
    (folder / "pipeline.ipynb").write_text(json.dumps(exported.notebook, indent=1))
    return exported


def run_script(folder: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """``python pipeline.py`` in ``folder``, in a fresh process that knows nothing of Django or a database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "DATABASE", "REDIS", "TESSERA"))}
    return subprocess.run(
        [sys.executable, "pipeline.py"], cwd=folder, env=env, capture_output=True, text=True, timeout=timeout
    )


def script_outputs(folder: Path) -> dict[tuple[str, str], Any]:
    """(node, port) -> DataFrame or metrics dict, as the script wrote them to outputs/."""
    found: dict[tuple[str, str], Any] = {}
    for path in sorted((folder / "outputs").iterdir()):
        node, port = path.stem.split("__")
        found[(node, port)] = pd.read_parquet(path) if path.suffix == ".parquet" else json.loads(path.read_text())
    return found
