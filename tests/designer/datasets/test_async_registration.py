"""Uploads a worker registers (``Prefer: respond-async``): 202 at once, then the same dataset, or the same
refusal, as the upload inside the request gives; the staged file does not outlive its registration.

Real parts: Daphne serving the app, two Celery workers on Redis, PostgreSQL."""

from __future__ import annotations

import io
import time
import zipfile
from typing import Any

import httpx
import numpy as np
import pandas as pd
import pytest

from designer.artifacts import artifact_store
from designer.datasets.models import Dataset, DatasetRegistration, DatasetVersion
from designer.workspaces.models import Membership

pytestmark = [pytest.mark.workers, pytest.mark.django_db(transaction=True)]
ASYNC = {"Prefer": "respond-async"}


def _csv(rows: int = 2000, seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "x": rng.normal(size=rows).round(4),
            "n": rng.integers(0, 100, size=rows),
            "kind": rng.choice(["a", "b", "c"], size=rows),
        }
    )
    df.loc[::7, "x"] = np.nan
    return df.to_csv(index=False).encode()


def _post(http: httpx.Client, path: str, data: dict[str, Any], content: bytes, filename: str, **headers: str) -> Any:
    return http.post(path, data=data, files={"file": (filename, content, "text/csv")}, headers=headers)


def _finished(http: httpx.Client, url: str, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        body: dict[str, Any] = http.get(url).json()
        if body["status"] in ("completed", "failed"):
            return body
        assert time.monotonic() < deadline, body
        time.sleep(0.1)


def _staged_gone(digest: str) -> bool:
    return not artifact_store().exists(digest)


def test_an_async_upload_answers_202_and_a_worker_registers_what_the_request_would_have(workers, http, lab) -> None:
    content = _csv()
    form = {"workspace": lab.pk, "name": "sales", "missing_values": '["", "NA"]'}

    accepted = _post(http, "/api/datasets/", form, content, "sales.csv", **ASYNC)

    assert accepted.status_code == 202, accepted.text
    body = accepted.json()
    assert accepted.headers["Location"] == body["url"] == f"/api/dataset-registrations/{body['id']}/"
    assert body["status"] in ("queued", "running") and body["dataset"] is None
    assert (body["name"], body["source_name"], body["size_bytes"]) == ("sales", "sales.csv", len(content))
    done = _finished(http, body["url"])
    assert done["status"] == "completed", done
    assert done["error"] is None and done["version"] == 1
    # the same bytes, schema and profile as the upload registered inside the request (same options)
    direct = _post(http, "/api/datasets/", {**form, "name": "sales, in the request"}, content, "sales.csv")
    assert direct.status_code == 201, direct.text
    mine = DatasetVersion.objects.get(dataset_id=done["dataset"], version=1)
    theirs = DatasetVersion.objects.get(dataset_id=direct.json()["id"], version=1)
    assert (mine.digest, mine.schema, mine.rows, mine.columns) == (theirs.digest, theirs.schema, 2000, 3)
    assert mine.profile == theirs.profile and mine.source_name == "sales.csv"
    assert Dataset.objects.get(pk=done["dataset"]).name == "sales"
    assert _staged_gone(DatasetRegistration.objects.get(pk=body["id"]).staged_digest)


def test_a_file_the_request_would_refuse_fails_with_the_same_answer_and_creates_nothing(workers, http, lab) -> None:
    bad = b"a,b\n1,2\n3,4,5\n" + b"6,7\n" * 10
    form = {"workspace": lab.pk, "name": "broken"}
    refused = _post(http, "/api/datasets/", form, bad, "broken.csv")
    assert refused.status_code == 400, refused.text

    accepted = _post(http, "/api/datasets/", form, bad, "broken.csv", **ASYNC)

    assert accepted.status_code == 202, accepted.text
    done = _finished(http, accepted.json()["url"])
    assert (done["status"], done["error_status"], done["error"]) == ("failed", 400, refused.json())
    assert done["dataset"] is None
    assert not Dataset.objects.filter(workspace=lab, name="broken").exists()
    assert _staged_gone(DatasetRegistration.objects.get(pk=done["id"]).staged_digest)
    # the name is free again
    again = _post(http, "/api/datasets/", form, b"a,b\n1,2\n", "fixed.csv")
    assert again.status_code == 201, again.text


def test_a_name_taken_or_being_registered_is_refused_at_once(workers, http, lab) -> None:
    taken = _post(http, "/api/datasets/", {"workspace": lab.pk, "name": "taken"}, b"a\n1\n", "t.csv")
    assert taken.status_code == 201, taken.text
    form = {"workspace": lab.pk, "name": "taken"}

    refused = _post(http, "/api/datasets/", form, _csv(), "t.csv", **ASYNC)

    assert refused.status_code == 400, refused.text
    assert refused.json()["fields"]["name"] == ["A dataset named 'taken' already exists in this workspace."]
    assert not DatasetRegistration.objects.exists()
    # While one registration of 'big' waits for a worker, neither another nor an upload in the request takes it.
    workers.stop()
    first = _post(http, "/api/datasets/", {"workspace": lab.pk, "name": "big"}, _csv(), "big.csv", **ASYNC)
    assert first.status_code == 202, first.text
    second = _post(http, "/api/datasets/", {"workspace": lab.pk, "name": "big"}, b"a\n1\n", "b.csv", **ASYNC)
    direct = _post(http, "/api/datasets/", {"workspace": lab.pk, "name": "big"}, b"a\n1\n", "b.csv")
    for answer in (second, direct):
        assert answer.status_code == 400, answer.text
        assert answer.json()["fields"]["name"] == ["An upload named 'big' is being registered in this workspace."]
    assert http.get(first.json()["url"]).json()["status"] == "queued"
    workers.ensure()
    assert _finished(http, first.json()["url"])["status"] == "completed"
    assert DatasetRegistration.objects.filter(name="big").count() == 1


def test_a_new_version_and_a_zip_register_on_a_worker_too(workers, http, lab) -> None:
    created = _post(http, "/api/datasets/", {"workspace": lab.pk, "name": "daily"}, _csv(100), "d1.csv")
    assert created.status_code == 201, created.text
    dataset_id = created.json()["id"]

    accepted = _post(http, f"/api/datasets/{dataset_id}/versions/", {}, _csv(300, seed=1), "d2.csv", **ASYNC)

    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["target"] == dataset_id
    done = _finished(http, accepted.json()["url"])
    assert (done["status"], done["dataset"], done["version"]) == ("completed", dataset_id, 2), done
    assert DatasetVersion.objects.get(dataset_id=dataset_id, version=2).rows == 300
    # A zip is stored as uploaded: the staged file is the version itself, and stays.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes/readme.txt", "hello")
    form = {"workspace": lab.pk, "name": "bundle"}
    zipped = http.post(
        "/api/datasets/", data=form, files={"file": ("b.zip", buffer.getvalue(), "application/zip")}, headers=ASYNC
    )
    assert zipped.status_code == 202, zipped.text
    done = _finished(http, zipped.json()["url"])
    assert done["status"] == "completed", done
    version = DatasetVersion.objects.get(dataset_id=done["dataset"], version=1)
    assert version.kind == "file" and version.digest == DatasetRegistration.objects.get(pk=done["id"]).staged_digest
    assert artifact_store().get(version.digest) == buffer.getvalue()


def test_only_editors_upload_and_only_members_see_a_registration(workers, http, server, lab, ada) -> None:
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    accepted = _post(http, "/api/datasets/", {"workspace": lab.pk, "name": "private"}, _csv(50), "p.csv", **ASYNC)
    assert accepted.status_code == 202, accepted.text
    users = get_user_model()
    viewer, outsider = users.objects.create_user("vic", password="pw-vic-123456"), users.objects.create_user("out")
    Membership.objects.create(workspace=lab, user=viewer, role="viewer")
    for user, post_status, get_status in ((viewer, 403, 200), (outsider, 404, 404)):
        token = Token.objects.create(user=user)
        with httpx.Client(base_url=server.url, headers={"Authorization": f"Token {token.key}"}, timeout=30) as other:
            form = {"workspace": lab.pk, "name": f"by {user.username}"}
            assert _post(other, "/api/datasets/", form, b"a\n1\n", "x.csv", **ASYNC).status_code == post_status
            assert other.get(accepted.json()["url"]).status_code == get_status
    assert not DatasetRegistration.objects.filter(name__startswith="by ").exists()
    assert _finished(http, accepted.json()["url"])["status"] == "completed"


def test_a_message_delivered_twice_registers_once(ada, lab) -> None:
    # A registration of a new version, its file staged as the request would have staged it (no worker: the
    # worker's side is called here, as a second worker given the same message again would call it).
    from django.core.files.uploadedfile import SimpleUploadedFile

    from designer.datasets import registration, services

    dataset = services.create_dataset(ada, lab, "daily", SimpleUploadedFile("d1.csv", b"a,b\n1,2\n"))
    content = b"a,b\n1,2\n3,4\n"
    row = DatasetRegistration.objects.create(
        workspace=lab,
        target=dataset,
        name=dataset.name,
        source_name="d2.csv",
        staged_digest=artifact_store().put(content),
        size_bytes=len(content),
        status=DatasetRegistration.RUNNING,  # claimed by a first worker, which was then lost
        created_by=ada,
    )

    registration.register(row.pk)  # the message, back on another worker
    registration.register(row.pk)  # and once more: nothing left to claim

    row.refresh_from_db()
    assert (row.status, row.version.version) == ("completed", 2)
    # The first worker, had it lived, would find the registration completed and record nothing
    with pytest.raises(services.AlreadyRegistered):
        services.add_version(ada, dataset, SimpleUploadedFile("d2.csv", content), registration=row.pk)
    assert list(dataset.versions.values_list("version", flat=True)) == [1, 2]
    assert _staged_gone(row.staged_digest)


def test_registrations_are_listed_by_workspace_and_status_and_a_finished_one_is_dismissed(workers, http, lab) -> None:
    done = _finished(
        http,
        _post(http, "/api/datasets/", {"workspace": lab.pk, "name": "ok"}, _csv(50), "ok.csv", **ASYNC).json()["url"],
    )
    bad = _post(http, "/api/datasets/", {"workspace": lab.pk, "name": "bad"}, b"a,b\n1\n" * 3, "bad.csv", **ASYNC)
    failed = _finished(http, bad.json()["url"])
    assert (done["status"], failed["status"]) == ("completed", "failed")

    every = http.get("/api/dataset-registrations/", params={"workspace": lab.pk}).json()
    only_failed = http.get("/api/dataset-registrations/", params={"workspace": lab.pk, "status": "failed"}).json()
    unknown = http.get("/api/dataset-registrations/", params={"status": "lost"})

    assert [r["name"] for r in every["results"]] == ["bad", "ok"]  # newest first
    assert [r["id"] for r in only_failed["results"]] == [failed["id"]]
    assert unknown.status_code == 400 and "status" in unknown.json()["fields"]
    assert http.delete(failed["url"]).status_code == 204
    assert http.get(failed["url"]).status_code == 404
    assert Dataset.objects.filter(workspace=lab, name="ok").exists()
    # one a worker has not finished cannot be dismissed
    workers.stop()
    waiting = _post(http, "/api/datasets/", {"workspace": lab.pk, "name": "later"}, _csv(50), "l.csv", **ASYNC).json()
    refused = http.delete(waiting["url"])
    assert refused.status_code == 409, refused.text
    workers.ensure()
    assert _finished(http, waiting["url"])["status"] == "completed"
