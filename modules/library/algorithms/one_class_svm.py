"""One-Class SVM: an untrained one-class support vector machine that learns the boundary of normal rows."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from pydantic import Field

from modules.sdk import Learner, Module, Out, ParamModel, RunContext, UntrainedModel
from modules.sdk.values import Task

ANOMALY: Task = "anomaly"
KERNELS = {"Radial basis function": "rbf", "Linear": "linear", "Polynomial": "poly", "Sigmoid": "sigmoid"}


class OneClassSVM(Module):
    """Learns a boundary around the training rows; rows outside it are anomalies.

    ``sklearn.svm.OneClassSVM(nu=η, tol=ε, kernel, gamma, degree, coef0)``, after ``StandardScaler``
    when "Normalize features" is on. η (nu) bounds the share of training rows left outside the
    boundary (and of support vectors); ε is the tolerance at which the solver stops. Train it with
    Train Anomaly Detection Model. Score Model's "Scored Probabilities" is the logistic of the negated
    decision value, ``1 / (1 + exp(decision))``: above 0.5 exactly when scikit-learn predicts an
    outlier, so "Scored Labels" (1 = anomaly) agrees with ``OneClassSVM.predict``.

    Azure's designer has no One-Class SVM (Studio classic had one, with η and ε only); this one also
    offers the kernels of scikit-learn and one-hot encodes text, category and true/false columns.
    """

    id = "one_class_svm"
    name = "One-Class SVM"
    category = "Anomaly Detection"

    class Outputs:
        untrained_model = Out(UntrainedModel, "Untrained model")

    class Params(ParamModel):
        nu: float = Field(
            0.1,
            gt=0.0,
            le=1.0,
            title="η (nu)",
            description="Upper bound on the share of training rows treated as outliers, and lower bound on the "
            "share of support vectors.",
        )
        epsilon: float = Field(
            0.001, gt=0.0, le=1.0, title="ε (epsilon)", description="Tolerance at which the solver stops."
        )
        kernel_type: Literal["Radial basis function", "Linear", "Polynomial", "Sigmoid"] = Field(
            "Radial basis function", title="Kernel type", description="The similarity between rows the SVM uses."
        )
        gamma: float = Field(
            0.0,
            ge=0.0,
            title="Gamma",
            description="Kernel coefficient of the radial basis function, polynomial and sigmoid kernels; "
            "0 means 1 / (number of features x feature variance), scikit-learn's 'scale'.",
        )
        degree: int = Field(3, ge=1, le=10, title="Degree", description="Degree of the polynomial kernel.")
        coef0: float = Field(
            0.0, title="Coefficient 0", description="Independent term of the polynomial and sigmoid kernels."
        )
        normalize_features: bool = Field(
            True, title="Normalize features", description="Standardize each feature (zero mean, unit variance) first."
        )

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        return {"untrained_model": Learner(build_estimator(params), task=ANOMALY, learner=self.id, name=self.name)}


def build_estimator(params: OneClassSVM.Params) -> Any:
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import OneClassSVM as SklearnOneClassSVM

    svm = SklearnOneClassSVM(
        nu=params.nu,
        tol=params.epsilon,
        kernel=KERNELS[params.kernel_type],
        gamma=params.gamma if params.gamma > 0 else "scale",
        degree=params.degree,
        coef0=params.coef0,
    )
    steps: list[tuple[str, Any]] = [("normalize", StandardScaler())] if params.normalize_features else []
    return Pipeline([*steps, ("model", svm)])


def outlier_probabilities(estimator: Any, features: Any) -> np.ndarray:
    """``1 / (1 + exp(decision value))`` per row of a fitted one-class pipeline: above 0.5 for outliers."""
    from scipy.special import expit

    decision = np.asarray(estimator.decision_function(features), dtype="float64")
    return np.asarray(expit(-decision), dtype="float64")
