"""A real-time inference pipeline as one ONNX model, checked against Score Model before it is handed out.

The pipeline (``inference.derive_inference_pipeline``'s graph: Web Service Input -> saved
transformations, column selections -> Score Model with a Saved Trained Model -> Web Service Output)
is converted node by node in topological order (``steps``); the trained model is converted on its
own (``model``) and joined behind the columns it reads with ``onnx.compose.merge_models``. Every
module on the way must have a converter; otherwise the export is refused naming each node that has
none and why (``support``), before anything is built.

At export the ONNX model runs under onnxruntime on up to ``CHECK_ROWS`` training rows (the Web
Service Input's drift baseline, a sample of the rows the model was trained on) and must give Score
Model's answers, which the same pipeline computes in-process (``scoring.ScoringPipeline``), within
``check.TOLERANCE``; otherwise the export is refused with the first difference.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from designer.engine.execute import load_output
from designer.engine.graph import Graph
from designer.engine.titles import node_titles
from modules.sdk import DataTable, Registry

from . import steps
from .check import CHECK_ROWS, Checked, ExportMismatch, compare, run, session
from .errors import ExportRefused
from .model import OPSET, export_model
from .support import reason

SCORERS = ("score_model", "assign_data_to_clusters")
INPUT, OUTPUT = "web_service_input", "web_service_output"


@dataclass
class Exported:
    """The ONNX file, what it takes and gives, and how the check at export went."""

    model: bytes
    inputs: list[dict[str, str]]  # [{name, type (Tessera), onnx}]
    outputs: list[str]
    checked: Checked | None = None
    notes: list[str] = field(default_factory=list)

    def describe(self) -> dict[str, Any]:
        return {
            "inputs": self.inputs,
            "outputs": self.outputs,
            "check": self.checked.to_json() if self.checked else None,
            "bytes": len(self.model),
            "notes": self.notes,
        }


class _Store:
    def __init__(self, read: Callable[[str], bytes]) -> None:
        self.get = read


def unsupported(graph: Graph, registry: Registry, titles: Mapping[str, str]) -> list[tuple[str, str]]:
    """(node title, why) for every node of ``graph`` with no ONNX converter, in topological order."""
    found = []
    for node_id in graph.topological_order():
        why = reason(graph.nodes[node_id].module)
        if why:
            found.append((titles.get(node_id, node_id), why))
    return found


def export_pipeline(
    graph: Graph,
    registry: Registry,
    read_artifact: Callable[[str], bytes],
    *,
    titles: Mapping[str, str] | None = None,
    check: bool = True,
    check_rows: int = CHECK_ROWS,
) -> Exported:
    """The inference pipeline ``graph`` as ONNX, checked against Score Model on its training rows."""
    titles = dict(titles or node_titles(graph, registry))
    refused = unsupported(graph, registry, titles)
    if refused:
        listed = "; ".join(f"{title}: {why}" for title, why in refused)
        raise ExportRefused(
            f"This pipeline cannot be exported as ONNX. {listed}.",
            node=refused[0][0],
            module=graph.nodes[_node_of(titles, refused[0][0])].module,
        )
    by_module: dict[str, list[str]] = {}
    for node_id, node in graph.nodes.items():
        by_module.setdefault(node.module, []).append(node_id)
    for module, label in ((INPUT, "Web Service Input"), (OUTPUT, "Web Service Output")):
        if len(by_module.get(module, [])) != 1:
            raise ExportRefused(
                f"An ONNX export takes a pipeline with exactly one {label}; this one has "
                f"{len(by_module.get(module, []))}.",
                code="shape",
            )
    scorers = [n for m in SCORERS for n in by_module.get(m, [])]
    if len(scorers) != 1:
        raise ExportRefused(f"An ONNX export takes one Score Model; this pipeline has {len(scorers)}.", code="shape")

    store = _Store(read_artifact)
    b = steps.Builder()
    input_cols, scored = _convert_nodes(graph, registry, store, titles, b)
    where, fitted, cols = scored
    onx = _join(b, input_cols, fitted, cols, where)
    exported = Exported(
        onx.SerializeToString(),
        [{"name": c.name, "type": c.dtype, "onnx": c.kind} for c in input_cols],
        [o.name for o in onx.graph.output],
    )
    if check:
        rows = _training_rows(graph, by_module[INPUT][0], store, check_rows)
        if rows is None:
            raise ExportRefused(
                "The Web Service Input keeps no training rows (no drift baseline), so the ONNX answers cannot be "
                "checked against Score Model's; derive the inference pipeline again from its training run.",
                node=titles.get(by_module[INPUT][0], INPUT),
                code="no_training_rows",
            )
        exported.checked = check_against_score_model(exported, graph, registry, read_artifact, rows)
        exported.notes.append(
            f"Checked at export: onnxruntime gave Score Model's answers on {exported.checked.rows} training rows "
            f"(largest difference {exported.checked.max_difference:.2g})."
        )
    return exported


def _convert_nodes(
    graph: Graph, registry: Registry, store: _Store, titles: Mapping[str, str], b: steps.Builder
) -> tuple[list[steps.Col], tuple[str, Any, list[steps.Col]]]:
    """Each node in topological order: the request's columns, and the scorer's title, model and columns."""
    tables: dict[tuple[str, str], list[steps.Col]] = {}
    values: dict[tuple[str, str], Any] = {}
    scored: tuple[str, Any, list[steps.Col]] | None = None
    input_cols: list[steps.Col] = []
    for node_id in graph.topological_order():
        node = graph.nodes[node_id]
        where = titles.get(node_id, node_id)
        incoming = graph.incoming(node_id)
        module = node.module
        if module == INPUT:
            input_cols = steps.request_columns(b, node.params, where)
            tables[(node_id, "request")] = input_cols
        elif module == "saved_trained_model":
            values[(node_id, "trained_model")] = load_output(store, "trained_model", str(node.params["artifact"]))  # type: ignore[arg-type]
        elif module == "saved_transformation":
            values[(node_id, "transformation")] = load_output(store, "transformation", str(node.params["artifact"]))  # type: ignore[arg-type]
        elif module == "select_columns":
            params = registry.get(module, node.version).parse_params(node.params)
            tables[(node_id, "results_dataset")] = steps.select_columns(
                b, _table(tables, incoming, "dataset"), params, where
            )
        elif module == "edit_metadata":
            params = registry.get(module, node.version).parse_params(node.params)
            tables[(node_id, "results_dataset")] = steps.edit_metadata(
                b, _table(tables, incoming, "dataset"), params, where
            )
        elif module == "apply_transformation":
            edge = incoming["transformation"]
            transform = values[(edge.source, edge.source_port)]
            tables[(node_id, "transformed_dataset")] = steps.apply_transformation(
                b,
                _table(tables, incoming, "dataset"),
                transform.kind,
                transform.spec,
                list(node.params.get("absent_columns") or []),
                where,
            )
        elif module in SCORERS:
            edge = incoming["trained_model"]
            scored = (where, values[(edge.source, edge.source_port)], _table(tables, incoming, "dataset"))
        # web_service_output: the scorer's columns are the outputs
    assert scored is not None
    return input_cols, scored


def _node_of(titles: Mapping[str, str], title: str) -> str:
    return next(n for n, t in titles.items() if t == title)


def _table(
    tables: Mapping[tuple[str, str], list[steps.Col]], incoming: Mapping[str, Any], port: str
) -> list[steps.Col]:
    edge = incoming[port]
    return tables[(edge.source, edge.source_port)]


def _join(b: steps.Builder, input_cols: list[steps.Col], fitted: Any, cols: list[steps.Col], where: str) -> Any:
    """The request columns' graph joined to the converted model, outputs renamed to Score Model's columns."""
    import onnx
    from onnx import compose, helper

    model = export_model(fitted, what=fitted.name or where)
    by_name = {c.name: c for c in cols}
    features = []
    for feature, dtype in fitted.feature_types.items():
        col = by_name.get(feature)
        if col is None:
            raise ExportRefused(
                f"{where}: the model reads column '{feature}', which does not reach it in this pipeline.", node=where
            )
        tensor = steps.feature_tensor(b, col, dtype, where)
        features.append((b.op("Identity", [tensor], f"feature/{feature}"), feature, dtype))
    kinds = {"double": onnx.TensorProto.DOUBLE, "string": onnx.TensorProto.STRING}
    from .model import feature_kind

    front_outputs = [
        helper.make_tensor_value_info(t, kinds[feature_kind(d, f, where)], [None, 1]) for t, f, d in features
    ]
    front = helper.make_model(
        helper.make_graph(b.nodes, "request", b.inputs, front_outputs, b.initializers),
        opset_imports=list(model.opset_import),
    )
    front.ir_version = model.ir_version
    model = compose.add_prefix(model, "model/")
    joined = compose.merge_models(front, model, io_map=[(t, f"model/{f}") for t, f, _ in features])
    graph = joined.graph
    outputs = []
    for out in list(graph.output):
        name = out.name.removeprefix("model/")
        graph.node.append(helper.make_node("Identity", [out.name], [name]))
        outputs.append(helper.make_tensor_value_info(name, out.type.tensor_type.elem_type, [None]))
    del graph.output[:]
    graph.output.extend(outputs)
    graph.name = "tessera_inference_pipeline"
    helper.set_model_props(
        joined,
        {
            "tessera.inputs": json.dumps([{"name": c.name, "type": c.dtype} for c in input_cols]),
            "tessera.outputs": json.dumps([o.name for o in outputs]),
            "tessera.label": fitted.label_column,
        },
    )
    joined.doc_string = model.doc_string
    onnx.checker.check_model(joined)
    assert all(o.version for o in joined.opset_import if o.domain == "") and OPSET
    return joined


def _training_rows(graph: Graph, input_node: str, store: _Store, limit: int) -> DataTable | None:
    digest = graph.nodes[input_node].params.get("baseline")
    if not digest:
        return None
    table: DataTable = load_output(store, "table", str(digest))  # type: ignore[arg-type]
    df = table.df.head(limit).reset_index(drop=True)
    return DataTable(df, {})


def feeds(exported: Exported, df: Any) -> dict[str, Any]:
    """The ONNX inputs for the rows of ``df`` (request columns): each [N, 1], typed as the model takes them."""
    import numpy as np
    import pandas as pd

    out: dict[str, Any] = {}
    for spec in exported.inputs:
        name, kind = spec["name"], spec["onnx"]
        column = df[name]
        if kind == "double":
            values = pd.to_numeric(column).to_numpy(dtype="float64", na_value=np.nan)
        elif kind == "bool":
            values = column.astype(bool).to_numpy(dtype=bool)
        else:
            values = np.array(["" if _missing(v) else str(v) for v in column.tolist()], dtype=object)
        out[name] = values.reshape(-1, 1)
    return out


def _missing(value: Any) -> bool:
    import pandas as pd

    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def check_against_score_model(
    exported: Exported, graph: Graph, registry: Registry, read_artifact: Callable[[str], bytes], rows: DataTable
) -> Checked:
    """onnxruntime's answers vs. the pipeline scored in-process (Score Model's), or ``ExportRefused``."""
    from designer.engine.scoring import ScoringPipeline

    pipeline = ScoringPipeline.load(graph, registry, read_artifact)
    name = pipeline.inputs[0].name
    expected = next(iter(pipeline.score({name: rows}).values())).df
    try:
        got = run(session(exported.model), feeds(exported, rows.df))
        return compare(expected, got)
    except ExportMismatch as exc:
        raise ExportRefused(
            f"The ONNX model does not give Score Model's answers on the training rows: {exc}; not exported.",
            code="check_failed",
        ) from None
