"""Bundled samples and the engine-facing dataset lookup."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from designer.datasets.lookup import WorkspaceDatasetLookup
from designer.datasets.models import Dataset
from designer.datasets.samples import SAMPLES, sample_named
from designer.datasets.services import load_sample, load_samples
from designer.workspaces.models import Workspace
from modules.sdk import DatasetRef
from tests.designer.factories import DatasetFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.build.__name__)
def test_each_sample_names_its_label_column_and_has_readable_labels(sample: Any) -> None:
    df = sample.build()
    assert sample.label_column in df.columns
    assert f"'{sample.label_column}'" in sample.description
    assert df[sample.label_column].notna().all()
    if sample.task in ("binary", "multiclass"):
        assert df[sample.label_column].map(type).eq(str).all()


def test_sample_labels_are_the_documented_values() -> None:
    by_column = {s.label_column: s.build() for s in SAMPLES if s.name != "Palmer penguins"}  # Iris's 'species'
    assert sorted(by_column["diagnosis"]["diagnosis"].unique()) == ["benign", "malignant"]
    assert sorted(by_column["species"]["species"].unique()) == ["setosa", "versicolor", "virginica"]
    assert sorted(by_column["cultivar"]["cultivar"].unique()) == ["cultivar_1", "cultivar_2", "cultivar_3"]
    assert by_column["disease_progression"].shape == (442, 11)
    assert by_column["diagnosis"].shape == (569, 31)
    assert sorted(by_column["digit"]["digit"].unique()) == [str(d) for d in range(10)]
    assert by_column["digit"].shape == (1797, 65)
    assert by_column["sentiment"]["sentiment"].value_counts().to_dict() == {"negative": 100, "positive": 100}
    assert list(by_column["sentiment"].columns) == ["sentiment", "review"]


def test_the_penguins_keep_their_missing_values_for_clean_missing_data_to_show() -> None:
    penguins = sample_named("Palmer penguins").build()
    assert penguins.shape == (344, 8)
    assert sorted(penguins["species"].unique()) == ["Adelie", "Chinstrap", "Gentoo"]
    assert penguins.isna().any(axis=1).sum() == 11


def test_the_movie_reviews_are_read_in_the_encoding_they_ship_in() -> None:
    reviews = sample_named("Movie review sentiment").build()["review"]
    assert reviews.str.contains("clichés").any()
    assert not reviews.str.contains("\ufffd").any()


def test_the_synthetic_ratings_are_the_same_every_time_and_say_they_are_synthetic() -> None:
    sample = sample_named("Movie ratings (synthetic)")
    first, second = sample.build(), sample.build()
    assert first.equals(second)
    assert list(first.columns) == ["user", "movie", "rating"]
    assert first.shape == (1200, 3) and set(first["rating"]) == {1, 2, 3, 4, 5}
    assert not first.duplicated(["user", "movie"]).any()
    assert "Synthetic" in sample.description


def test_load_sample_adds_one_sample_by_name_once(workspace: Workspace, owner: Any) -> None:
    first = load_sample(owner, workspace, "Palmer penguins")
    again = load_sample(owner, workspace, "Palmer penguins")
    assert again.pk == first.pk
    assert list(Dataset.objects.filter(workspace=workspace).values_list("name", flat=True)) == ["Palmer penguins"]
    assert first.versions.get().source_name == "sample:palmer_penguins"
    with pytest.raises(KeyError, match="no sample dataset named 'Nope'"):
        load_sample(owner, workspace, "Nope")


def test_load_samples_is_idempotent_by_name(workspace: Workspace, owner: Any) -> None:
    first = load_samples(owner, workspace)
    second = load_samples(owner, workspace)
    assert sorted(d.name for d in first) == sorted(s.name for s in SAMPLES)
    assert second == []
    assert Dataset.objects.filter(workspace=workspace).count() == len(SAMPLES)


def test_the_load_samples_command(workspace: Workspace) -> None:
    out = StringIO()
    call_command("load_samples", "--workspace", str(workspace.pk), "--user", "eddie", stdout=out)
    assert out.getvalue().splitlines()[-1] == f"{len(SAMPLES)} sample dataset(s) added to workspace 'Team'"
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
