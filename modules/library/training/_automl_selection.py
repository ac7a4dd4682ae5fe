"""Greedy ensemble selection over the trials' held-out scores (Caruana et al., "Ensemble selection from
libraries of models", ICML 2004), as auto-sklearn builds its ensembles.

Each completed trial keeps the scores it gave its held-out rows (``encode_scores``: the score columns of
``score_table`` on each split, a few bytes per row), so selecting costs no fit. After the search the node
takes the best distinct trials as the library (:data:`LIBRARY`), starts from the best one, and adds, one
pick at a time and with replacement, the trial whose scores averaged in give the best primary metric
(measured per split and averaged over the splits, as a trial is measured); a trial picked k times counts
k times in the average. Of the :data:`PICKS` prefixes, the best one wins (the earliest of equal ones).
A trial is picked again rather than a new one once ``size`` distinct trials are in.

The ensemble is the trained model only when its metric beats the best single trial's (its first pick)
strictly; it is then refitted on every training row with those weights
(``modules.estimators.automl_ensemble``). Its metric is measured on the rows it was selected on, so it is
an optimistic estimate of how it scores new rows; the same is true of the best single trial, chosen on
those rows too.
"""

from __future__ import annotations

import base64
import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from modules.library.scoring.score_model import SCORED_LABELS, THRESHOLD
from modules.library.training.cross_validate_model import (
    CLASS_PROBABILITY,
    binary_metrics,
    binary_truth,
    regression_metrics,
    score_metrics,
)
from modules.sdk import DataTable

#: The best distinct trials greedy selection picks from.
LIBRARY = 20
#: Picks greedy selection makes; the best prefix is the ensemble.
PICKS = 25
#: Held-out values (rows x score columns, over every split) above which a trial keeps no scores (about 1 MB in
#: the part's stored result at the limit); the node's log then says why there is no ensemble.
SCORES_LIMIT = 100_000


def encode_scores(scored: list[DataTable], label: str) -> dict[str, Any] | None:
    """A trial's held-out score columns of each split, as exact float64 bytes in base64, with what
    ``score_metrics`` needs besides the labels (task, positive class); ``None`` past :data:`SCORES_LIMIT`."""
    if not scored:
        return None
    columns = [c for c in scored[0].df.columns if c != label]
    if any([c for c in table.df.columns if c != label] != columns for table in scored):
        return None  # a fold's fit rows lacked a class: its columns differ, the splits cannot be averaged
    if sum(len(table.df) for table in scored) * len(columns) > SCORES_LIMIT:
        return None
    meta = {k: _plain(scored[0].meta[k]) for k in ("task", "positive_class") if k in scored[0].meta}
    if meta.get("task") != "regression":
        columns = [c for c in columns if c != SCORED_LABELS]  # class labels follow from the probabilities
    if not columns:
        return None  # a model without probabilities (One-vs-One): nothing to average
    splits = [
        {
            str(c): base64.b64encode(np.ascontiguousarray(table.df[c].to_numpy(dtype="float64")).tobytes()).decode()
            for c in columns
        }
        for table in scored
    ]
    return {"meta": meta, "splits": splits}


def decode_scores(encoded: dict[str, Any]) -> list[dict[str, np.ndarray]]:
    """Each split's score columns, as ``encode_scores`` kept them."""
    return [
        {c: np.frombuffer(base64.b64decode(text), dtype="float64") for c, text in split.items()}
        for split in encoded["splits"]
    ]


@dataclass
class Selection:
    """An ensemble greedy selection found: its distinct trials in first-pick order and how many times each
    was picked, its primary metric and every metric (means over the splits), and the best single trial's."""

    trials: list[int]
    weights: list[int]
    value: float
    single: float
    metrics: dict[str, float]


@dataclass
class Greedy:
    """Every prefix of the picks: the metric after each (``path``), the picks so far, the scores summed; whether
    the deadline stopped the picks (``cut_short``)."""

    path: list[float]
    counts: list[dict[int, int]]
    sums: list[list[dict[str, np.ndarray]]]
    splits: list[_Split]
    higher_is_better: bool
    cut_short: bool = False

    def ranked(self) -> list[int]:
        """The prefixes that mix at least two trials and beat the first pick alone, best first (the earliest
        of equal ones)."""
        sign = 1.0 if self.higher_is_better else -1.0
        beating = [
            i for i in range(len(self.path)) if len(self.counts[i]) >= 2 and sign * self.path[i] > sign * self.path[0]
        ]
        return sorted(beating, key=lambda i: (-sign * self.path[i], i))

    def selection(self, i: int) -> Selection:
        """The ensemble of the first ``i + 1`` picks, its every metric measured as the selection measured it."""
        counts = self.counts[i]
        order = sorted(counts, key=lambda t: min(k for k, c in enumerate(self.counts) if t in c))  # first-pick order
        averaged = [{c: v / (i + 1) for c, v in split.items()} for split in self.sums[i]]
        per_split = [split.all_metrics(averaged[k]) for k, split in enumerate(self.splits)]
        metrics = {name: _mean([m[name] for m in per_split]) for name in per_split[0]}
        return Selection(order, [counts[t] for t in order], self.path[i], self.path[0], metrics)


def select(
    library: list[tuple[int, dict[str, Any]]],
    held: list[DataTable],
    label: str,
    metric: str,
    higher_is_better: bool,
    size: int,
    picks: int = PICKS,
    deadline: float | None = None,
) -> Greedy | None:
    """Greedy selection with replacement over ``library`` (``(trial, encode_scores(...))``, best trial first),
    whose scores were given to the rows of ``held`` (one table per split, with the label). ``None`` when fewer
    than two trials have comparable scores. No pick starts after ``deadline`` (``time.monotonic()``)."""
    first = library[0][1] if library else None
    usable = [
        (trial, decode_scores(scores))
        for trial, scores in library
        if first is not None and scores["meta"] == first["meta"] and _shape(scores) == _shape(first)
    ]
    if len(usable) < 2:
        return None
    splits = [_Split(table, label, first["meta"]) for table in held]  # type: ignore[index]
    sign = 1.0 if higher_is_better else -1.0
    total = [{c: np.zeros_like(v) for c, v in usable[0][1][k].items()} for k in range(len(splits))]
    counts: dict[int, int] = {}
    greedy = Greedy([], [], [], splits, higher_is_better)
    for _ in range(picks):
        if deadline is not None and time.monotonic() >= deadline and greedy.path:
            greedy.cut_short = True
            break
        n = sum(counts.values()) + 1
        candidates = [u for u in usable if u[0] in counts] if len(counts) >= size else usable
        best: tuple[float, int, list[dict[str, np.ndarray]]] | None = None
        for trial, scores in candidates:
            value = _mean_over(splits, total, scores, n, metric)
            if math.isnan(value):
                continue
            if best is None or sign * value > sign * best[0]:
                best = (value, trial, scores)
        if best is None:
            break
        value, trial, scores = best
        total = [{c: total[k][c] + scores[k][c] for c in total[k]} for k in range(len(splits))]
        counts[trial] = counts.get(trial, 0) + 1
        greedy.path.append(value)
        greedy.counts.append(dict(counts))
        greedy.sums.append(total)
    return greedy if greedy.path else None


class _Split:
    """One split's held-out rows as score_metrics reads them, with the averaged scores put in."""

    def __init__(self, table: DataTable, label: str, meta: dict[str, Any]) -> None:
        self.label = label
        self.meta = {**meta, "label_column": label}
        self.truth = table.df[[label]].reset_index(drop=True)
        task = meta.get("task")
        self.binary = binary_truth(self.truth[label], meta["positive_class"]) if task == "binary" else None
        self.regression = self.truth[label].to_numpy(dtype="float64") if task == "regression" else None

    def metric(self, scores: dict[str, np.ndarray], metric: str) -> float:
        if self.binary is not None:
            return fast_binary_metric(metric, self.binary, next(iter(scores.values())))
        if self.regression is not None:
            return regression_metrics(self.regression, scores[SCORED_LABELS])[metric]
        return self.all_metrics(scores)[metric]

    def all_metrics(self, scores: dict[str, np.ndarray]) -> dict[str, float]:
        df = self.truth.copy()
        for column, values in scores.items():
            df[column] = values
        if self.meta.get("task") == "multiclass":
            columns = [c for c in scores if c.startswith(CLASS_PROBABILITY)]
            classes = np.array([c[len(CLASS_PROBABILITY) : -1] for c in columns], dtype=object)
            df[SCORED_LABELS] = pd.Series(classes[np.argmax(np.column_stack([scores[c] for c in columns]), axis=1)])
        return score_metrics(DataTable(df, self.meta), self.label)


def fast_binary_metric(metric: str, y: np.ndarray, p: np.ndarray) -> float:
    """``binary_metrics(y, p)[metric]`` without scikit-learn's checks, which cost ~1 ms a call where selection makes
    thousands (AUC by ranks, as the area under the ROC curve counts ties; log loss clipped as scikit-learn clips
    it). Equal to it within rounding (``tests/modules/test_automl_selection.py``)."""
    if metric == "AUC":
        positives = int(y.sum())
        negatives = len(y) - positives
        if not positives or not negatives:
            return float("nan")
        from scipy.stats import rankdata

        ranks = rankdata(p)
        return float((ranks[y].sum() - positives * (positives + 1) / 2) / (positives * negatives))
    if metric == "Average log loss":
        eps = np.finfo("float64").eps
        chosen = np.where(y, np.clip(p, eps, 1 - eps), np.clip(1 - p, eps, 1 - eps))
        return float(-np.mean(np.log(chosen)))
    predicted = p > THRESHOLD
    tp = int((predicted & y).sum())
    fp = int((predicted & ~y).sum())
    fn = int((~predicted & y).sum())
    if metric == "Accuracy":
        return float((predicted == y).mean())
    if metric == "Precision":
        return tp / (tp + fp) if tp + fp else 0.0
    if metric == "Recall":
        return tp / (tp + fn) if tp + fn else 0.0
    if metric == "F-score":
        return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0
    return binary_metrics(y, p)[metric]


def _mean_over(
    splits: list[_Split], total: list[dict[str, np.ndarray]], scores: list[dict[str, np.ndarray]], n: int, metric: str
) -> float:
    """The metric, averaged over the splits, of ``total`` with ``scores`` added, as a mean of ``n`` picks."""
    values = [
        split.metric({c: (total[k][c] + scores[k][c]) / n for c in total[k]}, metric) for k, split in enumerate(splits)
    ]
    return _mean(values)


def _shape(scores: dict[str, Any]) -> list[tuple[str, int]]:
    return [(c, len(text)) for split in scores["splits"] for c, text in split.items()]


def _mean(values: list[float]) -> float:
    return float(np.mean(values)) if all(not math.isnan(v) for v in values) else float("nan")


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value
