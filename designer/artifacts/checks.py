"""Refusing a document that names another workspace's artifact: one 400, naming each node and parameter.

Other semantic problems do not block a save (a half-built pipeline can be saved); this one does, at
every write of a document (create, save, draft, restore, import, clone), at submit and at deploy,
because naming a digest is enough to read what it names.
"""

from __future__ import annotations

from collections.abc import Sequence

from designer.api import Unprocessable
from designer.engine.graph import Graph
from designer.engine.problems import Problem
from designer.engine.validate import ValidationResult, artifact_problems
from modules.sdk import default_registry

from .lookup import WorkspaceArtifactLookup

CODE = "foreign_artifact"


class ForeignArtifact(Unprocessable):
    """400: the document names artifacts that do not belong to the workspace; ``problems`` lists each."""

    def __init__(self, problems: Sequence[Problem], outcome: str = "Nothing was saved.") -> None:
        messages = " ".join(p.message for p in problems)
        n = len(problems)
        detail = messages if n == 1 else f"{n} artifact references do not belong to this workspace. {messages}"
        super().__init__(f"{detail} {outcome}", [p.to_dict() for p in problems])


def refuse_foreign(validation: ValidationResult) -> None:
    """Raise ``ForeignArtifact`` when ``validation`` (made with an artifact lookup) found any."""
    foreign = [p for p in validation.problems if p.code == CODE]
    if foreign:
        raise ForeignArtifact(foreign)


def check_artifacts(workspace_id: int, graph: Graph, outcome: str = "Nothing was saved.") -> None:
    """Raise ``ForeignArtifact`` unless every artifact ``graph`` names belongs to workspace ``workspace_id``."""
    problems = artifact_problems(graph, default_registry(), WorkspaceArtifactLookup(workspace_id))
    if problems:
        raise ForeignArtifact(problems, outcome)
