"""K-Means Clustering: an untrained k-means model, trained with Train Clustering Model."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from modules.library._learners import CLUSTERING, FIRST_N
from modules.sdk import Learner, Module, Out, ParamModel, RunContext, UntrainedModel

INIT = {"First N": FIRST_N, "Random": "random", "K-Means++": "k-means++"}


class KMeansClustering(Module):
    """Groups rows into a chosen number of clusters around centroids (Euclidean distance).

    ``sklearn.cluster.KMeans(n_clusters, init, n_init=1, max_iter=iterations, random_state=seed)``:
    one run from the chosen start, as Azure. "K-Means++" and "Random" pick the starting centroids at
    random (seeded); "First N" starts from the first distinct rows of the training data. With
    "Normalize features" every feature is rescaled to [0, 1] (``MinMaxScaler``) first. Text columns
    are one-hot encoded. As in Azure, only Single Parameter mode and the Euclidean metric exist; the
    "Assign label mode" options, which need a label column, are not offered.
    """

    id = "k_means_clustering"
    name = "K-Means Clustering"
    category = "Machine Learning Algorithms"

    class Outputs:
        untrained_model = Out(UntrainedModel, "Untrained model")

    class Params(ParamModel):
        number_of_centroids: int = Field(
            2, ge=2, le=1_000, title="Number of centroids", description="How many clusters to find."
        )
        initialization: Literal["First N", "Random", "K-Means++"] = Field(
            "K-Means++", title="Initialization", description="How the starting centroids are chosen."
        )
        random_number_seed: int = Field(
            0, ge=0, title="Random number seed", description="Seed for choosing the starting centroids."
        )
        iterations: int = Field(
            100, ge=1, le=100_000, title="Iterations", description="Most passes of assigning rows and moving centroids."
        )
        normalize_features: bool = Field(
            True, title="Normalize features", description="Rescale each feature to [0, 1] before clustering."
        )

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        return {"untrained_model": Learner(build_estimator(params), task=CLUSTERING, learner=self.id, name=self.name)}


def build_estimator(params: KMeansClustering.Params) -> Any:
    from sklearn.cluster import KMeans
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import MinMaxScaler

    model = KMeans(
        n_clusters=params.number_of_centroids,
        init=INIT[params.initialization],
        n_init=1,
        max_iter=params.iterations,
        random_state=params.random_number_seed,
    )
    steps: list[tuple[str, Any]] = [("normalize", MinMaxScaler())] if params.normalize_features else []
    return Pipeline([*steps, ("model", model)])
