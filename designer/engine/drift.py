"""Data drift of recent scoring inputs against the training rows. Pure: no Django.

Per feature, with the defaults the field uses: numbers get the two-sample Kolmogorov-Smirnov test
(drifted when p < 0.05) and the Wasserstein distance normalised by the baseline's standard deviation;
categories (text, true/false) get a chi-squared test on the category counts (drifted when p < 0.05) and
the Jensen-Shannon distance. The dataset counts as drifted when at least half of its features drift.
Features with fewer than ``MIN_ROWS`` recent values are reported as "not enough data", not as drifted.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

P_VALUE = 0.05
MIN_ROWS = 30
NUMERIC = ("integer", "number")


@dataclass(frozen=True)
class FeatureDrift:
    column: str
    kind: str  # "numeric" | "categorical"
    test: str
    statistic: float | None
    p_value: float | None
    distance: float | None  # normalised Wasserstein (numeric) or Jensen-Shannon (categorical)
    drifted: bool
    baseline_rows: int
    recent_rows: int
    note: str = ""


def feature_drift(column: str, kind: str, baseline: pd.Series, recent: pd.Series) -> FeatureDrift:
    from scipy import stats
    from scipy.spatial.distance import jensenshannon

    base, now = baseline.dropna(), recent.dropna()
    numeric = kind in NUMERIC
    if len(now) < MIN_ROWS or len(base) < MIN_ROWS:
        return FeatureDrift(
            column,
            "numeric" if numeric else "categorical",
            "",
            None,
            None,
            None,
            False,
            len(base),
            len(now),
            f"not enough data (at least {MIN_ROWS} values on each side)",
        )
    if numeric:
        a, b = base.to_numpy(dtype="float64"), now.to_numpy(dtype="float64")
        result = stats.ks_2samp(a, b)
        spread = float(np.std(a)) or 1.0
        distance = float(stats.wasserstein_distance(a, b)) / spread
        return FeatureDrift(
            column,
            "numeric",
            "Kolmogorov-Smirnov",
            float(result.statistic),
            float(result.pvalue),
            distance,
            bool(result.pvalue < P_VALUE),
            len(a),
            len(b),
        )
    a_counts = base.astype(str).value_counts()
    b_counts = now.astype(str).value_counts()
    categories = sorted(set(a_counts.index) | set(b_counts.index))
    observed = np.array([[a_counts.get(c, 0) for c in categories], [b_counts.get(c, 0) for c in categories]])
    if len(categories) < 2:
        return FeatureDrift(column, "categorical", "chi-squared", 0.0, 1.0, 0.0, False, len(base), len(now))
    # The plain table of counts: a category one side lacks is an empty *observed* cell, which the test
    # allows; every expected count is positive because each category occurs on at least one side.
    chi2, p, _, _ = stats.chi2_contingency(observed)
    p_a = observed[0] / observed[0].sum()
    p_b = observed[1] / observed[1].sum()
    distance = float(jensenshannon(p_a, p_b, base=2))
    return FeatureDrift(
        column, "categorical", "chi-squared", float(chi2), float(p), distance, bool(p < P_VALUE), len(base), len(now)
    )


def dataset_drift(columns: list[dict[str, str]], baseline: pd.DataFrame, recent: pd.DataFrame) -> dict[str, Any]:
    """Per-feature results and the dataset verdict, for the columns both sides have."""
    features = [
        feature_drift(c["name"], c["type"], baseline[c["name"]], recent[c["name"]])
        for c in columns
        if c["name"] in baseline.columns and c["name"] in recent.columns and c["type"] != "datetime"
    ]
    measured = [f for f in features if f.statistic is not None]
    drifted = [f for f in measured if f.drifted]
    return {
        "features": [asdict(f) for f in sorted(features, key=lambda f: (not f.drifted, -(f.distance or 0.0)))],
        "measured": len(measured),
        "drifted": len(drifted),
        "dataset_drifted": bool(measured) and len(drifted) * 2 >= len(measured),
        "recent_rows": len(recent),
        "baseline_rows": len(baseline),
    }
