"""Scoring never changes the answer's shape silently: removed rows are named, outputs traced, odd values warned."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from designer.engine.execute import OutputRecord, execute_node, load_output
from designer.engine.graph import Edge, Graph, Node, parse_graph
from designer.engine.inference import OutputRef, derive_inference_pipeline
from designer.engine.input_checks import PROFILE_KEY, InputChecks, training_profile
from designer.engine.scoring import Limits, Scored, ScoringPipeline, parse_azure, parse_mlflow, records
from designer.engine.store import LocalArtifactStore
from modules.sdk import DataTable, LocalContext, Table, default_registry
from tests.support.pipelines import document

LABEL = "approved"
INPUT = "WebServiceInput0"
OUTPUT = "WebServiceOutput0"
COLORS = ["blue", "green", "red"]


def loans(n: int = 240, seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    age = rng.uniform(20, 70, n).round(1)
    income = rng.uniform(10, 90, n).round(2)
    color = rng.choice(np.array(COLORS), n)
    approved = np.where(income + (color == "red") * 15 + rng.normal(0, 8, n) > 55, "yes", "no")
    df = pd.DataFrame({"age": age, "income": income, "color": color, LABEL: approved})
    df.loc[[3, 17, 40], "age"] = np.nan  # Clean Missing Data has rows to remove in training too
    return df


def training_graph() -> Graph:
    return parse_graph(
        document(
            [
                ("data", "dataset", {"dataset": {"dataset_id": 1}}),
                ("clean", "clean_missing_data", {"cleaning_mode": "Remove entire row"}),
                ("smote", "smote", {"label_column": LABEL}),
                ("norm", "normalize_data", {"columns": ["age", "income"]}),
                ("split", "split_data", {"fraction_of_rows_in_first_output_dataset": 0.7, "random_seed": 1}),
                ("learner", "two_class_logistic_regression", {}),
                ("train", "train_model", {"label_column": LABEL}),
                ("score", "score_model", {}),
            ],
            [
                "data.dataset -> clean.dataset",
                "clean.cleaned_dataset -> smote.samples",
                "smote.table -> norm.dataset",
                "norm.transformed_dataset -> split.dataset",
                "learner.untrained_model -> train.untrained_model",
                "split.results_dataset1 -> train.dataset",
                "train.trained_model -> score.trained_model",
                "split.results_dataset2 -> score.dataset",
            ],
        )
    )


def with_profile(graph: Graph, sources: dict[str, DataTable], store: LocalArtifactStore) -> Graph:
    """What deploying's ``_with_baselines`` does: the training profile in the baseline table's meta."""
    nodes = dict(graph.nodes)
    for node_id, table in sources.items():
        node = nodes[node_id]
        profile = training_profile(table.df, node.params["columns"])
        digest = store.put(Table.serialize(DataTable(table.df.head(50), {PROFILE_KEY: profile})))
        nodes[node_id] = Node(node.id, node.module, node.version, {**node.params, "baseline": digest})
    return Graph(nodes, graph.edges, graph.parameters, graph.layout)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> tuple[Graph, LocalArtifactStore]:
    store = LocalArtifactStore(Path(tmp_path_factory.mktemp("store")))
    registry = default_registry()
    graph = training_graph()
    ctx = LocalContext(datasets={1: DataTable(loans())})
    outputs: dict[str, dict[str, OutputRecord]] = {}
    for node_id in graph.topological_order():
        inputs = {e.target_port: outputs[e.source][e.source_port].digest for e in graph.incoming(node_id).values()}
        ctx.node_id = node_id
        outputs[node_id] = execute_node(graph.nodes[node_id], registry, inputs, store, ctx)
    refs = {(n, p): OutputRef(r.digest, r.type) for n, ports in outputs.items() for p, r in ports.items()}
    derived = derive_inference_pipeline(graph, registry, refs, lambda ref: load_output(store, ref.type, ref.digest))
    return with_profile(derived.graph, derived.sources, store), store


def load(graph: Graph, store: LocalArtifactStore) -> ScoringPipeline:
    return ScoringPipeline.load(graph, default_registry(), store.get)


def score(pipeline: ScoringPipeline, rows: list[dict[str, Any]]) -> Scored:
    return pipeline.score_traced(parse_azure({"Inputs": {INPUT: rows}}, pipeline.inputs, Limits()))


def five_rows() -> list[dict[str, Any]]:
    return [
        {"age": 31.0, "income": 40.5, "color": "red"},
        {"age": None, "income": 72.0, "color": "blue"},
        {"age": 45.0, "income": 61.25, "color": "green"},
        {"age": None, "income": 22.0, "color": "red"},
        {"age": 58.5, "income": 80.0, "color": "blue"},
    ]


def inserted(graph: Graph, new: Node, after: str) -> Graph:
    """``graph`` with ``new`` spliced in on the table edge leaving ``after``."""
    edges = []
    for e in graph.edges:
        if e.source == after and e.source_port == "transformed_dataset":
            edges.append(Edge(after, e.source_port, new.id, "dataset1" if "script" in new.id else "dataset"))
            edges.append(
                Edge(new.id, "result_dataset" if "script" in new.id else "results_dataset", e.target, e.target_port)
            )
        else:
            edges.append(e)
    return Graph({**graph.nodes, new.id: new}, edges, graph.parameters, graph.layout)


def apply_node(graph: Graph, transform_of: str) -> str:
    return next(n for n in graph.nodes if n.startswith(f"{transform_of}_apply"))


# -- removed rows --------------------------------------------------------------------------------------


def test_the_derived_pipeline_drops_smote_and_names_the_rows_clean_missing_data_removes(served: Any) -> None:
    graph, store = served
    pipeline = load(graph, store)
    clean = apply_node(graph, "clean")

    scored = score(pipeline, five_rows())
    alone = score(pipeline, [five_rows()[i] for i in (0, 2, 4)])

    assert "smote" not in graph.nodes and all(n.module != "smote" for n in graph.nodes.values())
    assert [d.to_json() for d in scored.dropped] == [
        {
            "input": INPUT,
            "rows": [1, 3],
            "node": clean,
            "module": "Apply Transformation",
            "columns": ["age"],
            "message": f"Node '{clean}' (Apply Transformation), applying Clean Missing Data, removed rows with a "
            "missing value in column 'age'.",
        }
    ]
    assert scored.row_index == {OUTPUT: [0, 2, 4]}
    assert records(scored.results[OUTPUT]) == records(alone.results[OUTPUT])
    assert alone.dropped == [] and alone.row_index == {} and alone.extras("azure") == {}
    assert scored.rows_dropped == 2 and scored.warnings == []
    assert scored.extras("azure") == {
        "DroppedRows": [d.to_json() for d in scored.dropped],
        "RowIndex": {OUTPUT: [0, 2, 4]},
    }
    assert scored.extras("mlflow") == {"dropped_rows": [d.to_json() for d in scored.dropped], "row_index": [0, 2, 4]}


def test_rows_missing_different_columns_are_named_once_per_column(served: Any) -> None:
    graph, store = served
    rows = five_rows()
    rows[3] = {"age": 40.0, "income": None, "color": "red"}
    rows[4] = {"age": None, "income": None, "color": "red"}

    scored = score(load(graph, store), rows)

    assert [(d.rows, d.columns) for d in scored.dropped] == [
        ([1], ("age",)),
        ([3], ("income",)),
        ([4], ("age", "income")),
    ]
    assert "in columns 'age', 'income'" in scored.dropped[2].message
    assert scored.row_index == {OUTPUT: [0, 2]}


ROW_WISE = {
    "select_columns": Node("select", "select_columns", 1, {"columns": ["color", "age", "income"]}),
    "edit_metadata": Node("edit", "edit_metadata", 1, {"column": ["color"], "categorical": "Categorical"}),
    "execute_python_script": Node(
        "script",
        "execute_python_script",
        1,
        {
            "python_script": "def azureml_main(dataframe1=None, dataframe2=None):\n"
            "    df = dataframe1.copy()\n    df['income'] = df['income'] * 1.0\n    return df,\n",
            "timeout_seconds": 30,
            "memory_limit_mb": 1024,
        },
    ),
    "remove_duplicate_rows": Node("dedupe", "remove_duplicate_rows", 1, {}),
}


@pytest.mark.parametrize("module", sorted(ROW_WISE))
def test_every_module_on_the_path_keeps_the_remaining_rows_traced_in_order(served: Any, module: str) -> None:
    graph, store = served
    graph = inserted(graph, ROW_WISE[module], apply_node(graph, "clean"))
    pipeline = load(graph, store)

    scored = score(pipeline, five_rows())
    alone = score(pipeline, [five_rows()[i] for i in (0, 2, 4)])

    assert [d.rows for d in scored.dropped] == [[1, 3]]
    assert scored.row_index == {OUTPUT: [0, 2, 4]}
    assert scored.warnings == []
    assert records(scored.results[OUTPUT]) == records(alone.results[OUTPUT])


def test_remove_duplicate_rows_on_the_path_names_the_repeated_request_row(served: Any) -> None:
    graph, store = served
    graph = inserted(graph, ROW_WISE["remove_duplicate_rows"], apply_node(graph, "clean"))
    rows = five_rows()
    rows[4] = dict(rows[0])

    scored = score(load(graph, store), rows)

    assert [(d.node, d.rows) for d in scored.dropped] == [(apply_node(graph, "clean"), [1, 3]), ("dedupe", [4])]
    assert scored.dropped[1].message == (
        "Node 'dedupe' (Remove Duplicate Rows) removed rows that repeat an earlier row of the same request in "
        "'age', 'income', 'color'."
    )
    assert scored.row_index == {OUTPUT: [0, 2]}


def test_a_script_that_removes_rows_makes_them_untraceable_and_the_answer_says_so(served: Any) -> None:
    graph, store = served
    script = Node(
        "script",
        "execute_python_script",
        1,
        {
            "python_script": "def azureml_main(dataframe1=None, dataframe2=None):\n"
            "    return dataframe1[dataframe1['income'] > 50],\n",
            "timeout_seconds": 30,
            "memory_limit_mb": 1024,
        },
    )
    graph = inserted(graph, script, apply_node(graph, "clean"))

    scored = score(load(graph, store), five_rows())

    assert [d.rows for d in scored.dropped] == [[1, 3]]  # still named: they went before the script
    assert scored.row_index == {OUTPUT: None}
    assert scored.warnings == [
        {
            "kind": "rows_untraceable",
            "input": INPUT,
            "node": "script",
            "module": "Execute Python Script",
            "rows_in": 3,
            "rows_out": 2,
            "message": "Node 'script' (Execute Python Script) returned 2 rows for its 3 input rows without keeping "
            "their row labels, so which request rows its output holds is unknown.",
        }
    ]
    assert len(scored.results[OUTPUT].df) == 2
    assert scored.extras("mlflow")["row_index"] is None


# -- warnings ------------------------------------------------------------------------------------------


def test_unseen_categories_and_out_of_range_values_are_warned_naming_row_column_value_and_range(
    served: Any,
) -> None:
    graph, store = served
    pipeline = load(graph, store)
    training = loans()
    low, high = float(training["income"].min()), float(training["income"].max())
    rows = five_rows()
    rows[1] = {"age": 30.0, "income": 500.0, "color": "purple"}
    rows[3] = {"age": 5.0, "income": 30.0, "color": "red"}

    scored = score(pipeline, rows)
    mlflow = pipeline.score_traced(parse_mlflow({"dataframe_records": rows}, pipeline.inputs, Limits()))

    assert [(w["kind"], w["row"], w["column"], w["value"]) for w in scored.warnings] == [
        ("out_of_range", 1, "income", 500.0),
        ("unseen_category", 1, "color", "purple"),
        ("out_of_range", 3, "age", 5.0),
    ]
    income = scored.warnings[0]
    assert income["expected"] == {"min": low, "max": high}
    assert income["message"] == (
        f"Input '{INPUT}', row 1, column 'income': 500 is outside the training range [{low:g}, {high:g}]; "
        "the model extrapolates there."
    )
    assert scored.warnings[1]["expected"] == {"categories": COLORS, "count": 3}
    assert scored.warnings[1]["message"] == (
        f"Input '{INPUT}', row 1, column 'color': 'purple' never occurs in the training data (which has 'blue', "
        "'green', 'red')."
    )
    assert len(scored.results[OUTPUT].df) == 5 and scored.dropped == [] and scored.row_index == {}
    assert scored.extras("azure") == {"Warnings": scored.warnings}
    assert mlflow.extras("mlflow") == {"warnings": scored.warnings}


def test_warnings_are_capped_and_the_answer_says_how_many_more(served: Any) -> None:
    graph, store = served
    pipeline = load(graph, store)
    rows = [{"age": 200.0, "income": -1.0, "color": "pink"} for _ in range(60)]

    scored = pipeline.score_traced(parse_azure({"Inputs": {INPUT: rows}}, pipeline.inputs, Limits()), 100)

    assert len(scored.warnings) == 100 and scored.warnings_total == 180
    assert scored.extras("azure")["WarningsOmitted"] == 80
    assert [w["row"] for w in scored.warnings[:6]] == [0, 0, 0, 1, 1, 1]  # in row order, then column order
    assert len(scored.record()) == 20


def test_a_clean_request_gets_no_extra_keys_and_missing_values_are_not_warned(served: Any) -> None:
    graph, store = served
    pipeline = load(graph, store)
    rows = five_rows()
    rows[1]["color"] = None  # missing: not an unseen category (and not a cleaned column's problem here)

    scored = score(pipeline, [rows[0], rows[2], rows[4]])

    assert scored.extras("azure") == {} and scored.extras("mlflow") == {}
    assert scored.warnings_total == 0 and scored.record() == []


def test_the_profile_covers_all_training_rows_and_treats_free_text_as_no_category() -> None:
    df = pd.DataFrame(
        {
            "n": np.arange(6000, dtype="float64"),
            "kind": ["common"] * 5999 + ["rare"],
            "name": [f"person {i}" for i in range(6000)],
        }
    )
    columns = [{"name": "n", "type": "number"}, {"name": "kind", "type": "string"}, {"name": "name", "type": "string"}]
    profile = training_profile(df, columns)
    checks = InputChecks(INPUT, json.loads(json.dumps(profile)), {c["name"]: c["type"] for c in columns})

    request = pd.DataFrame({"n": [0.0, 5999.0, 6000.0], "kind": ["rare", "common", "new"], "name": ["x", "y", "z"]})
    found, total = checks.check(request, 100)

    assert profile["columns"]["kind"] == {"type": "string", "categories": ["common", "rare"]}
    assert "name" not in profile["columns"]  # every value distinct: an identifier, not a category
    assert [(w.kind, w.row, w.column) for w in found] == [("out_of_range", 2, "n"), ("unseen_category", 2, "kind")]
    assert total == 2
