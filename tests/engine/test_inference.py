"""Deriving an inference pipeline from a real training run, then scoring it in-process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer

from designer.engine.execute import OutputRecord, execute_node, load_output
from designer.engine.graph import Graph, parse_graph
from designer.engine.inference import CannotDerive, OutputRef, derive_inference_pipeline
from designer.engine.layered import NODE_HEIGHT, NODE_WIDTH
from designer.engine.scoring import Limits, NotServable, ScoringError, ScoringPipeline, parse_azure, records
from designer.engine.store import LocalArtifactStore
from designer.engine.titles import node_titles
from designer.engine.validate import validate
from modules.library._features import prepare_features
from modules.sdk import DataTable, FittedModel, LocalContext, default_registry
from tests.support.pipelines import document

LABEL = "diagnosis"


NOTES = [
    "Train Model replaced by a Saved Trained Model pinned to this run's model (label 'diagnosis').",
    "Split Data removed: scoring uses every row it is sent.",
    "Select Columns in Dataset no longer selects the label 'diagnosis'.",
    "Breast cancer replaced by Web Service Input 'WebServiceInput0' (6 columns: the training columns minus the label "
    "'diagnosis').",
    "Clean Missing Data replaced by Apply Transformation with the transformation it fitted in this run.",
    "Normalize Data replaced by Apply Transformation with the transformation it fitted in this run.",
    "Web Service Output added after Score Model.",
    "Dropped (training and evaluation only): Two-Class Logistic Regression, Evaluate Model.",
]


def cancer() -> pd.DataFrame:
    raw = load_breast_cancer(as_frame=True)
    df = raw.frame.rename(columns={"target": LABEL}).iloc[:, [0, 1, 2, 3, 20, 21, 30]].copy()
    df.columns = [c.replace(" ", "_") for c in df.columns]
    df.loc[[3, 17, 40], "mean_texture"] = np.nan  # gaps for Clean Missing Data to fill
    return df


def training_document() -> dict[str, Any]:
    return document(
        [
            ("data", "dataset", {"dataset": {"dataset_id": 1}}),
            ("clean", "clean_missing_data", {"cleaning_mode": "Replace with mean", "columns": {"start": "all"}}),
            ("norm", "normalize_data", {"transformation_method": "MinMax", "columns": {"start": "all"}}),
            ("pick", "select_columns", {"columns": ["mean_radius", "mean_texture", "worst_radius", LABEL]}),
            ("split", "split_data", {"fraction_of_rows_in_first_output_dataset": 0.7, "random_seed": 7}),
            ("learner", "two_class_logistic_regression", {}),
            ("train", "train_model", {"label_column": LABEL}),
            ("score", "score_model", {}),
            ("evaluate", "evaluate_model", {}),
        ],
        [
            "data.dataset -> clean.dataset",
            "clean.cleaned_dataset -> norm.dataset",
            "norm.transformed_dataset -> pick.dataset",
            "pick.results_dataset -> split.dataset",
            "learner.untrained_model -> train.untrained_model",
            "split.results_dataset1 -> train.dataset",
            "train.trained_model -> score.trained_model",
            "split.results_dataset2 -> score.dataset",
            "score.scored_dataset -> evaluate.scored_dataset",
        ],
    )


def run_all(graph: Graph, store: LocalArtifactStore, ctx: LocalContext) -> dict[str, dict[str, OutputRecord]]:
    registry = default_registry()
    outputs: dict[str, dict[str, OutputRecord]] = {}
    for node_id in graph.topological_order():
        inputs = {e.target_port: outputs[e.source][e.source_port].digest for e in graph.incoming(node_id).values()}
        ctx.node_id = node_id
        outputs[node_id] = execute_node(graph.nodes[node_id], registry, inputs, store, ctx)
    return outputs


@pytest.fixture
def trained(tmp_path: Path) -> tuple[Graph, LocalArtifactStore, dict[str, dict[str, OutputRecord]]]:
    store = LocalArtifactStore(tmp_path)
    graph = parse_graph(training_document())
    outputs = run_all(graph, store, LocalContext(datasets={1: DataTable(cancer())}))
    return graph, store, outputs


def derive(graph: Graph, store: LocalArtifactStore, outputs: dict[str, dict[str, OutputRecord]]) -> Any:
    refs = {(n, p): OutputRef(r.digest, r.type) for n, ports in outputs.items() for p, r in ports.items()}
    return derive_inference_pipeline(
        graph, default_registry(), refs, lambda ref: load_output(store, ref.type, ref.digest)
    )


def test_the_derived_pipeline_replaces_training_with_fixed_artifacts_and_web_service_ports(trained: Any) -> None:
    graph, store, outputs = trained

    derived = derive(graph, store, outputs)

    modules = {n.id: n.module for n in derived.graph.nodes.values()}
    assert sorted(modules.values()) == sorted(
        [
            "web_service_input",
            "saved_transformation",
            "apply_transformation",
            "saved_transformation",
            "apply_transformation",
            "select_columns",
            "saved_trained_model",
            "score_model",
            "web_service_output",
        ]
    )
    assert "split" not in modules and "train" not in modules and "evaluate" not in modules
    source = next(n for n in derived.graph.nodes.values() if n.module == "web_service_input")
    assert source.params["name"] == "WebServiceInput0"
    assert [c["name"] for c in source.params["columns"]] == [c for c in cancer().columns if c != LABEL]
    assert len(source.params["example"]) == 3 and LABEL not in source.params["example"][0]
    pick = derived.graph.nodes["pick"]
    assert LABEL not in str(pick.params)
    model = next(n for n in derived.graph.nodes.values() if n.module == "saved_trained_model")
    assert model.params["artifact"] == outputs["train"]["trained_model"].digest
    assert derived.label_column == LABEL
    assert any("Split Data" in note for note in derived.notes)
    dropped = next(note for note in derived.notes if note.startswith("Dropped"))
    assert dropped == "Dropped (training and evaluation only): Two-Class Logistic Regression, Evaluate Model."
    # the derived document is a valid pipeline on its own
    assert validate(derived.graph, default_registry()).problems == []


def test_scoring_the_derived_pipeline_matches_the_model_applied_directly(trained: Any) -> None:
    graph, store, outputs = trained
    derived = derive(graph, store, outputs)
    pipeline = ScoringPipeline.load(derived.graph, default_registry(), store.get)
    rows = cancer().drop(columns=[LABEL]).iloc[100:140]
    body = {"Inputs": {"WebServiceInput0": [_json_row(r) for r in rows.to_dict("records")]}, "GlobalParameters": {}}

    results = pipeline.score(parse_azure(body, pipeline.inputs, Limits()))

    answer = records(results["WebServiceOutput0"])
    # the same rows through the training run's own artifacts, by hand: fill, normalize, select, predict
    model: FittedModel = load_output(store, "trained_model", outputs["train"]["trained_model"].digest)
    filled = rows.fillna({"mean_texture": cancer()["mean_texture"].mean()})
    lo, hi = cancer().min(), cancer().max()
    scaled = (filled - lo[filled.columns]) / (hi[filled.columns] - lo[filled.columns])
    expected = model.estimator.predict_proba(prepare_features(scaled, model.feature_types))[:, 1]
    assert len(answer) == 40
    np.testing.assert_allclose([r["Scored Probabilities"] for r in answer], expected, rtol=0, atol=1e-9)
    assert [r["Scored Labels"] for r in answer] == [int(p > 0.5) for p in expected]
    assert set(answer[0]) == {"mean_radius", "mean_texture", "worst_radius", "Scored Labels", "Scored Probabilities"}


def test_running_the_inference_pipeline_in_the_designer_gives_the_served_answer(trained: Any) -> None:
    graph, store, outputs = trained
    derived = derive(graph, store, outputs)
    pipeline = ScoringPipeline.load(derived.graph, default_registry(), store.get)
    example = pipeline.example_request()

    ran = run_all(derived.graph, store, LocalContext(artifacts={d: store.get(d) for d in _digests(derived.graph)}))
    served = pipeline.score(parse_azure(example, pipeline.inputs, Limits()))["WebServiceOutput0"]

    output = next(n for n in derived.graph.nodes.values() if n.module == "web_service_output")
    in_designer = load_output(store, "table", ran[output.id]["response"].digest)
    assert len(served.df) == 3
    # the served frame labels its columns with a plain object index (engine/request_rows.py), the stored one
    # with pandas' string index: the same labels, the same answer
    assert served.df.columns.tolist() == in_designer.df.columns.tolist()
    pd.testing.assert_frame_equal(served.df, in_designer.df, check_dtype=False, check_column_type=False)


def _digests(graph: Graph) -> list[str]:
    return [str(n.params["artifact"]) for n in graph.nodes.values() if "artifact" in n.params]


def test_a_pipeline_without_a_trained_model_cannot_be_derived(tmp_path: Path) -> None:
    store = LocalArtifactStore(tmp_path)
    graph = parse_graph(document([("data", "dataset", {"dataset": {"dataset_id": 1}})], []))
    outputs = run_all(graph, store, LocalContext(datasets={1: DataTable(cancer())}))

    with pytest.raises(CannotDerive) as caught:
        derive(graph, store, outputs)

    assert caught.value.problems[0].code == "no_trained_model"
    assert "Train Model" in caught.value.problems[0].message


def test_two_score_models_are_two_candidates_and_the_message_names_both(trained: Any) -> None:
    graph, store, outputs = trained
    doc = training_document()
    doc["nodes"].append({"id": "score2", "module": "score_model", "version": 1, "params": {}})
    doc["edges"] += document(
        [], ["train.trained_model -> score2.trained_model", "split.results_dataset1 -> score2.dataset"]
    )["edges"]
    graph2 = parse_graph(doc)
    outputs2 = run_all(graph2, store, LocalContext(datasets={1: DataTable(cancer())}))

    with pytest.raises(CannotDerive) as caught:
        derive(graph2, store, outputs2)

    problem = caught.value.problems[0]
    assert problem.code == "several_candidates"
    assert "(Score Model, Score Model (2))" in problem.message and problem.node == "score2"


def test_bad_requests_name_the_input_row_and_column(trained: Any) -> None:
    graph, store, outputs = trained
    pipeline = ScoringPipeline.load(derive(graph, store, outputs).graph, default_registry(), store.get)
    good = _json_row(cancer().drop(columns=[LABEL]).iloc[0].to_dict())

    def refused(body: Any) -> ScoringError:
        with pytest.raises(ScoringError) as caught:
            parse_azure(body, pipeline.inputs, Limits(max_rows=5))
        return caught.value

    unknown = refused({"Inputs": {"input1": [good]}, "GlobalParameters": {}})
    assert unknown.status == 400 and "input1" in unknown.message and "WebServiceInput0" in unknown.message
    missing = refused({"Inputs": {"WebServiceInput0": [good, {k: v for k, v in good.items() if k != "mean_area"}]}})
    assert missing.details == [{"input": "WebServiceInput0", "row": 1, "column": "mean_area", "problem": "missing"}]
    extra = refused({"Inputs": {"WebServiceInput0": [{**good, "colour": "red"}]}})
    assert extra.details[0]["column"] == "colour" and extra.details[0]["problem"] == "extra"
    wrong = refused({"Inputs": {"WebServiceInput0": [good, good, {**good, "mean_radius": "big"}]}})
    assert wrong.details == [{"input": "WebServiceInput0", "row": 2, "column": "mean_radius", "expected": "number"}]
    assert "'big'" in wrong.message
    many = refused({"Inputs": {"WebServiceInput0": [good] * 6}})
    assert many.status == 413
    assert refused([good]).status == 400
    assert refused({"Inputs": {"WebServiceInput0": []}}).status == 400


def test_a_pipeline_without_web_service_ports_is_not_servable(trained: Any) -> None:
    graph, store, _ = trained

    with pytest.raises(NotServable) as caught:
        ScoringPipeline.load(graph, default_registry(), store.get)

    assert "Web Service Input" in str(caught.value)


def _json_row(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in row.items()}


def test_a_module_that_reads_a_model_but_serves_nothing_is_not_a_second_candidate(trained: Any) -> None:
    graph, store, _ = trained
    doc = training_document()
    doc["nodes"].append({"id": "pfi", "module": "permutation_feature_importance", "version": 1, "params": {}})
    doc["edges"] += document(
        [], ["train.trained_model -> pfi.trained_model", "split.results_dataset2 -> pfi.test_data"]
    )["edges"]
    graph2 = parse_graph(doc)
    outputs2 = run_all(graph2, store, LocalContext(datasets={1: DataTable(cancer())}))

    derived = derive(graph2, store, outputs2)

    assert "pfi" not in derived.graph.nodes
    assert any("Permutation Feature Importance" in note for note in derived.notes if note.startswith("Dropped"))


def test_the_notes_name_nodes_by_their_titles_on_the_canvas_never_by_internal_ids(trained: Any) -> None:
    graph, store, outputs = trained
    refs = {(n, p): OutputRef(r.digest, r.type) for n, ports in outputs.items() for p, r in ports.items()}
    titles = node_titles(graph, default_registry(), {1: "Breast cancer"})

    derived = derive_inference_pipeline(
        graph, default_registry(), refs, lambda ref: load_output(store, ref.type, ref.digest), titles
    )

    assert derived.notes == NOTES
    assert not [n for n in derived.notes if any(f"'{node_id}'" in n for node_id in graph.nodes)]


def test_the_derived_pipeline_is_laid_out_top_to_bottom_with_no_card_over_another(trained: Any) -> None:
    graph, store, outputs = trained

    derived = derive(graph, store, outputs)

    at = derived.graph.layout
    boxes = [(at[n]["x"], at[n]["y"]) for n in derived.graph.nodes]
    for i, (x1, y1) in enumerate(boxes):
        for x2, y2 in boxes[i + 1 :]:
            assert abs(x1 - x2) >= NODE_WIDTH or abs(y1 - y2) >= NODE_HEIGHT, (x1, y1, x2, y2)
    for e in derived.graph.edges:  # every edge points down: no loops back up
        assert at[e.target]["y"] > at[e.source]["y"], e
    # The saved model feeds Score Model's left input and the data path its right one: drawn that way round.
    model = next(n for n in derived.graph.nodes.values() if n.module == "saved_trained_model")
    assert at[model.id]["x"] < at["pick"]["x"]
