"""A trained breast-cancer endpoint, its retraining pipeline published, and a policy tying them; nodes run
in-process (``drain``), so evaluation runs are executed here rather than on workers."""

from __future__ import annotations

from typing import Any

import pytest

from designer.published.models import PipelineEndpoint
from designer.retraining import services
from designer.retraining.models import Challenger, RetrainingPolicy
from designer.runs.models import Run
from tests.designer.runs.conftest import drain
from tests.support.retraining import published_retrainer
from tests.support.world import Trained, train_and_deploy


@pytest.fixture
def trained(owner: Any, workspace: Any) -> Trained:
    return train_and_deploy(owner, workspace, "rt")


@pytest.fixture
def retrainer(owner: Any, workspace: Any, trained: Trained) -> PipelineEndpoint:
    return published_retrainer(owner, workspace, trained.dataset, "rt-retrain")


@pytest.fixture
def policy(owner: Any, trained: Trained, retrainer: PipelineEndpoint) -> RetrainingPolicy:
    saved, _ = services.save_policy(trained.endpoint, owner, {"pipeline_endpoint": retrainer.pk, "metric": "Accuracy"})
    return saved


def evaluated(run: Run) -> Challenger:
    """The challenger of a finished retraining run, once its evaluation has run (in-process) and been read."""
    services.tick()
    challenger = Challenger.objects.get(run=run)
    assert challenger.status == Challenger.Status.EVALUATING, challenger.error
    evaluation = drain(challenger.evaluation_run)
    assert evaluation.status == Run.Status.COMPLETED, evaluation.error
    services.tick()
    challenger.refresh_from_db()
    return challenger
