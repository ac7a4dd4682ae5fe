"""The role helpers every app uses: order, lookups, and the messages they give."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.exceptions import NotFound, PermissionDenied

from designer.datasets.models import Dataset
from designer.workspaces.models import Workspace
from designer.workspaces.permissions import Role, get_scoped, role_of, scope_to_member, workspace_for

pytestmark = pytest.mark.django_db


def test_roles_are_ordered_viewer_editor_owner() -> None:
    assert Role.VIEWER < Role.EDITOR < Role.OWNER
    assert Role.parse("Editor") is Role.EDITOR
    with pytest.raises(ValueError, match="unknown role 'admin'; use owner, editor or viewer"):
        Role.parse("admin")


def test_role_of_members_and_strangers(workspace: Workspace, owner: Any, viewer: Any, outsider: Any) -> None:
    assert role_of(owner, workspace) is Role.OWNER
    assert role_of(viewer, workspace.pk) is Role.VIEWER
    assert role_of(outsider, workspace) is None


def test_workspace_for_hides_existence_and_explains_a_low_role(
    workspace: Workspace, viewer: Any, editor: Any, outsider: Any
) -> None:
    assert workspace_for(editor, workspace.pk, Role.EDITOR) == workspace
    with pytest.raises(NotFound, match=f"workspace {workspace.pk} does not exist"):
        workspace_for(outsider, workspace.pk, Role.VIEWER)
    with pytest.raises(PermissionDenied) as denied:
        workspace_for(viewer, str(workspace.pk), Role.EDITOR)
    assert str(denied.value.detail) == "you are a viewer in workspace 'Team'; editing needs the editor role"
    with pytest.raises(NotFound, match="workspace 'abc' does not exist"):
        workspace_for(editor, "abc")


def test_scoped_lookups_work_for_any_model_with_a_workspace(
    dataset: Dataset, viewer: Any, outsider: Any, other_workspace: Workspace
) -> None:
    assert list(scope_to_member(Dataset.objects.all(), viewer)) == [dataset]
    assert list(scope_to_member(Dataset.objects.all(), outsider)) == []
    assert get_scoped(Dataset.objects.all(), viewer, dataset.pk, label="dataset") == dataset
    with pytest.raises(NotFound, match=f"dataset {dataset.pk} does not exist"):
        get_scoped(Dataset.objects.all(), outsider, dataset.pk, label="dataset")
    with pytest.raises(PermissionDenied):
        get_scoped(Dataset.objects.all(), viewer, dataset.pk, Role.EDITOR, label="dataset")


def test_scoped_lookups_follow_a_longer_workspace_path(dataset: Dataset, viewer: Any, outsider: Any) -> None:
    version = dataset.versions.get()
    qs = type(version).objects.all()
    assert get_scoped(qs, viewer, version.pk, label="version", workspace_path="dataset__workspace") == version
    with pytest.raises(NotFound):
        get_scoped(qs, outsider, version.pk, label="version", workspace_path="dataset__workspace")
