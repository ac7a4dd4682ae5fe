"""The image sample on real processes: trained by Celery workers, derived, deployed and scored over HTTP."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import numpy as np
import pytest

from designer.pipelines.services import create_pipeline
from designer.runs.models import Run
from tests.designer.runs.conftest import node_status, wait_for_run
from tests.engine.test_inference_images import PROBABILITIES, training_document
from tests.support.processes import WorkerPool

from .test_images import expected_scores, output

pytestmark = [pytest.mark.workers, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def own_workers(workers: WorkerPool) -> Iterator[WorkerPool]:  # noqa: F811
    """The live workers, stopped afterwards: later tests here drain runs in-process on a committing database,
    and a live worker would take their nodes."""
    yield workers
    workers.stop()


def test_an_image_model_trained_on_workers_is_served_with_the_scores_of_score_image_model(
    own_workers,
    server,  # noqa: F811
    http,  # noqa: F811
    ada,  # noqa: F811
    lab,  # noqa: F811
):
    # given the image sample (small: 18 images of 20 x 20 pixels, one epoch) trained on the workers
    pipeline = create_pipeline(ada, lab, "Shapes", document=training_document())
    submitted = http.post("/api/runs/", json={"pipeline": pipeline.pk})
    assert submitted.status_code == 201, submitted.text
    finished = wait_for_run(http, submitted.json()["id"])
    assert finished["status"] == "completed", node_status(finished)

    # when its inference pipeline is derived and deployed over the API
    derived = http.post(f"/api/runs/{finished['id']}/inference-pipeline/", json={})
    assert derived.status_code == 201, derived.text
    body = {"workspace": lab.pk, "name": "shapes", "pipeline": derived.json()["pipeline"]["id"]}
    deployed = http.post("/api/endpoints/", json=body)
    assert deployed.status_code == 201, deployed.text

    # and three images are scored over HTTP with the endpoint's key
    run = Run.objects.get(pk=finished["id"])
    files = output(run, "images", "image_directory").images[6:9]
    rows = [{"image": base64.b64encode(f.data).decode()} for f in files]
    key = deployed.json()["keys"]["primary"]
    answer = http.post(
        "/endpoints/shapes/score",
        json={"Inputs": {"WebServiceInput0": rows}, "GlobalParameters": {}},
        headers={"Authorization": f"Bearer {key}"},
    )

    # then the answer is Score Image Model's on the same images, with the run's transformation and model
    assert answer.status_code == 200, answer.text
    scored = answer.json()["Results"]["WebServiceOutput0"]
    want = expected_scores(run, files)
    assert [r["Scored Labels"] for r in scored] == list(want["Scored Labels"])
    np.testing.assert_allclose([[r[c] for c in PROBABILITIES] for r in scored], want[PROBABILITIES], rtol=0, atol=1e-6)
