"""A run's provenance over REST: the Git state the CLI or SDK sends (shape checked, 4xx naming the field, nothing
created on bad input), the pipeline and module versions the run used, and comparison flagging other commits."""

from __future__ import annotations

from typing import Any

import pytest

from designer.pipelines.services import create_pipeline
from designer.runs.models import Run
from tests.support.pipelines import document

pytestmark = pytest.mark.django_db

COMMIT = "0123456789abcdef0123456789abcdef01234567"
GIT = {"repository": "https://git.example.com/team/models.git", "branch": "main", "commit": COMMIT, "dirty": True}


@pytest.fixture
def pipeline(workspace: Any, owner: Any, sample_dataset: Any) -> Any:
    doc = document(
        [
            ("data", "dataset", {"dataset": {"dataset_id": sample_dataset.pk}}),
            ("pick", "select_columns", {"columns": ["species"]}),
        ],
        ["data.dataset -> pick.dataset"],
    )
    return create_pipeline(owner, workspace, "Iris", document=doc)


def test_a_run_keeps_the_git_state_it_was_submitted_with_and_lists_what_it_ran(as_editor: Any, pipeline: Any) -> None:
    response = as_editor.post("/api/runs/", {"pipeline": pipeline.pk, "git": GIT}, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["git"] == GIT
    assert Run.objects.get(pk=body["id"]).git == GIT
    assert body["provenance"]["git"] == GIT
    assert body["provenance"]["pipeline_version"] == 1
    assert {(m["module"], tuple(m["versions"])) for m in body["provenance"]["modules"]} == {
        ("dataset", (1,)),
        ("select_columns", (1,)),
    }
    plain = as_editor.post("/api/runs/", {"pipeline": pipeline.pk}, format="json").json()
    assert plain["git"] == {} and plain["provenance"]["git"] is None


@pytest.mark.parametrize(
    ("git", "field", "fragment"),
    [
        ({**GIT, "commit": "abc123"}, "commit", "40 or 64 lower-case hex digits"),
        ({**GIT, "commit": COMMIT.upper()}, "commit", "40 or 64"),
        ({**GIT, "repository": "https://bob:ghp_secret@github.com/o/r.git"}, "repository", "holds credentials"),
        ({**GIT, "repository": "https://ghp_secret@github.com/o/r.git"}, "repository", "holds credentials"),
        ({**GIT, "repository": "https://host/a b"}, "repository", "without spaces"),
        ({**GIT, "branch": "a\nb"}, "branch", "without spaces or control characters"),
        ({**GIT, "dirty": "maybe"}, "dirty", "valid boolean"),
        ({k: v for k, v in GIT.items() if k != "dirty"}, "dirty", "required"),
        ({**GIT, "tag": "v1"}, "tag", "Unknown field 'tag'"),
    ],
)
def test_a_malformed_git_state_is_refused_naming_the_field_and_no_run_is_created(
    as_editor: Any, pipeline: Any, git: dict[str, Any], field: str, fragment: str
) -> None:
    response = as_editor.post("/api/runs/", {"pipeline": pipeline.pk, "git": git}, format="json")

    assert response.status_code == 400, response.content
    messages = response.json()["fields"]["git"][field]
    assert any(fragment in m for m in messages), messages
    assert "ghp_secret" not in response.content.decode()
    assert not Run.objects.exists()


def test_comparison_flags_runs_of_different_commits(as_viewer: Any, pipeline: Any, owner: Any) -> None:
    from designer.runs import services

    a = services.submit_run(user=owner, pipeline=pipeline, git=GIT)
    b = services.submit_run(user=owner, pipeline=pipeline, git={**GIT, "commit": "f" * 40, "dirty": False})
    c = services.submit_run(user=owner, pipeline=pipeline)

    def commits(x: Run, y: Run) -> dict[str, Any]:
        response = as_viewer.get("/api/runs/compare/", {"a": x.pk, "b": y.pk})
        assert response.status_code == 200, response.content
        return response.json()["commits"]

    assert commits(a, b) == {"a": COMMIT, "b": "f" * 40, "different": True, "dirty": True}
    assert commits(a, a)["different"] is False
    assert commits(b, c) == {"a": "f" * 40, "b": None, "different": False, "dirty": False}
