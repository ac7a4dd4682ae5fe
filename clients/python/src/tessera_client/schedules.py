"""Schedules of published pipelines: list, create (cron or interval), pause, resume."""

from __future__ import annotations

from typing import Any

from ._http import Session
from .published import Published


class Schedules:
    def __init__(self, session: Session, published: Published) -> None:
        self.session = session
        self.published = published

    def list(self, endpoint: int | str | None = None) -> list[dict[str, Any]]:
        """Schedules of one published pipeline, or of every one in the workspace."""
        endpoints = [self.published.get(endpoint)] if endpoint is not None else self.published.list()
        rows: list[dict[str, Any]] = []
        for e in endpoints:
            rows.extend(self.session.pages(f"/api/pipeline-endpoints/{e['id']}/schedules/"))
        return rows

    def create(
        self,
        endpoint: int | str,
        *,
        cron: str | None = None,
        interval_seconds: int | None = None,
        timezone: str | None = None,
        name: str = "",
        values: dict[str, Any] | None = None,
        version: int | None = None,
        paused: bool = False,
    ) -> dict[str, Any]:
        target = self.published.get(endpoint)
        body: dict[str, Any] = {"name": name, "paused": paused}
        optional = {"cron": cron, "interval_seconds": interval_seconds, "timezone": timezone, "values": values,
                    "version": version}  # fmt: skip
        body |= {k: v for k, v in optional.items() if v is not None}
        return dict(self.session.post(f"/api/pipeline-endpoints/{target['id']}/schedules/", body))

    def pause(self, schedule: int) -> dict[str, Any]:
        return dict(self.session.post(f"/api/schedules/{int(schedule)}/pause/"))

    def resume(self, schedule: int) -> dict[str, Any]:
        return dict(self.session.post(f"/api/schedules/{int(schedule)}/resume/"))
