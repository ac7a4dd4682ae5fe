"""Scoring bundles of endpoints: the served document and its artifacts, packed by ``designer.engine.bundle``."""

from __future__ import annotations

import tempfile
from typing import IO

from designer.api import Unprocessable
from designer.artifacts import artifact_store
from designer.engine.bundle.build import BundleRefused, BundleSource, build_bundle, bundle_name, bundle_refusal
from modules.sdk import default_registry

from .models import Endpoint

MEDIA_TYPE = "application/gzip"


class CannotBundle(Unprocessable):
    """422: the endpoint's pipeline cannot leave Tessera as a bundle; ``problems`` name the node."""

    status_code = 422


def bundle_available(endpoint: Endpoint) -> tuple[bool, str]:
    """Whether the endpoint can be downloaded as a scoring bundle, and if not, why (no artifact is read)."""
    refusal = bundle_refusal(endpoint.document, default_registry())
    return (True, "") if refusal is None else (False, refusal.message)


def scoring_bundle(endpoint: Endpoint) -> tuple[IO[bytes], str]:
    """The bundle as an open temporary file positioned at its start, and its file name."""
    source = BundleSource(
        endpoint=endpoint.name,
        revision=endpoint.revision,
        pipeline=endpoint.pipeline.name if endpoint.pipeline is not None else "",
        pipeline_version=endpoint.version_number,
        document=endpoint.document,
        inputs=list(endpoint.inputs),
        outputs=list(endpoint.outputs),
        example=dict(endpoint.example),
        example_response=dict(endpoint.example_response),
        description=endpoint.description,
    )
    out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    try:
        build_bundle(source, default_registry(), artifact_store().get, out)
    except BundleRefused as exc:
        out.close()
        raise CannotBundle(
            f"This endpoint cannot be exported as a scoring bundle: {exc.message}", exc.problems
        ) from None
    out.seek(0)
    return out, f"{bundle_name(endpoint.name)}.tar.gz"
