"""The ``environment`` parameter of Execute Python Script, Create Python Model and script components.

Its value pins one environment version by content: ``{"name", "version", "base", "requirements", "hash"}``
(the designer's picker copies it from the workspace's environment versions), or ``null`` for the built-in
one (the worker's own packages). Keeping the lines in the node makes a run reproducible on its own, puts
the content hash in the node's cache key, and lets exports, clones and endpoints carry the environment
with the pipeline. The lines are checked again here and the hash must be theirs.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from modules.sdk import ModuleError, RunContext

from . import _environments, _requirements

WIDGET = "environment"


class EnvironmentChoice(BaseModel):
    """One environment version, as the workspace's Environments page lists it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=100, title="Name")
    version: int = Field(ge=1, title="Version")
    base: Literal["worker", "none"] = Field("worker", title="Base")
    requirements: list[str] = Field(default_factory=list, max_length=_requirements.MAX_LINES, title="Requirements")
    hash: str = Field(pattern=r"^[0-9a-f]{64}$", title="Content hash")

    @model_validator(mode="after")
    def _lines_and_hash(self) -> EnvironmentChoice:
        found = _requirements.problems(self.requirements, self.base)
        if found:
            raise ValueError(f"environment '{self.name}' version {self.version}: {found[0].message}")
        if _requirements.content_hash(self.base, self.requirements) != self.hash:
            raise ValueError(
                f"environment '{self.name}' version {self.version}: the hash does not match its base and "
                "requirement lines; pick the version again"
            )
        return self


def environment_field() -> Any:
    return Field(
        None,
        title="Environment",
        description="The Python packages the script runs with: the built-in environment (the worker's own "
        "packages) when empty, or a version of one of the workspace's environments, built once per host.",
        json_schema_extra={"x-tessera-widget": WIDGET},
    )


def interpreter(
    choice: EnvironmentChoice | dict[str, Any] | None, ctx: RunContext
) -> tuple[str | None, tuple[str, ...]]:
    """The interpreter to run the script with and the paths to show it read-only; ``(None, ())`` built-in.

    Builds the environment on this host first when no worker here has (its log goes to the node's log).
    """
    if choice is None:
        return None, ()
    if isinstance(choice, dict):
        choice = EnvironmentChoice.model_validate(choice)
    try:
        built = _environments.ensure(choice.hash, choice.base, choice.requirements, ctx.log, ctx.check_cancelled)
    except _environments.BuildFailed as exc:
        raise ModuleError(f"environment '{choice.name}' version {choice.version}: {exc}", param="environment") from None
    return str(built.python), (str(built.root),)


def omit_builtin(self: Any, handler: Any) -> Any:
    """A wrap serializer for ``Params``: the built-in environment (``None``) is left out of the dump, so the
    cache keys of nodes saved before environments existed stay what they were."""
    data = handler(self)
    if isinstance(data, dict) and data.get("environment", ...) is None:
        data.pop("environment")
    return data
