"""The environments API: create, new versions, refusals naming the requirement line, nothing half-created."""

from __future__ import annotations

from typing import Any

import pytest

from designer.environments.models import Environment, EnvironmentVersion
from modules.library.python_language._environment_param import EnvironmentChoice
from modules.library.python_language._requirements import content_hash

pytestmark = pytest.mark.django_db


def url(workspace: Any, *rest: Any) -> str:
    return "/".join([f"/api/workspaces/{workspace.pk}/environments", *(str(r) for r in rest)]) + "/"


def test_an_editor_creates_an_environment_and_each_change_is_a_new_version(as_editor, as_viewer, workspace) -> None:
    created = as_editor.post(
        url(workspace),
        {"name": "tabular", "requirements": ["tabulate==0.9.0", "", "# a comment", "rich>=13,<14"]},
        format="json",
    )

    assert created.status_code == 201, created.json()
    body = created.json()
    [v1] = body["versions"]
    assert (v1["number"], v1["base"], v1["requirements"]) == (1, "worker", ["tabulate==0.9.0", "rich>=13,<14"])
    assert v1["content_hash"] == content_hash("worker", ["tabulate==0.9.0", "rich>=13,<14"])
    assert EnvironmentChoice.model_validate(v1["choice"]).hash == v1["content_hash"]  # what the picker stores
    again = as_editor.post(url(workspace, body["id"], "versions"), {"requirements": v1["requirements"]}, format="json")
    assert (again.status_code, again.json()["number"]) == (200, 1)  # unchanged: no new version
    second = as_editor.post(
        url(workspace, body["id"], "versions"), {"requirements": ["tabulate==0.9.0"], "message": "less"}, format="json"
    )
    assert (second.status_code, second.json()["number"]) == (201, 2)
    listed = as_viewer.get(url(workspace)).json()["results"]
    assert [(e["name"], [v["number"] for v in e["versions"]]) for e in listed] == [("tabular", [2, 1])]
    first = EnvironmentVersion.objects.get(environment_id=body["id"], number=1)
    assert first.requirements == ["tabulate==0.9.0", "rich>=13,<14"]  # version 1 is untouched


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("tabulate==1.0 junk", "not a valid requirement"),
        ("tabulate @ https://example.com/tabulate-0.9.0-py3-none-any.whl", "URL is not allowed"),
        ("./vendor/tabulate", "local path"),
        ("tabulate-0.9.0-py3-none-any.whl", "local path or archive"),
        ("-e git+https://example.com/repo.git#egg=x", "editable installs"),
        ("--index-url https://evil.example/simple", "pip options"),
    ],
)
def test_a_bad_requirement_line_is_refused_naming_its_number_and_text(as_editor, workspace, line, says) -> None:
    response = as_editor.post(url(workspace), {"name": "bad", "requirements": ["numpy", line]}, format="json")

    assert response.status_code == 400, response.json()
    [message] = response.json()["fields"]["requirements"]
    assert f"requirement line 2 ({line!r})" in message and says in message
    assert not Environment.objects.filter(workspace=workspace).exists()  # nothing half-created


def test_a_bad_new_version_leaves_the_environment_as_it_was(as_editor, workspace) -> None:
    env = as_editor.post(url(workspace), {"name": "ok", "requirements": ["tabulate"]}, format="json").json()
    response = as_editor.post(
        url(workspace, env["id"], "versions"), {"requirements": ["x @ file:///etc"]}, format="json"
    )

    assert response.status_code == 400
    assert "requirement line 1" in response.json()["fields"]["requirements"][0]
    assert EnvironmentVersion.objects.filter(environment_id=env["id"]).count() == 1


def test_base_none_must_bring_the_runners_packages_and_names_are_unique(as_editor, workspace) -> None:
    lonely = as_editor.post(
        url(workspace), {"name": "bare", "base": "none", "requirements": ["tabulate"]}, format="json"
    )
    assert lonely.status_code == 400 and "pandas and pyarrow" in lonely.json()["fields"]["requirements"][0]
    assert as_editor.post(url(workspace), {"name": "a", "requirements": []}, format="json").status_code == 201
    twice = as_editor.post(url(workspace), {"name": "a", "requirements": []}, format="json")
    assert twice.status_code == 400 and "already has an environment named 'a'" in twice.json()["fields"]["name"][0]


def test_viewers_read_outsiders_see_nothing(as_viewer, as_outsider, as_editor, workspace) -> None:
    env = as_editor.post(url(workspace), {"name": "ok", "requirements": []}, format="json").json()
    assert as_viewer.post(url(workspace), {"name": "v", "requirements": []}, format="json").status_code == 403
    assert as_viewer.get(url(workspace, env["id"])).status_code == 200
    assert as_outsider.get(url(workspace, env["id"])).status_code == 404
    assert as_outsider.get(url(workspace)).status_code == 404


def test_export_import_and_clone_carry_the_environment_into_the_other_workspace(
    owner, outsider, workspace, other_workspace
) -> None:
    from designer.environments.services import create_environment
    from designer.pipelines.services import clone_pipeline, create_pipeline, export_pipeline, import_pipeline
    from tests.support.pipelines import document

    env = create_environment(owner, workspace, name="tabular", requirements=["tabulate==0.9.0"])
    choice = env.versions.get().choice()
    doc = document([("py", "execute_python_script", {"environment": choice})], [])
    pipeline = create_pipeline(owner, workspace, "Uses tabular", document=doc)
    other_workspace.memberships.create(user=owner, role="editor")

    imported = import_pipeline(owner, other_workspace, export_pipeline(pipeline)).pipeline
    cloned = clone_pipeline(owner, pipeline, other_workspace, name="Clone").pipeline

    [copy] = Environment.objects.filter(workspace=other_workspace)
    assert (copy.name, [v.content_hash for v in copy.versions.all()]) == ("tabular", [choice["hash"]])  # once
    for new in (imported, cloned):
        [node] = new.versions.get().document["nodes"]
        assert node["params"]["environment"] == choice
