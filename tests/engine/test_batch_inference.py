"""Batch inference without Django: deriving the batch pipeline from a training run, and Parallel Run scoring a
table in mini-batches (retries, error thresholds, input order) through the scoring engine endpoints use."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from designer.engine.batch_inference import derive_batch_inference_pipeline
from designer.engine.execute import NodeFailed, OutputRecord, execute_node, load_output
from designer.engine.graph import Graph, parse_graph
from designer.engine.inference import OutputRef
from designer.engine.scorers import Scorers
from designer.engine.scoring import ScoringPipeline
from designer.engine.store import LocalArtifactStore
from designer.engine.tables import StoreTables
from designer.engine.validate import validate
from modules.library.scoring.parallel_run import ParallelRun, plan_mini_batches
from modules.sdk import DataTable, LocalContext, ScoringFailed, Table, default_registry
from modules.sdk.stored import ParquetChunks
from tests.support.pipelines import document

REGISTRY = default_registry()
ROWS = 6000
LABEL = "label"


def data(n: int = ROWS, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(rng.normal(size=(n, 4)), columns=["f0", "f1", "f2", "f3"])
    df["colour"] = pd.Series(rng.choice(np.array(["red", "green", "blue"]), n), dtype="str")
    df[LABEL] = pd.Series(np.where(df.f0 + (df.colour == "red") + rng.normal(size=n) > 0.5, "yes", "no"), dtype="str")
    return df


def training_document() -> dict[str, Any]:
    """Normalize → Split → Train; Score Model scores every normalized row, the rows a batch job will score."""
    numeric = {"rules": [{"types": ["numeric"]}]}
    return document(
        [
            ("data", "dataset", {"dataset": {"dataset_id": 1}}),
            ("norm", "normalize_data", {"transformation_method": "ZScore", "columns": numeric}),
            ("split", "split_data", {"fraction_of_rows_in_first_output_dataset": 0.6, "random_seed": 1}),
            ("learner", "two_class_logistic_regression", {}),
            ("train", "train_model", {"label_column": LABEL}),
            ("score", "score_model", {}),
        ],
        [
            "data.dataset -> norm.dataset",
            "norm.transformed_dataset -> split.dataset",
            "split.results_dataset1 -> train.dataset",
            "learner.untrained_model -> train.untrained_model",
            "train.trained_model -> score.trained_model",
            "norm.transformed_dataset -> score.dataset",
        ],
    )


def run_all(graph: Graph, store: LocalArtifactStore, ctx: LocalContext) -> dict[str, dict[str, OutputRecord]]:
    outputs: dict[str, dict[str, OutputRecord]] = {}
    for node_id in graph.topological_order():
        inputs = {e.target_port: outputs[e.source][e.source_port].digest for e in graph.incoming(node_id).values()}
        outputs[node_id] = execute_node(graph.nodes[node_id], REGISTRY, inputs, store, ctx)
    return outputs


class Trained:
    def __init__(self, store: LocalArtifactStore) -> None:
        self.store = store
        self.graph = parse_graph(training_document())
        self.outputs = run_all(self.graph, store, LocalContext(datasets={1: DataTable(data())}))
        refs = {(n, p): OutputRef(r.digest, r.type) for n, ports in self.outputs.items() for p, r in ports.items()}
        self.batch = derive_batch_inference_pipeline(
            self.graph, REGISTRY, refs, lambda ref: load_output(store, ref.type, ref.digest), output_dataset="scored"
        )
        self.expected = load_output(store, "table", self.outputs["score"]["scored_dataset"].digest)

    def stored_input(self, df: pd.DataFrame, row_group_rows: int | None) -> str:
        buffer = io.BytesIO()
        chunks = ParquetChunks(buffer, row_group_rows)
        chunks.write(DataTable(df))
        chunks.close()
        return self.store.put(buffer.getvalue())

    def parallel_run(self, **params: Any) -> Any:
        node = self.batch.graph.nodes["parallel_run"]
        return type(node)(node.id, node.module, node.version, {**node.params, **params})


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Trained:
    return Trained(LocalArtifactStore(Path(tmp_path_factory.mktemp("store"))))


def context(trained: Trained, scorer: Any = None) -> LocalContext:
    scorers = Scorers(REGISTRY, trained.store.get)
    return LocalContext(tables=StoreTables(trained.store), scorer=scorer or scorers.score)


def score(trained: Trained, ctx: LocalContext, source: str, **params: Any) -> dict[str, OutputRecord]:
    return execute_node(trained.parallel_run(**params), REGISTRY, {"dataset": source}, trained.store, ctx)


def table(trained: Trained, record: OutputRecord) -> DataTable:
    value: DataTable = load_output(trained.store, "table", record.digest)
    return value


# -- deriving ---------------------------------------------------------------------------------------
def test_the_batch_pipeline_keeps_the_data_source_and_scores_it_through_parallel_run(trained: Trained) -> None:
    batch = trained.batch

    nodes = {n.id: n.module for n in batch.graph.nodes.values()}
    assert nodes == {"data": "dataset", "parallel_run": "parallel_run", "register_dataset": "register_dataset"}
    # the training dataset stays as the input, bound to a dataset parameter so callers can pass another
    assert batch.graph.nodes["data"].params == {"dataset": {"$param": "input_data"}}
    assert batch.graph.parameters["input_data"]["type"] == "dataset"
    assert batch.graph.parameters["input_data"]["default"] == {"dataset_id": 1, "version": None}
    assert [(e.source, e.source_port, e.target, e.target_port) for e in batch.graph.edges] == [
        ("data", "dataset", "parallel_run", "dataset"),
        ("parallel_run", "scored_dataset", "register_dataset", "dataset"),
    ]
    assert batch.graph.nodes["register_dataset"].params["dataset_name"] == "scored"
    scoring = parse_graph(batch.graph.nodes["parallel_run"].params["scoring_pipeline"])
    assert sorted(n.module for n in scoring.nodes.values()) == sorted(
        ["web_service_input", "saved_transformation", "apply_transformation", "saved_trained_model", "score_model",
         "web_service_output"]
    )  # fmt: skip
    assert ScoringPipeline.load(scoring, REGISTRY, trained.store.get).inputs[0].names == [
        "f0",
        "f1",
        "f2",
        "f3",
        "colour",
    ]
    assert batch.notes[0].startswith("Dataset kept as the batch input")
    assert "Register Dataset saves the scored rows as the next version of the dataset 'scored'" in batch.notes[2]
    assert not [n for n in batch.notes if "Web Service" in n]
    assert validate(batch.graph, REGISTRY).problems == []


def test_a_foreign_digest_inside_the_scoring_pipeline_is_a_problem_naming_the_node_and_parameter(
    trained: Trained,
) -> None:
    class Nothing:
        def owned(self, digests: Any) -> set[str]:
            return set()

    problems = [p for p in validate(trained.batch.graph, REGISTRY, artifacts=Nothing()).problems]

    assert {(p.code, p.node, p.param) for p in problems} == {("foreign_artifact", "parallel_run", "scoring_pipeline")}
    assert len(problems) == 2  # the trained model and the fitted transformation the scoring path pins


# -- scoring ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("row_groups", [500, None], ids=["row groups smaller than a mini-batch", "one row group"])
def test_parallel_run_scores_every_row_as_score_model_does_in_input_order(trained: Trained, row_groups: Any) -> None:
    source = trained.stored_input(data(), row_groups)  # the raw rows: Apply Transformation normalizes them
    ctx = context(trained)

    outputs = score(trained, ctx, source, mini_batch_size=700, max_concurrent_mini_batches=2)

    scored = table(trained, outputs["scored_dataset"])
    pd.testing.assert_frame_equal(scored.df, trained.expected.df)
    assert scored.meta == trained.expected.meta
    assert table(trained, outputs["failed_mini_batches"]).df.empty
    assert outputs["scored_dataset"].summary["rows"] == ROWS
    batches = 9 if row_groups is None else 12  # 700-row mini-batches, or 500-row groups gathered one at a time
    assert f"6,000 rows in {batches} mini-batches of up to 700 rows" in "\n".join(ctx.logs)
    rows_messages = [m for _f, m in ctx.progress_updates if re.fullmatch(r"[\d,]+ / 6,000 rows", m)]
    assert rows_messages[0] == "0 / 6,000 rows" and len(rows_messages) == batches
    assert ctx.progress_updates[-1][0] == 1.0


def _raw(trained: Trained) -> str:
    return trained.stored_input(data(), 700)


class Flaky:
    """A scorer whose mini-batch holding row ``row`` fails its first ``failures`` attempts."""

    def __init__(self, trained: Trained, row: int, failures: int) -> None:
        self.scorers = Scorers(REGISTRY, trained.store.get)
        self.marker = float(data()["f0"].iloc[row])
        self.failures = failures
        self.attempts = 0

    def __call__(self, document: Mapping[str, Any], tables: Mapping[str, DataTable]) -> dict[str, DataTable]:
        rows = next(iter(tables.values())).df
        if (rows["f0"] == self.marker).any():
            self.attempts += 1
            if self.attempts <= self.failures:
                raise ScoringFailed(f"Node 'score' (Score Model) failed: a poisoned row (attempt {self.attempts})")
        return self.scorers.score(document, tables)


def test_a_failing_mini_batch_is_tried_again_and_then_scored(trained: Trained) -> None:
    flaky = Flaky(trained, row=1500, failures=2)
    ctx = context(trained, flaky)

    outputs = score(trained, ctx, _raw(trained), mini_batch_size=700, run_max_try=3)

    assert flaky.attempts == 3
    assert len(table(trained, outputs["scored_dataset"]).df) == ROWS
    log = "\n".join(ctx.logs)
    assert (
        "mini-batch 3 (rows 1,400-2,099), attempt 1 of 3 failed: Node 'score' (Score Model) failed: a poisoned" in log
    )
    assert "mini-batch 3 (rows 1,400-2,099), attempt 2 of 3 failed" in log
    assert "mini-batch 3 (rows 1,400-2,099) scored" in log


def test_over_the_error_threshold_the_node_fails_naming_the_mini_batch_and_its_rows(trained: Trained) -> None:
    ctx = context(trained, Flaky(trained, row=1500, failures=99))

    with pytest.raises(NodeFailed) as failed:
        score(trained, ctx, _raw(trained), mini_batch_size=700, run_max_try=2, error_threshold=699)

    problem = failed.value.problem
    assert (problem.code, problem.node, problem.param) == ("module_error", "parallel_run", "error_threshold")
    assert problem.message == (
        "Node 'parallel_run' (Parallel Run) failed: 1 mini-batch(es) failed (700 rows), over the error threshold of "
        "699 rows: mini-batch 3 (rows 1,400-2,099) after 2 attempt(s): Node 'score' (Score Model) failed: a poisoned "
        "row (attempt 2)."
    )


def test_under_the_error_threshold_failed_rows_are_left_out_and_listed(trained: Trained) -> None:
    ctx = context(trained, Flaky(trained, row=1500, failures=99))

    outputs = score(trained, ctx, _raw(trained), mini_batch_size=700, run_max_try=2, error_threshold=700)

    scored = table(trained, outputs["scored_dataset"]).df
    kept = trained.expected.df.drop(index=range(1400, 2100)).reset_index(drop=True)
    pd.testing.assert_frame_equal(scored, kept)
    failed = table(trained, outputs["failed_mini_batches"]).df
    assert failed.to_dict("records") == [
        {"mini_batch": 3, "first_row": 1400, "last_row": 2099, "rows": 700, "attempts": 2,
         "error": "Node 'score' (Score Model) failed: a poisoned row (attempt 2)"}
    ]  # fmt: skip
    assert "700 rows of 1 failed mini-batch(es) left out" in ctx.logs[-1]


def test_the_allowed_failed_mini_batches_bound_holds_whatever_the_row_threshold(trained: Trained) -> None:
    ctx = context(trained, Flaky(trained, row=10, failures=99))

    with pytest.raises(NodeFailed) as failed:
        score(
            trained, ctx, _raw(trained), mini_batch_size=700, run_max_try=1, error_threshold=-1, allowed_failed_count=0
        )

    assert failed.value.problem.param == "allowed_failed_count"
    assert "over the 0 allowed failed mini-batches: mini-batch 1 (rows 0-699)" in failed.value.problem.message


def test_a_column_the_scoring_pipeline_needs_is_named_when_the_dataset_lacks_it(trained: Trained) -> None:
    source = trained.stored_input(data().drop(columns=["f2"]), None)

    with pytest.raises(NodeFailed) as failed:
        score(trained, context(trained), source)

    problem = failed.value.problem
    assert (problem.port, problem.column) == ("dataset", "f2")
    assert "column 'f2', which the scoring pipeline's input 'WebServiceInput0' takes, is not in the dataset" in (
        problem.message
    )


def test_a_scoring_pipeline_naming_another_workspaces_model_is_refused_before_anything_is_scored(
    trained: Trained,
) -> None:
    class Nothing:
        def owned(self, digests: Any) -> set[str]:
            return set()

    scorers = Scorers(REGISTRY, trained.store.get)
    ctx = context(trained, lambda document, tables: scorers.score(document, tables, owned=Nothing()))

    with pytest.raises(NodeFailed) as failed:
        score(trained, ctx, _raw(trained), mini_batch_size=3000)

    problem = failed.value.problem
    assert problem.param == "scoring_pipeline"
    assert "which does not belong to this run's workspace" in problem.message
    assert scorers._loaded == {}  # nothing was loaded


def test_an_empty_dataset_is_refused_naming_the_input(trained: Trained) -> None:
    source = trained.stored_input(data().head(0), None)

    with pytest.raises(NodeFailed) as failed:
        score(trained, context(trained), source)

    assert failed.value.problem.port == "dataset"
    assert "the dataset has no rows to score" in failed.value.problem.message


# -- pieces -----------------------------------------------------------------------------------------
def test_row_groups_are_gathered_into_mini_batches_never_split() -> None:
    assert plan_mini_batches([300, 300, 300, 100], 700) == [([0, 1], 0, 600), ([2, 3], 600, 400)]
    assert plan_mini_batches([700, 700, 1], 700) == [([0], 0, 700), ([1], 700, 700), ([2], 1400, 1)]
    assert plan_mini_batches([701], 700) is None


def test_progress_counts_rows_when_parts_have_sizes() -> None:
    ctx = LocalContext()

    ctx.map(ParallelRunParts(), {}, None, [{"n": 1}, {"n": 2}], what="mini-batch", sizes=[1000, 500], unit="row")

    assert [m for _f, m in ctx.progress_updates] == ["0 / 1,500 rows", "1,000 / 1,500 rows"]


class ParallelRunParts(ParallelRun):
    def run_part(self, inputs: dict[str, Any], params: Any, ctx: Any, item: Any) -> Any:
        return item


def test_the_module_saves_what_it_writes_where_the_context_keeps_tables() -> None:
    ctx = LocalContext()
    digest = ctx.tables.save(DataTable(pd.DataFrame({"x": [1, 2]})))

    assert Table.deserialize(ctx.artifacts[digest]).df["x"].tolist() == [1, 2]
    assert ctx.tables.load(digest).df["x"].tolist() == [1, 2]
