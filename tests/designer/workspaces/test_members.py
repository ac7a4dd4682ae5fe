"""Inviting, changing and removing members: by username or email, the last owner kept, each change in the feed."""

from __future__ import annotations

from typing import Any

import pytest

from designer.activity.models import ActivityEvent
from designer.workspaces.models import Membership, Workspace
from tests.designer.factories import UserFactory

pytestmark = pytest.mark.django_db


def _feed(workspace: Workspace) -> list[tuple[str, str, str, dict[str, Any]]]:
    events = ActivityEvent.objects.filter(workspace=workspace, object_type="member").order_by("id")
    return [(e.actor_name, e.verb, e.object_name, e.detail) for e in events]


def test_the_owner_invites_an_existing_user_by_username(as_owner: Any, workspace: Workspace) -> None:
    newcomer = UserFactory(username="nina")
    response = as_owner.post(
        f"/api/workspaces/{workspace.pk}/members/", {"user": " nina ", "role": "viewer"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["user_id"] == newcomer.pk
    assert Membership.objects.get(workspace=workspace, user=newcomer).role == "viewer"
    assert _feed(workspace) == [("olivia", "member_added", "nina", {"role": "viewer"})]


def test_an_email_shared_by_two_users_is_refused_as_unknown(as_owner: Any, workspace: Workspace) -> None:
    UserFactory(username="twin1", email="twin@example.com")
    UserFactory(username="twin2", email="TWIN@example.com")
    response = as_owner.post(
        f"/api/workspaces/{workspace.pk}/members/", {"user": "twin@example.com", "role": "viewer"}, format="json"
    )
    assert response.status_code == 400
    assert Membership.objects.filter(workspace=workspace).count() == 3
    assert _feed(workspace) == []


def test_the_owner_removes_a_member(as_owner: Any, workspace: Workspace, editor: Any) -> None:
    response = as_owner.delete(f"/api/workspaces/{workspace.pk}/members/{editor.pk}/")
    assert response.status_code == 204
    assert not Membership.objects.filter(workspace=workspace, user=editor).exists()
    assert _feed(workspace) == [("olivia", "member_removed", "eddie", {"role": "editor"})]


def test_a_role_change_is_recorded_with_the_previous_role(as_owner: Any, workspace: Workspace, viewer: Any) -> None:
    as_owner.patch(f"/api/workspaces/{workspace.pk}/members/{viewer.pk}/", {"role": "editor"}, format="json")
    as_owner.patch(f"/api/workspaces/{workspace.pk}/members/{viewer.pk}/", {"role": "editor"}, format="json")
    assert _feed(workspace) == [("olivia", "role_changed", "vera", {"role": "editor", "previous_role": "viewer"})]


def test_refusing_the_last_owner_records_nothing(as_owner: Any, workspace: Workspace, owner: Any) -> None:
    demote = as_owner.patch(f"/api/workspaces/{workspace.pk}/members/{owner.pk}/", {"role": "editor"}, format="json")
    remove = as_owner.delete(f"/api/workspaces/{workspace.pk}/members/{owner.pk}/")
    assert (demote.status_code, remove.status_code) == (400, 400)
    assert "last owner" in demote.json()["detail"] and "last owner" in remove.json()["detail"]
    assert Membership.objects.get(workspace=workspace, user=owner).role == "owner"
    assert _feed(workspace) == []


def test_a_member_who_leaves_is_recorded_as_leaving_themselves(as_viewer: Any, workspace: Workspace, viewer: Any):
    response = as_viewer.delete(f"/api/workspaces/{workspace.pk}/members/{viewer.pk}/")
    assert response.status_code == 204
    assert _feed(workspace) == [("vera", "member_removed", "vera", {"role": "viewer"})]


def test_the_last_owner_removed_is_refused_even_after_another_owner_left(
    as_owner: Any, workspace: Workspace, owner: Any, editor: Any, api: Any
) -> None:
    # given eddie was made an owner and then left again
    as_owner.patch(f"/api/workspaces/{workspace.pk}/members/{editor.pk}/", {"role": "owner"}, format="json")
    assert api(editor).delete(f"/api/workspaces/{workspace.pk}/members/{editor.pk}/").status_code == 204
    # when olivia tries to leave, she is refused: she is the last owner again
    response = as_owner.delete(f"/api/workspaces/{workspace.pk}/members/{owner.pk}/")
    assert response.status_code == 400
    assert Membership.objects.filter(workspace=workspace, role="owner").count() == 1
