"""The server's module catalogue (``/api/modules/``): ids, versions, ports and parameter schemas.

Read once per workspace object; the builder checks every module, port and parameter name against it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ._http import Session
from .errors import UnknownName
from .names import suggest


@dataclass(frozen=True)
class ModuleSpec:
    info: dict[str, Any]

    @property
    def id(self) -> str:
        return str(self.info["id"])

    @property
    def version(self) -> int:
        return int(self.info["version"])

    @property
    def name(self) -> str:
        return str(self.info.get("name", self.id))

    @property
    def inputs(self) -> list[str]:
        return [p["name"] for p in self.info.get("inputs", [])]

    @property
    def required_inputs(self) -> list[str]:
        return [p["name"] for p in self.info.get("inputs", []) if not p.get("optional")]

    @property
    def outputs(self) -> list[str]:
        return [p["name"] for p in self.info.get("outputs", [])]

    @property
    def params(self) -> list[str]:
        return list((self.info.get("params_schema") or {}).get("properties", {}))

    def label(self) -> str:
        return f"'{self.id}' ({self.name})"


class Catalogue:
    def __init__(self, modules: list[dict[str, Any]]) -> None:
        self.modules = {m["id"]: ModuleSpec(m) for m in modules}

    @classmethod
    def fetch(cls, session: Session) -> Catalogue:
        return cls(session.get("/api/modules/"))

    def get(self, module_id: str) -> ModuleSpec:
        if module_id in self.modules:
            return self.modules[module_id]
        by_name = {m.name.lower(): m for m in self.modules.values()}
        if module_id.lower() in by_name:
            return by_name[module_id.lower()]
        hint = suggest(module_id, list(self.modules)) or suggest(module_id, [m.name for m in self.modules.values()])
        raise UnknownName(f"The server has no module '{module_id}'{hint}.")

    def __contains__(self, module_id: object) -> bool:
        return module_id in self.modules

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.modules.values())
