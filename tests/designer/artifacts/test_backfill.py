"""The data migration that records what each workspace already had when ownership started to be recorded."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from designer.artifacts.models import ArtifactOwnership
from designer.endpoints.models import Endpoint
from designer.pipelines.models import PipelineVersion
from designer.registry.models import RegisteredModel
from designer.runs.models import CacheEntry, NodeRun, Run
from designer.workspaces.models import Workspace
from tests.designer.factories import DatasetFactory, PipelineFactory
from tests.support.pipelines import document

BEFORE = [("artifacts", "0001_initial")]
AFTER = [("artifacts", "0002_backfill_ownership")]
WSI = {"name": "WebServiceInput0", "columns": [{"name": "x", "type": "number"}]}


def _migrate(targets: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def _digest(n: int) -> str:
    return f"{n:064x}"


def _owned() -> set[tuple[int, str, str]]:
    return set(ArtifactOwnership.objects.values_list("workspace_id", "digest", "source"))


def _node_run(run: Run, node_id: str, module: str, digest: str) -> None:
    outputs = {"out": {"digest": digest, "type": "table", "size": 1, "summary": {}}}
    NodeRun.objects.create(
        run=run, node_id=node_id, module_id=module, module_version=1, module_name=module, cache_key=node_id,
        status="completed", outputs=outputs,
    )  # fmt: skip


def test_the_backfill_trusts_what_tessera_wrote_and_not_what_documents_echoed(
    owner: Any, workspace: Workspace, other_workspace: Workspace
) -> None:
    # given rows written before ownership was recorded, in two workspaces
    dataset = DatasetFactory(workspace=workspace).versions.get().digest
    ours = PipelineFactory(workspace=workspace)
    theirs = PipelineFactory(workspace=other_workspace)
    run = Run.objects.create(workspace=workspace, pipeline=ours, pipeline_version=ours.versions.get())
    _node_run(run, "train", "train_model", _digest(1))
    _node_run(run, "saved", "saved_trained_model", _digest(2))  # echoes what its document named
    for key, module, digest in (("k1", "split_data", _digest(3)), ("k2", "saved_dataset", _digest(4))):
        CacheEntry.objects.create(workspace=workspace, key=key, module_id=module, outputs={"a": {"digest": digest}})
    for version, source, node, digest in ((1, run, "train", _digest(1)), (2, run, "saved", _digest(2)),
                                          (3, None, "gone", _digest(5))):  # fmt: skip
        RegisteredModel.objects.create(
            workspace=workspace, name="m", version=version, run=source, node_id=node, artifact=digest
        )
    # a drift baseline sampled for the team's derived pipeline, later copied into the other workspace's
    baseline_doc = document([("input", "web_service_input", {**WSI, "baseline": _digest(6)})], [])
    PipelineVersion.objects.create(pipeline=ours, number=2, document=baseline_doc)
    PipelineVersion.objects.create(pipeline=theirs, number=2, document=baseline_doc)
    # an endpoint of the other workspace pinning the team's model (deployed before documents were checked)
    Endpoint.objects.create(
        workspace=other_workspace, name="copied", pipeline=theirs, version_number=2,
        document=document([("m", "saved_trained_model", {"artifact": _digest(1)})], []), artifacts=[_digest(1)],
        primary_key="p", secondary_key="s",
    )  # fmt: skip
    ArtifactOwnership.objects.all().delete()

    # when the backfill runs
    _migrate(BEFORE)
    _migrate(AFTER)

    # then the team has its upload, its computed outputs, its registered models and its baseline; the echoes
    # and the other workspace's copies gave nothing
    assert _owned() == {
        (workspace.pk, dataset, "dataset"),
        (workspace.pk, _digest(1), "run"),
        (workspace.pk, _digest(3), "run"),
        (workspace.pk, _digest(5), "model"),
        (workspace.pk, _digest(6), "baseline"),
    }


def test_the_backfill_can_run_again_without_duplicating_a_row(workspace: Workspace) -> None:
    DatasetFactory(workspace=workspace)
    before = _owned()

    _migrate(BEFORE)
    _migrate(AFTER)

    assert _owned() == before
    assert ArtifactOwnership.objects.count() == 1
