"""The command's file and list commands against the live server (no workers needed): versions and diffs of
pipeline files, dataset versions and downloads, workspaces."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from tessera_client import documents

from designer.workspaces.models import Membership, Workspace
from tests.support.pipelines import train_score_evaluate

from .conftest import sample_csv

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_changed_file_is_a_new_version_and_both_diffs_name_the_change(tessera, tmp_path):
    # given a pipeline pushed from JSON, then the same file with one parameter changed
    path = tmp_path / "p.json"
    doc = train_score_evaluate(1, "diagnosis")
    documents.write(doc, path)
    assert tessera("pipeline", "push", str(path), "--name", "P", "--allow-problems").code == 0
    doc["nodes"][1]["params"]["random_seed"] = 43
    documents.write(doc, path)

    # when the local file is compared, then pushed, then the two versions compared on the server
    local = tessera("pipeline", "diff", "P", str(path))
    pushed = tessera("pipeline", "push", str(path), "--name", "P", "-m", "new seed", "--allow-problems")
    server = tessera("pipeline", "diff", "P")
    versions = tessera("pipeline", "versions", "P", "--output", "json")
    same = tessera("pipeline", "diff", "P", str(path))

    # then each says what changed
    assert local.code == 0, local.stderr
    assert "-      random_seed: 42\n+      random_seed: 43\n" in local.stdout
    assert pushed.stdout.startswith("saved version 2 of 'P'")
    assert "warning: " in pushed.stdout  # dataset 1 does not exist here: saved anyway, as asked
    assert server.stdout.splitlines()[:2] == ["'P' version 1 → 2", "  ~ node split: random_seed 42 → 43"]
    assert [(v["number"], v["message"]) for v in json.loads(versions.stdout)] == [(2, "new seed"), (1, "Created")]
    assert same.stdout == f"{path} is the same as version 2\n"


def test_dataset_versions_and_downloads(tessera, tmp_path):
    csv = sample_csv(tmp_path / "cancer.csv")
    assert tessera("dataset", "upload", str(csv), "--name", "cancer").code == 0
    assert tessera("dataset", "upload", str(csv), "--name", "cancer").code == 0  # the same name: version 2

    versions = json.loads(tessera("dataset", "versions", "cancer", "--output", "json").stdout)
    listed = json.loads(tessera("dataset", "list", "--output", "json").stdout)
    downloaded = tessera("dataset", "download", "cancer", "--version", "1", "-o", str(tmp_path / "back.csv"))

    assert [v["version"] for v in versions] == [1, 2]
    assert [(d["name"], d["version"], d["rows"]) for d in listed] == [("cancer", 2, 569)]
    assert downloaded.code == 0, downloaded.stderr
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "back.csv"), pd.read_csv(csv))


def test_workspaces_are_listed_and_one_is_chosen(tessera, ada_signs_in, lab):
    other = Workspace.objects.create(name="Other", created_by=ada_signs_in)
    Membership.objects.create(workspace=other, user=ada_signs_in, role="editor")

    before = json.loads(tessera("workspace", "list", "--output", "json").stdout)
    used = tessera("workspace", "use", "Other")
    after = json.loads(tessera("workspace", "list", "--output", "json").stdout)

    assert [(w["name"], w["current"]) for w in sorted(before, key=lambda w: w["id"])] == [("Lab", "*"), ("Other", "")]
    assert used.stdout == f"Using workspace 'Other' ({other.pk}).\n"
    assert [(w["name"], w["current"]) for w in sorted(after, key=lambda w: w["id"])] == [("Lab", ""), ("Other", "*")]
