"""Writes for workspaces and memberships. A workspace always keeps at least one owner."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import ProtectedError
from rest_framework.exceptions import ValidationError

from designer.activity.services import ObjectType, Verb, record
from designer.api import Conflict

from .models import Membership, Workspace
from .permissions import Role

#: Security-relevant events that outlive their workspace (its deletion); operators route this logger.
audit = logging.getLogger("tessera.audit")


def create_workspace(*, user: Any, name: str) -> Workspace:
    """A new workspace with ``user`` as its owner; its name must differ from every workspace ``user`` belongs to."""
    with transaction.atomic():
        _refuse_taken_name(user, name)
        workspace = Workspace.objects.create(name=name, created_by=user)
        Membership.objects.create(workspace=workspace, user=user, role=Role.OWNER.label)
    return workspace


def rename_workspace(*, workspace: Workspace, name: str, user: Any = None) -> Workspace:
    """Renames; with ``user``, the name must differ from the other workspaces ``user`` belongs to."""
    if user is not None:
        _refuse_taken_name(user, name, other_than=workspace)
    workspace.name = name
    workspace.save(update_fields=["name"])
    return workspace


def _refuse_taken_name(user: Any, name: str, other_than: Workspace | None = None) -> None:
    """Two workspaces a user sees under one name (compared case-insensitively) cannot be told apart in the
    switcher, so the name is refused with a 400 naming ``name``."""
    taken = Workspace.objects.filter(memberships__user=user, name__iexact=name.strip())
    if other_than is not None:
        taken = taken.exclude(pk=other_than.pk)
    clash = taken.values_list("name", flat=True).first()
    if clash is not None:
        raise ValidationError({"name": [f"You already have a workspace named '{clash}'; choose another name."]})


def delete_workspace(*, workspace: Workspace, actor: Any = None) -> None:
    """Deletes the workspace and everything in it (datasets, pipelines, runs), its activity feed included,
    so who deleted it goes to the ``tessera.audit`` log instead (an operator's record, outside any workspace)."""
    workspace_id, name = workspace.pk, workspace.name
    try:
        with transaction.atomic():
            workspace.delete()
    except ProtectedError:
        raise Conflict(
            f"Workspace '{workspace.name}' cannot be deleted while records still point at objects inside it."
        ) from None
    who = actor.get_username() if getattr(actor, "is_authenticated", False) else "Tessera"
    audit.info("%s deleted workspace %s '%s'", who, workspace_id, name)


def find_user(identifier: str) -> Any:
    """A user by exact username, else by email (case-insensitive); ``None`` when none or ambiguous."""
    users = get_user_model().objects.filter(is_active=True)
    user = users.filter(username=identifier).first()
    if user is None and "@" in identifier:
        matches = list(users.filter(email__iexact=identifier)[:2])
        user = matches[0] if len(matches) == 1 else None
    return user


def _record_member(membership: Membership, actor: Any, verb: str, **detail: Any) -> None:
    record(
        workspace=membership.workspace_id,
        actor=actor,
        verb=verb,
        object_type=ObjectType.MEMBER,
        object_id=membership.user_id,
        object_name=membership.user.get_username(),
        detail=detail,
    )


def add_member(*, workspace: Workspace, identifier: str, role: Role, actor: Any = None) -> Membership:
    """Adds an existing active user, found by username or email; ``actor`` is who added them (for the feed)."""
    user = find_user(identifier.strip())
    if user is None:
        raise ValidationError({"user": [f"There is no user with the username or email '{identifier}'."]})
    existing = Membership.objects.filter(workspace=workspace, user=user).first()
    if existing is not None:
        raise ValidationError(
            {"user": [f"'{user.username}' is already a member ({existing.role}); change their role instead."]}
        )
    with transaction.atomic():
        membership = Membership.objects.create(workspace=workspace, user=user, role=role.label)
        _record_member(membership, actor, Verb.MEMBER_ADDED, role=role.label)
    return membership


def _refuse_losing_last_owner(membership: Membership, action: str) -> None:
    """Called inside a transaction: locks the owners so two concurrent demotions cannot both pass."""
    if membership.role != Role.OWNER.label:
        return
    owners = list(
        Membership.objects.select_for_update().filter(workspace_id=membership.workspace_id, role=Role.OWNER.label)
    )
    if len(owners) <= 1:
        raise ValidationError(
            {
                "detail": f"'{membership.user.username}' is the last owner of this workspace and cannot be {action}; "
                "make someone else an owner first."
            }
        )


def change_role(*, membership: Membership, role: Role, actor: Any = None) -> Membership:
    with transaction.atomic():
        if role != Role.OWNER:
            _refuse_losing_last_owner(membership, "demoted")
        previous = membership.role
        if previous == role.label:
            return membership  # nothing changed: nothing to record
        membership.role = role.label
        membership.save(update_fields=["role"])
        _record_member(membership, actor, Verb.ROLE_CHANGED, role=role.label, previous_role=previous)
    return membership


def remove_member(*, membership: Membership, actor: Any = None) -> None:
    """Removes a member; when ``actor`` is that member, they left."""
    with transaction.atomic():
        _refuse_losing_last_owner(membership, "removed")
        membership.delete()
        _record_member(membership, actor, Verb.MEMBER_REMOVED, role=membership.role)
