"""Build a pipeline document in Python, checked against the server's catalogue as you type.

    b = ws.pipeline_builder()
    data = b.dataset("adult")                                  # a dataset of the workspace, by name or id
    split = b.split_data(data.dataset, fraction_of_rows_in_first_output_dataset=0.7)
    learner = b.two_class_logistic_regression()
    train = b.train_model(learner.untrained_model, split.results_dataset1, label_column="income")
    score = b.score_model(train.trained_model, split.results_dataset2)
    b.evaluate_model(score.scored_dataset, node_id="eval")
    pipeline = b.push("Adult income")                          # or b.document()

Every module call is ``b.<module id>(*inputs, node_id=None, **inputs_and_params)``: positional
arguments fill the module's input ports in order, keywords name input ports or parameters. A module,
output port, input port or parameter the server does not have fails at once with ``UnknownName``,
naming it and suggesting the closest name. Values are checked by the server (``b.validate()``, push).
``b.parameter(name, type, default)`` declares a pipeline parameter and returns the reference to pass
as a value.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .catalogue import Catalogue, ModuleSpec
from .errors import UnknownName, UsageError
from .names import suggest

if TYPE_CHECKING:
    from .pipelines import Pipeline, Pipelines


class PortRef:
    """An output port of a node: pass it to an input of another node to draw an edge."""

    def __init__(self, node: str, port: str) -> None:
        self.node, self.port = node, port

    def __repr__(self) -> str:
        return f"{self.node}.{self.port}"


class NodeRef:
    """A node added to the builder; its output ports are attributes (``split.results_dataset1``)."""

    def __init__(self, node_id: str, spec: ModuleSpec) -> None:
        self.id = node_id
        self.spec = spec

    def __getattr__(self, name: str) -> PortRef:
        if name.startswith("__"):
            raise AttributeError(name)
        if name in self.spec.outputs:
            return PortRef(self.id, name)
        raise UnknownName(
            f"Node '{self.id}' ({self.spec.name}) has no output port '{name}'{suggest(name, self.spec.outputs)}; "
            f"its outputs: {', '.join(self.spec.outputs) or 'none'}."
        )

    def __dir__(self) -> list[str]:
        return [*self.spec.outputs, "id", "spec"]

    def __repr__(self) -> str:
        return f"<node '{self.id}' {self.spec.id} v{self.spec.version}: outputs {', '.join(self.spec.outputs)}>"


class PipelineBuilder:
    def __init__(
        self,
        catalogue: Catalogue,
        *,
        resolve_dataset: Callable[[int | str], int] | None = None,
        pipelines: Pipelines | None = None,
    ) -> None:
        self._catalogue = catalogue
        self._resolve_dataset = resolve_dataset
        self._pipelines = pipelines
        self._nodes: list[dict[str, Any]] = []
        self._edges: list[dict[str, Any]] = []
        self._parameters: dict[str, Any] = {}
        self._ids: set[str] = set()

    # -- modules ---------------------------------------------------------------------------------
    def __getattr__(self, module_id: str) -> Callable[..., NodeRef]:
        if module_id.startswith("_"):
            raise AttributeError(module_id)
        spec = self._catalogue.get(module_id)
        return lambda *inputs, node_id=None, **kwargs: self.add(spec.id, *inputs, node_id=node_id, **kwargs)

    def __dir__(self) -> list[str]:
        return [*self._catalogue.modules, "add", "dataset", "parameter", "document", "validate", "push"]

    def add(self, module_id: str, *inputs: PortRef, node_id: str | None = None, **kwargs: Any) -> NodeRef:
        """Add a node of ``module_id`` (the same as ``b.<module_id>(...)``)."""
        spec = self._catalogue.get(module_id)
        if len(inputs) > len(spec.inputs):
            raise UsageError(
                f"{spec.label()} takes {len(spec.inputs)} input(s) ({', '.join(spec.inputs) or 'none'}), "
                f"not {len(inputs)}."
            )
        wired = dict(zip(spec.inputs, inputs, strict=False))
        params: dict[str, Any] = {}
        for key, value in kwargs.items():
            if key in spec.inputs:
                if key in wired:
                    raise UsageError(f"{spec.label()}: input '{key}' is given twice.")
                wired[key] = value
            elif key in spec.params:
                params[key] = value
            else:
                names = spec.params + spec.inputs
                raise UnknownName(
                    f"Module {spec.label()} has no parameter or input '{key}'{suggest(key, names)}; "
                    f"parameters: {', '.join(spec.params) or 'none'}; inputs: {', '.join(spec.inputs) or 'none'}."
                )
        node = self._new_id(node_id or spec.id)
        for port, source in wired.items():
            if source is None:
                continue
            if not isinstance(source, PortRef):
                raise UsageError(
                    f"Input '{port}' of node '{node}' takes an output port such as split.results_dataset1, "
                    f"not {type(source).__name__}."
                )
            self._edges.append(
                {"source": {"node": source.node, "port": source.port}, "target": {"node": node, "port": port}}
            )
        self._nodes.append({"id": node, "module": spec.id, "version": spec.version, "params": params})
        return NodeRef(node, spec)

    def dataset(self, ref: int | str, version: int | None = None, *, node_id: str | None = None) -> NodeRef:
        """A Dataset node reading the workspace's dataset ``ref`` (name or id); ``version`` None: the latest."""
        dataset_id = self._resolve_dataset(ref) if self._resolve_dataset is not None else int(ref)
        value: dict[str, Any] = {"dataset_id": dataset_id}
        if version is not None:
            value["version"] = version
        return self.add("dataset", node_id=node_id or _slug(str(ref)) or "dataset", dataset=value)

    def parameter(self, name: str, type: str, default: Any = None, description: str = "") -> dict[str, str]:
        """Declare a pipeline parameter; pass the returned reference as a node's parameter value."""
        entry: dict[str, Any] = {"type": type, "description": description}
        if default is not None:
            entry["default"] = default
        self._parameters[name] = entry
        return {"$param": name}

    # -- the result ------------------------------------------------------------------------------
    def document(self) -> dict[str, Any]:
        return {
            "schema_version": 1,
            "nodes": [dict(n, params=dict(n["params"])) for n in self._nodes],
            "edges": [dict(e) for e in self._edges],
            "parameters": dict(self._parameters),
            "layout": {n["id"]: {"x": 0, "y": 120 * i} for i, n in enumerate(self._nodes)},
        }

    def validate(self) -> dict[str, Any]:
        if self._pipelines is None:
            raise UsageError("This builder is not attached to a workspace; use ws.pipeline_builder().")
        return self._pipelines.validate(self.document())

    def push(self, name: str, message: str = "") -> Pipeline:
        """Create the pipeline ``name`` (or save a new version of it when the document changed)."""
        if self._pipelines is None:
            raise UsageError("This builder is not attached to a workspace; use ws.pipeline_builder().")
        return self._pipelines.push(self.document(), name=name, message=message).pipeline

    def _new_id(self, wanted: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", wanted):
            raise UsageError(f"Node id '{wanted}' must be 1 to 64 letters, digits, '_' or '-'.")
        node, n = wanted, 2
        while node in self._ids:
            node, n = f"{wanted}_{n}", n + 1
        self._ids.add(node)
        return node


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", text).strip("_")[:64]
