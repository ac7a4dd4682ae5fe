"""The bundled sample pipelines trained in this process and turned into inference pipelines (no server).

What ``POST /runs`` and "Create inference pipeline" do, without Django's database: each node runs with
the engine's ``execute_node`` into a local artifact store, the real-time inference pipeline is derived
from the outputs, and each Web Service Input gets its drift baseline (the training rows) as the
endpoint services give it. Used by the ONNX export tests (tests/designer/onnx_export) and
``bench/onnx_vs_inprocess.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from designer.engine.execute import execute_node, load_output
from designer.engine.graph import Graph, Node, parse_graph
from designer.engine.inference import Derived, OutputRef, derive_inference_pipeline
from designer.engine.store import LocalArtifactStore
from modules.sdk import DataTable, LocalContext, Table, default_registry


@dataclass
class TrainedSample:
    slug: str
    training: Graph
    outputs: dict[str, dict[str, Any]]
    derived: Derived | None  # None: the sample serves nothing (no Score Model fed by a trained model)
    inference: Graph | None  # the derived graph with each Web Service Input's baseline
    why_not_derived: str = ""


def train_sample(slug: str, store: LocalArtifactStore) -> TrainedSample:
    from designer.datasets.samples import sample_named
    from designer.engine.inference import CannotDerive
    from designer.pipelines.samples import sample_pipeline

    sample = sample_pipeline(slug)
    ids = {name: i + 1 for i, name in enumerate(sample.datasets)}
    ctx = LocalContext(datasets={ids[n]: DataTable(sample_named(n).build()) for n in sample.datasets})
    graph = parse_graph(sample.build(ids))
    registry = default_registry()
    outputs: dict[str, dict[str, Any]] = {}
    for node_id in graph.topological_order():
        inputs = {e.target_port: outputs[e.source][e.source_port].digest for e in graph.incoming(node_id).values()}
        ctx.node_id = node_id
        outputs[node_id] = execute_node(graph.nodes[node_id], registry, inputs, store, ctx)
    refs = {(n, p): OutputRef(r.digest, r.type) for n, ports in outputs.items() for p, r in ports.items()}
    try:
        derived = derive_inference_pipeline(graph, registry, refs, lambda ref: load_output(store, ref.type, ref.digest))
    except CannotDerive as exc:
        return TrainedSample(slug, graph, outputs, None, None, str(exc))
    nodes = dict(derived.graph.nodes)
    for node_id, table in derived.sources.items():
        node = nodes[node_id]
        digest = store.put(Table.serialize(DataTable(table.df.reset_index(drop=True), {})))
        nodes[node_id] = Node(node.id, node.module, node.version, {**node.params, "baseline": digest}, node.regenerate)
    inference = Graph(nodes, derived.graph.edges, derived.graph.parameters, derived.graph.layout)
    return TrainedSample(slug, graph, outputs, derived, inference)
