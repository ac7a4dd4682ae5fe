"""The README's "Using it" pipeline, read from the README itself, is accepted and validates as written."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from designer.workspaces.models import Workspace
from tests.designer.runs.conftest import upload_sample

pytestmark = pytest.mark.django_db

README = Path(__file__).resolve().parents[3] / "README.md"


def readme_pipeline() -> dict[str, Any]:
    """The JSON block after "A pipeline is a JSON document" in the README's "Using it" section."""
    text = README.read_text()
    section = text[text.index("## Using it") :]
    after = section[section.index("A pipeline is a JSON document") :]
    block = re.search(r"```json\n(.*?)\n```", after, re.DOTALL)
    assert block is not None, "the README's example pipeline is gone"
    return json.loads(block.group(1))


def test_the_readme_pipeline_validates_as_written(as_owner: Any, workspace: Workspace, owner: Any) -> None:
    # given the breast-cancer sample the README's example reads (its id here is whatever the database gives)
    dataset = upload_sample(owner, workspace)
    document = readme_pipeline()
    data_node = next(n for n in document["nodes"] if n["id"] == "data")
    assert data_node["params"] == {"dataset": {"dataset_id": 1}}
    data_node["params"]["dataset"]["dataset_id"] = dataset.pk
    assert [(n["module"], n["version"]) for n in document["nodes"]][:2] == [("dataset", 1), ("split_data", 1)]

    created = as_owner.post(
        "/api/pipelines/", {"workspace": workspace.pk, "name": "Breast cancer", "document": document}, format="json"
    )
    assert created.status_code == 201, created.content
    checked = as_owner.post(f"/api/pipelines/{created.json()['id']}/validate/")

    assert checked.status_code == 200
    assert (checked.json()["ok"], checked.json()["problems"]) == (True, [])
    assert "diagnosis" in [c["name"] for c in checked.json()["schemas"]["split"]["results_dataset1"]["columns"]]
