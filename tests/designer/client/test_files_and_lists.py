"""The command's file and list commands against the live server (no workers needed): versions and diffs of
pipeline files, dataset versions and downloads, workspaces."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from tessera_client import documents

from designer.datasets.models import Dataset
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


def test_upload_options_reach_the_server_and_a_bad_one_is_named(tessera, tmp_path, lab):
    # given a semicolon-separated, decimal-comma file in latin-1 whose postcodes must stay text
    path = tmp_path / "preise.csv"
    path.write_bytes("Ort;PLZ;Preis\nKöln;01067;1,5\nMünchen;80331;-\n".encode("latin-1"))

    # when it is uploaded with the options, and once more with a type the server does not know
    uploaded = tessera("dataset", "upload", str(path), "--name", "preise", "--delimiter", ";", "--decimal", ",",
                       "--encoding", "latin-1", "--missing", "-", "--type", "PLZ=text", "--output", "json")  # fmt: skip
    refused = tessera("dataset", "upload", str(path), "--name", "preise2", "--encoding", "no-such-codec")
    malformed = tessera("dataset", "upload", str(path), "--name", "preise3", "--type", "PLZ")

    # then the stored table has the text postcodes, the numbers and the missing price; the bad ones are one line
    assert uploaded.code == 0, uploaded.stderr
    version = Dataset.objects.get(workspace=lab, name="preise").versions.get()
    kinds = {c["name"]: c["type"] for c in version.schema["columns"]}
    assert kinds == {"Ort": "string", "PLZ": "string", "Preis": "number"}
    assert tessera("dataset", "download", "preise", "-o", str(tmp_path / "back.csv")).code == 0
    back = pd.read_csv(tmp_path / "back.csv", dtype={"PLZ": str})
    assert back["PLZ"].tolist() == ["01067", "80331"] and back["Ort"].tolist() == ["Köln", "München"]
    assert back["Preis"].tolist()[0] == 1.5 and pd.isna(back["Preis"].tolist()[1])
    assert refused.code != 0 and "encoding" in refused.stderr and "Traceback" not in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    assert malformed.code == 2 and "--type takes COLUMN=TYPE" in malformed.stderr
    assert not Dataset.objects.filter(name__in=["preise2", "preise3"]).exists()
