"""Reading settings from the environment: one helper that fails loudly when a required value is missing."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class ImproperlyConfiguredEnv(RuntimeError):
    pass


def env(name: str, default: T | None = None, *, cast: Callable[[str], T] = str, required: bool = False) -> T:  # type: ignore[assignment]
    raw = os.environ.get(name)
    if raw is None or raw == "":
        if required:
            raise ImproperlyConfiguredEnv(
                f"{name} must be set (see .env.example). For a local trial, run `make start`, "
                "which sets TESSERA_ENV=local and needs no secrets."
            )
        return default  # type: ignore[return-value]
    return cast(raw)


def as_bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfiguredEnv(f"not a boolean: {raw!r}")


def as_list(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(",") if part.strip()]
