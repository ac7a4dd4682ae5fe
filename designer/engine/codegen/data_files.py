"""Which data files an export holds: one per dataset reference in the graph, named after its node.

The server that writes the export and the generator that writes the script both call
``dataset_fields``, so they agree on every file's key and path without passing more than the keys.
"""

from __future__ import annotations

from dataclasses import dataclass

from designer.engine.graph import Graph
from designer.engine.validate import dataset_refs
from modules.sdk import DatasetRef, Registry, dataset_kind


@dataclass(frozen=True)
class DataFile:
    """An exported data file a dataset field reads: its path in the export and what it holds."""

    path: str  # relative to the script's folder: "data/data.parquet"
    dataset_id: int
    kind: str = "table"  # "table" (Parquet) or "file" (a zip, read by File Dataset)


@dataclass(frozen=True)
class DatasetField:
    key: str  # "data" for a node's only dataset reference, else "node.field" (".i" in a list)
    node: str
    field: str  # "dataset", or "datasets.1" for the second reference in a list field
    ref: DatasetRef
    kind: str  # "table" or "file"

    @property
    def path(self) -> str:
        return f"data/{self.key}.{'zip' if self.kind == 'file' else 'parquet'}"

    def data_file(self) -> DataFile:
        return DataFile(self.path, self.ref.dataset_id, self.kind)


def dataset_fields(graph: Graph, registry: Registry) -> list[DatasetField]:
    """Every dataset reference of a resolved graph (parameters substituted), in document order."""
    found: list[DatasetField] = []
    for node in graph.nodes.values():
        cls = registry.get(node.module, node.version)
        refs = dataset_refs(cls.parse_params(node.params))
        for name, ref in refs:
            listed = isinstance(node.params.get(name), list)
            index = [r for n, r in refs if n == name].index(ref) if listed else None
            field = name if index is None else f"{name}.{index}"
            key = node.id if len(refs) == 1 else f"{node.id}.{field}"
            found.append(DatasetField(key, node.id, field, ref, dataset_kind(cls.Params, name)))
    return found
