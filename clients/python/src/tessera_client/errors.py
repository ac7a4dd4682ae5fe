"""What can go wrong, as typed exceptions: each names its cause in one line and carries an exit code.

The CLI prints ``str(error)`` and exits with ``error.exit_code``; notebooks catch the subclass they care
about. ``problems`` is the server's list of named problems (node, port, parameter, column, path) when it
sent one.
"""

from __future__ import annotations

from typing import Any


class ExitCode:
    """The ``tessera`` command's exit codes; scripts may rely on them (clients/python/README.md)."""

    OK = 0
    ERROR = 1  # the server refused, or anything not listed below
    USAGE = 2  # a wrong option or argument (Typer's own code for usage errors)
    AUTH = 3  # no credentials, wrong credentials, an expired or revoked token, no permission
    NOT_FOUND = 4  # no such workspace, dataset, pipeline, run, node, output, endpoint...
    VALIDATION = 5  # the file is not a pipeline, or the server named problems in it
    NETWORK = 6  # the server cannot be reached, or the connection broke mid-request
    CONFLICT = 7  # someone saved a newer version first (409)
    RUN_FAILED = 8  # run submit --wait / run wait: the run ended failed or cancelled
    INTERRUPTED = 130  # Ctrl-C


class TesseraError(Exception):
    """Base of every error the client raises on purpose."""

    exit_code = ExitCode.ERROR

    def __init__(self, message: str, *, status: int | None = None, problems: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.problems: list[dict[str, Any]] = list(problems or [])

    def __str__(self) -> str:
        return self.message


class UsageError(TesseraError):
    exit_code = ExitCode.USAGE


class ConfigError(UsageError):
    """The profile or environment does not say where the server is or who you are."""


class AuthError(TesseraError):
    exit_code = ExitCode.AUTH


class PermissionDenied(AuthError):
    """Signed in, but your role in the workspace does not allow it (403)."""


class NotFound(TesseraError):
    exit_code = ExitCode.NOT_FOUND


class ValidationFailed(TesseraError):
    """The server (or the file reader) named problems; ``problems`` lists them."""

    exit_code = ExitCode.VALIDATION


class DocumentError(ValidationFailed):
    """A file that cannot be read as a pipeline document (bad YAML/JSON, a duplicate key, not a mapping)."""


class UnknownName(ValidationFailed):
    """A builder call named a module, port or parameter the server's catalogue does not have."""


class Conflict(TesseraError):
    exit_code = ExitCode.CONFLICT


class NetworkError(TesseraError):
    exit_code = ExitCode.NETWORK


class RunFailed(TesseraError):
    """A run ended ``failed`` or ``cancelled``; ``run`` is its last state."""

    exit_code = ExitCode.RUN_FAILED

    def __init__(self, message: str, run: dict[str, Any]):
        super().__init__(message)
        self.run = run


class ServerError(TesseraError):
    """A 5xx answer: the server broke, not your input."""
