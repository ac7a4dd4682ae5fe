"""A zip uploaded as a file dataset, fed to Execute Python Script's Script bundle, run on real Celery workers."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from designer.datasets.services import create_dataset
from designer.pipelines.services import create_pipeline
from tests.support.pipelines import document
from tests.support.zips import zip_of

from .conftest import node_status, wait_for_run

pytestmark = [pytest.mark.workers, pytest.mark.django_db(transaction=True)]

HELPERS = """\
def with_area(df):
    return df.assign(area=df["width"] * df["height"])
"""

SCRIPT = """\
import pandas as pd
import geometry.helpers as helpers

def azureml_main(dataframe1 = None, dataframe2 = None):
    factor = float(open("./Script Bundle/geometry/factor.txt").read())
    out = helpers.with_area(dataframe1)
    out["scaled"] = out["area"] * factor
    return out,
"""


def test_a_file_dataset_feeds_the_script_bundle_on_workers(workers, server, http, ada, lab):
    # given a table and a zip of a package with a module and a data file, uploaded as users upload them
    table = create_dataset(ada, lab, "Boxes", SimpleUploadedFile("boxes.csv", b"width,height\n2,3\n4,5\n", "text/csv"))
    bundle_zip = zip_of({"geometry/__init__.py": "", "geometry/helpers.py": HELPERS, "geometry/factor.txt": "10"})
    bundle = create_dataset(ada, lab, "Geometry", SimpleUploadedFile("geometry.zip", bundle_zip, "application/zip"))
    doc = document(
        [
            ("boxes", "dataset", {"dataset": {"dataset_id": table.pk}}),
            ("code", "file_dataset", {"dataset": {"dataset_id": bundle.pk}}),
            ("script", "execute_python_script", {"python_script": SCRIPT, "timeout_seconds": 60}),
        ],
        ["boxes.dataset -> script.dataset1", "code.files -> script.script_bundle"],
    )
    pipeline = create_pipeline(ada, lab, "Script bundle", document=doc)

    # when it runs on the workers
    submitted = http.post("/api/runs/", json={"pipeline": pipeline.pk})
    assert submitted.status_code == 201, submitted.text
    finished = wait_for_run(http, submitted.json()["id"])

    # then every node completed and the script used the bundle's module and file
    assert finished["status"] == "completed", finished
    assert node_status(finished) == {"boxes": "completed", "code": "completed", "script": "completed"}
    run_id = finished["id"]
    result = http.get(f"/api/runs/{run_id}/nodes/script/outputs/result_dataset/download/")
    assert result.status_code == 200, result.text
    expected = pd.DataFrame({"width": [2, 4], "height": [3, 5], "area": [6, 20], "scaled": [60.0, 200.0]})
    pd.testing.assert_frame_equal(pd.read_csv(io.BytesIO(result.content)), expected)
    # and the File Dataset node's output is the uploaded zip itself, stored under the same digest
    files = http.get(f"/api/runs/{run_id}/nodes/code/outputs/files/download/")
    assert files.status_code == 200, files.text
    assert files.content == bundle_zip
    assert sorted(zipfile.ZipFile(io.BytesIO(files.content)).namelist()) == [
        "geometry/__init__.py",
        "geometry/factor.txt",
        "geometry/helpers.py",
    ]
    code_node = next(n for n in finished["nodes"] if n["node"] == "code")
    assert code_node["outputs"]["files"]["digest"] == bundle.versions.get().digest
    # and the inspector's view of that output lists the files in the zip
    inspected = http.get(f"/api/runs/{run_id}/nodes/code/outputs/files/")
    assert inspected.status_code == 200, inspected.text
    summary = inspected.json()["summary"]
    assert summary["files"] == 3
    assert sorted(m["name"] for m in summary["members"]) == [
        "geometry/__init__.py",
        "geometry/factor.txt",
        "geometry/helpers.py",
    ]


def test_a_run_reading_a_zip_as_a_table_is_refused_before_any_worker_runs(workers, server, http, ada, lab):
    bundle = create_dataset(ada, lab, "Helpers", SimpleUploadedFile("h.zip", zip_of({"h.py": "x = 1\n"})))
    doc = document([("data", "dataset", {"dataset": {"dataset_id": bundle.pk}})], [])
    pipeline = create_pipeline(ada, lab, "Wrong kind", document=doc)

    response = http.post("/api/runs/", json={"pipeline": pipeline.pk})

    assert response.status_code == 400, response.text
    [problem] = response.json()["problems"]
    assert (problem["code"], problem["node"], problem["param"]) == ("wrong_dataset_kind", "data", "dataset")
    assert http.get("/api/runs/", params={"pipeline": pipeline.pk}).json()["results"] == []
