"""Sample datasets built from data that ships inside scikit-learn: nothing is downloaded.

Each sample is a classic teaching table with a readable label column, so a new user can wire
"Split Data -> Train Model -> Score Model -> Evaluate Model" on the first day.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Sample:
    name: str
    description: str
    label_column: str
    task: str  # "binary", "regression" or "multiclass"
    build: Callable[[], pd.DataFrame]


def _snake(name: str) -> str:
    """'mean radius' -> 'mean_radius', 'sepal length (cm)' -> 'sepal_length_cm'."""
    return re.sub(r"[^0-9a-z]+", "_", name.lower()).strip("_")


def _frame(bunch: object, label: str, labels: dict[int, str] | None) -> pd.DataFrame:
    df = bunch.frame.copy()  # type: ignore[attr-defined]
    target = df.pop("target")
    df.columns = [_snake(str(c)) for c in df.columns]
    if labels is None:
        df[label] = target.astype("float64")
    else:
        df[label] = target.map(labels).astype("str")
    return df.reset_index(drop=True)


def breast_cancer() -> pd.DataFrame:
    from sklearn.datasets import load_breast_cancer

    bunch = load_breast_cancer(as_frame=True)
    return _frame(bunch, "diagnosis", {i: str(n) for i, n in enumerate(bunch.target_names)})


def diabetes() -> pd.DataFrame:
    from sklearn.datasets import load_diabetes

    return _frame(load_diabetes(as_frame=True, scaled=False), "disease_progression", None)


def iris() -> pd.DataFrame:
    from sklearn.datasets import load_iris

    bunch = load_iris(as_frame=True)
    return _frame(bunch, "species", {i: str(n) for i, n in enumerate(bunch.target_names)})


def wine() -> pd.DataFrame:
    from sklearn.datasets import load_wine

    bunch = load_wine(as_frame=True)
    return _frame(bunch, "cultivar", {i: f"cultivar_{i + 1}" for i in range(len(bunch.target_names))})


SAMPLES: tuple[Sample, ...] = (
    Sample(
        name="Breast cancer (Wisconsin diagnostic)",
        description=(
            "569 tumours described by 30 measurements of their cell nuclei. Binary classification: "
            "label column 'diagnosis' (malignant or benign). Source: UCI, bundled with scikit-learn."
        ),
        label_column="diagnosis",
        task="binary",
        build=breast_cancer,
    ),
    Sample(
        name="Diabetes progression",
        description=(
            "442 patients: age, sex, body mass index, blood pressure and six blood serum measurements. "
            "Regression: label column 'disease_progression' (a measure one year after baseline). "
            "Source: Efron et al. (2004), bundled with scikit-learn."
        ),
        label_column="disease_progression",
        task="regression",
        build=diabetes,
    ),
    Sample(
        name="Iris flowers",
        description=(
            "150 irises: sepal and petal length and width in cm. Multiclass classification: label column "
            "'species' (setosa, versicolor or virginica). Source: Fisher (1936), bundled with scikit-learn."
        ),
        label_column="species",
        task="multiclass",
        build=iris,
    ),
    Sample(
        name="Wine cultivars",
        description=(
            "178 Italian wines described by 13 chemical measurements. Multiclass classification: label column "
            "'cultivar' (cultivar_1, cultivar_2 or cultivar_3). Source: UCI, bundled with scikit-learn."
        ),
        label_column="cultivar",
        task="multiclass",
        build=wine,
    ),
)
