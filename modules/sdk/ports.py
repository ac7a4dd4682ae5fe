"""Port types: classes with an explicit compatibility rule and their own safe (de)serialization.

Artifacts are bytes in the store; nothing here ever unpickles. Models go through skops with an
allow-list of trusted type prefixes; transforms and metrics are JSON; tables are Parquet.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import asdict
from typing import Any, ClassVar

from .values import DataTable, FittedModel, FittedTransform, Learner, Metrics

# skops refuses unknown types unless trusted; we trust only these library prefixes (and our own
# estimators in modules.estimators, whose state is arrays and plain values).
TRUSTED_PREFIXES = (
    "sklearn.",
    "lightgbm.",
    "numpy.",
    "scipy.",
    "builtins.",
    "collections.",
    "_thread.",
    "functools.",
    "modules.estimators.",
)


class PortType:
    """Base of every port type. ``accepts`` is the one connection rule, shared with the browser."""

    name: ClassVar[str] = "any"
    label: ClassVar[str] = "Any"
    value_type: ClassVar[type] = object
    media_type: ClassVar[str] = "application/octet-stream"

    @classmethod
    def accepts(cls, source: type[PortType]) -> bool:
        """An input of type ``cls`` accepts an output of type ``source`` when source is cls or a subtype."""
        return issubclass(source, cls)

    @classmethod
    def check(cls, value: Any) -> bool:
        return isinstance(value, cls.value_type)

    @classmethod
    def serialize(cls, value: Any) -> bytes:
        raise NotImplementedError(f"{cls.__name__} has no serializer")  # abstract base only

    @classmethod
    def deserialize(cls, data: bytes) -> Any:
        raise NotImplementedError(f"{cls.__name__} has no deserializer")  # abstract base only

    @classmethod
    def describe(cls) -> dict[str, Any]:
        parents = [b.name for b in cls.__mro__[1:] if issubclass(b, PortType) and b is not PortType]
        return {"name": cls.name, "label": cls.label, "accepts_subtypes_of": [cls.name, *parents]}


class Table(PortType):
    name = "table"
    label = "Data table"
    value_type = DataTable
    media_type = "application/vnd.apache.parquet"

    @classmethod
    def serialize(cls, value: DataTable) -> bytes:
        import pyarrow as pa
        import pyarrow.parquet as pq

        arrow = pa.Table.from_pandas(value.df, preserve_index=False)
        metadata = dict(arrow.schema.metadata or {})
        metadata[b"tessera"] = json.dumps(value.meta, sort_keys=True, default=str).encode()
        arrow = arrow.replace_schema_metadata(metadata)
        # Dictionary-encode only text-like columns: on floats it costs ~10x the write time for nothing.
        dictionary = [f.name for f in arrow.schema if not (pa.types.is_floating(f.type) or pa.types.is_integer(f.type))]
        buf = io.BytesIO()
        pq.write_table(arrow, buf, compression="lz4", use_dictionary=dictionary)
        return buf.getvalue()

    @classmethod
    def deserialize(cls, data: bytes) -> DataTable:
        import pyarrow.parquet as pq

        arrow = pq.read_table(io.BytesIO(data))
        raw = (arrow.schema.metadata or {}).get(b"tessera", b"{}")
        return DataTable(arrow.to_pandas(), json.loads(raw))


def _skops_dumps(obj: Any) -> bytes:
    import skops.io as sio

    data: bytes = sio.dumps(obj)
    return data


def _skops_loads(data: bytes) -> Any:
    import skops.io as sio

    untrusted = sio.get_untrusted_types(data=data)
    refused = [t for t in untrusted if not t.startswith(TRUSTED_PREFIXES)]
    if refused:
        raise ValueError(f"artifact holds types outside the trusted libraries: {', '.join(sorted(refused))}")
    return sio.loads(data, trusted=untrusted)


def _zip(meta: dict[str, Any], blob: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("meta.json", json.dumps(meta, sort_keys=True, default=str))
        zf.writestr("estimator.skops", blob)
    return buf.getvalue()


def _unzip(data: bytes) -> tuple[dict[str, Any], bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return json.loads(zf.read("meta.json")), zf.read("estimator.skops")


class UntrainedModel(PortType):
    name = "untrained_model"
    label = "Untrained model"
    value_type = Learner
    media_type = "application/zip"

    @classmethod
    def serialize(cls, value: Learner) -> bytes:
        meta = {"task": value.task, "learner": value.learner, "name": value.name}
        return _zip(meta, _skops_dumps(value.estimator))

    @classmethod
    def deserialize(cls, data: bytes) -> Learner:
        meta, blob = _unzip(data)
        return Learner(estimator=_skops_loads(blob), **meta)


class TrainedModel(PortType):
    name = "trained_model"
    label = "Trained model"
    value_type = FittedModel
    media_type = "application/zip"

    @classmethod
    def serialize(cls, value: FittedModel) -> bytes:
        meta = {k: v for k, v in asdict(value).items() if k != "estimator"}
        meta["classes"] = [_jsonable(c) for c in value.classes]
        return _zip(meta, _skops_dumps(value.estimator))

    @classmethod
    def deserialize(cls, data: bytes) -> FittedModel:
        meta, blob = _unzip(data)
        return FittedModel(estimator=_skops_loads(blob), **meta)


class Transformation(PortType):
    name = "transformation"
    label = "Transformation"
    value_type = FittedTransform
    media_type = "application/json"

    @classmethod
    def serialize(cls, value: FittedTransform) -> bytes:
        return json.dumps({"kind": value.kind, "spec": value.spec}, sort_keys=True, default=_jsonable).encode()

    @classmethod
    def deserialize(cls, data: bytes) -> FittedTransform:
        raw = json.loads(data)
        return FittedTransform(kind=raw["kind"], spec=raw["spec"])


class MetricsPort(PortType):
    name = "metrics"
    label = "Metrics"
    value_type = Metrics
    media_type = "application/json"

    @classmethod
    def serialize(cls, value: Metrics) -> bytes:
        payload = {"values": value.values, "task": value.task, "detail": value.detail}
        return json.dumps(payload, sort_keys=True, default=_jsonable).encode()

    @classmethod
    def deserialize(cls, data: bytes) -> Metrics:
        raw = json.loads(data)
        return Metrics(values=raw["values"], task=raw.get("task", ""), detail=raw.get("detail", {}))


def _jsonable(value: Any) -> Any:
    """numpy scalars and arrays to plain JSON values."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "item"):
        return value.item()
    return value


class CsvFile(PortType):
    """A table written out as a UTF-8 CSV file (header row, comma-separated, RFC 4180 quoting).

    Not a subtype of ``Table``: the stored bytes are CSV text, not Parquet, so it connects only to
    inputs that read CSV. In memory it is a ``DataTable``; reading it back types the columns with
    the same rules as an upload (``read_delimited``), and the table's column roles are not kept.
    """

    name = "csv_file"
    label = "CSV file"
    value_type = DataTable
    media_type = "text/csv"

    @classmethod
    def serialize(cls, value: DataTable) -> bytes:
        return value.df.to_csv(index=False, lineterminator="\n").encode("utf-8")

    @classmethod
    def deserialize(cls, data: bytes) -> DataTable:
        import csv

        import pandas as pd

        from .textdata import read_delimited

        text = data.decode("utf-8")
        records = [r for r in csv.reader(io.StringIO(text, newline="")) if r]
        if len(records) <= 1:  # a header alone (or nothing): an empty table with text columns
            header = records[0] if records else []
            return DataTable(pd.DataFrame({name: pd.Series([], dtype="str") for name in header}))
        return DataTable(read_delimited(text))


PORT_TYPES: dict[str, type[PortType]] = {
    t.name: t for t in (Table, UntrainedModel, TrainedModel, Transformation, MetricsPort, CsvFile)
}


class In:
    """An input port declaration: ``dataset = In(Table, "Dataset")``."""

    def __init__(self, type: type[PortType], label: str = "", *, optional: bool = False, doc: str = "") -> None:
        self.type = type
        self.label = label
        self.optional = optional
        self.doc = doc
        self.name = ""

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label,
            "type": self.type.name,
            "optional": self.optional,
            "doc": self.doc,
        }


class Out:
    """An output port declaration: ``scored = Out(Table, "Scored dataset")``."""

    def __init__(self, type: type[PortType], label: str = "", *, doc: str = "") -> None:
        self.type = type
        self.label = label
        self.doc = doc
        self.name = ""

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "label": self.label, "type": self.type.name, "doc": self.doc}
