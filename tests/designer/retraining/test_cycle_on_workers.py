"""The whole cycle on real processes: drifted traffic to a gunicorn scoring server fires the drift alarm, the
retraining run and the evaluation run on Celery workers, an editor approves, the endpoint is redeployed;
scoring traffic from two other threads runs throughout, and not one call fails."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pandas as pd
import pytest
from rest_framework.test import APIClient

from designer.activity.models import ActivityEvent
from designer.endpoints import services as endpoint_services
from designer.endpoints.models import Endpoint
from designer.published.models import PipelineEndpoint, PublishedRun
from designer.published.services import start_run
from designer.retraining import services
from designer.retraining.models import Challenger, RetrainingPolicy
from designer.retraining.tasks import tick_task
from designer.runs.models import Run
from tests.designer.runs.conftest import upload_sample
from tests.support.processes import ScoringServer
from tests.support.retraining import published_retrainer, request_rows, table_of, upload_drifted_version

from .test_promotion import output_of, served_model

pytestmark = [pytest.mark.workers, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scoring_server(transactional_db: Any) -> Iterator[ScoringServer]:
    server = ScoringServer(
        workers=2, TESSERA_CALL_FLUSH_SECONDS="0.2", TESSERA_ROOT_URLCONF="designer.endpoints.scoring_urls"
    )
    try:
        yield server
    finally:
        server.stop()


def finished(run: Run, timeout: float = 180) -> Run:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.is_terminal:
            assert run.status == Run.Status.COMPLETED, run.error
            return run
        time.sleep(0.3)
    raise TimeoutError(f"run {run.pk} is still {run.status} after {timeout} s")


class Traffic:
    """Threads that keep scoring random training rows (so they do not drift) until stopped."""

    def __init__(self, url: str, key: str, rows: pd.DataFrame, threads: int = 2) -> None:
        self.url, self.headers, self.rows = url, {"Authorization": f"Bearer {key}"}, rows
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.outcomes: list[int | str] = []  # status codes, or the exception of a call that got no answer
        self.threads = [threading.Thread(target=self._loop, args=(seed,), daemon=True) for seed in range(threads)]

    def __enter__(self) -> Traffic:
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(30)

    def _loop(self, seed: int) -> None:
        with httpx.Client(timeout=60) as client:
            n = 0
            while not self.stop.is_set():
                batch = request_rows(self.rows.sample(5, random_state=seed * 100_000 + n))
                try:
                    outcome: int | str = client.post(
                        self.url, json={"Inputs": {"WebServiceInput0": batch}}, headers=self.headers
                    ).status_code
                except httpx.HTTPError as exc:
                    outcome = repr(exc)
                with self.lock:
                    self.outcomes.append(outcome)
                n += 1
                self.stop.wait(0.1)


def test_drift_alarm_retraining_evaluation_approval_and_redeploy_without_a_failed_call(
    workers, scoring_server, ada, lab
) -> None:
    # given a model trained by the published retraining pipeline itself, deployed, and a policy on it
    dataset = upload_sample(ada, lab)
    retrainer: PipelineEndpoint = published_retrainer(ada, lab, dataset, "cancer-retrain")
    first = finished(start_run(retrainer, kind="manual", user=ada))
    inference, _ = endpoint_services.create_inference_pipeline(ada, first)
    endpoint = endpoint_services.create_endpoint(workspace=lab, user=ada, name="cancer", pipeline=inference)
    body = {"pipeline_endpoint": retrainer.pk, "metric": "Accuracy", "drift_min_rows": 200}
    policy, _ = services.save_policy(endpoint, ada, body)
    url = f"{scoring_server.url}/endpoints/cancer/score"
    calm = table_of(dataset, 1)

    with Traffic(url, endpoint.primary_key, calm) as traffic, httpx.Client(timeout=60) as client:
        time.sleep(3)
        quiet = services.tick()
        assert quiet.alarms[policy.pk] in (RetrainingPolicy.AlarmState.OK, RetrainingPolicy.AlarmState.NOT_ENOUGH_DATA)
        assert not PublishedRun.objects.filter(kind="drift").exists()

        # new labelled data arrives, and requests start to look like it
        drifted = table_of(upload_drifted_version(ada, dataset).dataset)
        fired, deadline = None, time.monotonic() + 60
        while fired != RetrainingPolicy.AlarmState.DRIFTED and time.monotonic() < deadline:
            for seed in range(3):
                rows = request_rows(drifted.sample(90, random_state=seed + int(time.monotonic())))
                answer = client.post(url, json={"Inputs": {"WebServiceInput0": rows}}, headers=traffic.headers)
                assert answer.status_code == 200, answer.text
            time.sleep(0.5)  # the scoring processes write their samples every 0.2 s
            fired = services.tick().alarms[policy.pk]
        assert fired == RetrainingPolicy.AlarmState.DRIFTED

        # the drift run retrains on the latest version; its challenger is evaluated on the workers
        [link] = PublishedRun.objects.filter(kind="drift").select_related("run")
        retraining = finished(link.run)
        assert retraining.parameter_values == {"training_data": {"dataset_id": dataset.pk, "version": None}}
        assert retraining.dataset_pins == {str(dataset.pk): 2}
        challenger = None
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            tick_task.delay()  # what beat sends: the pass runs on a worker
            time.sleep(1)
            challenger = Challenger.objects.filter(run=retraining).first()
            if challenger is not None and challenger.status != Challenger.Status.EVALUATING:
                break
        assert challenger is not None and challenger.status == Challenger.Status.PENDING, challenger
        assert challenger.wins is True and challenger.challenger_value > challenger.champion_value
        assert challenger.challenger_value == output_of(retraining, "evaluate", "evaluation_results").values["Accuracy"]

        # an editor approves while the traffic goes on; each scoring process reloads on its next call
        revision = Endpoint.objects.get(pk=endpoint.pk).revision
        approve = APIClient()
        approve.force_authenticate(ada)
        approved = approve.post(f"/api/challengers/{challenger.pk}/approve/", {}, format="json")
        assert approved.status_code == 200, approved.content
        scored = output_of(retraining, "score", "scored_dataset").df
        probe = request_rows(scored.drop(columns=["Scored Labels", "Scored Probabilities"]))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            answer = client.post(url, json={"Inputs": {"WebServiceInput0": probe}}, headers=traffic.headers)
            assert answer.status_code == 200, answer.text
            served = pd.DataFrame(answer.json()["Results"]["WebServiceOutput0"])
            if list(served["Scored Labels"]) == list(scored["Scored Labels"]):
                break
        time.sleep(2)  # more traffic against the new revision in both scoring processes

    # then no call failed, before, during or after the redeploy, and the challenger is what is served
    assert len(traffic.outcomes) > 50
    assert [o for o in traffic.outcomes if o != 200] == []
    endpoint.refresh_from_db()
    assert endpoint.revision == revision + 1 and served_model(endpoint) == challenger.challenger_artifact
    assert list(served["Scored Labels"]) == list(scored["Scored Labels"])
    assert served["Scored Probabilities"].tolist() == pytest.approx(scored["Scored Probabilities"].tolist())
    verbs = [
        e.verb + " " + e.object_type
        for e in ActivityEvent.objects.filter(workspace=lab, created_at__gte=policy.created_at).order_by("id")
    ]
    steps = [
        "triggered pipeline_endpoint",  # the drift run, recorded as it is started
        "alarmed endpoint",  # ... by this alarm, which names it
        "created challenger",
        "finished challenger",
        "approved challenger",
        "created model",
        "redeployed endpoint",
        "promoted challenger",
    ]
    assert [v for v in verbs if v in steps] == steps
