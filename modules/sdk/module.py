"""The Module base class: declarative ports and parameters collected once, one pure ``run``."""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from .context import RunContext
from .params import ParamModel, column_params
from .ports import In, Out
from .schema import TableSchema
from .values import DataTable

CATEGORIES = (
    "Data Input and Output",
    "Data Transformation",
    "Feature Selection",
    "Statistical Functions",
    "Machine Learning Algorithms",
    "Model Training",
    "Model Scoring & Evaluation",
    "Python Language",
    "R Language",
    "Text Analytics",
    "Computer Vision",
    "Recommendation",
    "Anomaly Detection",
    "Web Service",
    "Utilities",
)


@dataclass(frozen=True)
class RemovedRows:
    """Why some rows of a module's table input are not in its output, for a scoring answer.

    ``rows`` are index labels of the input table; ``reason`` completes the sentence "<node> removed rows
    ...", e.g. "with a missing value in column 'age'"; ``columns`` name the columns at fault, if any;
    ``by`` names the module whose fitted transformation removed them, when another module applied it.
    """

    rows: list[Any]
    reason: str
    columns: tuple[str, ...] = ()
    by: str = ""


class Module:
    """Subclass, declare, implement ``run``. See ``modules/library`` for examples.

    ``run(inputs, params, ctx)`` gets deserialized values keyed by input port name (optional ports
    that are not connected are absent) and returns a dict keyed by output port name. It must be
    pure: everything outside its arguments is reached through ``ctx``.
    """

    id: ClassVar[str]
    version: ClassVar[int] = 1
    name: ClassVar[str]
    category: ClassVar[str]
    description: ClassVar[str] = ""
    queue: ClassVar[str] = "cpu"  # "gpu" for modules that want a GPU worker when one exists
    #: What deriving an inference pipeline does with this node: "keep" it, "pass_through" (a
    #: training-only row filter such as Split Data: its input flows straight on) or "drop" it.
    inference: ClassVar[str] = "keep"
    #: Modules that execute user-supplied code never run it inside a scoring server...
    runs_user_code: ClassVar[bool] = False
    #: ...unless that code runs only in the sandbox child process (time and memory limits, an
    #: environment built from nothing, a throwaway directory), never in the calling process.
    user_code_sandboxed: ClassVar[bool] = False
    #: A module whose table output can hold fewer rows than its (first) table input keeps the kept
    #: rows' index labels (a boolean mask or ``dropna`` does; ``reset_index`` does not), so a scoring
    #: answer can say which request rows it removed. Without it, a changed row count is "untraceable".
    keeps_row_labels: ClassVar[bool] = False
    #: Placed by the planner only (the script component runner): absent from the catalogue and palette.
    hidden: ClassVar[bool] = False

    class Inputs:
        pass

    class Outputs:
        pass

    class Params(ParamModel):
        pass

    inputs: ClassVar[dict[str, In]] = {}
    outputs: ClassVar[dict[str, Out]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.inputs = _collect(cls.Inputs, In)
        cls.outputs = _collect(cls.Outputs, Out)

    # -- behaviour --------------------------------------------------------------------------
    def run(self, inputs: dict[str, Any], params: Any, ctx: RunContext) -> dict[str, Any]:
        raise NotImplementedError  # every concrete module overrides this; the registry checks it

    def run_part(self, inputs: dict[str, Any], params: Any, ctx: RunContext, item: Any) -> Any:
        """One part of the work ``run`` hands to ``ctx.map``, possibly on another worker.

        Only modules that split their work override it (Tune Model Hyperparameters: one trial per
        part). It gets the node's own inputs and parameters and one JSON item, and returns JSON.
        """
        raise NotImplementedError(f"{type(self).__name__} does not split its work into parts")

    def infer_schemas(self, inputs: Mapping[str, TableSchema | None], params: Any) -> dict[str, TableSchema | None]:
        """Output table schemas from input schemas, without running. ``None`` means unknown."""
        return {}

    @classmethod
    def apply_transform(cls, spec: dict[str, Any], table: DataTable) -> DataTable:
        """Apply a ``FittedTransform`` this module produced to new data (Apply Transformation, scoring)."""
        raise NotImplementedError(f"{cls.__name__} produces no transformation")  # optional hook

    def removed_rows(self, inputs: dict[str, Any], params: Any, removed: Sequence[Any]) -> list[RemovedRows]:
        """Why ``run`` left out the rows labelled ``removed`` of its first table input (scoring answers).

        Only asked when rows went missing, never on the common path. Default: no reason given.
        """
        return []

    @classmethod
    def transform_removed_rows(
        cls, spec: dict[str, Any], table: DataTable, removed: Sequence[Any]
    ) -> list[RemovedRows]:
        """Why ``apply_transform`` left out the rows labelled ``removed`` of ``table``. Default: no reason."""
        return []

    @classmethod
    def migrate_params(cls, from_version: int, params: dict[str, Any]) -> dict[str, Any]:
        """Upgrade parameters saved by an older version of this module. Default: unchanged."""
        return params

    # -- description ------------------------------------------------------------------------
    @classmethod
    def parse_params(cls, raw: Mapping[str, Any] | None) -> ParamModel:
        return cls.Params.model_validate(dict(raw or {}))

    @classmethod
    def describe(cls) -> dict[str, Any]:
        """The catalogue entry the browser builds its palette, ports and forms from."""
        return {
            "id": cls.id,
            "version": cls.version,
            "name": cls.name,
            "category": cls.category,
            "description": inspect.cleandoc(cls.description or cls.__doc__ or ""),
            "queue": cls.queue,
            "inference": cls.inference,
            "inputs": [p.describe() for p in cls.inputs.values()],
            "outputs": [p.describe() for p in cls.outputs.values()],
            "params_schema": cls.Params.model_json_schema(),
            "column_params": [{"param": n, "widget": w, "port": p} for n, w, p in column_params(cls.Params)],
        }


def _collect(holder: type, kind: type[In] | type[Out]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for attr, value in vars(holder).items():
        if isinstance(value, kind):
            value.name = attr
            value.label = value.label or attr.replace("_", " ").capitalize()
            found[attr] = value
    return found
