"""Workspaces and members over the API: roles, hidden existence, and the last owner."""

from __future__ import annotations

from typing import Any

import pytest

from designer.workspaces.models import Membership, Workspace
from tests.designer.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_creating_a_workspace_makes_the_creator_its_owner(api: Any, outsider: Any) -> None:
    # given a signed-in user
    client = api(outsider)
    # when they create a workspace
    response = client.post("/api/workspaces/", {"name": "  Fraud models  "}, format="json")
    # then it exists, named without the stray spaces, and they own it
    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "Fraud models"
    assert body["role"] == "owner"
    assert body["created_by"] == "otto"
    assert Membership.objects.get(workspace_id=body["id"], user=outsider).role == "owner"


def test_a_second_workspace_with_a_name_i_already_have_is_refused_naming_name(
    as_editor: Any, workspace: Workspace
) -> None:
    # given eddie belongs to "Team"
    # when he creates "  team " (another case, stray spaces)
    response = as_editor.post("/api/workspaces/", {"name": "  team "}, format="json")
    # then a 400 names the field and no workspace was created
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Some fields are invalid.",
        "fields": {"name": ["You already have a workspace named 'Team'; choose another name."]},
    }
    assert list(Workspace.objects.values_list("name", flat=True)) == ["Team"]


def test_a_name_only_someone_else_uses_is_free(api: Any, outsider: Any, workspace: Workspace) -> None:
    response = api(outsider).post("/api/workspaces/", {"name": "Team"}, format="json")

    assert response.status_code == 201
    assert Workspace.objects.filter(name="Team").count() == 2


def test_renaming_onto_another_of_my_workspaces_is_refused_but_a_case_change_is_not(
    as_owner: Any, owner: Any, workspace: Workspace
) -> None:
    second = as_owner.post("/api/workspaces/", {"name": "Fraud"}, format="json").json()

    clash = as_owner.patch(f"/api/workspaces/{second['id']}/", {"name": "TEAM"}, format="json")
    recase = as_owner.patch(f"/api/workspaces/{workspace.pk}/", {"name": "TEAM"}, format="json")

    assert clash.status_code == 400
    assert clash.json()["fields"] == {"name": ["You already have a workspace named 'Team'; choose another name."]}
    assert recase.status_code == 200
    assert sorted(Workspace.objects.values_list("name", flat=True)) == ["Fraud", "TEAM"]


def test_list_shows_only_my_workspaces_with_my_role(as_viewer: Any, other_workspace: Workspace) -> None:
    response = as_viewer.get("/api/workspaces/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert [(w["name"], w["role"]) for w in body["results"]] == [("Team", "viewer")]


def test_an_outsider_gets_404_for_a_workspace_that_exists(as_outsider: Any, workspace: Workspace) -> None:
    response = as_outsider.get(f"/api/workspaces/{workspace.pk}/")
    assert response.status_code == 404
    assert response.json() == {"detail": f"workspace {workspace.pk} does not exist"}


def test_the_same_404_for_a_workspace_that_does_not_exist(as_outsider: Any) -> None:
    response = as_outsider.get("/api/workspaces/999999/")
    assert response.status_code == 404
    assert response.json() == {"detail": "workspace 999999 does not exist"}


def test_an_editor_cannot_rename_the_workspace(as_editor: Any, workspace: Workspace) -> None:
    response = as_editor.patch(f"/api/workspaces/{workspace.pk}/", {"name": "Mine now"}, format="json")
    assert response.status_code == 403
    assert response.json() == {
        "detail": "you are an editor in workspace 'Team'; managing the workspace needs the owner role"
    }
    workspace.refresh_from_db()
    assert workspace.name == "Team"


def test_the_owner_renames_the_workspace(as_owner: Any, workspace: Workspace) -> None:
    response = as_owner.patch(f"/api/workspaces/{workspace.pk}/", {"name": "Risk team"}, format="json")
    assert response.status_code == 200
    assert response.json()["name"] == "Risk team"
    workspace.refresh_from_db()
    assert workspace.name == "Risk team"


def test_rename_refuses_unknown_fields_by_name(as_owner: Any, workspace: Workspace) -> None:
    response = as_owner.patch(f"/api/workspaces/{workspace.pk}/", {"name": "X", "colour": "red"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Some fields are invalid.",
        "fields": {"colour": ["Unknown field 'colour'; allowed fields: name."]},
    }


def test_a_viewer_cannot_delete_the_workspace_but_the_owner_can(
    as_viewer: Any, as_owner: Any, workspace: Workspace
) -> None:
    refused = as_viewer.delete(f"/api/workspaces/{workspace.pk}/")
    assert refused.status_code == 403
    assert (
        refused.json()["detail"] == "you are a viewer in workspace 'Team'; managing the workspace needs the owner role"
    )
    assert Workspace.objects.filter(pk=workspace.pk).exists()

    deleted = as_owner.delete(f"/api/workspaces/{workspace.pk}/")
    assert deleted.status_code == 204
    assert not Workspace.objects.filter(pk=workspace.pk).exists()
    assert not Membership.objects.filter(workspace_id=workspace.pk).exists()


def test_members_are_listed_for_any_member(as_viewer: Any, workspace: Workspace) -> None:
    response = as_viewer.get(f"/api/workspaces/{workspace.pk}/members/")
    assert response.status_code == 200
    assert [(m["username"], m["role"]) for m in response.json()["results"]] == [
        ("eddie", "editor"),
        ("olivia", "owner"),
        ("vera", "viewer"),
    ]


def test_the_owner_adds_a_member_by_email(as_owner: Any, workspace: Workspace) -> None:
    newcomer = UserFactory(username="nina", email="Nina@Example.com")
    response = as_owner.post(
        f"/api/workspaces/{workspace.pk}/members/", {"user": "nina@example.com", "role": "editor"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["username"] == "nina"
    assert response.json()["role"] == "editor"
    assert Membership.objects.get(workspace=workspace, user=newcomer).role == "editor"


def test_adding_an_unknown_user_names_them_and_adds_nobody(as_owner: Any, workspace: Workspace) -> None:
    response = as_owner.post(
        f"/api/workspaces/{workspace.pk}/members/", {"user": "ghost", "role": "viewer"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {"user": ["There is no user with the username or email 'ghost'."]}
    assert Membership.objects.filter(workspace=workspace).count() == 3


def test_adding_an_existing_member_again_is_refused(as_owner: Any, workspace: Workspace) -> None:
    response = as_owner.post(
        f"/api/workspaces/{workspace.pk}/members/", {"user": "vera", "role": "editor"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {"user": ["'vera' is already a member (viewer); change their role instead."]}
    assert Membership.objects.get(workspace=workspace, user__username="vera").role == "viewer"


def test_an_editor_cannot_add_members(as_editor: Any, workspace: Workspace, outsider: Any) -> None:
    response = as_editor.post(
        f"/api/workspaces/{workspace.pk}/members/", {"user": "otto", "role": "owner"}, format="json"
    )
    assert response.status_code == 403
    assert not Membership.objects.filter(workspace=workspace, user=outsider).exists()


def test_the_owner_changes_a_role(as_owner: Any, workspace: Workspace, viewer: Any) -> None:
    response = as_owner.patch(f"/api/workspaces/{workspace.pk}/members/{viewer.pk}/", {"role": "editor"}, format="json")
    assert response.status_code == 200
    assert response.json()["role"] == "editor"
    assert Membership.objects.get(workspace=workspace, user=viewer).role == "editor"


def test_the_last_owner_cannot_be_demoted(as_owner: Any, workspace: Workspace, owner: Any) -> None:
    response = as_owner.patch(f"/api/workspaces/{workspace.pk}/members/{owner.pk}/", {"role": "viewer"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "'olivia' is the last owner of this workspace and cannot be demoted; "
        "make someone else an owner first."
    }
    assert Membership.objects.get(workspace=workspace, user=owner).role == "owner"


def test_the_last_owner_cannot_be_removed_or_leave(as_owner: Any, workspace: Workspace, owner: Any) -> None:
    response = as_owner.delete(f"/api/workspaces/{workspace.pk}/members/{owner.pk}/")
    assert response.status_code == 400
    assert "last owner" in response.json()["detail"]
    assert Membership.objects.filter(workspace=workspace, user=owner).exists()


def test_an_owner_can_step_down_once_there_is_another_owner(
    as_owner: Any, workspace: Workspace, owner: Any, editor: Any
) -> None:
    as_owner.patch(f"/api/workspaces/{workspace.pk}/members/{editor.pk}/", {"role": "owner"}, format="json")
    response = as_owner.patch(f"/api/workspaces/{workspace.pk}/members/{owner.pk}/", {"role": "editor"}, format="json")
    assert response.status_code == 200
    roles = dict(Membership.objects.filter(workspace=workspace).values_list("user__username", "role"))
    assert roles == {"olivia": "editor", "eddie": "owner", "vera": "viewer"}


def test_a_member_may_leave_but_not_remove_others(
    as_viewer: Any, workspace: Workspace, viewer: Any, editor: Any
) -> None:
    refused = as_viewer.delete(f"/api/workspaces/{workspace.pk}/members/{editor.pk}/")
    assert refused.status_code == 403
    assert Membership.objects.filter(workspace=workspace, user=editor).exists()

    left = as_viewer.delete(f"/api/workspaces/{workspace.pk}/members/{viewer.pk}/")
    assert left.status_code == 204
    assert not Membership.objects.filter(workspace=workspace, user=viewer).exists()


def test_changing_a_non_member_is_404(as_owner: Any, workspace: Workspace, outsider: Any) -> None:
    response = as_owner.patch(
        f"/api/workspaces/{workspace.pk}/members/{outsider.pk}/", {"role": "editor"}, format="json"
    )
    assert response.status_code == 404
    assert response.json() == {"detail": f"user {outsider.pk} is not a member of workspace 'Team'"}


def test_an_invalid_role_is_refused_by_name(as_owner: Any, workspace: Workspace, viewer: Any) -> None:
    response = as_owner.patch(f"/api/workspaces/{workspace.pk}/members/{viewer.pk}/", {"role": "admin"}, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == {"role": ['"admin" is not a valid choice.']}


def test_anonymous_calls_get_a_json_error(api: Any) -> None:
    response = api(None).get("/api/workspaces/")
    assert response.status_code in (401, 403)
    assert response.json() == {"detail": "Authentication credentials were not provided."}
