"""The AutoML winner deployed as an endpoint, a single learner or the soft-voting ensemble (version 2's average,
version 3's weighted greedy selection): rows that need its featurization score as Score Model scores them."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pytest
from rest_framework.test import APIClient

from designer.artifacts import artifact_store
from designer.datasets.services import create_dataset_from_frame
from designer.engine.execute import load_output
from designer.pipelines.services import create_pipeline
from designer.runs import services as runs
from designer.runs.models import Run
from modules.library.scoring.score_model import score_table
from modules.sdk import DataTable
from tests.designer.runs.conftest import drain
from tests.support.pipelines import document

from .conftest import deploy, derive

pytestmark = pytest.mark.django_db

INPUT, OUTPUT = "WebServiceInput0", "WebServiceOutput0"


def _orders(n: int = 300) -> pd.DataFrame:
    rng = np.random.default_rng(4)
    amount = rng.gamma(2.0, 40.0, n)
    shop = rng.choice(np.array(["north", "south", "east"]), n)
    late = np.where(amount / 40 + (shop == "east") * 1.5 + rng.normal(0, 0.7, n) > 2.6, "late", "on time")
    return pd.DataFrame(
        {
            "order_id": [f"O{i:05d}" for i in range(n)],
            "amount": np.where(rng.random(n) < 0.1, np.nan, amount.round(2)),
            "shop": shop,
            "placed": pd.to_datetime("2025-03-01") + pd.to_timedelta(rng.integers(0, 2000, n), unit="h"),
            "status": late,
        }
    )


@pytest.mark.parametrize(
    ("version", "seed", "winner"),
    [
        (2, 0, "AutoML: Two-Class Logistic Regression"),
        (2, 3, "AutoML: soft-voting ensemble of trials 2, 1, 4, 3"),
        (3, 0, "AutoML: soft-voting ensemble of trials 4 ×8, 1 ×2, 3 ×3"),  # greedy selection: weighted
    ],
)
def test_the_automl_winner_answers_as_score_model_does_for_rows_needing_its_featurization(
    owner: Any, workspace: Any, as_editor: APIClient, version: int, seed: int, winner: str
) -> None:
    dataset = create_dataset_from_frame(owner, workspace, "Orders", _orders())
    automl = {
        "label_column": "status",
        "maximum_number_of_trials": 4,
        "maximum_concurrent_trials": 2,
        "random_seed": seed,
    }
    training = document(
        [
            ("data", "dataset", {"dataset": {"dataset_id": dataset.pk}}),
            ("split", "split_data", {"fraction_of_rows_in_first_output_dataset": 0.8, "random_seed": 1}),
            ("automl", "automl_classification", automl),
            ("score", "score_model", {}),
        ],
        [
            "data.dataset -> split.dataset",
            "split.results_dataset1 -> automl.training_dataset",
            "automl.trained_model -> score.trained_model",
            "split.results_dataset2 -> score.dataset",
        ],
    )
    training["nodes"][2]["version"] = version  # the soft-voting ensemble may win: it must serve the same way
    run = drain(runs.submit_run(user=owner, pipeline=create_pipeline(owner, workspace, "Orders", document=training)))
    assert run.status == Run.Status.COMPLETED
    endpoint = deploy(as_editor, workspace, derive(as_editor, run)["pipeline"]["id"], name="orders")
    rows = [
        {"order_id": "NEW-1", "amount": None, "shop": "east", "placed": "2025-06-01T10:00:00"},
        {"order_id": "NEW-2", "amount": 95.5, "shop": "a shop never seen", "placed": "2025-07-04T18:30:00"},
        {"order_id": "NEW-3", "amount": 12.0, "shop": "north", "placed": None},
    ]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {endpoint['keys']['primary']}")

    answer = client.generic(
        "POST", "/endpoints/orders/score", json.dumps({"Inputs": {INPUT: rows}}), content_type="application/json"
    )

    assert answer.status_code == 200, answer.content
    record = run.nodes.get(node_id="automl").outputs["trained_model"]
    model = load_output(artifact_store(), record["type"], record["digest"])
    frame = pd.DataFrame(rows).assign(placed=lambda d: pd.to_datetime(d["placed"]))
    expected = score_table(model, DataTable(frame)).df
    results = answer.json()["Results"][OUTPUT]
    assert [r["Scored Labels"] for r in results] == expected["Scored Labels"].tolist()
    assert [r["Scored Probabilities"] for r in results] == pytest.approx(
        expected["Scored Probabilities"].tolist(), abs=1e-12
    )
    assert model.estimator.steps[0][0] == "automl"
    assert model.name == winner  # a single trial's learner, or the ensemble of the best ones
