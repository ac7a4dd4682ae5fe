"""The one refusal of an ONNX export: which node (or model) and why."""

from __future__ import annotations

from typing import Any


class ExportRefused(Exception):
    """The pipeline or model cannot be exported as ONNX: ``node`` names where, ``message`` says why."""

    def __init__(self, message: str, *, node: str = "", module: str = "", code: str = "not_exportable") -> None:
        super().__init__(message)
        self.message = message
        self.node = node
        self.module = module
        self.code = code

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.node:
            out["node"] = self.node
        if self.module:
            out["module"] = self.module
        return out
