"""ONNX export (here, not in tests/engine: the sample pipelines are read from designer.pipelines.samples, a
Django module): every sample pipeline whose modules convert gives Score Model's answers under onnxruntime;
the others are refused naming the node and why; learners one by one; the check at export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from designer.engine.execute import load_output
from designer.engine.graph import Graph, Node
from designer.engine.onnx_export import ExportMismatch, ExportRefused, compare, export_model, export_pipeline
from designer.engine.onnx_export.check import run, session
from designer.engine.onnx_export.pipeline import feeds
from designer.engine.onnx_export.support import EXPORTABLE, LEARNERS, NOT_EXPORTABLE, supported_modules
from designer.engine.scoring import Limits, ScoringPipeline, parse_azure
from designer.engine.store import LocalArtifactStore
from designer.pipelines.samples import available
from modules.library._features import prepare_features
from modules.library.scoring.score_model import score_table
from modules.sdk import DataTable, default_registry
from tests.support.trained_samples import TrainedSample, train_sample

#: Samples whose inference pipelines convert, and the node each other sample is refused at.
EXPORTABLE_SAMPLES = {
    "regression-diabetes",
    "binary-feature-selection-breast-cancer",
    "multiclass-penguins",
    "clustering-penguins",
    "hyperparameter-tuning-breast-cancer",
}
REFUSED_AT = {
    "python-script-iris": ("Execute Python Script", "user code"),
    "text-classification-movie-reviews": ("Preprocess Text", "text processing"),
}
#: Samples that serve nothing (no Score Model fed by a trained model): no inference pipeline to export.
NOT_SERVED = {"cross-validation-wine", "recommendation-movie-ratings"}
#: Trained in the tests only to be refused: 13 s of ResNet training for a refusal the image modules already explain.
IMAGES = "image-classification-shapes"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> LocalArtifactStore:
    return LocalArtifactStore(tmp_path_factory.mktemp("onnx-store"))


@pytest.fixture(scope="module")
def samples(store: LocalArtifactStore) -> dict[str, TrainedSample]:
    return {s.slug: train_sample(s.slug, store) for s in available() if s.slug != IMAGES}


def test_the_samples_are_all_accounted_for() -> None:
    slugs = {s.slug for s in available()}
    assert slugs == EXPORTABLE_SAMPLES | set(REFUSED_AT) | NOT_SERVED | {IMAGES}


@pytest.mark.parametrize("slug", sorted(EXPORTABLE_SAMPLES))
def test_an_exportable_sample_gives_score_models_answers_under_onnxruntime(
    slug: str, samples: dict[str, TrainedSample], store: LocalArtifactStore
) -> None:
    trained = samples[slug]
    assert trained.inference is not None

    exported = export_pipeline(trained.inference, default_registry(), store.get)

    assert exported.checked is not None and exported.checked.rows > 300
    assert exported.checked.max_difference <= 1e-5 * 300  # relative to values up to ~300 (diabetes progression)
    # And independently of the check: each example request row, one at a time, as an endpoint would get it.
    pipeline = ScoringPipeline.load(trained.inference, default_registry(), store.get)
    sess = session(exported.model)
    for row in pipeline.example_request()["Inputs"][pipeline.inputs[0].name]:
        tables = parse_azure({"Inputs": {pipeline.inputs[0].name: [row]}}, pipeline.inputs, Limits())
        want = next(iter(pipeline.score(tables).values())).df
        got = run(sess, feeds(exported, tables[pipeline.inputs[0].name].df))
        assert set(got) <= set(want.columns)
        compare(want, got)
        for name, values in got.items():
            if want[name].dtype.kind == "f":
                assert float(values[0]) == pytest.approx(float(want[name].iloc[0]), rel=1e-5, abs=1e-5)
            else:
                assert str(values[0]) == str(want[name].iloc[0])
    # Typed, named inputs: one per request column, numbers as float64, text as strings.
    columns = {c["name"]: c["type"] for c in trained.inference.nodes[pipeline.inputs[0].node].params["columns"]}
    assert [i["name"] for i in exported.inputs] == list(columns)
    assert all(
        i["onnx"] == ("double" if columns[i["name"]] in ("integer", "number") else "string") for i in exported.inputs
    )


@pytest.mark.parametrize("slug", sorted(REFUSED_AT))
def test_a_sample_with_a_module_that_cannot_be_converted_is_refused_naming_it(
    slug: str, samples: dict[str, TrainedSample], store: LocalArtifactStore
) -> None:
    trained = samples[slug]
    assert trained.inference is not None
    node, words = REFUSED_AT[slug]

    with pytest.raises(ExportRefused) as refused:
        export_pipeline(trained.inference, default_registry(), store.get)

    assert refused.value.node == node
    assert node in refused.value.message and words in refused.value.message


@pytest.mark.parametrize("slug", sorted(NOT_SERVED))
def test_a_sample_that_serves_nothing_has_no_inference_pipeline_to_export(
    slug: str, samples: dict[str, TrainedSample]
) -> None:
    assert (
        samples[slug].derived is None
        and "Score Model" in samples[slug].why_not_derived
        or "no model" in (samples[slug].why_not_derived)
        or "trains no model" in samples[slug].why_not_derived
    )


def test_the_image_sample_is_refused_at_its_image_modules() -> None:
    sample = next(s for s in available() if s.slug == IMAGES)
    assert "score_image_model" in sample.modules()
    assert "images" in NOT_EXPORTABLE["score_image_model"] and "web_service_image_input" in NOT_EXPORTABLE


def test_a_date_column_in_the_request_is_refused_naming_the_input_and_the_column(
    samples: dict[str, TrainedSample], store: LocalArtifactStore
) -> None:
    graph = samples["regression-diabetes"].inference
    assert graph is not None
    node = next(n for n in graph.nodes.values() if n.module == "web_service_input")
    columns = [dict(c, type="datetime") if c["name"] == "bmi" else c for c in node.params["columns"]]
    nodes = {**graph.nodes, node.id: Node(node.id, node.module, node.version, {**node.params, "columns": columns})}

    with pytest.raises(ExportRefused) as refused:
        export_pipeline(Graph(nodes, graph.edges, graph.parameters, graph.layout), default_registry(), store.get)

    assert "column 'bmi' is datetime" in refused.value.message and refused.value.node == "Web Service Input"


def test_a_pipeline_without_training_rows_is_refused_rather_than_exported_unchecked(
    samples: dict[str, TrainedSample], store: LocalArtifactStore
) -> None:
    graph = samples["regression-diabetes"].inference
    assert graph is not None
    node = next(n for n in graph.nodes.values() if n.module == "web_service_input")
    params = {k: v for k, v in node.params.items() if k != "baseline"}
    nodes = {**graph.nodes, node.id: Node(node.id, node.module, node.version, params)}

    with pytest.raises(ExportRefused) as refused:
        export_pipeline(Graph(nodes, graph.edges, graph.parameters, graph.layout), default_registry(), store.get)

    assert refused.value.code == "no_training_rows"


def test_the_check_refuses_a_difference_above_1e_5_and_accepts_one_below() -> None:
    want = pd.DataFrame({"Scored Probabilities": [0.25, 0.75], "Scored Labels": ["a", "b"]})

    compare(want, {"Scored Probabilities": np.array([0.25 + 9e-6, 0.75]), "Scored Labels": np.array(["a", "b"])})
    with pytest.raises(ExportMismatch, match="row 1"):
        compare(want, {"Scored Probabilities": np.array([0.25, 0.75 + 2e-5])})
    with pytest.raises(ExportMismatch, match="'Scored Labels', row 0"):
        compare(want, {"Scored Labels": np.array(["b", "b"], dtype=object)})


# -- learners one by one --------------------------------------------------------------------------------


def _table(kind: str) -> tuple[pd.DataFrame, str]:
    from designer.datasets.samples import breast_cancer, diabetes, palmer_penguins

    if kind == "binary":
        return breast_cancer().iloc[:, list(range(6)) + [-1]].copy(), "diagnosis"
    if kind == "multiclass":
        return palmer_penguins().dropna().reset_index(drop=True), "species"
    return diabetes(), "disease_progression"


def _trained(learner: str, kind: str) -> Any:
    from modules.sdk import LocalContext

    registry = default_registry()
    df, label = _table(kind)
    ctx = LocalContext()
    settings = SETTINGS.get(learner, {})
    made = registry.get(learner)().run({}, registry.get(learner).parse_params(settings), ctx)
    train = registry.get("train_model")
    out = train().run(
        {"untrained_model": made["untrained_model"], "dataset": DataTable(df)},
        train.parse_params({"label_column": label}),
        ctx,
    )
    return out["trained_model"], df


KINDS = {
    "two_class_boosted_decision_tree": "binary",
    "multiclass_boosted_decision_tree": "multiclass",
    "boosted_decision_tree_regression": "regression",
    "two_class_decision_forest": "binary",
    "multiclass_decision_forest": "multiclass",
    "two_class_logistic_regression": "binary",
    "multiclass_logistic_regression": "multiclass",
    "linear_regression": "regression",
    "two_class_neural_network": "binary",
    "multiclass_neural_network": "multiclass",
    "neural_network_regression": "regression",
}


#: Small nets, few passes: the export is under test, not the fit.
NET = {"number_of_hidden_nodes": 8, "number_of_learning_iterations": 20}
SETTINGS: dict[str, dict[str, Any]] = {
    "two_class_neural_network": NET,
    "multiclass_neural_network": NET,
    "neural_network_regression": NET,
}


def test_every_listed_learner_is_tested() -> None:
    assert set(KINDS) | {"k_means_clustering"} == set(LEARNERS)  # K-Means: the clustering sample


@pytest.mark.parametrize("learner", sorted(KINDS))
def test_a_learners_trained_model_gives_score_models_columns_under_onnxruntime(learner: str) -> None:
    model, df = _trained(learner, KINDS[learner])

    onx = export_model(model)

    features = prepare_features(df, model.feature_types)
    inputs = {
        c: (features[c].to_numpy(dtype="float64") if t in ("integer", "number") else features[c].to_numpy(dtype=object))
        for c, t in model.feature_types.items()
    }
    got = run(session(onx.SerializeToString()), {c: v.reshape(-1, 1) for c, v in inputs.items()})
    want = score_table(model, DataTable(df)).df
    assert set(got) == set(want.columns) - set(df.columns)
    compare(want, got)


def test_a_model_no_converter_supports_is_refused_naming_it(tmp_path: Path) -> None:
    model, _ = _trained("two_class_logistic_regression", "binary")
    model.task = "anomaly"  # the task decides Score Model's columns: anomaly scores are computed outside the estimator

    with pytest.raises(ExportRefused, match="cannot be exported as ONNX: anomaly detection"):
        export_model(model)


def test_the_module_list_names_each_module_once_and_every_exportable_one_is_in_the_catalogue() -> None:
    listed = supported_modules(default_registry())

    assert not set(EXPORTABLE) & set(NOT_EXPORTABLE)
    assert all(m["name"] != m["module"] for m in listed["exportable"])
    assert {m["module"] for m in listed["not_exportable"]} == set(NOT_EXPORTABLE)
    assert load_output is not None
