"""Drift of a deployed endpoint's text columns, end to end, against SciPy computed from the same rows.

The engine's statistics are compared with SciPy in tests/engine/test_drift_vs_scipy.py; here the rows take
the way a user's do: a CSV with text columns trained on, the endpoint derived and deployed, scoring calls
sampled into the database, and the drift route reading them back against the stored training baseline.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.spatial.distance import jensenshannon

from designer.artifacts import artifact_store
from designer.endpoints.models import Endpoint
from designer.engine.graph import parse_graph
from designer.pipelines.services import create_pipeline
from designer.runs import services as runs
from designer.runs.models import Run
from modules.sdk import Table
from tests.designer.runs.conftest import drain, upload_sample
from tests.support.pipelines import train_score_evaluate

from .conftest import deploy, derive
from .test_api import as_json_rows, caller, post_json

pytestmark = pytest.mark.django_db


@pytest.fixture
def penguins(owner: Any, workspace: Any, as_editor: Any) -> dict[str, Any]:
    """An endpoint trained on the penguins (island and sex are text) with Multiclass Boosted Decision Tree,
    which takes their missing values."""
    dataset = upload_sample(owner, workspace, "Palmer penguins")
    doc = train_score_evaluate(dataset.pk, "species")
    doc["nodes"][2].update(module="multiclass_boosted_decision_tree", params={})
    run = drain(runs.submit_run(user=owner, pipeline=create_pipeline(owner, workspace, "Penguins", document=doc)))
    assert run.status == Run.Status.COMPLETED, run.error
    endpoint = deploy(as_editor, workspace, derive(as_editor, run)["pipeline"]["id"], name="penguins")
    return endpoint


def baseline_of(endpoint: dict[str, Any]) -> pd.DataFrame:
    """The training rows the endpoint's drift is measured against, read from the store directly."""
    graph = parse_graph(Endpoint.objects.get(pk=endpoint["id"]).document)
    (digest,) = [str(n.params["baseline"]) for n in graph.nodes.values() if n.module == "web_service_input"]
    return Table.deserialize(artifact_store().get(digest)).df


def test_text_columns_are_measured_with_chi_squared_and_jensen_shannon(penguins, as_viewer):
    # given recent calls in which the islands moved (mostly Torgersen now) and the sexes did not
    baseline = baseline_of(penguins)
    rng = np.random.default_rng(7)
    recent = baseline.sample(80, random_state=11).reset_index(drop=True)
    recent["island"] = rng.choice(["Torgersen", "Biscoe", "Dream"], len(recent), p=[0.8, 0.1, 0.1])
    rows = as_json_rows(recent)
    response = post_json(
        caller(penguins["keys"]["primary"]), "/endpoints/penguins/score", {"Inputs": {"WebServiceInput0": rows}}
    )
    assert response.status_code == 200, response.content

    # when the drift of the input is asked for
    answer = as_viewer.get(f"/api/endpoints/{penguins['id']}/drift/?minutes=60")
    assert answer.status_code == 200, answer.content
    features = {f["column"]: f for f in answer.json()["inputs"][0]["features"]}

    # then each text column carries SciPy's chi-squared test of the table of counts and the
    # Jensen-Shannon distance (base 2) of the two mixes, computed here from the same rows
    for name in ("island", "sex"):
        base, now = baseline[name].dropna().astype(str), recent[name].dropna().astype(str)
        table = pd.crosstab(
            pd.Series(["baseline"] * len(base) + ["recent"] * len(now)), pd.concat([base, now], ignore_index=True)
        ).to_numpy()
        chi2 = stats.chi2_contingency(table)
        shares = table / table.sum(axis=1, keepdims=True)
        feature = features[name]
        assert (feature["kind"], feature["test"]) == ("categorical", "chi-squared")
        assert (feature["baseline_rows"], feature["recent_rows"]) == (len(base), len(now))
        assert feature["statistic"] == pytest.approx(chi2.statistic, rel=1e-9)
        assert feature["p_value"] == pytest.approx(chi2.pvalue, rel=1e-6, abs=1e-300)
        assert feature["distance"] == pytest.approx(jensenshannon(shares[0], shares[1], base=2), rel=1e-9)
    assert features["island"]["drifted"] is True and features["island"]["p_value"] < 1e-10
    assert features["sex"]["drifted"] is False
    assert features["bill_length_mm"]["test"] == "Kolmogorov-Smirnov"
