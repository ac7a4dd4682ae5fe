"""The metrics a retraining policy may decide by: those Evaluate Model reports for the endpoint's task,
which way is better, and whether they are proportions (so a margin above 1 could never be met)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Metric:
    name: str  # as Evaluate Model names it in its results
    higher_is_better: bool
    proportion: bool  # between 0 and 1

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "higher_is_better": self.higher_is_better, "proportion": self.proportion}


_BINARY = (
    Metric("AUC", True, True),
    Metric("Accuracy", True, True),
    Metric("F1 Score", True, True),
    Metric("Precision", True, True),
    Metric("Recall", True, True),
)
_MULTICLASS = (
    Metric("Overall Accuracy", True, True),
    Metric("Macro-averaged Precision", True, True),
    Metric("Macro-averaged Recall", True, True),
    Metric("Micro-averaged Precision", True, True),
    Metric("Micro-averaged Recall", True, True),
)
_REGRESSION = (
    Metric("Coefficient of Determination", True, False),  # R², at most 1 but unbounded below
    Metric("Root Mean Squared Error", False, False),
    Metric("Mean Absolute Error", False, False),
    Metric("Relative Absolute Error", False, False),
    Metric("Relative Squared Error", False, False),
)

#: By the task of the served model (FittedModel.task); an anomaly detector is evaluated as two-class.
BY_TASK: dict[str, tuple[Metric, ...]] = {
    "binary": _BINARY,
    "anomaly": _BINARY,
    "multiclass": _MULTICLASS,
    "regression": _REGRESSION,
}


def metrics_for(task: str) -> tuple[Metric, ...]:
    return BY_TASK.get(task, ())


def find(task: str, name: str) -> Metric | None:
    return next((m for m in metrics_for(task) if m.name == name), None)


def improvement(metric: Metric, champion: float, challenger: float) -> float:
    """How much better the challenger is, in the metric's units (negative: worse)."""
    return challenger - champion if metric.higher_is_better else champion - challenger
