"""A scoring server's start imports what its pipeline needs, and nothing of the designer around it.

A fresh interpreter imports the scoring server's app (``designer.scoring_wsgi``, exactly as gunicorn's
workers do), loads a scikit-learn inference pipeline the way a worker preloads an endpoint and answers a
request with it; then none of the web app's stack (Channels, Daphne, Celery, the admin, DRF's views,
drf-spectacular), no heavy library the pipeline does not use (PyTorch, Plotly, Dask, Optuna, LightGBM,
``sklearn.ensemble``) and no module of the library outside the pipeline may have been imported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from designer.engine.execute import OutputRecord, execute_node, load_output
from designer.engine.graph import parse_graph, to_document
from designer.engine.inference import OutputRef, derive_inference_pipeline
from designer.engine.scoring import Limits, ScoringPipeline, parse_azure, records_json
from designer.engine.store import LocalArtifactStore
from modules.sdk import DataTable, LocalContext, default_registry
from tests.support.pipelines import document

ROOT = Path(__file__).resolve().parents[3]
LABEL = "diagnosis"

# Imported by the child after it loaded the pipeline and answered: none of these may be there.
NOT_IMPORTED = (
    "torch",
    "plotly",
    "dask",
    "optuna",
    "lightgbm",
    "channels",
    "daphne",
    "celery",
    "kombu",
    "django_celery_beat",
    "django.contrib.admin",
    "django.contrib.sessions",
    "rest_framework.views",
    "rest_framework.serializers",
    "drf_spectacular",
    "sklearn.ensemble",
    "designer.endpoints.views",
    "designer.runs.services",
    "modules.library.training.automl",  # the library's other modules: only the pipeline's are imported
    "modules.library.data_transformation.clean_missing_data",
)

CHILD = """
import json, sys
import designer.scoring_wsgi  # the scoring server's app, as gunicorn imports it
from designer.artifacts import artifact_store
from designer.endpoints.needed_modules import registry_for
from designer.engine.graph import parse_graph
from designer.engine.scoring import Limits, ScoringPipeline, parse_azure, records_json

document, body = json.load(sys.stdin)
graph = parse_graph(document)
registry = registry_for(graph)
pipeline = ScoringPipeline.load(graph, registry, artifact_store().get)
scored = pipeline.score_traced(parse_azure(body, pipeline.inputs, Limits()))
answer = {name: json.loads(records_json(table)) for name, table in scored.results.items()}
import gc, time
started = time.process_time()  # CPU time: a loaded machine pausing the child does not count
gc.collect()
collect_ms = (time.process_time() - started) * 1000
print(json.dumps({"answer": answer, "modules": sorted(sys.modules), "registered": len(registry),
                  "frozen": gc.get_freeze_count(), "collect_ms": collect_ms}))
"""


def _trained(store: LocalArtifactStore) -> tuple[dict[str, Any], Any]:
    """Logistic regression trained on the breast cancer sample; its inference document and held-out rows."""
    from sklearn.datasets import load_breast_cancer

    frame = load_breast_cancer(as_frame=True).frame.rename(columns={"target": LABEL})
    frame.columns = [c.replace(" ", "_") for c in frame.columns]
    graph = parse_graph(
        document(
            [
                ("data", "dataset", {"dataset": {"dataset_id": 1}}),
                ("split", "split_data", {"fraction_of_rows_in_first_output_dataset": 0.7, "random_seed": 7}),
                ("learner", "two_class_logistic_regression", {}),
                ("train", "train_model", {"label_column": LABEL}),
                ("score", "score_model", {}),
            ],
            [
                "data.dataset -> split.dataset",
                "learner.untrained_model -> train.untrained_model",
                "split.results_dataset1 -> train.dataset",
                "train.trained_model -> score.trained_model",
                "split.results_dataset2 -> score.dataset",
            ],
        )
    )
    registry = default_registry()
    ctx = LocalContext(datasets={1: DataTable(frame)})
    outputs: dict[str, dict[str, OutputRecord]] = {}
    for node_id in graph.topological_order():
        inputs = {e.target_port: outputs[e.source][e.source_port].digest for e in graph.incoming(node_id).values()}
        ctx.node_id = node_id
        outputs[node_id] = execute_node(graph.nodes[node_id], registry, inputs, store, ctx)
    refs = {(n, p): OutputRef(r.digest, r.type) for n, ports in outputs.items() for p, r in ports.items()}
    derived = derive_inference_pipeline(graph, registry, refs, lambda ref: load_output(store, ref.type, ref.digest))
    held_out = load_output(store, "table", outputs["split"]["results_dataset2"].digest).df
    return to_document(derived.graph), held_out.drop(columns=[LABEL]).head(5)


def test_a_scoring_process_imports_only_what_its_scikit_learn_pipeline_needs(tmp_path: Path) -> None:
    store = LocalArtifactStore(tmp_path / "artifacts")
    inference, rows = _trained(store)
    body = {"Inputs": {"WebServiceInput0": json.loads(rows.to_json(orient="records"))}, "GlobalParameters": {}}
    pipeline = ScoringPipeline.load(parse_graph(inference), default_registry(), store.get)
    expected = {
        name: json.loads(records_json(table))
        for name, table in pipeline.score_traced(parse_azure(body, pipeline.inputs, Limits())).results.items()
    }

    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "TESSERA_", "DATABASE_URL", "REDIS_URL"))
    }
    env |= {
        "PYTHONPATH": str(ROOT),
        "TESSERA_ENV": "local",
        "TESSERA_DATA_DIR": str(tmp_path / "data"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "TESSERA_ARTIFACT_STORE": str(tmp_path / "artifacts"),
        "TESSERA_SCORING_PRELOAD": "none",
        "TESSERA_LOG_LEVEL": "ERROR",
    }
    child = subprocess.run(
        [sys.executable, "-c", CHILD],
        input=json.dumps([inference, body]),
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert child.returncode == 0, child.stderr[-3000:]
    out = json.loads(child.stdout.strip().splitlines()[-1])

    assert out["answer"] == expected  # the same answer as the pipeline loaded with the whole library
    loaded = set(out["modules"])
    assert "sklearn.linear_model" in loaded  # the pipeline's model did load
    imported = sorted(m for m in loaded for banned in NOT_IMPORTED if m == banned or m.startswith(banned + "."))
    assert imported == []
    assert out["registered"] < 10  # the pipeline's modules, not the library's hundred
    # and what it loaded to serve is kept out of the garbage collector's sweeps: a full collection, ~100 ms
    # over those objects, would be a pause some call waits out
    assert out["frozen"] > 50_000
    assert out["collect_ms"] < 30, out["collect_ms"]
