"""Parameter schemas: pydantic models whose JSON Schema drives the browser's forms.

Column-valued parameters carry ``x-tessera-widget`` and ``x-tessera-port`` so the canvas can list
the real columns reaching that input port, and so validation can check the names before running.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .errors import ModuleError
from .schema import NUMERIC, TableSchema

COLUMN_WIDGET = "x-tessera-widget"
COLUMN_PORT = "x-tessera-port"
#: On a ``DatasetRef`` parameter: the kind of dataset it reads, ``"table"`` (the default) or ``"file"`` (a zip).
DATASET_KIND = "x-tessera-dataset-kind"
DATASET_KINDS = ("table", "file")
#: On a parameter holding the content digest of a stored artifact (``artifact_digest``): validation accepts
#: the digest only when the artifact belongs to the pipeline's workspace, and a worker loads it only then.
ARTIFACT = "x-tessera-artifact"
DIGEST = r"^[0-9a-f]{64}$"
#: On a parameter holding a whole pipeline document (Parallel Run's scoring pipeline): validation checks the
#: artifacts its nodes name as it checks the node's own, and the cache key covers every digest in it.
PIPELINE = "x-tessera-pipeline"


class ParamModel(BaseModel):
    """Base for every module's ``Params``: unknown keys are refused, values validated on assignment."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, frozen=False)


def column(port: str, *, title: str = "", description: str = "", default: Any = ...) -> Any:
    """A single column name picked from the table reaching ``port``."""
    extra: dict[str, Any] = {COLUMN_WIDGET: "column", COLUMN_PORT: port}
    return Field(default, title=title or None, description=description or None, json_schema_extra=extra)


def columns(port: str, *, title: str = "", description: str = "", default: Any = ...) -> Any:
    """A column selection (``ColumnSelection``) over the table reaching ``port``."""
    extra: dict[str, Any] = {COLUMN_WIDGET: "columns", COLUMN_PORT: port}
    if default is ...:
        return Field(title=title or None, description=description or None, json_schema_extra=extra)
    extra["default"] = ColumnSelection.model_validate(default).model_dump()  # shown by the browser's form
    return Field(
        default_factory=lambda: ColumnSelection.model_validate(default),
        title=title or None,
        description=description or None,
        json_schema_extra=extra,
    )


ColumnType = Literal["numeric", "integer", "string", "categorical", "boolean", "datetime", "all"]


class ColumnRule(BaseModel):
    """One step of Azure's column selector: include or exclude columns by name or by type."""

    model_config = ConfigDict(extra="forbid")
    op: Literal["include", "exclude"] = "include"
    names: list[str] = Field(default_factory=list)
    types: list[ColumnType] = Field(default_factory=list)


class ColumnSelection(BaseModel):
    """Start with no columns (or all of them), then apply the rules in order.

    A plain list of names is accepted as shorthand for "include these names".
    """

    model_config = ConfigDict(extra="forbid")
    start: Literal["none", "all"] = "none"
    rules: list[ColumnRule] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if isinstance(data, list | tuple):
            return {"start": "none", "rules": [{"op": "include", "names": list(data)}]}
        if isinstance(data, str):
            return {"start": "none", "rules": [{"op": "include", "names": [data]}]}
        return data

    @classmethod
    def of(cls, *names: str) -> ColumnSelection:
        return cls.model_validate(list(names))

    @classmethod
    def all(cls) -> ColumnSelection:
        return cls(start="all")

    def referenced_names(self) -> list[str]:
        return [n for rule in self.rules for n in rule.names]

    def missing(self, schema: TableSchema) -> list[str]:
        return [n for n in self.referenced_names() if n not in schema]

    def resolve(self, schema: TableSchema, *, param: str = "columns") -> list[str]:
        """Column names selected from ``schema``, in table order; unknown names raise ``ModuleError``."""
        unknown = self.missing(schema)
        if unknown:
            raise ModuleError(
                f"column {unknown[0]!r} is not in the input (available: {', '.join(schema.names)})",
                param=param,
                column=unknown[0],
            )
        chosen = set(schema.names) if self.start == "all" else set()
        for rule in self.rules:
            hit = set(rule.names)
            for col in schema.columns:
                if _type_matches(col.dtype, rule.types, schema.meta, col.name):
                    hit.add(col.name)
            chosen = chosen | hit if rule.op == "include" else chosen - hit
        return [n for n in schema.names if n in chosen]


def _type_matches(dtype: str, types: Sequence[str], meta: dict[str, Any], name: str) -> bool:
    for t in types:
        if t == "all":
            return True
        if t == "numeric" and dtype in NUMERIC:
            return True
        if t == "categorical" and dtype in ("category", "string", "boolean"):
            return True
        if t == dtype:
            return True
    return False


class DatasetRef(BaseModel):
    """A registered dataset version; ``version`` ``None`` means "latest at submit time"."""

    model_config = ConfigDict(extra="forbid")
    dataset_id: int = Field(title="Dataset", json_schema_extra={COLUMN_WIDGET: "dataset"})
    version: int | None = Field(default=None, ge=1)


def artifact_digest(*, title: str, description: str, optional: bool = False) -> Any:
    """The content digest of a stored artifact (a trained model, a table...), read with ``ctx.load_artifact``.

    Every parameter that names an artifact by digest must be declared with this, so that validation
    can find it and refuse a digest that does not belong to the pipeline's workspace: the store is
    shared by all workspaces, and a digest is a capability to read what it names. ``optional``: the
    empty string means none.
    """
    pattern = r"^([0-9a-f]{64})?$" if optional else DIGEST
    return Field(
        "" if optional else ...,
        pattern=pattern,
        title=title,
        description=description,
        json_schema_extra={ARTIFACT: True},
    )


def pipeline_document(*, title: str, description: str) -> Any:
    """A pipeline document held in a parameter (nodes, edges; as ``/api/pipelines/json-schema/`` describes it).

    Declare every such parameter with this, so that the artifacts its nodes name are checked against
    the pipeline's workspace like a Saved Trained Model's own digest."""
    return Field(..., title=title, description=description, json_schema_extra={PIPELINE: True})


def pipeline_params(params_cls: type[BaseModel]) -> list[str]:
    """Names of the parameters of a Params class that hold a pipeline document, in field order."""
    return [
        name
        for name, info in params_cls.model_fields.items()
        if isinstance(info.json_schema_extra, dict) and info.json_schema_extra.get(PIPELINE) is True
    ]


def artifact_params(params_cls: type[BaseModel]) -> list[str]:
    """Names of the parameters of a Params class that hold an artifact digest, in field order."""
    return [
        name
        for name, info in params_cls.model_fields.items()
        if isinstance(info.json_schema_extra, dict) and info.json_schema_extra.get(ARTIFACT) is True
    ]


def dataset_kind(params_cls: type[BaseModel], name: str) -> str:
    """The kind of dataset the ``DatasetRef`` parameter ``name`` reads: ``"file"`` when it says so, else ``"table"``."""
    info = params_cls.model_fields.get(name)
    extra = info.json_schema_extra if info is not None else None
    kind = extra.get(DATASET_KIND) if isinstance(extra, dict) else None
    return kind if isinstance(kind, str) and kind in DATASET_KINDS else "table"


def column_params(params_cls: type[BaseModel]) -> list[tuple[str, str, str]]:
    """``(param name, widget, port)`` for every column-valued parameter of a Params class."""
    found = []
    for name, info in params_cls.model_fields.items():
        extra = info.json_schema_extra
        if isinstance(extra, dict) and extra.get(COLUMN_WIDGET) in ("column", "columns"):
            found.append((name, str(extra[COLUMN_WIDGET]), str(extra[COLUMN_PORT])))
    return found
