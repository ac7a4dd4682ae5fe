"""Port types: classes with an explicit compatibility rule and their own safe (de)serialization.

Artifacts are bytes in the store; nothing here ever unpickles. Models go through skops with an
allow-list of trusted type prefixes; transforms and metrics are JSON; tables are Parquet.
"""

from __future__ import annotations

import io
import json
import threading
import zipfile
from dataclasses import asdict
from typing import TYPE_CHECKING, Any, ClassVar

from .skops_import import import_skops
from .stored import StoredTable, text_columns
from .values import (
    DataTable,
    FittedImageModel,
    FittedModel,
    FittedTransform,
    ImageFile,
    ImageModelSpec,
    ImageSet,
    ImageTransform,
    Learner,
    Metrics,
    ZipArchive,
)

if TYPE_CHECKING:
    import pyarrow as pa

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
    def summary(cls, value: Any) -> dict[str, Any] | None:
        """What the inspector shows of a value that is neither a table nor metrics; ``None``: no summary of its own."""
        return None

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
    def check(cls, value: Any) -> bool:
        """A table in memory, or one already in the store (``StoredTable``, written in chunks)."""
        return isinstance(value, DataTable | StoredTable)

    @classmethod
    def serialize(cls, value: DataTable | StoredTable) -> bytes:
        if isinstance(value, StoredTable):
            return value.read_bytes()  # already Parquet in this layout (the engine stores it as it is)
        return cls.arrow_bytes(cls.to_arrow(value))

    @classmethod
    def deserialize(cls, data: bytes) -> DataTable:
        return cls.from_arrow(cls.read_arrow(data))

    # ``serialize`` and ``deserialize`` in two steps, for a worker that keeps the Arrow table it wrote and
    # hands it to the next node without reading the Parquet back (``designer/engine/recent_tables.py``).
    @classmethod
    def to_arrow(cls, value: DataTable) -> pa.Table:
        """The Arrow table ``serialize`` writes: the frame without its index, the table's meta in the schema."""
        import pyarrow as pa

        arrow = pa.Table.from_pandas(value.df, preserve_index=False)
        metadata = dict(arrow.schema.metadata or {})
        metadata[b"tessera"] = json.dumps(value.meta, sort_keys=True, default=str).encode()
        return arrow.replace_schema_metadata(metadata)

    @classmethod
    def arrow_bytes(cls, arrow: pa.Table) -> bytes:
        import pyarrow as pa

        buf = pa.BufferOutputStream()  # Arrow's own buffer: no call back into Python per page, as BytesIO takes
        cls.write_parquet(arrow, buf)
        return buf.getvalue().to_pybytes()

    @classmethod
    def write_parquet(cls, arrow: pa.Table, sink: Any) -> None:
        """``arrow`` as Parquet into ``sink`` (a file or Arrow stream): the bytes ``serialize`` gives.

        Dictionary encoding only for text-like columns: on floats it costs ~10x the write time for nothing.
        No min/max statistics: nothing reads them back (tables are read whole or by row group), and at 200,000
        rows x 21 columns they were a quarter of the encoding time."""
        import pyarrow.parquet as pq

        pq.write_table(
            arrow, sink, compression="lz4", use_dictionary=text_columns(arrow.schema), write_statistics=False
        )

    @classmethod
    def read_arrow(cls, data: bytes) -> pa.Table:
        import pyarrow as pa
        import pyarrow.parquet as pq

        return pq.read_table(pa.BufferReader(data))  # read by Arrow itself, not through Python file calls

    @classmethod
    def from_arrow(cls, arrow: pa.Table) -> DataTable:
        raw = (arrow.schema.metadata or {}).get(b"tessera", b"{}")
        return DataTable(arrow.to_pandas(), json.loads(raw))


_SKOPS_IMPORT = threading.Lock()
_sio: Any = None  # skops.io once imported


def _skops_io() -> Any:
    """``skops.io``, imported without building its default allow-lists (``skops_import``): Tessera never
    relies on skops' defaults. ``_skops_loads`` checks every type an artifact holds against
    ``TRUSTED_PREFIXES`` and passes skops exactly those as ``trusted``, so empty defaults can only make
    skops stricter for any other caller in this process, never looser; a model loads what it needs."""
    global _sio
    if _sio is not None:
        return _sio
    with _SKOPS_IMPORT:  # also keeps other threads from seeing the module half-imported
        if _sio is None:
            import_skops()
            import skops.io as sio

            _sio = sio
    return _sio


def _skops_dumps(obj: Any) -> bytes:
    """What ``skops.io.dumps`` writes, less the indentation of its ``schema.json``.

    skops 0.16 writes the schema with ``json.dumps(state, indent=2)``, and an indent keeps the standard
    library on its pure-Python encoder: three quarters of saving an AutoML ensemble of 16 models (0.30 of
    0.42 s; 2 s and more on a loaded machine, past the node's time budget). The schema's content and the
    archive's other files are skops' own (``get_state`` with its ``SaveContext``, as ``skops.io._persist``
    saves them); ``skops.io.loads`` parses either form. skops is pinned (``pyproject.toml``), and
    ``tests/modules/test_ports.py`` checks the two forms hold the same schema.
    """
    _skops_io()
    import skops
    from skops.io._utils import SaveContext, get_state

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        context = SaveContext(zip_file=archive)
        state = get_state(obj, context)
        context.clear_memo()
        state["protocol"] = context.protocol
        state["_skops_version"] = skops.__version__
        archive.writestr("schema.json", json.dumps(state))
    return buffer.getvalue()


def _skops_loads(data: bytes) -> Any:
    sio = _skops_io()
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
        return DataTable(read_delimited(text, refuse_data_as_header=False))  # we wrote the header


# -- images ---------------------------------------------------------------------------------------
# An image directory travels as a zip: ``manifest.json`` (classes, pending transform steps, one record
# per image) and the encoded files under ``images/``. Reading one back trusts nothing in it: member
# names must be plain relative paths, links are refused, every file must be a PNG or JPEG named so,
# and the number of files and their total size are bounded before anything is decompressed.

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
#: Bounds on an image archive (an image directory artifact, or a zip Convert to Image Directory reads).
MAX_IMAGE_FILES = 100_000
MAX_IMAGE_BYTES = 1024 * 1024 * 1024  # total, uncompressed
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
IMAGE_FORMAT = "tessera.image_directory"
ARCHITECTURES = ("resnet", "densenet")


def image_format(data: bytes) -> str | None:
    """``"png"`` or ``"jpeg"`` from the file's first bytes (its signature), else ``None``."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    return None


def unsafe_member_name(name: str) -> str | None:
    """Why an archive member name is not a plain relative path (``None`` when it is)."""
    if not name or "\x00" in name:
        return "an empty name"
    if "\\" in name:
        return "a backslash"
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return "an absolute path"
    parts = name.rstrip("/").split("/")
    if any(part in ("..", ".", "") for part in parts):
        return "'..', '.' or an empty folder name"
    return None


def is_link(info: zipfile.ZipInfo) -> bool:
    """Whether a zip member is a symbolic link (Unix mode bits in the external attributes)."""
    return (info.external_attr >> 16) & 0o170000 == 0o120000


def checked_members(
    zf: zipfile.ZipFile, *, max_files: int | None = None, max_bytes: int | None = None
) -> list[zipfile.ZipInfo]:
    """The archive's file members, after refusing links, unsafe names and too many or too large files.

    Sizes come from the central directory; reading a member never yields more than its declared size,
    so bounding the declared sizes bounds what is decompressed (a zip bomb is refused before reading).
    """
    limit_files = MAX_IMAGE_FILES if max_files is None else max_files
    limit_bytes = MAX_IMAGE_BYTES if max_bytes is None else max_bytes
    infos = zf.infolist()
    if len(infos) > limit_files + 1:
        raise ValueError(f"the archive holds {len(infos)} entries; at most {limit_files} files are allowed")
    files: list[zipfile.ZipInfo] = []
    total = 0
    for info in infos:
        why = unsafe_member_name(info.filename)
        if why:
            raise ValueError(f"the archive member {info.filename!r} is refused: its name has {why}")
        if is_link(info):
            raise ValueError(f"the archive member {info.filename!r} is a symbolic link; links are refused")
        if info.is_dir():
            continue
        total += info.file_size
        if total > limit_bytes:
            raise ValueError(f"the archive's files add up to more than {limit_bytes // (1024 * 1024)} MiB")
        files.append(info)
    if len(files) > limit_files:
        raise ValueError(f"the archive holds {len(files)} files; at most {limit_files} are allowed")
    return files


def read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    with zf.open(info) as fh:
        data = fh.read(info.file_size + 1)
    if len(data) != info.file_size:
        raise ValueError(f"the archive member {info.filename!r} is not the size it declares")
    return data


def _steps(raw: Any, what: str) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or not all(isinstance(s, dict) and isinstance(s.get("op"), str) for s in raw):
        raise ValueError(f"{what} must be a list of steps, each an object with an 'op'")
    return raw


class ImageDirectory(PortType):
    name = "image_directory"
    label = "Image directory"
    value_type = ImageSet
    media_type = "application/zip"

    @classmethod
    def serialize(cls, value: ImageSet) -> bytes:
        manifest = {
            "format": IMAGE_FORMAT,
            "version": 1,
            "classes": list(value.classes),
            "transform": value.transform,
            "images": [{"path": f.path, "label": f.label} for f in value.images],
        }
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:  # PNG and JPEG are compressed already
            zf.writestr("manifest.json", json.dumps(manifest, sort_keys=True))
            for f in value.images:
                zf.writestr("images/" + f.path, f.data)
        return buf.getvalue()

    @classmethod
    def deserialize(cls, data: bytes) -> ImageSet:
        try:
            zf = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile:
            raise ValueError("an image directory must be a zip archive") from None
        with zf:
            members = {info.filename: info for info in checked_members(zf)}
            if "manifest.json" not in members or members["manifest.json"].file_size > MAX_MANIFEST_BYTES:
                raise ValueError("the image directory has no manifest.json (or an oversized one)")
            manifest = json.loads(read_member(zf, members.pop("manifest.json")))
            if not isinstance(manifest, dict) or manifest.get("format") != IMAGE_FORMAT:
                raise ValueError("manifest.json does not describe a Tessera image directory")
            return _image_set(zf, members, manifest)


def _image_set(zf: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], manifest: dict[str, Any]) -> ImageSet:
    classes = manifest.get("classes", [])
    records = manifest.get("images", [])
    if not isinstance(classes, list) or not all(isinstance(c, str) for c in classes):
        raise ValueError("manifest.json: 'classes' must be a list of names")
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise ValueError("manifest.json: 'images' must be a list of records")
    for name in members:
        if not name.startswith("images/") or not name.lower().endswith(IMAGE_SUFFIXES):
            raise ValueError(f"the archive member {name!r} is not a PNG or JPEG image under images/")
    listed = ["images/" + str(r.get("path", "")) for r in records]
    if sorted(listed) != sorted(members) or len(set(listed)) != len(listed):
        raise ValueError("manifest.json does not list exactly the images in the archive")
    known = set(classes)
    images: list[ImageFile] = []
    for record, name in zip(records, listed, strict=True):
        label = record.get("label")
        if label is not None and label not in known:
            raise ValueError(f"image {record['path']!r} has the class {label!r}, which is not among the classes")
        blob = read_member(zf, members[name])
        if image_format(blob) is None:
            raise ValueError(f"the archive member {name!r} is not a PNG or JPEG image")
        images.append(ImageFile(path=str(record["path"]), label=label, data=blob))
    return ImageSet(images=images, classes=classes, transform=_steps(manifest.get("transform", []), "transform"))


class ImageTransformation(PortType):
    name = "image_transformation"
    label = "Image transformation"
    value_type = ImageTransform
    media_type = "application/json"

    @classmethod
    def serialize(cls, value: ImageTransform) -> bytes:
        return json.dumps({"steps": value.steps}, sort_keys=True).encode()

    @classmethod
    def deserialize(cls, data: bytes) -> ImageTransform:
        raw = json.loads(data)
        if not isinstance(raw, dict):
            raise ValueError("an image transformation must be a JSON object with 'steps'")
        return ImageTransform(steps=_steps(raw.get("steps"), "steps"))


def _architecture(meta: dict[str, Any]) -> None:
    if meta.get("architecture") not in ARCHITECTURES or not isinstance(meta.get("config"), dict):
        raise ValueError(f"an image model's architecture must be one of {', '.join(ARCHITECTURES)}")


class UntrainedImageModel(PortType):
    """An untrained image classifier (DenseNet, ResNet): the architecture only; Train PyTorch Model fits it."""

    name = "untrained_image_model"
    label = "Untrained image model"
    value_type = ImageModelSpec
    media_type = "application/json"

    @classmethod
    def serialize(cls, value: ImageModelSpec) -> bytes:
        return json.dumps(asdict(value), sort_keys=True).encode()

    @classmethod
    def deserialize(cls, data: bytes) -> ImageModelSpec:
        raw = json.loads(data)
        if not isinstance(raw, dict):
            raise ValueError("an untrained image model must be a JSON object")
        _architecture(raw)
        return ImageModelSpec(
            architecture=raw["architecture"],
            model_name=str(raw.get("model_name", "")),
            config=raw["config"],
            name=str(raw.get("name", "")),
        )


class TrainedImageModel(PortType):
    """A trained image classifier: ``meta.json`` plus its weights as plain numpy arrays (``weights.npz``).

    The weights are loaded with ``allow_pickle=False``: nothing but numbers is ever read back.
    """

    name = "trained_image_model"
    label = "Trained image model"
    value_type = FittedImageModel
    media_type = "application/zip"

    @classmethod
    def serialize(cls, value: FittedImageModel) -> bytes:
        import numpy as np

        meta = {k: v for k, v in asdict(value).items() if k != "weights"}
        weights = io.BytesIO()
        arrays: dict[str, Any] = {k: np.asarray(v) for k, v in value.weights.items()}
        np.savez(weights, allow_pickle=False, **arrays)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("meta.json", json.dumps(meta, sort_keys=True, default=_jsonable))
            zf.writestr("weights.npz", weights.getvalue())
        return buf.getvalue()

    @classmethod
    def deserialize(cls, data: bytes) -> FittedImageModel:
        import numpy as np

        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            members = {i.filename: i for i in checked_members(zf, max_files=2)}
            if set(members) != {"meta.json", "weights.npz"}:
                raise ValueError("a trained image model holds exactly meta.json and weights.npz")
            meta = json.loads(read_member(zf, members["meta.json"]))
            blob = read_member(zf, members["weights.npz"])
        if not isinstance(meta, dict):
            raise ValueError("meta.json of a trained image model must be a JSON object")
        _architecture(meta)
        with zipfile.ZipFile(io.BytesIO(blob)) as inner:
            checked_members(inner)  # the .npz is itself a zip: bound what its arrays decompress to
        with np.load(io.BytesIO(blob), allow_pickle=False) as npz:
            weights = {name: npz[name] for name in npz.files}
        return FittedImageModel(weights=weights, **meta)


# -- zip files --------------------------------------------------------------------------------------
# An uploaded zip (a file dataset) travels as the archive itself. Every read checks it again: a zip
# within the bounds below, plain relative member names, no links, no encryption, no duplicate names,
# and only the compression methods Python can read, so unpacking it later cannot fail half-way.

#: Bounds on a zip file (a file dataset, a script bundle), as Azure's Execute Python Script sets them.
MAX_ZIP_FILES = 10_000
MAX_ZIP_BYTES = 256 * 1024 * 1024  # total, uncompressed
#: How many members a summary lists; the counts cover them all.
SUMMARY_MEMBERS = 1000
_READABLE_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)


def zip_members(data: bytes, *, what: str = "the zip file") -> list[zipfile.ZipInfo]:
    """The file members of a zip archive, after every check; ``ValueError`` naming the member at fault."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise ValueError(f"{what} is not a zip archive") from None
    with zf:
        try:
            files = checked_members(zf, max_files=MAX_ZIP_FILES, max_bytes=MAX_ZIP_BYTES)
        except ValueError as exc:
            raise ValueError(f"{what}: {exc}") from None
        seen: set[str] = set()
        for info in files:
            if info.flag_bits & 0x1:
                raise ValueError(
                    f"{what}: the archive member {info.filename!r} is encrypted; encrypted files are refused"
                )
            if info.compress_type not in _READABLE_METHODS:
                raise ValueError(
                    f"{what}: the archive member {info.filename!r} uses a compression method that cannot be read "
                    f"(method {info.compress_type}); zip it again with the usual Deflate compression"
                )
            if info.filename in seen:
                raise ValueError(f"{what}: the archive member {info.filename!r} appears more than once")
            seen.add(info.filename)
    if not files:
        raise ValueError(f"{what} holds no files")
    return files


class ZipFile(PortType):
    """A zip of files (Azure's Zip / AnyDirectory): a file dataset, read by Execute Python or R Script as
    its Script bundle. Not a subtype of any other port type: it holds files, not a table."""

    name = "zip_file"
    label = "Zip file"
    value_type = ZipArchive
    media_type = "application/zip"

    @classmethod
    def serialize(cls, value: ZipArchive) -> bytes:
        zip_members(value.data)
        return value.data

    @classmethod
    def deserialize(cls, data: bytes) -> ZipArchive:
        zip_members(data)
        return ZipArchive(data)

    @classmethod
    def summary(cls, value: ZipArchive) -> dict[str, Any]:
        files = zip_members(value.data)
        return {
            "files": len(files),
            "bytes": sum(i.file_size for i in files),
            "members": [{"name": i.filename, "size": i.file_size} for i in files[:SUMMARY_MEMBERS]],
        }


PORT_TYPES: dict[str, type[PortType]] = {
    t.name: t
    for t in (
        Table,
        UntrainedModel,
        TrainedModel,
        Transformation,
        MetricsPort,
        CsvFile,
        ImageDirectory,
        ImageTransformation,
        UntrainedImageModel,
        TrainedImageModel,
        ZipFile,
    )
}


class In:
    """An input port declaration: ``dataset = In(Table, "Dataset")``.

    ``stored=True`` (tables only): the module gets a ``StoredTable`` to read in row groups instead of
    the whole table in memory, for inputs too large to load (Parallel Run).
    """

    def __init__(
        self, type: type[PortType], label: str = "", *, optional: bool = False, doc: str = "", stored: bool = False
    ) -> None:
        self.type = type
        self.label = label
        self.optional = optional
        self.doc = doc
        self.stored = stored
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
