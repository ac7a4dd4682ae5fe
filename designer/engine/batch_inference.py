"""Deriving a batch inference pipeline from a completed training run. Pure: no Django, no store writes.

The real-time derivation (``inference.py``) finds the scoring path: trained models and fitted
transformations pinned to the run's artifacts, a Web Service Input in place of the training data, a
Web Service Output after the scorer. A batch pipeline runs that same path over a whole dataset:

- the scoring path becomes the ``scoring_pipeline`` parameter of one Parallel Run node, which cuts
  its input into mini-batches, spreads them over the workers and puts the scored rows back in order;
- the training data source the Web Service Input stood for (a Dataset, Import Data, Enter Data
  Manually) stays, with its parameters, as the batch input: swap it on the canvas (a Dataset, or
  Import Data from a URL, path or SQL query), or bind it to a pipeline parameter, to score other data;
- a Register Dataset node saves the scored rows as the next version of a named dataset of the
  workspace; an Export Data node can be added after Parallel Run to write them elsewhere.

A pipeline whose scorer reads images, or that has more than one data input, is refused naming why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from modules.sdk import Registry

from .components import flatten_ids
from .graph import Edge, Graph, Node, to_document
from .inference import CannotDerive, Loader, OutputRef, derive_inference_pipeline
from .parameters import REF, reference
from .problems import Problem
from .titles import node_titles

PARALLEL_RUN = "parallel_run"
REGISTER = "register_dataset"
DATASET = "dataset"
INPUT_PARAMETER = "input_data"
IMAGE_INPUT = "web_service_image_input"
INPUT = "web_service_input"
OUTPUT = "web_service_output"
STEP = 160.0


@dataclass
class BatchDerived:
    graph: Graph
    notes: list[str] = field(default_factory=list)
    #: The node ids of the batch input, the Parallel Run node and the Register Dataset node.
    source: str = ""
    parallel_run: str = ""
    register: str = ""


def derive_batch_inference_pipeline(
    graph: Graph,
    registry: Registry,
    outputs: Mapping[tuple[str, str], OutputRef],
    load: Loader,
    *,
    output_dataset: str,
    titles: Mapping[str, str] | None = None,
) -> BatchDerived:
    """The batch pipeline of a training run; its scored rows are registered as a version of ``output_dataset``.

    ``titles``: node id -> its title on the canvas, which the notes name nodes by (module names when omitted)."""
    titles = titles or node_titles(graph, registry)
    real_time = derive_inference_pipeline(graph, registry, outputs, load, titles)
    inputs = [n for n in real_time.graph.nodes.values() if n.module in (INPUT, IMAGE_INPUT)]
    if any(n.module == IMAGE_INPUT for n in inputs):
        image_source = real_time.replaced_sources.get(inputs[0].id, ("", ""))[0] or None
        raise CannotDerive(
            [
                Problem(
                    "images",
                    "This run's model scores images; batch inference scores tables (a dataset, a file, a URL or a "
                    "query). Create a real-time inference pipeline for images instead.",
                    node=image_source,
                )
            ]
        )
    if len(inputs) != 1 or inputs[0].id not in real_time.replaced_sources:
        names = ", ".join(str(n.params.get("name", n.id)) for n in inputs)
        raise CannotDerive(
            [
                Problem(
                    "several_inputs",
                    f"The scoring path reads {len(inputs)} data inputs ({names}); a batch job scores one table. "
                    "Create a real-time inference pipeline, or join the inputs before scoring in training.",
                )
            ]
        )
    wsi = inputs[0]
    source_id, source_port = real_time.replaced_sources[wsi.id]
    source = graph.nodes[source_id]
    scoring = Graph(dict(real_time.graph.nodes), list(real_time.graph.edges), dict(real_time.graph.parameters), {})
    where = graph.layout.get(source_id, {})
    x, y = float(where.get("x", 0.0)), float(where.get("y", 0.0))

    run_id = _fresh("parallel_run", graph)
    register_id = _fresh("register_dataset", graph, taken=frozenset({run_id}))
    parallel, register = registry.get(PARALLEL_RUN), registry.get(REGISTER)
    # Every parameter written out, defaults included, so the mini-batch settings show in the document.
    batching = parallel.parse_params({"scoring_pipeline": to_document(scoring)}).model_dump(mode="json")
    saving = {"dataset_name": output_dataset, "description": "Scored rows of a batch inference pipeline."}
    saving = register.parse_params(saving).model_dump(mode="json")
    parameters, source_params = _input_parameter(graph, source)
    nodes = {
        source_id: Node(source_id, source.module, source.version, source_params),
        run_id: Node(run_id, PARALLEL_RUN, parallel.version, batching),
        register_id: Node(register_id, REGISTER, register.version, saving),
    }
    edges = [Edge(source_id, source_port, run_id, "dataset"),
             Edge(run_id, "scored_dataset", register_id, "dataset")]  # fmt: skip
    layout = {source_id: {"x": x, "y": y}, run_id: {"x": x, "y": y + STEP}, register_id: {"x": x, "y": y + 2 * STEP}}
    label = titles.get(source_id) or registry.get(source.module, source.version).name
    steps = [scoring.nodes[n] for n in scoring.topological_order() if scoring.nodes[n].module not in (INPUT, OUTPUT)]
    bound = reference(source_params.get("dataset")) if source.module == DATASET else None
    notes = [
        f"{label} kept as the batch input, bound to the pipeline parameter '{bound}': submit, publish or schedule "
        "it with another dataset (or, published, a CSV file) to score other data."
        if bound
        else f"{label} kept as the batch input: replace it (Dataset, or Import Data from a URL, path or SQL query), "
        "or bind it to a pipeline parameter, to score other data.",
        "Parallel Run scores it in mini-batches on every worker, through the scoring path of this run ("
        + ", ".join(titles.get(n.id) or registry.get(n.module, n.version).name for n in steps)
        + f"); its input '{wsi.params.get('name')}' takes {len(wsi.params.get('columns') or [])} columns.",
        f"Register Dataset saves the scored rows as the next version of the dataset '{output_dataset}'; add Export "
        "Data after Parallel Run to write them elsewhere too.",
        *[n for n in real_time.notes if "Web Service" not in n],  # what the scoring path keeps, pins and drops
    ]
    # A source inside a component (``prep/data``) is saved under a document id (``prep__data``).
    batch, renames = flatten_ids(Graph(nodes, edges, parameters, layout))
    return BatchDerived(batch, notes, renames.get(source_id, source_id), run_id, register_id)


def _input_parameter(graph: Graph, source: Node) -> tuple[dict[str, Any], dict[str, Any]]:
    """The pipeline's parameters and the batch input's fields: a Dataset input whose dataset is written in
    becomes the dataset parameter ``input_data`` (default: that dataset and version), so a
    published batch pipeline takes another dataset, or a file sent to its trigger URL, as its input."""
    parameters, params = dict(graph.parameters), dict(source.params)
    if source.module != DATASET or reference(params.get("dataset")) is not None:
        return parameters, params
    chosen = params.get("dataset")
    if not isinstance(chosen, Mapping) or "dataset_id" not in chosen:
        return parameters, params
    name, i = INPUT_PARAMETER, 1
    while name in parameters:
        i += 1
        name = f"{INPUT_PARAMETER}_{i}"
    parameters[name] = {
        "type": "dataset",
        "default": {"dataset_id": chosen["dataset_id"], "version": chosen.get("version")},
        "description": "The rows to score: a dataset of this workspace (no version: its latest when submitted).",
    }
    params["dataset"] = {REF: name}
    return parameters, params


def _fresh(base: str, graph: Graph, taken: frozenset[str] = frozenset()) -> str:
    candidate, i = base, 1
    while candidate in graph.nodes or candidate in taken:
        i += 1
        candidate = f"{base}_{i}"
    return candidate
