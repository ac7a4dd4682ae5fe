"""Readable data loading: a Dataset node reads the exported Parquet file of the version the run read."""

from __future__ import annotations

from designer.engine.codegen.literals import literal
from designer.engine.codegen.node_code import Emitter, NodeCode, NodeSpec


def dataset(spec: NodeSpec) -> NodeCode | None:
    path = spec.files.get("dataset")
    if path is None:
        return None
    return NodeCode(
        code=f"{spec.outputs['dataset']} = pd.read_parquet(HERE / {literal(path)})",
        imports=("import pandas as pd",),
    )


EMITTERS: dict[str, Emitter] = {"dataset": dataset}
