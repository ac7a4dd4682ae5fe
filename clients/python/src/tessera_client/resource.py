"""What every object the SDK hands out holds: the session it came through and the server's row for it."""

from __future__ import annotations

from typing import Any

from ._http import Session


class Resource:
    """A dataset, pipeline, endpoint...: ``info`` is the server's JSON for it (id, name and the rest)."""

    def __init__(self, session: Session, info: dict[str, Any]) -> None:
        self.session = session
        self.info = info

    @property
    def id(self) -> int:
        return int(self.info["id"])

    @property
    def name(self) -> str:
        return str(self.info["name"])
