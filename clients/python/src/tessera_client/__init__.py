"""Tessera's light client: a Python SDK for notebooks and scripts, and the ``tessera`` command.

It talks only to the server's public REST and WebSocket APIs, and imports neither Django nor torch.
"""

from .builder import PipelineBuilder
from .errors import (
    AuthError,
    Conflict,
    DocumentError,
    ExitCode,
    NetworkError,
    NotFound,
    PermissionDenied,
    RunFailed,
    ServerError,
    TesseraError,
    UnknownName,
    UsageError,
    ValidationFailed,
)
from .runs import Metrics, Run
from .workspace import Workspace

__version__ = "0.1.0"

__all__ = [
    "AuthError",
    "Conflict",
    "DocumentError",
    "ExitCode",
    "Metrics",
    "NetworkError",
    "NotFound",
    "PermissionDenied",
    "PipelineBuilder",
    "Run",
    "RunFailed",
    "ServerError",
    "TesseraError",
    "UnknownName",
    "UsageError",
    "ValidationFailed",
    "Workspace",
]
