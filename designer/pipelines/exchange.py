"""The pipeline export file, and reading one back safely: size, nesting and shape are checked before
anything else looks at it, so a hostile file costs no more than reading its bytes.

An export file is a JSON object::

    {"format": "tessera.pipeline", "format_version": 1, "schema_version": 1,
     "name": "...", "description": "...", "exported_at": "...",
     "source": {"pipeline": 12, "version": 3},
     "modules": [{"id": "split_data", "version": 1, "name": "Split Data"}],
     "components": [{"id": 4, "version": 2, "name": "Prep", "kind": "graph", "document": {...}}],
     "document": {...the pipeline document...}}

``components`` carries every component version the document uses (nested ones too, each after those
it uses), so a file opens on another server or workspace.

A bare pipeline document (an object with ``nodes``) is accepted too. This module parses and shapes
data only; checking the document against the engine is the services' job.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone
from rest_framework.exceptions import ParseError

from designer.api import PayloadTooLarge, Unprocessable
from designer.engine import safejson
from designer.engine.graph import SCHEMA_VERSION
from modules.sdk import Registry

FORMAT = "tessera.pipeline"
FORMAT_VERSION = 1
#: The largest import file; larger ones are refused with 413 before they are parsed.
MAX_IMPORT_BYTES = 2 * 1024 * 1024
#: Room for the JSON envelope or multipart headers around the file.
ENVELOPE_BYTES = 64 * 1024

_ENVELOPE_FIELDS = (
    "format",
    "format_version",
    "schema_version",
    "name",
    "description",
    "exported_at",
    "source",
    "modules",
    "components",
    "document",
)


# -- writing --------------------------------------------------------------------------------------


def modules_used(document: dict[str, Any], registry: Registry) -> list[dict[str, Any]]:
    """Each (module, version) the document uses, once, sorted; ``name`` is null when not installed here."""
    used = sorted({(n["module"], n["version"]) for n in document.get("nodes", [])})
    listed = []
    for module_id, version in used:
        try:
            name: str | None = registry.get(module_id, version).name
        except Exception:  # not installed here: still listed, so the reader knows what it needs
            name = None
        listed.append({"id": module_id, "version": version, "name": name})
    return listed


def export_file(
    *,
    name: str,
    description: str,
    document: dict[str, Any],
    pipeline_id: int,
    version: int,
    registry: Registry,
    components: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "schema_version": document.get("schema_version", SCHEMA_VERSION),
        "name": name,
        "description": description,
        "exported_at": timezone.now().isoformat().replace("+00:00", "Z"),
        "source": {"pipeline": pipeline_id, "version": version},
        "modules": modules_used(document, registry),
        "components": components or [],
        "document": document,
    }


def filename_for(name: str, version: int) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_.")[:80] or "pipeline"
    return f"{stem}-v{version}.tessera.json"


# -- reading --------------------------------------------------------------------------------------


def too_large(size: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"The file is {size / (1024 * 1024):.1f} MB; pipeline imports are limited to "
        f"{MAX_IMPORT_BYTES // (1024 * 1024)} MB."
    )


def loads(raw: bytes, limit: int | None = None) -> Any:
    """Strict JSON from bytes, read by the shared reader: 413 over ``limit`` (default MAX_IMPORT_BYTES);
    400 for non-UTF-8, malformed, too deep (the server's JSON depth limit), NaN or duplicate keys."""
    limit = MAX_IMPORT_BYTES if limit is None else limit
    if len(raw) > limit:
        raise too_large(len(raw))
    try:
        return safejson.loads(raw, what="The file", max_depth=int(settings.TESSERA_MAX_JSON_DEPTH))
    except safejson.JSONRefused as exc:
        raise ParseError(exc.message) from None


@dataclass(frozen=True)
class ImportFile:
    document: Any
    name: str
    description: str
    source: dict[str, Any]
    exported_at: str
    components: list[Any] = dataclasses.field(default_factory=list)


def _problem(path: str, message: str) -> dict[str, Any]:
    return {
        "code": "format",
        "message": message,
        "node": None,
        "port": None,
        "param": None,
        "column": None,
        "path": path,
    }


def read_import(content: Any) -> ImportFile:
    """The document and metadata of an export file (or of a bare document), or 400 listing what is wrong."""
    if not isinstance(content, dict):
        raise Unprocessable("The file is not a Tessera pipeline export: it must hold a JSON object.")
    if "document" not in content:
        if "nodes" in content:  # a bare pipeline document
            return ImportFile(document=content, name="", description="", source={}, exported_at="")
        raise Unprocessable(
            "The file is not a Tessera pipeline export: it has neither a 'document' nor a 'nodes' field."
        )
    problems = [
        _problem(str(k), f"Unknown field '{k}' in the export file; allowed: {', '.join(_ENVELOPE_FIELDS)}.")
        for k in content
        if k not in _ENVELOPE_FIELDS
    ]
    if content.get("format", FORMAT) != FORMAT:
        problems.append(_problem("format", f"The file's format is {content.get('format')!r}, not '{FORMAT}'."))
    version = content.get("format_version", FORMAT_VERSION)
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= FORMAT_VERSION:
        problems.append(
            _problem(
                "format_version",
                f"The export format version is {version!r}; this server reads versions 1 to {FORMAT_VERSION}.",
            )
        )
    for key, limit in (("name", 200), ("description", 10000), ("exported_at", 64)):
        value = content.get(key, "")
        if not isinstance(value, str) or len(value) > limit:
            problems.append(_problem(key, f"'{key}' must be a string of at most {limit} characters."))
    for key, kind in (("source", dict), ("modules", list), ("components", list)):
        if not isinstance(content.get(key, kind()), kind):
            problems.append(_problem(key, f"'{key}' must be {'an object' if kind is dict else 'a list'}."))
    if problems:
        raise Unprocessable("The export file is malformed; nothing was imported.", problems=problems)
    source = content.get("source", {})
    return ImportFile(
        document=content["document"],
        name=content.get("name", "").strip(),
        description=content.get("description", ""),
        source={k: source[k] for k in ("pipeline", "version") if isinstance(source.get(k), int)},
        exported_at=content.get("exported_at", ""),
        components=list(content.get("components", [])),
    )
