"""Uploads registered by a worker: the request stores the file as it came and answers 202 at once; a Celery
worker parses, types, stores and profiles it exactly as ``services.create_dataset`` / ``add_version`` would
inside the request, and the registration says how it ended.

Why: a large CSV takes seconds to minutes to register (5 M rows: ~8 s here), which a proxy with a short
time-out cuts off, and which Daphne spends in the one thread that runs every synchronous view of its
process. The file waits in the artifact store (where a worker on another machine finds it), owned by no
workspace, and is removed once registered unless something else holds the same bytes (a zip is stored as
uploaded, so a file dataset's version is that very artifact).
"""

from __future__ import annotations

import dataclasses
import json
import logging
from pathlib import Path
from typing import Any

from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.exceptions import APIException

from designer.artifacts import artifact_store
from designer.artifacts.models import ArtifactOwnership
from designer.celery import app
from designer.errors import OUT_OF_SPACE_CAUSE, free_space, is_out_of_space, out_of_space_message
from designer.workspaces.models import Workspace

from . import services
from .models import Dataset, DatasetRegistration
from .options import ReadOptions

log = logging.getLogger(__name__)

REGISTER_UPLOAD = "tessera.register_upload"
R = DatasetRegistration


def options_json(options: ReadOptions) -> dict[str, Any]:
    return json.loads(json.dumps(dataclasses.asdict(options)))


def options_of(data: dict[str, Any]) -> ReadOptions:
    fields = {f.name for f in dataclasses.fields(ReadOptions)}
    values = {k: v for k, v in data.items() if k in fields}
    if values.get("missing_values") is not None:
        values["missing_values"] = tuple(values["missing_values"])
    return ReadOptions(**values)


def start(
    user: Any,
    workspace: Workspace,
    file: Any,
    *,
    name: str = "",
    description: str = "",
    options: ReadOptions | None = None,
    target: Dataset | None = None,
) -> DatasetRegistration:
    """Stage ``file`` and queue its registration: a new dataset ``name`` in ``workspace``, or the next version of
    ``target``. What can be checked without reading the file is checked here (the name free, the size within the
    limit), so that those refusals come back at once as they would inside the request."""
    source_name = Path(str(getattr(file, "name", "") or "upload")).name
    size = int(getattr(file, "size", 0) or 0)
    services.check_upload_size(source_name, size)
    if target is None:
        name = services.clean_name(name)
        services.refuse_duplicate(workspace, name)
    digest = _stage(file)
    try:
        with transaction.atomic():
            registration = R.objects.create(
                workspace=workspace,
                target=target,
                name=target.name if target is not None else name,
                description=description or "",
                options=options_json(options or ReadOptions()),
                source_name=source_name,
                staged_digest=digest,
                size_bytes=size,
                created_by=user,
            )
    except IntegrityError:  # another registration of a new dataset by this name is under way
        _discard(digest)
        raise services.duplicate_name(name) from None
    try:
        app.send_task(REGISTER_UPLOAD, args=[registration.pk])
    except Exception as exc:  # the broker is down: nothing is left behind, and the caller is told
        log.exception("could not queue registration %s", registration.pk)
        registration.delete()
        _discard(digest)
        raise QueueUnavailable() from exc
    return registration


class QueueUnavailable(APIException):
    status_code = 503
    default_detail = "The upload could not be queued for a worker (the message broker did not answer); try again."
    default_code = "queue_unavailable"


def _stage(file: Any) -> str:
    """The upload into the artifact store as it came: moved there when Django spooled it to a temporary file."""
    store = artifact_store()
    path = getattr(file, "temporary_file_path", None)
    if callable(path):
        file.file.flush()
        return store.put_file(path())
    file.seek(0)
    return store.put_chunks(iter(lambda: file.read(1 << 20), b""))[0]


def register(pk: int) -> None:
    """The worker's side: read the staged file into its dataset; mark the registration completed or failed. A
    repeated message (a worker lost while registering hands it to another) registers at most once."""
    claimed = R.objects.filter(pk=pk, status__in=R.ACTIVE).update(status=R.RUNNING, started_at=timezone.now())
    if not claimed:
        return
    registration = R.objects.select_related("workspace", "target", "created_by").get(pk=pk)
    try:
        _read(registration)  # completes the registration in the transaction that records the version
    except services.AlreadyRegistered:
        return  # a message delivered twice: the other worker's outcome stands, and it discards the file
    except Exception as exc:  # every outcome is the registration's; none is lost
        status, body = _answer(exc)
        if status >= 500:
            log.exception("registration %s failed", pk)
        R.objects.filter(pk=pk, status=R.RUNNING).update(
            status=R.FAILED, error=body, error_status=status, finished_at=timezone.now()
        )
    finally:
        _discard(registration.staged_digest, registration=pk)


def _read(registration: DatasetRegistration) -> None:
    options = options_of(registration.options)
    with artifact_store().open(registration.staged_digest) as handle:
        file = File(handle, name=registration.source_name)
        file.size = registration.size_bytes
        if registration.target is not None:
            services.add_version(
                registration.created_by, registration.target, file, options=options, registration=registration.pk
            )
            return
        services.create_dataset(
            registration.created_by,
            registration.workspace,
            registration.name,
            file,
            description=registration.description,
            options=options,
            registration=registration.pk,
        )


def _answer(exc: Exception) -> tuple[int, dict[str, Any]]:
    """The status and body the same upload would have been answered with inside the request."""
    from designer.api import exception_handler

    if is_out_of_space(exc):
        log.error("registration of an upload: out of disk space (%s); free: %s", exc, free_space())
        return 507, {"detail": out_of_space_message(), "code": "insufficient_storage", "cause": OUT_OF_SPACE_CAUSE}
    response = exception_handler(exc, {})  # the API's own: None for anything it would answer 500
    if response is None:
        return 500, {"detail": f"The upload could not be registered: internal error ({type(exc).__name__})."}
    return response.status_code, json.loads(json.dumps(response.data, default=str))


def _discard(digest: str, registration: int | None = None) -> None:
    """Remove a staged file unless something holds the same bytes: a workspace (a zip's version is the upload
    itself, a run's output may equal it) or another registration not yet finished."""
    others = R.objects.filter(staged_digest=digest, status__in=R.ACTIVE)
    if registration is not None:
        others = others.exclude(pk=registration)
    if others.exists() or ArtifactOwnership.objects.filter(digest=digest).exists():
        return
    try:
        artifact_store().delete(digest)
    except OSError:  # left for an operator: it costs space, never correctness
        log.warning("could not remove the staged upload %s", digest, exc_info=True)


def dismiss(registration: DatasetRegistration) -> None:
    """Forget a finished registration (its dataset, if any, stays); a 409 while a worker may still read it."""
    if R.objects.filter(pk=registration.pk, status__in=R.ACTIVE).exists():
        raise StillRegistering()
    registration.delete()


class StillRegistering(APIException):
    status_code = 409
    default_detail = "The upload is still being registered; it can be dismissed once it has completed or failed."
    default_code = "still_registering"


def prefers_async(request: Any) -> bool:
    """``Prefer: respond-async`` (RFC 7240) among the request's preferences."""
    prefer = request.headers.get("Prefer", "")
    return any(p.split(";")[0].strip().lower() == "respond-async" for p in prefer.split(","))
