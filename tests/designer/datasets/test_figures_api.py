"""The figure of one dataset column over REST: the histogram or top values, who may see it, and the 4xx cases."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from designer.datasets.models import Dataset
from designer.datasets.samples import SAMPLES
from tests.designer.factories import DatasetFactory

pytestmark = pytest.mark.django_db


def url(dataset: Dataset, version: int = 1) -> str:
    return f"/api/datasets/{dataset.pk}/versions/{version}/figures/"


def test_a_viewer_gets_the_histogram_of_a_numeric_column(as_viewer: Any, sample_dataset: Dataset) -> None:
    # given the bundled iris sample (150 rows)
    lengths = next(s for s in SAMPLES if s.name == "Iris flowers").build()["petal_length_cm"].to_numpy()

    # when a viewer asks for one numeric column's figure
    response = as_viewer.get(url(sample_dataset), {"column": "petal_length_cm"})

    # then it is one bar trace holding NumPy's 30-bin histogram of that column
    assert response.status_code == 200, response.content
    figure = response.json()["figures"]["column"]
    [bars] = figure["data"]
    assert bars["type"] == "bar"
    assert bars["y"] == np.histogram(lengths, bins=30)[0].tolist()
    assert figure["layout"]["title"]["text"] == "petal_length_cm"
    assert figure["layout"]["xaxis"]["title"]["text"] == "petal_length_cm"


def test_bins_can_be_chosen(as_viewer: Any, sample_dataset: Dataset) -> None:
    response = as_viewer.get(url(sample_dataset), {"column": "sepal_width_cm", "bins": 5})

    assert len(response.json()["figures"]["column"]["data"][0]["y"]) == 5


def test_a_text_column_is_a_bar_per_value(as_viewer: Any, dataset: Dataset) -> None:
    response = as_viewer.get(url(dataset), {"column": "species"})

    assert response.status_code == 200
    [bars] = response.json()["figures"]["column"]["data"]
    assert (bars["orientation"], bars["x"]) == ("h", [2, 2, 2])
    assert sorted(bars["y"]) == ["setosa", "versicolor", "virginica"]


def test_top_limits_the_bars_and_sums_the_rest(as_viewer: Any, dataset: Dataset) -> None:
    response = as_viewer.get(url(dataset), {"column": "species", "top": 1})

    [bars] = response.json()["figures"]["column"]["data"]
    assert bars["x"] == [2, 4]
    assert bars["y"][1] == "other (2 values)"


def test_missing_values_are_counted_in_the_title(as_viewer: Any, workspace: Any, owner: Any) -> None:
    gaps = DatasetFactory(workspace=workspace, name="Gaps", created_by=owner, csv="x,y\n1.5,a\n,b\n2.5,\n")

    response = as_viewer.get(url(gaps), {"column": "x"})

    assert response.json()["figures"]["column"]["layout"]["title"]["text"] == "x (1 missing left out)"


def test_an_unknown_column_is_400_listing_the_available_ones(as_viewer: Any, dataset: Dataset) -> None:
    response = as_viewer.get(url(dataset), {"column": "petals"})

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "column": ["no column 'petals' (available: sepal_length, sepal_width, petal_length, petal_width, species)"]
    }


def test_the_column_is_required(as_viewer: Any, dataset: Dataset) -> None:
    response = as_viewer.get(url(dataset))

    assert response.status_code == 400
    assert response.json()["fields"] == {"column": ["This field is required."]}


def test_an_unknown_version_is_404(as_viewer: Any, dataset: Dataset) -> None:
    response = as_viewer.get(url(dataset, 7), {"column": "species"})

    assert response.status_code == 404
    assert response.json() == {"detail": "dataset 'Iris' has no version 7"}


def test_outsiders_and_anonymous_callers_see_nothing(as_outsider: Any, api: Any, dataset: Dataset) -> None:
    outsider = as_outsider.get(url(dataset), {"column": "species"})
    anonymous = api(None).get(url(dataset), {"column": "species"})

    assert outsider.status_code == 404
    assert outsider.json() == {"detail": f"dataset {dataset.pk} does not exist"}
    assert anonymous.status_code in (401, 403)
    assert "figures" not in anonymous.json()
