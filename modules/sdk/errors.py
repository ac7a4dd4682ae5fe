"""Errors a module or the registry raises; each names the thing at fault so the UI can pin it."""

from __future__ import annotations


class ModuleError(Exception):
    """A user-facing failure inside a module's run (bad column, empty table, ...).

    ``param``, ``column`` and ``port`` name what is at fault; the engine adds the node.
    """

    def __init__(
        self,
        message: str,
        *,
        param: str | None = None,
        column: str | None = None,
        port: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        self.column = column
        self.port = port

    def to_dict(self) -> dict[str, str | None]:
        return {"message": self.message, "param": self.param, "column": self.column, "port": self.port}


class ScoringFailed(ModuleError):
    """An inference pipeline run with ``ctx.score`` failed on the rows it was given (a module inside it
    raised): the rows' fault or a passing one, so a batch job may retry them, or count them as failed."""


class Cancelled(Exception):
    """Raised by ``ctx.check_cancelled()`` when the run was cancelled."""


class InvalidModule(Exception):
    """A module class is malformed; raised at registration, never at run time."""


class UnknownModule(KeyError):
    """No module with this id (and version) is registered."""

    def __init__(self, module_id: str, version: int | None = None) -> None:
        super().__init__(module_id)
        self.module_id = module_id
        self.version = version

    def __str__(self) -> str:
        if self.version is None:
            return f"unknown module '{self.module_id}'"
        return f"unknown version {self.version} of module '{self.module_id}'"
