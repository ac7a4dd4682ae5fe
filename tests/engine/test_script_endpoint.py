"""Execute Python Script on the scoring path: derived, deployed and run per request in its sandbox child."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from designer.engine.execute import OutputRecord, execute_node, load_output
from designer.engine.graph import Graph, parse_graph
from designer.engine.inference import Derived, OutputRef, derive_inference_pipeline
from designer.engine.scoring import Limits, NotServable, ScoringError, ScoringPipeline, parse_azure, records
from designer.engine.store import LocalArtifactStore
from modules.sdk import DataTable, LocalContext, Registry, default_registry
from tests.engine.toys import AddOne
from tests.support.pipelines import document
from tests.support.zips import zip_of

LABEL = "y"
FEATURE_SCRIPT = """\
def azureml_main(dataframe1=None, dataframe2=None):
    df = dataframe1.copy()
    if (df["a"] < 0).any():
        raise ValueError("a must not be negative")
    df["a_times_b"] = df["a"] * df["b"]
    return df,
"""
BUNDLE_SCRIPT = """\
import helpers


def azureml_main(dataframe1=None, dataframe2=None):
    df = dataframe1.merge(dataframe2, on="kind", how="left")
    df["a_cubed"] = helpers.cube(df["a"])
    return df,
"""
SCRIPT_PARAMS = {"timeout_seconds": 30, "memory_limit_mb": 1024}


def rows(n: int = 40, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    a, b = rng.uniform(0, 5, n).round(2), rng.uniform(1, 3, n).round(2)
    kind = rng.choice(np.array(["p", "q"]), n)
    return pd.DataFrame({"a": a, "b": b, "kind": kind, LABEL: (4 * a * b + a**3 + (kind == "q") * 7).round(3)})


def pipeline_graph(script: str, extra_nodes: list[Any], extra_edges: list[str]) -> Graph:
    return parse_graph(
        document(
            [
                ("data", "dataset", {"dataset": {"dataset_id": 1}}),
                ("script", "execute_python_script", {"python_script": script, **SCRIPT_PARAMS}),
                ("split", "split_data", {"fraction_of_rows_in_first_output_dataset": 0.7}),
                ("learner", "linear_regression", {}),
                ("train", "train_model", {"label_column": LABEL}),
                ("score", "score_model", {}),
                *extra_nodes,
            ],
            [
                "data.dataset -> script.dataset1",
                "script.result_dataset -> split.dataset",
                "learner.untrained_model -> train.untrained_model",
                "split.results_dataset1 -> train.dataset",
                "train.trained_model -> score.trained_model",
                "split.results_dataset2 -> score.dataset",
                *extra_edges,
            ],
        )
    )


def train_and_derive(
    graph: Graph, store: LocalArtifactStore, ctx: LocalContext
) -> tuple[dict[str, dict[str, OutputRecord]], Derived]:
    outputs: dict[str, dict[str, OutputRecord]] = {}
    for node_id in graph.topological_order():
        inputs = {e.target_port: outputs[e.source][e.source_port].digest for e in graph.incoming(node_id).values()}
        ctx.node_id = node_id
        outputs[node_id] = execute_node(graph.nodes[node_id], default_registry(), inputs, store, ctx)
    refs = {(n, p): OutputRef(r.digest, r.type) for n, ports in outputs.items() for p, r in ports.items()}
    derived = derive_inference_pipeline(
        graph, default_registry(), refs, lambda ref: load_output(store, ref.type, ref.digest)
    )
    return outputs, derived


def azure_body(df: pd.DataFrame) -> dict[str, Any]:
    return {"Inputs": {"WebServiceInput0": df.to_dict("records")}, "GlobalParameters": {}}


def training_scores(store: LocalArtifactStore, outputs: dict[str, dict[str, OutputRecord]]) -> pd.DataFrame:
    record = outputs["score"]["scored_dataset"]
    return load_output(store, record.type, record.digest).df


def test_a_feature_script_scores_requests_as_the_training_pipeline_scored_the_same_rows(tmp_path: Path) -> None:
    store = LocalArtifactStore(tmp_path)
    graph = pipeline_graph(FEATURE_SCRIPT, [], [])
    outputs, derived = train_and_derive(graph, store, LocalContext(datasets={1: DataTable(rows())}))

    modules = {n.id: n.module for n in derived.graph.nodes.values()}
    assert modules["script"] == "execute_python_script"
    assert sorted(modules.values()) == sorted(
        ["web_service_input", "execute_python_script", "saved_trained_model", "score_model", "web_service_output"]
    )
    assert any("Execute Python Script kept" in note for note in derived.notes)

    pipeline = ScoringPipeline.load(derived.graph, default_registry(), store.get)
    trained = training_scores(store, outputs)
    sent = trained[["a", "b", "kind"]]
    answer = records(pipeline.score(parse_azure(azure_body(sent), pipeline.inputs, Limits()))["WebServiceOutput0"])

    assert [r["a_times_b"] for r in answer] == pytest.approx((sent["a"] * sent["b"]).tolist())
    np.testing.assert_allclose([r["Scored Labels"] for r in answer], trained["Scored Labels"], rtol=1e-9)


def test_a_script_bundle_and_a_lookup_table_become_constants_pinned_to_the_run(tmp_path: Path) -> None:
    store = LocalArtifactStore(tmp_path)
    bundle = zip_of({"helpers.py": "def cube(x):\n    return x ** 3\n"})
    lookup = DataTable(pd.DataFrame({"kind": ["p", "q"], "bonus": [0.0, 7.0]}))
    graph = pipeline_graph(
        BUNDLE_SCRIPT,
        [
            ("bundle", "file_dataset", {"dataset": {"dataset_id": 9}}),
            ("lookup", "dataset", {"dataset": {"dataset_id": 2}}),
        ],
        ["bundle.files -> script.script_bundle", "lookup.dataset -> script.dataset2"],
    )
    ctx = LocalContext(datasets={1: DataTable(rows()), 2: lookup}, files={9: bundle})
    outputs, derived = train_and_derive(graph, store, ctx)

    nodes = derived.graph.nodes
    assert nodes["bundle_saved"].module == "saved_files"
    assert nodes["bundle_saved"].params["artifact"] == outputs["bundle"]["files"].digest
    assert nodes["lookup_saved"].module == "saved_dataset"
    assert nodes["lookup_saved"].params["artifact"] == outputs["lookup"]["dataset"].digest
    assert [n.id for n in nodes.values() if n.module == "web_service_input"] == ["web_service_input"]
    assert any("Saved Files pinned to the zip this run read" in note for note in derived.notes)
    assert any("Saved Dataset pinned to the table of this run" in note for note in derived.notes)

    pipeline = ScoringPipeline.load(derived.graph, default_registry(), store.get)
    trained = training_scores(store, outputs)
    sent = trained[["a", "b", "kind"]]
    answer = records(pipeline.score(parse_azure(azure_body(sent), pipeline.inputs, Limits()))["WebServiceOutput0"])

    assert [r["a_cubed"] for r in answer] == pytest.approx((sent["a"] ** 3).tolist())
    assert [r["bonus"] for r in answer] == [7.0 if k == "q" else 0.0 for k in sent["kind"]]
    np.testing.assert_allclose([r["Scored Labels"] for r in answer], trained["Scored Labels"], rtol=1e-9)


def test_a_script_failing_on_a_request_answers_400_naming_the_node_and_the_script_line(tmp_path: Path) -> None:
    store = LocalArtifactStore(tmp_path)
    _, derived = train_and_derive(
        pipeline_graph(FEATURE_SCRIPT, [], []), store, LocalContext(datasets={1: DataTable(rows())})
    )
    pipeline = ScoringPipeline.load(derived.graph, default_registry(), store.get)
    bad = pd.DataFrame({"a": [-1.0], "b": [2.0], "kind": ["p"]})

    with pytest.raises(ScoringError) as caught:
        pipeline.score(parse_azure(azure_body(bad), pipeline.inputs, Limits()))

    error = caught.value
    assert (error.status, error.kind, error.message) == (400, "module_error", "Module Executing Error")
    assert error.details[0]["node"] == "script"
    assert error.details[0]["param"] == "python_script"
    assert error.details[0]["message"] == (
        "Node 'script' (Execute Python Script) failed: the Python script failed at line 4: "
        "ValueError: a must not be negative"
    )


def test_a_script_stuck_on_a_request_is_stopped_at_its_timeout_parameter(tmp_path: Path) -> None:
    store = LocalArtifactStore(tmp_path)
    stuck = FEATURE_SCRIPT.replace('raise ValueError("a must not be negative")', "import time; time.sleep(60)")
    _, derived = train_and_derive(pipeline_graph(stuck, [], []), store, LocalContext(datasets={1: DataTable(rows())}))
    derived.graph.nodes["script"].params["timeout_seconds"] = 2  # the deployed version's own limit
    pipeline = ScoringPipeline.load(derived.graph, default_registry(), store.get)
    bad = pd.DataFrame({"a": [-1.0], "b": [2.0], "kind": ["p"]})

    with pytest.raises(ScoringError) as caught:
        pipeline.score(parse_azure(azure_body(bad), pipeline.inputs, Limits()))

    # a script left to sleep its 60 s would have returned, not failed: the error is the 2 s limit's
    assert (caught.value.status, caught.value.kind) == (400, "module_error")
    detail = caught.value.details[0]
    assert (detail["node"], detail["param"]) == ("script", "timeout_seconds")
    assert "stopped after running for 2 seconds" in detail["message"]


class InProcessCode(AddOne):
    """A module that would run user code inside the calling process (none in the library does)."""

    id = "in_process_code"
    name = "In-process Code"
    runs_user_code = True


def test_user_code_that_would_run_in_the_scoring_process_is_still_not_servable() -> None:
    registry = Registry()
    for cls in (default_registry().get("web_service_input"), default_registry().get("web_service_output")):
        registry.register(cls)
    registry.register(InProcessCode)
    columns = [{"name": "a", "type": "number"}]
    graph = parse_graph(
        document(
            [
                ("in", "web_service_input", {"name": "WebServiceInput0", "columns": columns, "example": []}),
                ("code", "in_process_code", {}),
                ("out", "web_service_output", {}),
            ],
            ["in.request -> code.table", "code.result -> out.dataset"],
        )
    )

    with pytest.raises(NotServable) as caught:
        ScoringPipeline.load(graph, registry, lambda digest: b"")

    assert str(caught.value) == (
        "Node 'code' (In-process Code) runs user code, which a scoring server never runs in-process."
    )


def test_an_r_script_in_a_hand_built_inference_pipeline_runs_on_each_request() -> None:
    script = (
        "azureml_main <- function(dataframe1, dataframe2) {\n"
        "  dataframe1$a2 <- dataframe1$a * 2\n"
        "  list(dataset1=dataframe1)\n"
        "}\n"
    )
    columns = [{"name": "a", "type": "number"}]
    params = {"r_script": script, **SCRIPT_PARAMS}
    graph = parse_graph(
        document(
            [
                ("in", "web_service_input", {"name": "WebServiceInput0", "columns": columns, "example": []}),
                ("r", "execute_r_script", params),
                ("out", "web_service_output", {}),
            ],
            ["in.request -> r.dataset1", "r.result_dataset -> out.dataset"],
        )
    )
    pipeline = ScoringPipeline.load(graph, default_registry(), lambda digest: b"")

    answer = pipeline.score(parse_azure(azure_body(pd.DataFrame({"a": [1.5, 4.0]})), pipeline.inputs, Limits()))

    assert records(answer["WebServiceOutput0"]) == [{"a": 1.5, "a2": 3.0}, {"a": 4.0, "a2": 8.0}]
