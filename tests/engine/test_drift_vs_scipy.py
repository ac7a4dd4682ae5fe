"""Drift statistics, p-values and distances against SciPy computed directly, numbers and categories.

The reference side builds its own inputs (a contingency table from ``pd.crosstab``, probabilities from
``value_counts``) so that it shares no code with ``designer.engine.drift`` beyond SciPy itself.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.spatial.distance import jensenshannon

from designer.engine.drift import MIN_ROWS, dataset_drift, feature_drift
from modules.sdk import DataTable, Table
from modules.sdk.schema import TableSchema

RNG = np.random.default_rng(20261206)  # the parametrized samples, drawn once at collection


def contingency(baseline: pd.Series, recent: pd.Series) -> np.ndarray:
    """Rows: baseline, recent; columns: every category seen on either side."""
    values = pd.concat([baseline.dropna().astype(str), recent.dropna().astype(str)], ignore_index=True)
    side = ["baseline"] * int(baseline.notna().sum()) + ["recent"] * int(recent.notna().sum())
    return pd.crosstab(pd.Series(side, name="side"), values).to_numpy()


def proportions(table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return table[0] / table[0].sum(), table[1] / table[1].sum()


# --- numbers: two-sample Kolmogorov-Smirnov and the Wasserstein distance over the baseline's spread


@pytest.mark.parametrize(
    ("kind", "baseline", "recent"),
    [
        ("number", RNG.normal(10, 2, 400), RNG.normal(10, 2, 150)),  # same distribution
        ("number", RNG.normal(10, 2, 400), RNG.normal(11.5, 2, 150)),  # shifted
        ("number", RNG.normal(0, 1, 300), RNG.normal(0, 3, 80)),  # same centre, wider
        ("number", RNG.exponential(1.0, 500), RNG.exponential(1.3, 60)),  # skewed
        ("integer", RNG.integers(0, 20, 400), RNG.integers(2, 25, 120)),  # ties
    ],
    ids=["same", "shifted", "wider", "skewed", "integers-with-ties"],
)
def test_numeric_features_match_scipy(kind: str, baseline: np.ndarray, recent: np.ndarray) -> None:
    # given two numeric samples
    a, b = pd.Series(baseline), pd.Series(recent)

    # when the drift of one against the other is measured
    result = feature_drift("x", kind, a, b)

    # then the test, its p-value and the distance are SciPy's
    ks = stats.ks_2samp(baseline.astype(float), recent.astype(float))
    distance = stats.wasserstein_distance(baseline, recent) / np.std(baseline)
    assert (result.kind, result.test) == ("numeric", "Kolmogorov-Smirnov")
    assert result.statistic == pytest.approx(ks.statistic, rel=1e-12)
    assert result.p_value == pytest.approx(ks.pvalue, rel=1e-9, abs=1e-300)
    assert result.distance == pytest.approx(distance, rel=1e-12)
    assert result.drifted is bool(ks.pvalue < 0.05)
    assert (result.baseline_rows, result.recent_rows) == (len(baseline), len(recent))


def test_a_shifted_numeric_feature_drifts_and_an_unshifted_one_does_not() -> None:
    rng = np.random.default_rng(1)
    base = pd.Series(rng.normal(0, 1, 5000))

    calm = feature_drift("x", "number", base, pd.Series(rng.normal(0, 1, 2000)))
    moved = feature_drift("x", "number", base, pd.Series(rng.normal(1, 1, 2000)))

    assert calm.drifted is False and calm.p_value > 0.05
    assert moved.drifted is True and moved.p_value < 1e-20
    assert moved.distance == pytest.approx(1.0, abs=0.1)  # one baseline standard deviation away


def test_missing_numbers_are_left_out_before_comparing() -> None:
    rng = np.random.default_rng(2)
    # given samples with gaps
    baseline = rng.normal(0, 1, 200)
    recent = rng.normal(0.5, 1, 90)
    baseline[[1, 50, 199]] = np.nan
    recent[[0, 7]] = np.nan

    result = feature_drift("x", "number", pd.Series(baseline), pd.Series(recent))

    a, b = baseline[~np.isnan(baseline)], recent[~np.isnan(recent)]
    assert result.p_value == pytest.approx(stats.ks_2samp(a, b).pvalue, rel=1e-9)
    assert result.distance == pytest.approx(stats.wasserstein_distance(a, b) / np.std(a), rel=1e-12)
    assert (result.baseline_rows, result.recent_rows) == (197, 88)


def test_a_constant_baseline_is_not_divided_by_zero() -> None:
    result = feature_drift("x", "number", pd.Series([3.0] * 40), pd.Series([3.0] * 20 + [4.0] * 20))

    assert result.distance == pytest.approx(stats.wasserstein_distance([3.0] * 40, [3.0] * 20 + [4.0] * 20))
    assert result.distance == pytest.approx(0.5)


# --- categories: chi-squared on the 2 x k table of counts and the Jensen-Shannon distance


@pytest.mark.parametrize(
    ("kind", "baseline", "recent"),
    [
        (
            "string",
            RNG.choice(["red", "green", "blue"], 400, p=[0.5, 0.3, 0.2]),
            RNG.choice(["red", "green", "blue"], 150, p=[0.5, 0.3, 0.2]),
        ),
        (
            "string",
            RNG.choice(["red", "green", "blue"], 400, p=[0.5, 0.3, 0.2]),
            RNG.choice(["red", "green", "blue"], 150, p=[0.2, 0.3, 0.5]),
        ),
        (
            "category",  # a category the training rows never had, and one the recent rows lack
            RNG.choice(["a", "b", "c", "d"], 300, p=[0.4, 0.3, 0.2, 0.1]),
            RNG.choice(["a", "b", "c", "new"], 90, p=[0.3, 0.3, 0.2, 0.2]),
        ),
        ("boolean", RNG.random(300) < 0.5, RNG.random(100) < 0.7),  # two categories: one degree of freedom
        (
            "string",  # many categories, few rows in each
            RNG.choice([f"k{i}" for i in range(40)], 600),
            RNG.choice([f"k{i}" for i in range(30, 60)], 45),
        ),
    ],
    ids=["same", "reweighted", "unseen-category", "boolean", "many-sparse-categories"],
)
def test_categorical_features_match_scipy(kind: str, baseline: np.ndarray, recent: np.ndarray) -> None:
    # given two samples of categories
    a, b = pd.Series(baseline), pd.Series(recent)

    # when the drift of one against the other is measured
    result = feature_drift("c", kind, a, b)

    # then the statistic and p-value are SciPy's chi-squared test of the table of counts,
    # and the distance its Jensen-Shannon distance (base 2: 0 for the same mix, 1 for disjoint ones)
    table = contingency(a, b)
    chi2 = stats.chi2_contingency(table)
    p_a, p_b = proportions(table)
    assert (result.kind, result.test) == ("categorical", "chi-squared")
    assert result.statistic == pytest.approx(chi2.statistic, rel=1e-12)
    assert result.p_value == pytest.approx(chi2.pvalue, rel=1e-9, abs=1e-300)
    assert result.distance == pytest.approx(jensenshannon(p_a, p_b, base=2), rel=1e-12)
    assert result.drifted is bool(chi2.pvalue < 0.05)
    assert (result.baseline_rows, result.recent_rows) == (len(baseline), len(recent))


def test_the_categorical_statistic_is_the_textbook_one() -> None:
    # given a 2 x 2 table small enough to work out by hand: baseline 30 x "a" and 30 x "b",
    # recent 45 x "a" and 15 x "b"; expected counts 37.5 and 22.5 on each side
    base = pd.Series(["a"] * 30 + ["b"] * 30)
    now = pd.Series(["a"] * 45 + ["b"] * 15)

    result = feature_drift("c", "string", base, now)

    # then the statistic is Pearson's with Yates' continuity correction (one degree of freedom),
    # as scipy.stats.chi2_contingency computes it by default
    corrected = sum((abs(o - e) - 0.5) ** 2 / e for o, e in [(30, 37.5), (30, 22.5), (45, 37.5), (15, 22.5)])
    assert result.statistic == pytest.approx(corrected, rel=1e-12)
    assert result.p_value == pytest.approx(stats.chi2.sf(corrected, df=1), rel=1e-12)
    assert result.drifted is True
    # Jensen-Shannon of (1/2, 1/2) and (3/4, 1/4), worked out with base-2 logarithms
    m = np.array([5 / 8, 3 / 8])
    kl = lambda p: float(np.sum(p * np.log2(p / m)))  # noqa: E731
    assert result.distance == pytest.approx(np.sqrt((kl(np.array([0.5, 0.5])) + kl(np.array([0.75, 0.25]))) / 2))


def test_disjoint_categories_are_the_furthest_apart() -> None:
    result = feature_drift("c", "string", pd.Series(["a", "b"] * 20), pd.Series(["c", "d"] * 20))

    assert result.distance == pytest.approx(1.0)
    assert result.drifted is True and result.p_value < 1e-15


def test_one_category_on_both_sides_has_nothing_to_test() -> None:
    result = feature_drift("c", "string", pd.Series(["only"] * 40), pd.Series(["only"] * 35))

    assert (result.statistic, result.p_value, result.distance, result.drifted) == (0.0, 1.0, 0.0, False)


def test_missing_categories_are_left_out_before_comparing() -> None:
    base = pd.Series(["x", "y", None, "x", "z"] * 20, dtype="string")
    now = pd.Series(["y", None, "y", "z", None] * 12, dtype=object)

    result = feature_drift("c", "string", base, now)

    table = contingency(base, now)
    assert table.sum(axis=1).tolist() == [80, 36]
    assert result.p_value == pytest.approx(stats.chi2_contingency(table).pvalue, rel=1e-9)
    assert (result.baseline_rows, result.recent_rows) == (80, 36)


@pytest.mark.parametrize("kind", ["number", "string"])
def test_fewer_recent_values_than_the_minimum_are_reported_not_judged(kind: str) -> None:
    rng = np.random.default_rng(3)
    base = pd.Series(["a", "b"] * 50) if kind == "string" else pd.Series(rng.normal(size=100))
    now = base.iloc[: MIN_ROWS - 1]

    result = feature_drift("c", kind, base, now)

    assert (result.statistic, result.p_value, result.distance, result.drifted) == (None, None, None, False)
    assert result.note.startswith("not enough data")


# --- the whole input, as monitoring builds it: a stored training table and rows decoded from JSON


def as_monitoring_sees_it(training: pd.DataFrame, recent: pd.DataFrame) -> tuple[list[dict[str, str]], Any, Any]:
    """The baseline after a Parquet round trip, the recent rows after a JSON one, the declared columns."""
    baseline = Table.deserialize(Table.serialize(DataTable(training))).df
    columns = [{"name": c.name, "type": c.dtype} for c in TableSchema.of(training).columns]
    rows = json.loads(recent.to_json(orient="records"))
    return columns, baseline, pd.DataFrame(rows, columns=[c["name"] for c in columns])


def test_a_mixed_input_is_measured_per_feature_with_scipy_and_judged_by_half() -> None:
    rng = np.random.default_rng(4)
    # given training rows with two numbers, a text column and a flag, and recent rows in which
    # the price and the colour moved but the age and the flag did not
    n, m = 500, 120
    training = pd.DataFrame(
        {
            "age": rng.integers(18, 80, n),
            "price": rng.normal(100, 15, n),
            "colour": pd.Series(rng.choice(["red", "green", "blue"], n, p=[0.6, 0.3, 0.1]), dtype="string"),
            "member": rng.random(n) < 0.3,
        }
    )
    recent = pd.DataFrame(
        {
            "age": rng.integers(18, 80, m),
            "price": rng.normal(130, 15, m),
            "colour": rng.choice(["red", "green", "blue", "violet"], m, p=[0.2, 0.3, 0.3, 0.2]),
            "member": rng.random(m) < 0.3,
        }
    )
    columns, baseline, now = as_monitoring_sees_it(training, recent)
    assert [c["type"] for c in columns] == ["integer", "number", "string", "boolean"]

    # when the drift of the input is measured
    report = dataset_drift(columns, baseline, now)

    # then each feature carries SciPy's numbers, and two of four drifted features make the dataset drift
    by_name = {f["column"]: f for f in report["features"]}
    for name in ("age", "price"):
        ks = stats.ks_2samp(training[name].astype(float), recent[name].astype(float))
        assert by_name[name]["test"] == "Kolmogorov-Smirnov"
        assert by_name[name]["p_value"] == pytest.approx(ks.pvalue, rel=1e-9, abs=1e-300)
        spread = np.std(training[name].astype(float))
        assert by_name[name]["distance"] == pytest.approx(
            stats.wasserstein_distance(training[name], recent[name]) / spread, rel=1e-12
        )
    for name in ("colour", "member"):
        table = contingency(training[name], recent[name])
        chi2 = stats.chi2_contingency(table)
        assert by_name[name]["test"] == "chi-squared"
        assert by_name[name]["statistic"] == pytest.approx(chi2.statistic, rel=1e-12)
        assert by_name[name]["p_value"] == pytest.approx(chi2.pvalue, rel=1e-9, abs=1e-300)
        assert by_name[name]["distance"] == pytest.approx(jensenshannon(*proportions(table), base=2), rel=1e-12)
    assert {f["column"] for f in report["features"] if f["drifted"]} == {"price", "colour"}
    assert (report["measured"], report["drifted"], report["dataset_drifted"]) == (4, 2, True)
    assert [f["drifted"] for f in report["features"]] == [True, True, False, False]  # drifted first
    assert (report["baseline_rows"], report["recent_rows"]) == (n, m)


def test_one_drifted_feature_of_four_does_not_make_the_dataset_drift() -> None:
    rng = np.random.default_rng(5)
    training = pd.DataFrame({f"f{i}": rng.choice(["a", "b", "c"], 300) for i in range(4)})
    recent = pd.DataFrame({f"f{i}": rng.choice(["a", "b", "c"], 100) for i in range(4)})
    recent["f0"] = rng.choice(["a", "b", "c"], 100, p=[0.8, 0.1, 0.1])
    columns, baseline, now = as_monitoring_sees_it(training, recent)

    report = dataset_drift(columns, baseline, now)

    assert [f["column"] for f in report["features"] if f["drifted"]] == ["f0"]
    assert (report["measured"], report["drifted"], report["dataset_drifted"]) == (4, 1, False)
