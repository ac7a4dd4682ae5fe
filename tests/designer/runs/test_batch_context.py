"""What a worker's context lets a batch job touch: table artifacts and scoring pipelines of the run's own
workspace only, and new versions of its datasets. A digest of another workspace is refused, and refusing
it grants nothing."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from designer.activity.models import ActivityEvent
from designer.artifacts import artifact_store
from designer.artifacts.models import ArtifactOwnership
from designer.datasets.models import Dataset, DatasetVersion
from designer.pipelines.services import create_pipeline
from designer.runs import services as runs
from designer.runs.context import WorkerContext
from designer.runs.inputs import run_artifacts, run_lookup
from designer.runs.models import Run
from designer.runs.writes import run_grant, run_publisher
from modules.sdk import DataTable, ModuleError
from tests.designer.factories import DatasetFactory
from tests.designer.runs.conftest import drain
from tests.support.pipelines import document
from tests.support.zips import zip_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(owner: Any, workspace: Any, dataset: Dataset) -> Run:
    doc = document([("data", "dataset", {"dataset": {"dataset_id": dataset.pk}})], [])
    done = drain(runs.submit_run(user=owner, pipeline=create_pipeline(owner, workspace, "Batch", document=doc)))
    assert done.status == Run.Status.COMPLETED
    return done


def context(run: Run) -> WorkerContext:
    """A context as a worker builds it for a node (or a part) of ``run``."""
    return WorkerContext(
        "parallel_run",
        seed=0,
        datasets=run_lookup(run),
        artifacts=run_artifacts(run),
        store=artifact_store(),
        grant=run_grant(run),
        publish=run_publisher(run, "register"),
    )


@pytest.fixture
def foreign(outsider: Any, other_workspace: Any) -> str:
    """The digest of a table uploaded to another workspace (only there: the same bytes uploaded here would be ours)."""
    csv = "sepal_length,species\n7.7,virginica\n4.4,setosa\n"
    elsewhere = DatasetFactory(workspace=other_workspace, name="Elsewhere", created_by=outsider, csv=csv)
    return str(elsewhere.versions.get().digest)


def test_a_table_one_part_saves_is_the_workspaces_at_once_so_another_worker_reads_it(run: Run) -> None:
    digest = context(run).tables.save(DataTable(pd.DataFrame({"x": [1.5, 2.5]})))

    assert ArtifactOwnership.objects.filter(workspace=run.workspace, digest=digest, source="run").exists()
    another = context(run)  # another worker's context, with a fresh ownership cache
    assert another.tables.load(digest).df["x"].tolist() == [1.5, 2.5]
    assert another.tables.open(digest).num_rows == 2


def test_a_table_of_another_workspace_is_refused_and_nothing_is_granted(run: Run, foreign: str) -> None:
    ctx = context(run)

    for read in (ctx.tables.load, ctx.tables.open):
        with pytest.raises(ModuleError, match=r"does not belong to this run's workspace") as refused:
            read(foreign)
        assert refused.value.param == "artifact"
    assert not ArtifactOwnership.objects.filter(workspace=run.workspace, digest=foreign).exists()


def test_a_scoring_pipeline_naming_another_workspaces_artifact_is_refused_before_it_is_read(
    run: Run, foreign: str
) -> None:
    columns = [{"name": "sepal_length", "type": "number"}]
    scoring = document(
        [
            ("input", "web_service_input", {"columns": columns}),
            ("model", "saved_trained_model", {"artifact": foreign}),
            ("score", "score_model", {}),
            ("output", "web_service_output", {}),
        ],
        [
            "input.request -> score.dataset",
            "model.trained_model -> score.trained_model",
            "score.scored_dataset -> output.dataset",
        ],
    )

    with pytest.raises(ModuleError) as refused:
        context(run).score(scoring, {"WebServiceInput0": DataTable(pd.DataFrame({"sepal_length": [5.1]}))})

    assert str(refused.value) == (
        f"node 'model' of the scoring pipeline names artifact {foreign[:12]}... in its parameter 'artifact', which "
        "does not belong to this run's workspace"
    )
    assert not ArtifactOwnership.objects.filter(workspace=run.workspace, digest=foreign).exists()


def test_a_stored_table_becomes_the_next_version_of_a_named_dataset_without_a_copy(run: Run) -> None:
    ctx = context(run)
    with ctx.tables.writer() as writer:
        writer.write(DataTable(pd.DataFrame({"x": [1.0, 2.0], "Scored Labels": ["a", "b"]})))
        writer.write(DataTable(pd.DataFrame({"x": [3.0], "Scored Labels": ["c"]})))
        table = writer.close()

    first = ctx.save_dataset("scores", table, "nightly scores")
    second = ctx.save_dataset("scores", table)

    dataset = Dataset.objects.get(workspace=run.workspace, name="scores")
    assert (first.dataset_id, first.version, second.version) == (dataset.pk, 1, 2)
    assert dataset.description == "nightly scores" and dataset.created_by == run.created_by
    version = dataset.versions.get(version=2)
    assert (version.digest, version.rows, version.columns) == (table.digest, 3, 2)
    assert version.profile["rows"] == 3 and "sampled_rows" not in version.profile
    assert version.source_name == f"run {run.pk}, node register"
    assert ActivityEvent.objects.filter(object_type="dataset", object_id=dataset.pk, verb="saved").count() == 2


def test_saving_to_a_file_datasets_name_is_refused_naming_the_parameter(run: Run, owner: Any) -> None:
    DatasetFactory(workspace=run.workspace, name="bundle", created_by=owner, csv=zip_of({"a.py": "x = 1\n"}),
                   filename="bundle.zip")  # fmt: skip
    ctx = context(run)
    table = ctx.tables.open(ctx.tables.save(DataTable(pd.DataFrame({"x": [1]}))))

    with pytest.raises(ModuleError) as refused:
        ctx.save_dataset("bundle", table)

    assert refused.value.param == "dataset_name"
    assert "'bundle' is a file dataset" in refused.value.message
    assert DatasetVersion.objects.filter(dataset__name="bundle").count() == 1
