"""The module registry: refuses malformed modules at registration, discovers the library by convention."""

from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
import re
from typing import Any

from pydantic import BaseModel, ValidationError

from .errors import InvalidModule, UnknownModule
from .module import CATEGORIES, Module
from .params import DATASET_KIND, DATASET_KINDS, ParamModel, column_params
from .ports import In, Out, PortType, Table

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
PORT_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


class Registry:
    def __init__(self) -> None:
        self._modules: dict[tuple[str, int], type[Module]] = {}
        self._latest: dict[str, int] = {}

    def register(self, cls: type[Module]) -> type[Module]:
        problems = check_module(cls)
        if problems:
            raise InvalidModule(f"{getattr(cls, '__qualname__', cls)}: " + "; ".join(problems))
        key = (cls.id, cls.version)
        if key in self._modules and self._modules[key] is not cls:
            raise InvalidModule(f"module '{cls.id}' version {cls.version} is registered twice")
        self._modules[key] = cls
        self._latest[cls.id] = max(self._latest.get(cls.id, 0), cls.version)
        return cls

    def get(self, module_id: str, version: int | None = None) -> type[Module]:
        if module_id not in self._latest:
            raise UnknownModule(module_id)
        v = self._latest[module_id] if version is None else version
        try:
            return self._modules[(module_id, v)]
        except KeyError:
            raise UnknownModule(module_id, version) from None

    def latest_version(self, module_id: str) -> int:
        if module_id not in self._latest:
            raise UnknownModule(module_id)
        return self._latest[module_id]

    def __contains__(self, module_id: object) -> bool:
        return module_id in self._latest

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(sorted(self._modules.values(), key=lambda m: (m.category, m.name, m.version)))

    def __len__(self) -> int:
        return len(self._modules)

    def latest(self) -> list[type[Module]]:
        return [self._modules[(mid, v)] for mid, v in sorted(self._latest.items())]

    def catalogue(self) -> list[dict[str, Any]]:
        shown = [m for m in self.latest() if not m.hidden]
        return [m.describe() for m in sorted(shown, key=lambda m: (CATEGORIES.index(m.category), m.name))]

    def discover(self, package: str) -> None:
        """Register every concrete Module subclass defined in ``package`` and its subpackages."""
        pkg = importlib.import_module(package)
        names = [package]
        if hasattr(pkg, "__path__"):
            names += [m.name for m in pkgutil.walk_packages(pkg.__path__, prefix=package + ".")]
        for name in names:
            self.register_defined_in(name)

    def register_defined_in(self, name: str) -> None:
        """Register every concrete Module subclass defined in the Python module ``name`` (not its imports)."""
        mod = importlib.import_module(name)
        for obj in vars(mod).values():
            if (
                inspect.isclass(obj)
                and issubclass(obj, Module)
                and obj is not Module
                and obj.__module__ == mod.__name__
                and "id" in vars(obj)
            ):
                self.register(obj)


def check_module(cls: Any) -> list[str]:
    """Every reason ``cls`` is not a well-formed module (empty list when it is)."""
    if not (inspect.isclass(cls) and issubclass(cls, Module)):
        return ["is not a Module subclass"]
    return [*_check_identity(cls), *_check_ports(cls), *_check_params(cls)]


def _check_identity(cls: type[Module]) -> list[str]:
    p: list[str] = []
    mid = vars(cls).get("id")
    if not isinstance(mid, str) or not ID_PATTERN.match(mid):
        p.append(f"id {mid!r} must be lower_snake_case, 2-64 characters")
    if not isinstance(cls.version, int) or isinstance(cls.version, bool) or cls.version < 1:
        p.append(f"version {cls.version!r} must be a positive integer")
    if not isinstance(getattr(cls, "name", None), str) or not cls.name.strip():
        p.append("name is missing")
    if getattr(cls, "category", None) not in CATEGORIES:
        p.append(f"category {getattr(cls, 'category', None)!r} is not one of {', '.join(CATEGORIES)}")
    if cls.queue not in ("cpu", "gpu"):
        p.append(f"queue {cls.queue!r} must be 'cpu' or 'gpu'")
    if cls.inference not in ("keep", "pass_through", "drop"):
        p.append(f"inference {cls.inference!r} must be 'keep', 'pass_through' or 'drop'")
    if cls.run is Module.run:
        p.append("does not implement run()")
    return p


def _check_ports(cls: type[Module]) -> list[str]:
    p: list[str] = []
    if not cls.outputs:
        p.append("declares no output port")
    declared: list[tuple[str, str, In | Out]] = [("input", n, q) for n, q in cls.inputs.items()]
    declared += [("output", n, q) for n, q in cls.outputs.items()]
    for kind, pname, decl in declared:
        if not PORT_PATTERN.match(pname):
            p.append(f"{kind} port name {pname!r} must be lower_snake_case")
        if not (inspect.isclass(decl.type) and issubclass(decl.type, PortType)) or decl.type is PortType:
            p.append(f"{kind} port {pname!r} has no concrete PortType")
        elif isinstance(decl, In) and decl.stored and decl.type is not Table:
            p.append(f"input port {pname!r} is stored, which only a Table input can be")
    if set(cls.inputs) & set(cls.outputs):
        p.append("an input and an output share a name")
    return p


def _check_params(cls: type[Module]) -> list[str]:
    params = getattr(cls, "Params", None)
    if not (inspect.isclass(params) and issubclass(params, ParamModel)):
        return ["Params must subclass ParamModel"]
    p: list[str] = []
    for pname, _widget, target in column_params(params):
        if target not in cls.inputs:
            p.append(f"column parameter {pname!r} points at unknown input port {target!r}")
        elif not issubclass(cls.inputs[target].type, Table):
            p.append(f"column parameter {pname!r} points at non-table port {target!r}")
    for pname, info in params.model_fields.items():
        extra = info.json_schema_extra
        if isinstance(extra, dict) and DATASET_KIND in extra and extra[DATASET_KIND] not in DATASET_KINDS:
            p.append(f"parameter {pname!r} reads datasets of kind {extra[DATASET_KIND]!r}, not one of {DATASET_KINDS}")
    try:
        params.model_json_schema()
    except Exception as exc:  # pydantic raises several types here
        p.append(f"Params has no JSON Schema: {exc}")
    if all(not f.is_required() for f in params.model_fields.values()):
        try:
            params()
        except ValidationError as exc:
            p.append(f"default parameters do not validate: {exc.errors()[0]['msg']}")
    return p


_default: Registry | None = None


def default_registry() -> Registry:
    """The library's modules plus any extra packages named in ``TESSERA_EXTRA_MODULES`` (comma-separated)."""
    global _default
    if _default is None:
        reg = Registry()
        reg.discover("modules.library")
        for extra in filter(None, (s.strip() for s in os.environ.get("TESSERA_EXTRA_MODULES", "").split(","))):
            reg.discover(extra)
        _default = reg
    return _default


def params_errors(cls: type[Module], raw: dict[str, Any]) -> list[dict[str, str]]:
    """Parameter problems as ``{"param": ..., "message": ...}``; empty when valid."""
    try:
        cls.parse_params(raw)
    except ValidationError as exc:
        out = []
        for err in exc.errors():
            loc = ".".join(str(x) for x in err["loc"]) or "(parameters)"
            out.append({"param": loc, "message": err["msg"]})
        return out
    return []


__all__ = ["Registry", "check_module", "default_registry", "params_errors", "BaseModel"]
