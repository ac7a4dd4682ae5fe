"""Which formats a registered model version has, and how an exporter adds one.

Every version has ``native`` (the artifact it was registered with). An exporter (ONNX in
``designer.onnx_export``, the scoring bundle) stores its file in the artifact store and calls
:func:`record_format`; the registry's API lists :func:`formats_of` and serves each file at
``GET /api/models/{id}/formats/{format}/``. Nothing else is needed to plug a new format in.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from designer.artifacts import services as ownership

from .models import ModelFormat, RegisteredModel

NATIVE = "native"


def record_format(
    model: RegisteredModel,
    format: str,
    data: bytes,
    *,
    filename: str,
    content_type: str = "application/octet-stream",
    detail: dict[str, Any] | None = None,
    user: Any = None,
) -> ModelFormat:
    """Store ``data`` as ``model``'s file in ``format`` (replacing an earlier one) and give it to its workspace."""
    from designer.artifacts import artifact_store

    if format == NATIVE or not format.isidentifier() or len(format) > 32:
        raise ValueError(f"not a format name: {format!r}")
    digest = artifact_store().put(data)
    with transaction.atomic():
        ownership.grant(model.workspace_id, [digest], ownership.Source.MODEL)
        row, _ = ModelFormat.objects.update_or_create(
            model=model,
            format=format,
            defaults={
                "artifact": digest,
                "filename": filename[:255],
                "content_type": content_type,
                "size": len(data),
                "detail": detail or {},
                "created_by": user if getattr(user, "is_authenticated", False) else None,
            },
        )
    return row


def formats_of(model: RegisteredModel) -> list[dict[str, Any]]:
    """``native`` first, then each exported format: name, artifact, size, when, and what the exporter noted."""
    found: list[dict[str, Any]] = [
        {"format": NATIVE, "artifact": model.artifact, "filename": "", "size": None, "created_at": model.created_at}
    ]
    rows = model.formats.all() if hasattr(model, "_prefetched_objects_cache") else model.formats.order_by("format")
    for row in rows:
        found.append(
            {
                "format": row.format,
                "artifact": row.artifact,
                "filename": row.filename,
                "size": row.size,
                "created_at": row.created_at,
                "detail": row.detail,
            }
        )
    return found
