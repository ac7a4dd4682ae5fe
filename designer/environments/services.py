"""Creating environments and their versions: every requirement line checked first, nothing half-created."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from pydantic import ValidationError as ParamError
from rest_framework.exceptions import ValidationError

from designer.workspaces.models import Workspace
from modules.library.python_language import _requirements
from modules.library.python_language._environment_param import EnvironmentChoice

from . import selectors
from .models import Environment, EnvironmentVersion


@dataclass(frozen=True)
class SavedVersion:
    version: EnvironmentVersion
    created: bool  # False: the lines and base equal the latest version's, which is answered instead


def checked_lines(base: str, requirements: Sequence[str]) -> list[str]:
    """The normalized lines, or a 400 naming every refused line by number and text."""
    found = _requirements.problems(list(requirements), base)
    if found:
        raise ValidationError({"requirements": [p.message for p in found]})
    return _requirements.normalized(requirements)


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": ["An environment needs a name."]})
    return name


def create_environment(
    user: Any,
    workspace: Workspace,
    *,
    name: str,
    requirements: Sequence[str],
    base: str = "worker",
    description: str = "",
    message: str = "",
) -> Environment:
    """A new environment whose version 1 holds ``requirements``."""
    name = _clean_name(name)
    lines = checked_lines(base, requirements)
    if Environment.objects.filter(workspace=workspace, name=name).exists():
        raise ValidationError({"name": [f"This workspace already has an environment named '{name}'."]})
    try:
        with transaction.atomic():
            environment = Environment.objects.create(
                workspace=workspace, name=name, description=description or "", created_by=user
            )
            EnvironmentVersion.objects.create(
                environment=environment,
                number=1,
                base=base,
                requirements=lines,
                content_hash=_requirements.content_hash(base, lines),
                message=(message or "Created")[:500],
                author=user,
            )
    except IntegrityError:  # a concurrent create took the name
        raise ValidationError({"name": [f"This workspace already has an environment named '{name}'."]}) from None
    return environment


def save_version(
    user: Any, environment: Environment, *, requirements: Sequence[str], base: str = "worker", message: str = ""
) -> SavedVersion:
    """A new version after the latest; unchanged lines and base answer the latest version (not saved twice)."""
    lines = checked_lines(base, requirements)
    digest = _requirements.content_hash(base, lines)
    with transaction.atomic():
        locked = Environment.objects.select_for_update().get(pk=environment.pk)
        latest = selectors.latest_of(locked)
        if latest is not None and latest.content_hash == digest:
            return SavedVersion(latest, created=False)
        version = EnvironmentVersion.objects.create(
            environment=locked,
            number=(latest.number if latest else 0) + 1,
            base=base,
            requirements=lines,
            content_hash=digest,
            message=(message or "")[:500],
            author=user,
        )
    return SavedVersion(version, created=True)


def adopt(user: Any, workspace: Workspace, choice: dict[str, Any]) -> EnvironmentVersion:
    """The version of ``workspace`` holding ``choice``'s content (an imported or cloned node's environment):
    found by name and hash, else saved as a new version of the environment of that name (created if none)."""
    base, lines = str(choice.get("base", "worker")), list(choice.get("requirements") or [])
    name = _clean_name(str(choice.get("name", "")))
    digest = _requirements.content_hash(base, checked_lines(base, lines))
    existing = EnvironmentVersion.objects.filter(
        environment__workspace=workspace, environment__name=name, content_hash=digest
    ).first()
    if existing is not None:
        return existing
    environment = Environment.objects.filter(workspace=workspace, name=name).first()
    if environment is None:
        environment = create_environment(
            user, workspace, name=name, requirements=lines, base=base, message="Imported with a pipeline"
        )
        return environment.versions.get()
    return save_version(user, environment, requirements=lines, base=base, message="Imported with a pipeline").version


def choices_in(document: Any) -> list[dict[str, Any]]:
    """Every well-formed environment choice that a pipeline document's nodes hold (malformed ones are
    validation's to report, naming the node and parameter)."""
    found = []
    nodes = document.get("nodes") if isinstance(document, dict) else None
    for node in nodes if isinstance(nodes, list) else []:
        params = node.get("params") if isinstance(node, dict) else None
        value = params.get("environment") if isinstance(params, dict) else None
        if not isinstance(value, dict):
            continue
        try:
            EnvironmentChoice.model_validate(value)
        except ParamError:
            continue
        found.append(value)
    return found


def adopt_all(user: Any, workspace: Workspace, document: Any) -> list[EnvironmentVersion]:
    """The environments an imported or cloned pipeline's nodes run in, made environments of ``workspace``
    (found by name and content, else saved): they then show on its Environments page and in the picker."""
    return [adopt(user, workspace, choice) for choice in choices_in(document)]
