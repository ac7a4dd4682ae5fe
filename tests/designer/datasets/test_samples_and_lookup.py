"""Bundled samples and the engine-facing dataset lookup."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from designer.datasets.lookup import WorkspaceDatasetLookup
from designer.datasets.models import Dataset
from designer.datasets.samples import SAMPLES
from designer.datasets.services import load_samples
from designer.workspaces.models import Workspace
from modules.sdk import DatasetRef
from tests.designer.factories import DatasetFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.label_column)
def test_each_sample_names_its_label_column_and_has_readable_labels(sample: Any) -> None:
    df = sample.build()
    assert sample.label_column in df.columns
    assert f"'{sample.label_column}'" in sample.description
    assert df[sample.label_column].notna().all()
    if sample.task != "regression":
        assert df[sample.label_column].map(type).eq(str).all()


def test_sample_labels_are_the_documented_values() -> None:
    by_column = {s.label_column: s.build() for s in SAMPLES}
    assert sorted(by_column["diagnosis"]["diagnosis"].unique()) == ["benign", "malignant"]
    assert sorted(by_column["species"]["species"].unique()) == ["setosa", "versicolor", "virginica"]
    assert sorted(by_column["cultivar"]["cultivar"].unique()) == ["cultivar_1", "cultivar_2", "cultivar_3"]
    assert by_column["disease_progression"].shape == (442, 11)
    assert by_column["diagnosis"].shape == (569, 31)


def test_load_samples_is_idempotent_by_name(workspace: Workspace, owner: Any) -> None:
    first = load_samples(owner, workspace)
    second = load_samples(owner, workspace)
    assert sorted(d.name for d in first) == sorted(s.name for s in SAMPLES)
    assert second == []
    assert Dataset.objects.filter(workspace=workspace).count() == len(SAMPLES)


def test_the_load_samples_command(workspace: Workspace) -> None:
    out = StringIO()
    call_command("load_samples", "--workspace", str(workspace.pk), "--user", "eddie", stdout=out)
    assert out.getvalue().splitlines()[-1] == "4 sample dataset(s) added to workspace 'Team'"
    assert set(Dataset.objects.values_list("created_by__username", flat=True)) == {"eddie"}
    with pytest.raises(CommandError, match="workspace 999999 does not exist"):
        call_command("load_samples", "--workspace", "999999")


def test_lookup_resolves_latest_and_pinned_versions(dataset: Dataset, owner: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from designer.datasets.services import add_version

    add_version(owner, dataset, SimpleUploadedFile("v2.csv", b"only\n1\n"))
    lookup = WorkspaceDatasetLookup(dataset.workspace)
    latest = lookup.resolve(DatasetRef(dataset_id=dataset.pk))
    first = lookup.resolve(DatasetRef(dataset_id=dataset.pk, version=1))
    assert (latest.dataset_id, latest.version, latest.name, latest.schema.names) == (dataset.pk, 2, "Iris", ["only"])
    assert first.version == 1
    assert first.schema.names == ["sepal_length", "sepal_width", "petal_length", "petal_width", "species"]
    assert first.digest == dataset.versions.get(version=1).digest


def test_lookup_refuses_missing_versions_and_other_workspaces(dataset: Dataset, other_workspace: Workspace) -> None:
    with pytest.raises(LookupError, match="dataset 'Iris' has no version 9; latest is 1"):
        WorkspaceDatasetLookup(dataset.workspace).resolve(DatasetRef(dataset_id=dataset.pk, version=9))
    with pytest.raises(LookupError, match=f"dataset {dataset.pk} does not exist in this workspace"):
        WorkspaceDatasetLookup(other_workspace).resolve(DatasetRef(dataset_id=dataset.pk))


def test_the_factory_really_stores_the_table(workspace: Workspace) -> None:
    made = DatasetFactory(workspace=workspace, csv="a,b\n1,x\n")
    assert (made.versions.get().rows, made.versions.get().columns) == (1, 2)
