"""The values that travel along edges. Plain containers; serialization lives on the port types."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import pandas as pd

    from .schema import TableSchema

Task = Literal["regression", "binary", "multiclass", "clustering", "quantile_regression", "anomaly"]


@dataclass
class DataTable:
    """A DataFrame plus its column roles.

    ``meta`` is JSON-able and travels with the table (Parquet schema metadata). Keys in use:
    ``label_column``; ``score_columns`` (``{"labels": ..., "probabilities": ...}``); ``task``.
    """

    df: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def schema(self) -> TableSchema:
        from .schema import TableSchema

        return TableSchema.of(self.df, self.meta)

    def with_df(self, df: pd.DataFrame, **meta: Any) -> DataTable:
        return DataTable(df, {**self.meta, **meta})


@dataclass
class Learner:
    """An untrained model: an unfitted scikit-learn-compatible estimator and the task it solves."""

    estimator: Any
    task: Task
    learner: str  # module id of the algorithm that made it, e.g. "two_class_logistic_regression"
    name: str = ""


@dataclass
class FittedModel:
    """A trained model: a fitted estimator (usually a sklearn Pipeline with its encoders) plus its contract."""

    estimator: Any
    task: Task
    learner: str
    label_column: str
    feature_columns: list[str]
    feature_types: dict[str, str] = field(default_factory=dict)
    classes: list[Any] = field(default_factory=list)
    name: str = ""


@dataclass
class FittedTransform:
    """A fitted, data-only transformation (JSON spec, never code).

    ``kind`` is the id of the module that knows how to apply it (``Module.apply_transform``).
    """

    kind: str
    spec: dict[str, Any]


@dataclass
class Metrics:
    """Scalar metrics plus JSON-able detail (curves, confusion matrices) for the inspector."""

    values: dict[str, float | int | str | None]
    task: str = ""
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class ImageFile:
    """One image of an image directory: its relative POSIX path, its class (``None`` if unlabelled), its bytes.

    ``data`` is an encoded PNG or JPEG file; nothing is decoded until a module reads the pixels.
    """

    path: str
    label: str | None
    data: bytes


@dataclass
class ImageSet:
    """An image directory (Azure's ImageDirectory): images with their classes, plus pending transform steps.

    ``classes`` lists every class in order (empty for an unlabelled directory). ``transform`` holds the
    steps (JSON, as made by Init Image Transformation) that are applied each time the pixels are read:
    the ones with a random draw, kept so that training sees a fresh draw every epoch.
    """

    images: list[ImageFile]
    classes: list[str] = field(default_factory=list)
    transform: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ImageTransform:
    """An image transformation (Init Image Transformation): an ordered list of JSON steps, never code."""

    steps: list[dict[str, Any]]


@dataclass
class ImageModelSpec:
    """An untrained image classifier: the architecture and its JSON configuration, no weights yet."""

    architecture: str  # "resnet" or "densenet"
    model_name: str  # Azure's choice, e.g. "resnet18"
    config: dict[str, Any]
    name: str = ""


@dataclass
class FittedImageModel:
    """A trained image classifier: its architecture, its weights as numpy arrays (a state dict) and its classes.

    ``training`` is JSON for the inspector: the per-epoch curve (loss and accuracy) and how training ended.
    """

    architecture: str
    model_name: str
    config: dict[str, Any]
    classes: list[str]
    weights: dict[str, Any]  # parameter name -> numpy array
    image_size: list[int] = field(default_factory=list)  # [height, width] of the training images
    training: dict[str, Any] = field(default_factory=dict)
    name: str = ""


@dataclass(frozen=True)
class ZipArchive:
    """A zip of files as the user made it (a script bundle, a set of images): the archive's own bytes.

    Kept as bytes rather than unpacked, so the artifact is the uploaded file itself (same digest) and
    whoever unpacks it checks it first (``modules.sdk.ports.zip_members``).
    """

    data: bytes
