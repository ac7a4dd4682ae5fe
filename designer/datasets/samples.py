"""Sample datasets built from data that ships inside installed packages: nothing is downloaded.

Each sample is a classic teaching table with a readable label column, so a new user can wire
"Split Data -> Train Model -> Score Model -> Evaluate Model" on the first day. The tables come from
scikit-learn, palmerpenguins and gensim's test data, plus one synthetic ratings table generated
here, deterministically, for the recommender sample.
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
    task: str  # "binary", "regression", "multiclass" or "recommendation"
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


def digits() -> pd.DataFrame:
    from sklearn.datasets import load_digits

    bunch = load_digits(as_frame=True)
    return _frame(bunch, "digit", {i: str(i) for i in range(10)})


def movie_reviews() -> pd.DataFrame:
    """Pang and Lee's sentence polarity sample as gensim ships it: ``__label__neg text`` lines, cp1252."""
    import pandas as pd
    from gensim.test.utils import datapath

    with open(datapath("pang_lee_polarity.cor"), encoding="cp1252") as f:
        lines = [line.strip() for line in f if line.strip()]
    labels = {"__label__neg": "negative", "__label__pos": "positive"}
    rows = [(labels[tag], text.strip()) for tag, text in (line.split(" ", 1) for line in lines)]
    return pd.DataFrame(rows, columns=["sentiment", "review"])


def palmer_penguins() -> pd.DataFrame:
    from palmerpenguins import load_penguins

    return load_penguins().reset_index(drop=True)


RATING_USERS, RATING_MOVIES, RATINGS_PER_USER = 80, 40, 15


def synthetic_ratings() -> pd.DataFrame:
    """Users rate movies 1 to 5 from hidden tastes: two latent factors each, biases and noise (seed 7)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(7)
    taste = rng.normal(0, 1, (RATING_USERS, 2))
    style = rng.normal(0, 1, (RATING_MOVIES, 2))
    quality = rng.normal(0, 0.5, RATING_MOVIES)
    rows = []
    for u in range(RATING_USERS):
        for m in sorted(rng.choice(RATING_MOVIES, RATINGS_PER_USER, replace=False)):
            score = 3 + taste[u] @ style[m] * 0.8 + quality[m] + rng.normal(0, 0.3)
            rows.append((f"user_{u + 1:03d}", f"movie_{m + 1:03d}", int(np.clip(np.rint(score), 1, 5))))
    return pd.DataFrame(rows, columns=["user", "movie", "rating"])


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
        name="Handwritten digits",
        description=(
            "1,797 scans of handwritten digits, each 8 x 8 pixels of grey levels 0 to 16 in columns "
            "pixel_0_0 to pixel_7_7. Multiclass classification: label column 'digit' (0 to 9). "
            "Source: UCI optical recognition of handwritten digits, bundled with scikit-learn."
        ),
        label_column="digit",
        task="multiclass",
        build=digits,
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
        name="Movie ratings (synthetic)",
        description=(
            f"{RATING_USERS * RATINGS_PER_USER:,} ratings (1 to 5) by {RATING_USERS} users of {RATING_MOVIES} "
            "movies: user, movie and rating columns, as recommenders read them. Synthetic: generated by "
            "Tessera from random tastes (a fixed seed), so it is the same everywhere; label column 'rating'."
        ),
        label_column="rating",
        task="recommendation",
        build=synthetic_ratings,
    ),
    Sample(
        name="Movie review sentiment",
        description=(
            "200 one-sentence movie reviews from Rotten Tomatoes, half negative and half positive. Text "
            "classification: label column 'sentiment' (negative or positive), text column 'review'. "
            "Source: Pang and Lee (2005) sentence polarity data, a sample shipped with gensim."
        ),
        label_column="sentiment",
        task="binary",
        build=movie_reviews,
    ),
    Sample(
        name="Palmer penguins",
        description=(
            "344 penguins from three islands of the Palmer Archipelago, Antarctica: island, bill length and "
            "depth, flipper length, body mass, sex and year, with a few values missing. Multiclass "
            "classification: label column 'species' (Adelie, Chinstrap or Gentoo). Source: Gorman et al. "
            "(2014), from the palmerpenguins package."
        ),
        label_column="species",
        task="multiclass",
        build=palmer_penguins,
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


def sample_named(name: str) -> Sample:
    """The bundled sample called ``name``; ``KeyError`` naming it when there is none."""
    for sample in SAMPLES:
        if sample.name == name:
            return sample
    raise KeyError(f"there is no sample dataset named {name!r}")
