"""PCA-Based Anomaly Detection: an untrained PCA model whose reconstruction error scores how unusual a row is."""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import Field

from modules.sdk import Learner, Module, Out, ParamModel, RunContext, UntrainedModel
from modules.sdk.values import Task

ANOMALY: Task = "anomaly"


class PCABasedAnomalyDetection(Module):
    """Learns the main directions of normal rows; a row far from the subspace they span is an anomaly.

    ``sklearn.decomposition.PCA(n_components, svd_solver="randomized", n_oversamples=oversampling,
    random_state=seed)``, after ``StandardScaler`` when "Enable input feature mean normalization" is
    on (off: PCA of the raw values, which it still centres). Train it with Train Anomaly Detection
    Model. Score Model's "Scored Probabilities" is the normalized reconstruction error, as in Azure
    (ML.NET's randomized PCA): for a row ``z`` (encoded, normalized, minus the training mean) and its
    projection ``P z`` onto the components, ``|z - P z| / |z|``, between 0 (on the subspace) and 1
    (orthogonal to it); "Scored Labels" is 1 (anomaly) when it is above 0.5, else 0. The score ranks
    rows whatever their scale; where the data has no low-dimensional structure many rows pass 0.5,
    so choose the cut-off from Evaluate Model's metrics by threshold.

    Better than Azure: text, category and true/false columns are one-hot encoded rather than refused;
    normalization scales every feature to unit variance, so one large-valued column cannot own the
    components; the randomized solver is seeded, so training is reproducible; and the model is plain
    scikit-learn, saved without any code of ours. The number of components must be smaller than
    the number of (encoded) features, or every row would be reconstructed exactly.
    """

    id = "pca_based_anomaly_detection"
    name = "PCA-Based Anomaly Detection"
    category = "Anomaly Detection"

    class Outputs:
        untrained_model = Out(UntrainedModel, "Untrained model")

    class Params(ParamModel):
        number_of_components_to_use_in_pca: int = Field(
            2,
            ge=1,
            le=1_000,
            title="Number of components to use in PCA",
            description="How many principal directions describe normal rows; fewer than the number of features.",
        )
        oversampling_parameter_for_randomized_pca: int = Field(
            2,
            ge=1,
            le=1_000,
            title="Oversampling parameter for randomized PCA",
            description="Extra random directions the randomized solver samples for accuracy.",
        )
        enable_input_feature_mean_normalization: bool = Field(
            True,
            title="Enable input feature mean normalization",
            description="Standardize each feature (zero mean, unit variance) before PCA.",
        )
        random_number_seed: int = Field(
            0, ge=0, title="Random number seed", description="Seed of the randomized PCA solver."
        )

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        return {"untrained_model": Learner(build_estimator(params), task=ANOMALY, learner=self.id, name=self.name)}


def build_estimator(params: PCABasedAnomalyDetection.Params) -> Any:
    from sklearn.decomposition import PCA
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    pca = PCA(
        n_components=params.number_of_components_to_use_in_pca,
        svd_solver="randomized",
        n_oversamples=params.oversampling_parameter_for_randomized_pca,
        random_state=params.random_number_seed,
    )
    steps: list[tuple[str, Any]] = (
        [("normalize", StandardScaler())] if params.enable_input_feature_mean_normalization else []
    )
    return Pipeline([*steps, ("model", pca)])


def up_to_final_step(estimator: Any, x: Any) -> tuple[Any, Any]:
    """The final estimator of (nested) pipelines and ``x`` transformed by every step before it."""
    while hasattr(estimator, "steps"):
        for _, step in estimator.steps[:-1]:
            if step is not None and step != "passthrough":
                x = step.transform(x)
        estimator = estimator.steps[-1][1]
    return estimator, x


def reconstruction_scores(estimator: Any, features: Any) -> np.ndarray:
    """``|z - P z| / |z|`` per row: the normalized reconstruction error of a fitted PCA pipeline, 0 to 1."""
    pca, prepared = up_to_final_step(estimator, features)
    centred = np.asarray(prepared, dtype="float64") - pca.mean_
    components = np.asarray(pca.components_, dtype="float64")
    residual = centred - (centred @ components.T) @ components
    length = np.linalg.norm(centred, axis=1)
    error = np.linalg.norm(residual, axis=1)
    safe = np.where(length > 0, length, 1.0)
    return np.asarray(np.clip(np.where(length > 0, error / safe, 0.0), 0.0, 1.0), dtype="float64")
