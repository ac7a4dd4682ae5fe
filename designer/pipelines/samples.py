"""Sample pipelines, as Azure's designer home page offers them: ready-made documents over sample datasets.

Each sample names the bundled sample datasets it reads (``designer.datasets.samples``, by name) and
builds its pipeline document from their ids in the workspace it is opened in. Nothing is stored:
opening a sample loads the datasets the workspace lacks and saves an ordinary, editable pipeline.

``open_sample`` is the one write: it is what ``POST /api/sample-pipelines/{slug}/open/`` calls.

Layouts read top to bottom: a node's ``(column, row)`` becomes canvas coordinates on a grid wide
enough for the canvas's 232-pixel nodes. Every sample is small enough to run in seconds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from rest_framework.exceptions import NotFound

from designer.datasets.models import Dataset
from designer.datasets.services import load_sample
from designer.workspaces.models import Workspace
from modules.sdk import default_registry

from . import services

COLUMN_WIDTH = 290
ROW_HEIGHT = 120

BREAST_CANCER = "Breast cancer (Wisconsin diagnostic)"
DIABETES = "Diabetes progression"
IRIS = "Iris flowers"
MOVIE_REVIEWS = "Movie review sentiment"
PENGUINS = "Palmer penguins"
WINE = "Wine cultivars"
RATINGS = "Movie ratings (synthetic)"

PENGUIN_MEASUREMENTS = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]
SEED = 42


@dataclass(frozen=True)
class SamplePipeline:
    slug: str
    name: str
    description: str
    task: str  # regression, binary_classification, multiclass_classification, clustering, ...
    mirrors: str  # the Azure designer sample this one follows
    datasets: tuple[str, ...]  # names of bundled sample datasets (designer.datasets.samples)
    build: Callable[[Mapping[str, int]], dict[str, Any]]  # sample dataset name -> dataset id -> document

    def modules(self) -> set[str]:
        """Module ids the document uses (a sample is offered only when the server has them all)."""
        return {node["module"] for node in self.build(dict.fromkeys(self.datasets, 1))["nodes"]}


class _Canvas:
    """Collects nodes at grid positions and edges written ``'node.port -> node.port'``."""

    def __init__(self) -> None:
        self.nodes: list[dict[str, Any]] = []
        self.edges: list[dict[str, Any]] = []
        self.layout: dict[str, dict[str, Any]] = {}

    def node(self, node_id: str, module: str, at: tuple[float, int], comment: str = "", **params: Any) -> _Canvas:
        registry = default_registry()
        version = registry.latest_version(module) if module in registry else 1  # unknown: not offered
        self.nodes.append({"id": node_id, "module": module, "version": version, "params": params})
        column, row = at
        self.layout[node_id] = {"x": round(column * COLUMN_WIDTH), "y": row * ROW_HEIGHT}
        if comment:
            self.layout[node_id]["comment"] = comment
        return self

    def dataset(self, node_id: str, dataset_id: int, at: tuple[float, int]) -> _Canvas:
        return self.node(node_id, "dataset", at, dataset={"dataset_id": dataset_id})

    def wire(self, *edges: str) -> _Canvas:
        for text in edges:
            source, target = (part.strip() for part in text.split("->"))
            (s_node, s_port), (t_node, t_port) = source.split("."), target.split(".")
            self.edges.append({"source": {"node": s_node, "port": s_port}, "target": {"node": t_node, "port": t_port}})
        return self

    def document(self) -> dict[str, Any]:
        return {"schema_version": 1, "nodes": self.nodes, "edges": self.edges, "parameters": {}, "layout": self.layout}


def _train_score_evaluate(canvas: _Canvas, source: str, label: str, row: int) -> dict[str, Any]:
    """The common tail: ``source`` feeds Split; learner + first half -> Train; second half -> Score -> Evaluate.

    The learner node must already be on the canvas (column 0, row ``row``)."""
    return (
        canvas.node("train", "train_model", (0.5, row + 1), label_column=label)
        .node("score", "score_model", (1, row + 2))
        .node("evaluate", "evaluate_model", (1, row + 3))
        .wire(
            f"{source} -> split.dataset",
            "learner.untrained_model -> train.untrained_model",
            "split.results_dataset1 -> train.dataset",
            "train.trained_model -> score.trained_model",
            "split.results_dataset2 -> score.dataset",
            "score.scored_dataset -> evaluate.scored_dataset",
        )
        .document()
    )


def _split(canvas: _Canvas, at: tuple[float, int], *, stratify: str | None = None, fraction: float = 0.7) -> _Canvas:
    params: dict[str, Any] = {"fraction_of_rows_in_first_output_dataset": fraction, "random_seed": SEED}
    if stratify:
        params |= {"stratified_split": True, "stratification_key_column": stratify}
    return canvas.node("split", "split_data", at, **params)


# -- the samples --------------------------------------------------------------------------------


def regression(ids: Mapping[str, int]) -> dict[str, Any]:
    canvas = _Canvas().dataset("data", ids[DIABETES], (1, 0))
    _split(canvas, (1, 1)).node(
        "learner",
        "boosted_decision_tree_regression",
        (0, 2),
        maximum_number_of_leaves_per_tree=8,
        minimum_number_of_samples_per_leaf_node=10,
        learning_rate=0.1,
        number_of_trees_constructed=100,
    )
    return _train_score_evaluate(canvas, "data.dataset", "disease_progression", 2)


def binary_feature_selection(ids: Mapping[str, int]) -> dict[str, Any]:
    canvas = _Canvas().dataset("data", ids[BREAST_CANCER], (1, 0))
    canvas.node(
        "select_features",
        "filter_based_feature_selection",
        (1, 1),
        comment="Keeps the 10 measurements most related to the diagnosis (chi-squared)",
        feature_scoring_method="Chi Squared",
        target_column="diagnosis",
        number_of_desired_features=10,
    ).wire("data.dataset -> select_features.dataset")
    _split(canvas, (1, 2), stratify="diagnosis").node("learner", "two_class_boosted_decision_tree", (0, 3))
    return _train_score_evaluate(canvas, "select_features.filtered_dataset", "diagnosis", 3)


def multiclass(ids: Mapping[str, int]) -> dict[str, Any]:
    canvas = _Canvas().dataset("data", ids[PENGUINS], (1, 0))
    canvas.node(
        "clean",
        "clean_missing_data",
        (1, 1),
        comment="Drops the 11 penguins with a missing measurement or sex",
        cleaning_mode="Remove entire row",
    ).wire("data.dataset -> clean.dataset")
    _split(canvas, (1, 2), stratify="species").node(
        "learner",
        "multiclass_decision_forest",
        (0, 3),
        number_of_decision_trees=16,
        maximum_depth_of_the_decision_trees=8,
    )
    return _train_score_evaluate(canvas, "clean.cleaned_dataset", "species", 3)


def clustering(ids: Mapping[str, int]) -> dict[str, Any]:
    measurements = {"start": "none", "rules": [{"op": "include", "names": PENGUIN_MEASUREMENTS, "types": []}]}
    return (
        _Canvas()
        .dataset("data", ids[PENGUINS], (1, 0))
        .node(
            "select",
            "select_columns",
            (1, 1),
            comment="Species stays to compare with the clusters; it is not a clustering feature",
            columns={"start": "none", "rules": [{"op": "include", "names": ["species", *PENGUIN_MEASUREMENTS]}]},
        )
        .node("clean", "clean_missing_data", (1, 2), columns=measurements, cleaning_mode="Remove entire row")
        .node("normalize", "normalize_data", (1, 3), transformation_method="ZScore", columns=measurements)
        .node("split", "split_data", (1, 4), fraction_of_rows_in_first_output_dataset=0.7, random_seed=SEED)
        .node("learner", "k_means_clustering", (0, 4), number_of_centroids=3, random_number_seed=SEED)
        .node("train", "train_clustering_model", (0.5, 5), column_set=measurements)
        .node("assign", "assign_data_to_clusters", (1, 6))
        .node("evaluate", "evaluate_model", (1, 7))
        .wire(
            "data.dataset -> select.dataset",
            "select.results_dataset -> clean.dataset",
            "clean.cleaned_dataset -> normalize.dataset",
            "normalize.transformed_dataset -> split.dataset",
            "learner.untrained_model -> train.untrained_model",
            "split.results_dataset1 -> train.dataset",
            "train.trained_model -> assign.trained_model",
            "split.results_dataset2 -> assign.dataset",
            "assign.results_dataset -> evaluate.scored_dataset",
        )
        .document()
    )


def cross_validation(ids: Mapping[str, int]) -> dict[str, Any]:
    return (
        _Canvas()
        .dataset("data", ids[WINE], (1, 0))
        .node("learner", "multiclass_logistic_regression", (0, 0), l1_regularization_weight=0.0)
        .node(
            "cross_validate",
            "cross_validate_model",
            (0.5, 1),
            comment="Each of 5 folds is held out once and scored by a model trained on the other 4",
            label_column="cultivar",
            number_of_folds=5,
            random_seed=SEED,
        )
        .node("evaluate", "evaluate_model", (0.5, 2))
        .wire(
            "learner.untrained_model -> cross_validate.untrained_model",
            "data.dataset -> cross_validate.dataset",
            "cross_validate.scored_results -> evaluate.scored_dataset",
        )
        .document()
    )


def hyperparameter_tuning(ids: Mapping[str, int]) -> dict[str, Any]:
    canvas = _Canvas().dataset("data", ids[BREAST_CANCER], (1, 0))
    _split(canvas, (1, 1), stratify="diagnosis")
    return (
        canvas.node(
            "learner",
            "two_class_decision_forest",
            (0, 1),
            create_trainer_mode="Parameter Range",
            range_for_number_of_decision_trees=[8, 16],
            range_for_maximum_depth_of_the_decision_trees=[4, 8, 16],
            range_for_minimum_number_of_samples_per_leaf_node=[1, 4],
        )
        .node(
            "tune",
            "tune_model_hyperparameters",
            (0.5, 2),
            comment="Tries 6 random settings, ranked by AUC over 3 cross-validation folds",
            specify_parameter_sweeping_mode="Random sweep",
            maximum_number_of_runs_on_random_sweep=6,
            random_seed=SEED,
            label_column="diagnosis",
            metric_for_measuring_performance_for_classification="AUC",
            number_of_cross_validation_folds=3,
        )
        .node("score", "score_model", (1, 3))
        .node("evaluate", "evaluate_model", (1, 4))
        .wire(
            "data.dataset -> split.dataset",
            "learner.untrained_model -> tune.untrained_model",
            "split.results_dataset1 -> tune.training_dataset",
            "tune.trained_best_model -> score.trained_model",
            "split.results_dataset2 -> score.dataset",
            "score.scored_dataset -> evaluate.scored_dataset",
        )
        .document()
    )


RATIO_SCRIPT = '''\
import pandas as pd


def azureml_main(dataframe1=None, dataframe2=None):
    """Adds a feature: how elongated each petal is (length over width)."""
    df = dataframe1.copy()
    df["petal_ratio"] = df["petal_length_cm"] / df["petal_width_cm"]
    return (df,)
'''


def python_script(ids: Mapping[str, int]) -> dict[str, Any]:
    canvas = _Canvas().dataset("data", ids[IRIS], (1, 0))
    canvas.node(
        "script",
        "execute_python_script",
        (1, 1),
        comment="Adds petal_ratio = petal length / petal width",
        python_script=RATIO_SCRIPT,
        timeout_seconds=60,
    ).wire("data.dataset -> script.dataset1")
    _split(canvas, (1, 2), stratify="species").node(
        "learner", "multiclass_logistic_regression", (0, 3), l1_regularization_weight=0.0
    )
    return _train_score_evaluate(canvas, "script.result_dataset", "species", 3)


def text_classification(ids: Mapping[str, int]) -> dict[str, Any]:
    canvas = _Canvas().dataset("data", ids[MOVIE_REVIEWS], (1, 0))
    canvas.node("preprocess", "preprocess_text", (1, 1), text_column="review")
    canvas.node(
        "ngrams",
        "extract_n_gram_features_from_text",
        (1, 2),
        comment="One feature per word seen in at least 2 reviews: 1 when the review holds it",
        text_column="Preprocessed review",
        n_grams_size=1,
        weighting_function="Binary Weight",
        minimum_n_gram_document_absolute_frequency=2,
    )
    canvas.node(
        "features",
        "select_columns",
        (1, 3),
        comment="The n-gram features and the label; the raw text columns stay out",
        columns={"start": "all", "rules": [{"op": "exclude", "names": ["review", "Preprocessed review"]}]},
    )
    canvas.wire(
        "data.dataset -> preprocess.dataset",
        "preprocess.results_dataset -> ngrams.dataset",
        "ngrams.results_dataset -> features.dataset",
    )
    _split(canvas, (1, 4), stratify="sentiment").node(
        "learner", "two_class_logistic_regression", (0, 5), l1_regularization_weight=0.0, l2_regularization_weight=0.1
    )
    return _train_score_evaluate(canvas, "features.results_dataset", "sentiment", 5)


def image_classification(ids: Mapping[str, int]) -> dict[str, Any]:
    return (
        _Canvas()
        .node(
            "images",
            "convert_to_image_directory",
            (1, 0),
            comment="Synthetic circles, squares and triangles: 60 of each, 32 x 32 pixels",
            source="Sample shapes",
            images_per_class=60,
            image_size=32,
            random_seed=SEED,
        )
        .node("split", "split_image_directory", (1, 1), fraction_of_images_in_the_first_output=0.7, random_seed=SEED)
        .node(
            "learner",
            "resnet",
            (0, 1),
            comment="ResNet-18 at an eighth of its width: small enough to train on a CPU in seconds",
            model_name="resnet18",
            width_divisor=8,
        )
        .node("train", "train_pytorch_model", (0.5, 2), epochs=12, batch_size=8, learning_rate=0.005, random_seed=SEED)
        .node("score", "score_image_model", (1, 3))
        .node("evaluate", "evaluate_model", (1, 4))
        .wire(
            "images.image_directory -> split.image_directory",
            "learner.untrained_model -> train.untrained_model",
            "split.first -> train.training_dataset",
            "split.second -> train.validation_dataset",
            "train.trained_model -> score.trained_model",
            "split.second -> score.image_directory",
            "score.scored_dataset -> evaluate.scored_dataset",
        )
        .document()
    )


def recommendation(ids: Mapping[str, int]) -> dict[str, Any]:
    canvas = _Canvas().dataset("data", ids[RATINGS], (1, 0))
    return (
        _split(canvas, (1, 1), fraction=0.75)
        .node(
            "train",
            "train_svd_recommender",
            (0.5, 2),
            comment="8 hidden factors per user and per movie",
            number_of_factors=8,
            number_of_recommendation_algorithm_iterations=40,
            learning_rate=0.02,
            random_number_seed=SEED,
        )
        .node(
            "score",
            "score_svd_recommender",
            (1, 3),
            recommender_prediction_kind="Rating Prediction",
        )
        .node("evaluate", "evaluate_recommender", (1, 4))
        .wire(
            "data.dataset -> split.dataset",
            "split.results_dataset1 -> train.dataset",
            "train.trained_model -> score.trained_model",
            "split.results_dataset2 -> score.dataset",
            "split.results_dataset2 -> evaluate.test_dataset",
            "score.scored_dataset -> evaluate.scored_dataset",
        )
        .document()
    )


SAMPLE_PIPELINES: tuple[SamplePipeline, ...] = (
    SamplePipeline(
        slug="regression-diabetes",
        name="Regression: diabetes progression",
        description=(
            "Predicts how far diabetes progresses in a year from age, sex, body mass index, blood pressure "
            "and six blood serum measurements, with a boosted decision tree regressor. Evaluate Model "
            "reports the mean absolute error and the coefficient of determination on the 30% held out."
        ),
        task="regression",
        mirrors="Regression - Automobile Price Prediction (Basic)",
        datasets=(DIABETES,),
        build=regression,
    ),
    SamplePipeline(
        slug="binary-feature-selection-breast-cancer",
        name="Binary classification with feature selection: breast cancer",
        description=(
            "Keeps the 10 of 30 tumour measurements most related to the diagnosis (Filter Based "
            "Feature Selection, chi-squared), then trains a two-class boosted decision tree to tell malignant "
            "from benign. Evaluate Model shows the ROC curve, AUC and the confusion matrix."
        ),
        task="binary_classification",
        mirrors="Binary Classification with Feature Selection - Income Prediction",
        datasets=(BREAST_CANCER,),
        build=binary_feature_selection,
    ),
    SamplePipeline(
        slug="multiclass-penguins",
        name="Multiclass classification: penguin species",
        description=(
            "Removes the penguins with missing values, then trains a multiclass decision forest to name "
            "the species (Adelie, Chinstrap or Gentoo) from island, bill, flipper, body mass and sex. "
            "Evaluate Model shows the overall accuracy and the confusion matrix."
        ),
        task="multiclass_classification",
        mirrors="Multiclass Classification - Letter Recognition",
        datasets=(PENGUINS,),
        build=multiclass,
    ),
    SamplePipeline(
        slug="clustering-penguins",
        name="Clustering: penguin measurements",
        description=(
            "Groups penguins into 3 clusters by their four body measurements (cleaned and normalized) "
            "with K-Means, then assigns held-out penguins to the nearest cluster. The species column is "
            "kept beside the assignments to compare; Evaluate Model reports distances to the centers."
        ),
        task="clustering",
        mirrors="Clustering (K-Means Clustering with Train Clustering Model and Assign Data to Clusters)",
        datasets=(PENGUINS,),
        build=clustering,
    ),
    SamplePipeline(
        slug="cross-validation-wine",
        name="Cross-validation: wine cultivars",
        description=(
            "Measures a multiclass logistic regression on every wine with 5-fold cross-validation instead "
            "of a single split: every wine is scored by a model that never saw it. Cross Validate Model "
            "lists the metrics of each fold; Evaluate Model sums them up."
        ),
        task="multiclass_classification",
        mirrors="Cross Validation for Binary Classification - Adult Income Prediction",
        datasets=(WINE,),
        build=cross_validation,
    ),
    SamplePipeline(
        slug="hyperparameter-tuning-breast-cancer",
        name="Hyperparameter tuning: breast cancer",
        description=(
            "Gives a two-class decision forest ranges of trees, depths and leaf sizes, lets Tune Model "
            "Hyperparameters try 6 random combinations ranked by cross-validated AUC, and scores the best "
            "model on the held-out 30%. The sweep results list every combination tried."
        ),
        task="binary_classification",
        mirrors="Tune Parameters for Binary Classification - Adult Income Prediction",
        datasets=(BREAST_CANCER,),
        build=hyperparameter_tuning,
    ),
    SamplePipeline(
        slug="python-script-iris",
        name="Execute Python Script: iris with a custom feature",
        description=(
            "A short Python script adds a feature (petal length over petal width) before a multiclass "
            "logistic regression names the iris species. Edit the script to try your own features; it "
            "runs in a sandbox with pandas and gets the table as dataframe1."
        ),
        task="multiclass_classification",
        mirrors="Binary Classification with custom Python script - Credit Risk Prediction",
        datasets=(IRIS,),
        build=python_script,
    ),
    SamplePipeline(
        slug="text-classification-movie-reviews",
        name="Text classification: movie review sentiment",
        description=(
            "Cleans 200 one-sentence movie reviews (Preprocess Text), turns them into one feature per "
            "word (Extract N-Gram Features from Text) and trains a two-class logistic regression to tell "
            "positive from negative. It shows the text steps; 140 training sentences are far too few for "
            "a good model, so expect an AUC not far above 0.5. Add a version with more reviews to do better."
        ),
        task="text_classification",
        mirrors="Text Classification - Wikipedia SP 500 Dataset",
        datasets=(MOVIE_REVIEWS,),
        build=text_classification,
    ),
    SamplePipeline(
        slug="image-classification-shapes",
        name="Image classification: shapes with ResNet",
        description=(
            "Makes a small synthetic image set (coloured circles, squares and triangles), trains a narrow "
            "ResNet-18 from scratch with Train PyTorch Model, and scores the 30% held out. Evaluate Model "
            "shows the accuracy and the confusion matrix. Point Convert to Image Directory at your own "
            "folder of class subfolders to classify real images."
        ),
        task="image_classification",
        mirrors="Image Classification using DenseNet",
        datasets=(),
        build=image_classification,
    ),
    SamplePipeline(
        slug="recommendation-movie-ratings",
        name="Recommendation: movie ratings",
        description=(
            "Learns users' tastes from synthetic movie ratings with the SVD recommender (Train SVD "
            "Recommender), predicts the held-out 25% of the ratings and measures the error (Evaluate "
            "Recommender). The ratings are generated by Tessera from random tastes, not collected."
        ),
        task="recommendation",
        mirrors="Recommendation - Movie Rating Tweets",
        datasets=(RATINGS,),
        build=recommendation,
    ),
)


def available() -> list[SamplePipeline]:
    """The samples whose modules this server has, in gallery order."""
    registry = default_registry()
    return [s for s in SAMPLE_PIPELINES if all(m in registry for m in s.modules())]


def sample_pipeline(slug: str) -> SamplePipeline:
    """The available sample called ``slug``; ``KeyError`` naming it when there is none."""
    for sample in available():
        if sample.slug == slug:
            return sample
    raise KeyError(f"there is no sample pipeline '{slug}'")


# -- opening a sample ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenedSample:
    """The new pipeline, what validation found in it, and the sample datasets this loaded."""

    pipeline: Any
    validation: Any
    datasets_added: list[str]


def open_sample(user: Any, workspace: Workspace, slug: str) -> OpenedSample:
    """An editable copy of sample ``slug`` in ``workspace``, loading any missing sample dataset by name.

    404 naming the slug when there is no such sample. A dataset already in the workspace under the
    sample's name is used as it is."""
    try:
        sample = sample_pipeline(slug)
    except KeyError:
        raise NotFound(f"There is no sample pipeline '{slug}'.") from None
    with transaction.atomic():
        present = set(
            Dataset.objects.filter(workspace=workspace, name__in=sample.datasets).values_list("name", flat=True)
        )
        ids = {name: load_sample(user, workspace, name).pk for name in sample.datasets}
        document = sample.build(ids)
        pipeline = services.create_pipeline(user, workspace, sample.name, sample.description, document)
    return OpenedSample(
        pipeline=pipeline,
        validation=services.validate_graph(workspace, services.parse_document(document)),
        datasets_added=[name for name in sample.datasets if name not in present],
    )
