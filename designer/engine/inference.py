"""Deriving a real-time inference pipeline from a completed training run. Pure: no Django, no store writes.

The rules, applied to the one node that scores a trained model (Score Model or any module with a
trained-model input and a table input and output; Score Image Model, with a trained image model and
an image directory):

- the trained model becomes a Saved Trained Model (Saved Image Model) node pinned to the run's artifact;
- on the data path into the scorer, each node that fitted a transformation (it has a table input
  and both a table and a transformation output: Clean Missing Data, Normalize Data...) becomes
  Saved Transformation + Apply Transformation, so new rows get the training-time statistics;
- training-only row filters (``inference = "pass_through"``: Split Data...) are removed and their
  input flows straight on;
- each data source (Dataset, Enter Data Manually...) becomes a Web Service Input whose columns are
  the source's columns minus the label, with a few example rows; an image source (Convert to Image
  Directory) becomes a Web Service Image Input taking base64 images, with a few training images;
- other fixed inputs on the path (Init Image Transformation's steps, a File Dataset feeding a script's
  Script bundle) become Saved ... nodes pinned to their artifacts, so Apply Image Transformation keeps
  the training-time transformation and a script imports the training-time bundle;
- Execute Python (R) Script stays: each request's rows go through the script in its sandbox child.
  A second table input of such a script fed only from training-only sources (a lookup table) becomes
  a Saved Dataset pinned to the table of this run, rather than a second input callers must send;
- column selections on the path forget the label, which requests do not send;
- a Web Service Output is added after the scorer; everything else (Train Model, learners, Evaluate
  Model, other branches) is dropped.

Every step is reported in ``notes`` so the user sees what the conversion did, each node named by the
title the canvas shows it with (``titles``), never by its internal id. The derived graph is laid out
afresh (``layered.layered_layout``): its nodes stand where the training nodes stood otherwise, on top
of each other.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from modules.sdk import (
    ColumnSelection,
    DataTable,
    FittedModel,
    Module,
    Registry,
    Table,
    TrainedModel,
    Transformation,
    column_params,
)
from modules.sdk.ports import ImageDirectory, ImageTransformation, TrainedImageModel, ZipFile, image_format
from modules.sdk.values import FittedImageModel, ImageSet

from .components import flatten_ids
from .graph import Edge, Graph, Node
from .layered import layered_layout
from .problems import Problem
from .titles import node_titles

EXAMPLE_ROWS = 3
#: Port types of trained models a scorer reads, and of the data it scores.
MODEL_TYPES = (TrainedModel, TrainedImageModel)
DATA_TYPES = (Table, ImageDirectory)
#: The module that holds each kind of fixed input, and its output port, by port type name.
CONSTANTS = {
    TrainedModel.name: ("saved_trained_model", "trained_model"),
    TrainedImageModel.name: ("saved_image_model", "trained_model"),
    Transformation.name: ("saved_transformation", "transformation"),
    ImageTransformation.name: ("saved_image_transformation", "image_transformation"),
    ZipFile.name: ("saved_files", "files"),
    Table.name: ("saved_dataset", "dataset"),
}
IMAGE_INPUT = "web_service_image_input"
IMAGE_COLUMN = "image"


@dataclass(frozen=True)
class OutputRef:
    """An output of a completed node: its artifact digest and port type name."""

    digest: str
    type: str


class CannotDerive(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


@dataclass
class Derived:
    graph: Graph
    notes: list[str] = field(default_factory=list)
    label_column: str = ""
    model_digest: str = ""
    #: The training rows (minus the label) behind each Web Service Input, by node id: drift baselines.
    sources: dict[str, DataTable] = field(default_factory=dict)
    #: The training output each Web Service Input stands for (its data source's node and port), by node id.
    replaced_sources: dict[str, tuple[str, str]] = field(default_factory=dict)


#: Reads a run output back as a value (a DataTable or FittedModel), given its reference.
Loader = Callable[[OutputRef], Any]


def derive_inference_pipeline(
    graph: Graph,
    registry: Registry,
    outputs: Mapping[tuple[str, str], OutputRef],
    load: Loader,
    titles: Mapping[str, str] | None = None,
) -> Derived:
    """``titles``: node id -> its title on the canvas (``titles.node_titles``); module names when omitted."""
    return _Deriver(graph, registry, outputs, load, titles or node_titles(graph, registry)).derive()


def _is_scorer(cls: type[Module]) -> bool:
    if cls.inference == "drop":
        return False  # e.g. Permutation Feature Importance: reads a model and a table, serves nothing
    ins = [p.type for p in cls.inputs.values()]
    return (
        any(t in ins for t in MODEL_TYPES)
        and any(t in ins for t in DATA_TYPES)
        and any(p.type is Table for p in cls.outputs.values())
    )


def _reads_model(cls: type[Module]) -> bool:
    return any(p.type in MODEL_TYPES for p in cls.inputs.values())


def _writes_model(cls: type[Module]) -> bool:
    return any(p.type in MODEL_TYPES for p in cls.outputs.values())


def _fits_transformation(cls: type[Module]) -> bool:
    ins = [p for p in cls.inputs.values() if p.type is Table]
    outs = {p.type for p in cls.outputs.values()}
    return len(cls.inputs) == 1 and len(ins) == 1 and Table in outs and Transformation in outs


def _plain(value: Any) -> Any:
    """A cell as JSON: numpy scalars to Python, NaN/NA to None, timestamps to ISO text."""
    if value is None:
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return None
    except ImportError:  # pragma: no cover - pandas is a dependency
        pass
    return value


class _Deriver:
    def __init__(
        self,
        graph: Graph,
        registry: Registry,
        outputs: Mapping[tuple[str, str], OutputRef],
        load: Loader,
        titles: Mapping[str, str],
    ) -> None:
        self.graph = graph
        self.titles = titles
        self.registry = registry
        self.outputs = outputs
        self.load = load
        self.nodes: dict[str, Node] = {}
        self.edges: list[Edge] = []
        self.layout: dict[str, dict[str, Any]] = {}
        self.notes: list[str] = []
        self.built: dict[tuple[str, str], tuple[str, str]] = {}
        self.label = ""
        self.inputs_made = 0
        self.sources: dict[str, DataTable] = {}
        self.source_nodes: dict[str, tuple[str, str]] = {}  # Web Service Input -> the source output it replaced
        self.replaced: set[str] = set()  # training nodes whose role a new node took over (noted already)

    # -- helpers -----------------------------------------------------------------------------
    def cls(self, node_id: str) -> type[Module]:
        node = self.graph.nodes[node_id]
        return self.registry.get(node.module, node.version)

    def name(self, node_id: str) -> str:
        return self.titles.get(node_id) or self.cls(node_id).name

    def fail(self, code: str, message: str, node: str | None = None) -> CannotDerive:
        return CannotDerive([Problem(code, message, node=node)])

    def output(self, node_id: str, port: str) -> OutputRef:
        ref = self.outputs.get((node_id, port))
        if ref is None:
            raise self.fail(
                "missing_output",
                f"{self.name(node_id)} has no output '{port}' in this run; run the pipeline to completion first.",
                node_id,
            )
        return ref

    def fresh_id(self, base: str) -> str:
        candidate, i = base, 1
        while candidate in self.nodes or candidate in self.graph.nodes:
            i += 1
            candidate = f"{base}_{i}"
        return candidate

    def place(self, new_id: str, near: str, dx: float = 0.0, dy: float = 0.0) -> None:
        where = self.graph.layout.get(near, {})
        self.layout[new_id] = {"x": float(where.get("x", 0.0)) + dx, "y": float(where.get("y", 0.0)) + dy}

    def add(self, node: Node) -> None:
        self.nodes[node.id] = node

    def connect(self, source: tuple[str, str], target: str, port: str) -> None:
        self.edges.append(Edge(source[0], source[1], target, port))

    def constant(self, node_id: str, port: str) -> tuple[str, str]:
        """A Saved Trained Model / Saved Transformation (...) node holding ``node_id``'s output ``port``."""
        ref = self.output(node_id, port)
        if ref.type in CONSTANTS:
            module, out = CONSTANTS[ref.type]
        else:
            raise self.fail(
                "unsupported_input",
                f"{self.name(node_id)} feeds the scoring path with a {ref.type}, which cannot be a fixed input.",
                node_id,
            )
        self.replaced.add(node_id)
        new_id = self.fresh_id(f"{node_id}_saved")
        cls = self.registry.get(module)
        source = f"{self.name(node_id)}, output '{port}'"
        self.add(Node(new_id, module, cls.version, {"artifact": ref.digest, "source": source[:300]}))
        self.place(new_id, node_id)
        if ref.type == ZipFile.name:
            self.notes.append(
                f"{self.name(node_id)} replaced by Saved Files pinned to the zip this run read, so the script "
                "imports the same bundle at scoring time."
            )
        elif ref.type == Table.name:
            self.notes.append(
                f"{self.name(node_id)} replaced by a Saved Dataset pinned to the table of this run: it does not "
                "depend on the scored rows, so requests do not send it."
            )
        elif ref.type == ImageTransformation.name:
            self.notes.append(
                f"{self.name(node_id)} replaced by a Saved Image Transformation with the steps of this run, so "
                "request images are transformed as the training images were."
            )
        return new_id, out

    # -- the derivation ----------------------------------------------------------------------
    def derive(self) -> Derived:
        scorer = self.find_scorer()
        scorer_cls = self.cls(scorer)
        incoming = self.graph.incoming(scorer)
        model_port = next(n for n, p in scorer_cls.inputs.items() if p.type in MODEL_TYPES)
        model_edge = incoming[model_port]
        model_ref = self.output(model_edge.source, model_edge.source_port)
        model = self.load(model_ref)
        if isinstance(model, FittedImageModel):
            about = f"classes {', '.join(repr(c) for c in model.classes[:10])}"
            about += ", ..." if len(model.classes) > 10 else ""
        elif isinstance(model, FittedModel):
            self.label = model.label_column
            about = f"label '{self.label}'"
        else:
            raise self.fail("not_a_model", f"{self.name(model_edge.source)} did not output a trained model.", scorer)

        copy = self.graph.nodes[scorer]
        self.add(Node(scorer, copy.module, copy.version, dict(copy.params)))
        self.layout[scorer] = dict(self.graph.layout.get(scorer, {}))
        saved = self.constant(model_edge.source, model_edge.source_port)
        kind = self.registry.get(self.nodes[saved[0]].module).name
        self.notes.append(f"{self.name(model_edge.source)} replaced by a {kind} pinned to this run's model ({about}).")
        self.connect(saved, scorer, model_port)
        for port, edge in incoming.items():
            if port == model_port:
                continue
            self.connect(self.rebuild(edge.source, edge.source_port), scorer, port)

        scored_port = next(n for n, p in scorer_cls.outputs.items() if p.type is Table)
        output_id = self.fresh_id("web_service_output")
        self.add(Node(output_id, "web_service_output", self.registry.get("web_service_output").version, {}))
        self.place(output_id, scorer, dy=140.0)
        self.connect((scorer, scored_port), output_id, "dataset")
        self.notes.append(f"Web Service Output added after {self.name(scorer)}.")

        dropped = [n for n in self.graph.nodes if n not in self.nodes and n not in self.replaced]
        if dropped:
            self.notes.append(
                "Dropped (training and evaluation only): " + ", ".join(self.name(n) for n in dropped) + "."
            )
        graph = Graph(self.nodes, self.edges, dict(self.graph.parameters), self.layout)
        graph = Graph(self.nodes, self.edges, dict(self.graph.parameters), layered_layout(graph, self.registry))
        # Nodes that ran inside a component (``prep/clean``) are inlined: the derived pipeline is a document.
        graph, renames = flatten_ids(graph)
        return Derived(
            graph,
            self.notes,
            self.label,
            model_ref.digest,
            {renames.get(k, k): v for k, v in self.sources.items()},
            {renames.get(k, k): v for k, v in self.source_nodes.items()},
        )

    def find_scorer(self) -> str:
        scorers = [n for n in self.graph.nodes if n in self.registry_known() and _is_scorer(self.cls(n))]
        fed = [n for n in scorers if _reads_model(self.cls(n))]
        fed = [n for n in fed if all(port in self.graph.incoming(n) for port in self.cls(n).inputs)]
        if len(fed) == 1:
            return fed[0]
        if not fed:
            trainers = [n for n in self.graph.nodes if n in self.registry_known() and _writes_model(self.cls(n))]
            if trainers:
                raise self.fail(
                    "no_scorer",
                    f"{self.name(trainers[0])} trains a model, but no Score Model uses it: add a Score Model fed by "
                    "the trained model and the data to score, so Tessera knows which data path to serve.",
                    trainers[0],
                )
            raise self.fail(
                "no_trained_model",
                "This pipeline trains no model (it has no Train Model node), so there is nothing to serve.",
            )
        names = ", ".join(self.name(n) for n in fed)
        raise self.fail(
            "several_candidates",
            f"More than one node scores a trained model ({names}); an endpoint serves one. "
            "Clone the pipeline, keep the Score Model to serve, and create the inference pipeline from a run of that.",
            fed[1],
        )

    def registry_known(self) -> set[str]:
        return {n for n, node in self.graph.nodes.items() if node.module in self.registry}

    def rebuild(self, node_id: str, port: str) -> tuple[str, str]:
        """The (node, port) in the new graph that gives what ``node_id``'s ``port`` gave in training."""
        key = (node_id, port)
        if key not in self.built:
            self.built[key] = self._rebuild(node_id, port)
        return self.built[key]

    def _rebuild(self, node_id: str, port: str) -> tuple[str, str]:
        cls = self.cls(node_id)
        out_type = cls.outputs[port].type if port in cls.outputs else None
        if out_type is not None and out_type not in DATA_TYPES:
            return self.constant(node_id, port)  # models, transformations: fixed inputs
        node = self.graph.nodes[node_id]
        incoming = self.graph.incoming(node_id)
        table_inputs = [n for n, p in cls.inputs.items() if p.type is Table]
        if out_type is ImageDirectory and not any(p.type is ImageDirectory for p in cls.inputs.values()):
            return self.web_service_image_input(node_id, port)  # Convert to Image Directory
        if not cls.inputs:
            return self.web_service_input(node_id, port)
        data_inputs = [n for n, p in cls.inputs.items() if p.type is (out_type or Table)]
        if cls.inference == "pass_through" and len(data_inputs) == 1 and data_inputs[0] in incoming:
            edge = incoming[data_inputs[0]]
            self.notes.append(f"{self.name(node_id)} removed: scoring uses every row it is sent.")
            self.replaced.add(node_id)
            return self.rebuild(edge.source, edge.source_port)
        if _fits_transformation(cls) and table_inputs[0] in incoming:
            transform_port = next(n for n, p in cls.outputs.items() if p.type is Transformation)
            saved = self.constant(node_id, transform_port)
            apply_id = self.fresh_id(f"{node_id}_apply")
            params = {"absent_columns": [self.label]} if self.label else {}
            self.add(Node(apply_id, "apply_transformation", self.registry.get("apply_transformation").version, params))
            self.layout[apply_id] = dict(self.graph.layout.get(node_id, {}))
            self.place(saved[0], node_id, dx=-220.0)
            self.connect(saved, apply_id, "transformation")
            edge = incoming[table_inputs[0]]
            self.connect(self.rebuild(edge.source, edge.source_port), apply_id, "dataset")
            self.notes.append(
                f"{self.name(node_id)} replaced by Apply Transformation with the transformation it fitted in this run."
            )
            return apply_id, "transformed_dataset"
        self.add(
            Node(node_id, node.module, node.version, self.forget_label(node_id, cls, node.params), node.regenerate)
        )
        self.layout[node_id] = dict(self.graph.layout.get(node_id, {}))
        pinned = self.fixed_tables(cls, incoming) if cls.runs_user_code else set()
        for in_port, edge in incoming.items():
            if in_port in pinned:
                self.connect(self.constant(edge.source, edge.source_port), node_id, in_port)
                continue
            self.connect(self.rebuild(edge.source, edge.source_port), node_id, in_port)
        if cls.runs_user_code:
            self.notes.append(
                f"{self.name(node_id)} kept: each request's rows run through its script in a separate, limited "
                "process (about a second per call); the script must not expect the label column."
            )
        return node_id, port

    def fixed_tables(self, cls: type[Module], incoming: Mapping[str, Edge]) -> set[str]:
        """A script's table inputs after the first that share no source with it: fixed tables, not requests."""
        tables = [n for n, p in cls.inputs.items() if p.type is Table and n in incoming]
        if len(tables) < 2:
            return set()
        main = self.upstream(incoming[tables[0]].source)
        return {n for n in tables[1:] if not self.upstream(incoming[n].source) & main}

    def upstream(self, node_id: str) -> set[str]:
        seen, todo = {node_id}, [node_id]
        while todo:
            for parent in self.graph.parents(todo.pop()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return seen

    def forget_label(self, node_id: str, cls: type[Module], params: dict[str, Any]) -> dict[str, Any]:
        """Column selections without the label: requests do not send it."""
        out = dict(params)
        for name, widget, _port in column_params(cls.Params):
            if widget != "columns" or name not in out or not self.label:
                continue
            selection = ColumnSelection.model_validate(out[name])
            if self.label not in selection.referenced_names():
                continue
            rules = [r.model_copy(update={"names": [n for n in r.names if n != self.label]}) for r in selection.rules]
            cleaned = selection.model_copy(update={"rules": rules})
            out[name] = cleaned.model_dump(mode="json")
            self.notes.append(f"{self.name(node_id)} no longer selects the label '{self.label}'.")
        return out

    def web_service_input(self, node_id: str, port: str) -> tuple[str, str]:
        table = self.load(self.output(node_id, port))
        if not isinstance(table, DataTable):
            raise self.fail("not_a_table", f"{self.name(node_id)} did not output a table in this run.", node_id)
        df = table.df.drop(columns=[self.label]) if self.label in table.df.columns else table.df
        schema = DataTable(df).schema
        columns = [{"name": c.name, "type": c.dtype} for c in schema.columns]
        example = [{str(k): _plain(v) for k, v in row.items()} for row in df.head(EXAMPLE_ROWS).to_dict("records")]
        self.replaced.add(node_id)
        name = f"WebServiceInput{self.inputs_made}"
        self.inputs_made += 1
        new_id = self.fresh_id("web_service_input")
        module = self.registry.get("web_service_input")
        self.add(
            Node(new_id, "web_service_input", module.version, {"name": name, "columns": columns, "example": example})
        )
        self.layout[new_id] = dict(self.graph.layout.get(node_id, {}))
        self.sources[new_id] = DataTable(df, {})
        self.source_nodes[new_id] = (node_id, port)
        without = f" minus the label '{self.label}'" if self.label in table.df.columns else ""
        self.notes.append(
            f"{self.name(node_id)} replaced by Web Service Input '{name}' ({len(columns)} columns: the training "
            f"columns{without})."
        )
        return new_id, "request"

    def web_service_image_input(self, node_id: str, port: str) -> tuple[str, str]:
        from modules.library.web_service.web_service_image_input import encode_image

        images = self.load(self.output(node_id, port))
        if not isinstance(images, ImageSet):
            raise self.fail(
                "not_images", f"{self.name(node_id)} did not output an image directory in this run.", node_id
            )
        readable = [f for f in images.images if image_format(f.data) is not None]
        example = [{IMAGE_COLUMN: encode_image(f.data)} for f in _one_per_class(readable)[:EXAMPLE_ROWS]]
        self.replaced.add(node_id)
        name = f"WebServiceInput{self.inputs_made}"
        self.inputs_made += 1
        new_id = self.fresh_id("web_service_input")
        module = self.registry.get(IMAGE_INPUT)
        params = {"name": name, "column": IMAGE_COLUMN, "example": example}
        self.add(Node(new_id, IMAGE_INPUT, module.version, params))
        self.layout[new_id] = dict(self.graph.layout.get(node_id, {}))
        self.notes.append(
            f"{self.name(node_id)} replaced by Web Service Image Input '{name}': each request row sends one PNG or "
            f"JPEG image as base64 text in the column '{IMAGE_COLUMN}' ({len(example)} training images as examples)."
        )
        return new_id, "request"


def _one_per_class(images: list[Any]) -> list[Any]:
    """The images in an order that shows each class once before any class twice (examples that differ)."""
    rounds: dict[Any, int] = {}
    ranked = []
    for position, image in enumerate(images):
        turn = rounds.get(image.label, 0)
        rounds[image.label] = turn + 1
        ranked.append((turn, position, image))
    return [image for _, _, image in sorted(ranked, key=lambda t: (t[0], t[1]))]
