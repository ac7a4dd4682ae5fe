"""A Create Python Model deployed as an endpoint: the request's columns reach the script by name, as in training."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from designer.engine.execute import OutputRecord, execute_node, load_output
from designer.engine.graph import Graph, parse_graph
from designer.engine.inference import OutputRef, derive_inference_pipeline
from designer.engine.scoring import Limits, ScoringPipeline, parse_azure, records
from designer.engine.store import LocalArtifactStore
from modules.sdk import DataTable, LocalContext, default_registry
from tests.support.pipelines import document

LABEL = "pay"
SCRIPT = """\
import pandas as pd

COLUMNS = ["hours per week", "âge", "work class", "married"]
TYPES = {"hours per week": "float64", "âge": "int64", "work class": "category", "married": "bool"}


def check(df):
    assert list(df.columns) == COLUMNS, f"columns {list(df.columns)}"
    assert {c: str(t) for c, t in df.dtypes.items()} == TYPES, f"types {dict(df.dtypes)}"


class AzureMLModel:
    def __init__(self):
        self.model = None

    def train(self, df_train, df_label):
        check(df_train)
        self.model = float(df_label[df_train["married"]].mean())

    def predict(self, df):
        check(df)
        bonus = (df["work class"] == "Private").astype("float64") * 1000 + df["married"] * self.model
        return pd.DataFrame({"Scored Labels": df["hours per week"] * 2 + df["âge"] + bonus})
"""


def people(n: int = 30, seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "hours per week": rng.normal(40, 8, n).round(1),
            "âge": pd.array(rng.integers(18, 70, n), dtype="Int64"),
            "work class": pd.Series(rng.choice(np.array(["Private", "Gov"]), n)).astype("category"),
            "married": pd.array(np.arange(n) % 3 == 0, dtype="boolean"),
            LABEL: rng.normal(500, 50, n).round(2),
        }
    )


def run_all(graph: Graph, store: LocalArtifactStore, ctx: LocalContext) -> dict[str, dict[str, OutputRecord]]:
    outputs: dict[str, dict[str, OutputRecord]] = {}
    for node_id in graph.topological_order():
        inputs = {e.target_port: outputs[e.source][e.source_port].digest for e in graph.incoming(node_id).values()}
        ctx.node_id = node_id
        outputs[node_id] = execute_node(graph.nodes[node_id], default_registry(), inputs, store, ctx)
    return outputs


def test_an_endpoint_request_reaches_the_script_with_the_training_names_order_and_types(tmp_path: Path) -> None:
    store = LocalArtifactStore(tmp_path)
    learner = {"python_script": SCRIPT, "task": "Regression", "timeout_seconds": 60, "memory_limit_mb": 1024}
    graph = parse_graph(
        document(
            [
                ("data", "dataset", {"dataset": {"dataset_id": 1}}),
                ("learner", "create_python_model", learner),
                ("train", "train_model", {"label_column": LABEL}),
                ("score", "score_model", {}),
            ],
            [
                "learner.untrained_model -> train.untrained_model",
                "data.dataset -> train.dataset",
                "train.trained_model -> score.trained_model",
                "data.dataset -> score.dataset",
            ],
        )
    )
    df = people()
    outputs = run_all(graph, store, LocalContext(datasets={1: DataTable(df)}))
    refs = {(n, p): OutputRef(r.digest, r.type) for n, ports in outputs.items() for p, r in ports.items()}
    derived = derive_inference_pipeline(
        graph, default_registry(), refs, lambda ref: load_output(store, ref.type, ref.digest)
    )
    pipeline = ScoringPipeline.load(derived.graph, default_registry(), store.get)
    # JSON rows, columns in another order and whole numbers written as floats
    rows = [
        {"married": bool(r["married"]), "work class": r["work class"], "hours per week": r["hours per week"]}
        | {"âge": float(r["âge"])}
        for r in df.iloc[:8].to_dict("records")
    ]
    body: dict[str, Any] = {"Inputs": {"WebServiceInput0": rows}, "GlobalParameters": {}}

    answer = records(pipeline.score(parse_azure(body, pipeline.inputs, Limits()))["WebServiceOutput0"])

    married_mean = df.loc[df["married"].to_numpy(dtype=bool), LABEL].mean()
    head = df.iloc[:8]
    expected = (
        head["hours per week"] * 2
        + head["âge"].astype("float64")
        + (head["work class"] == "Private").astype("float64") * 1000
        + head["married"].astype("float64") * married_mean
    )
    np.testing.assert_allclose([r["Scored Labels"] for r in answer], expected, rtol=1e-12)
