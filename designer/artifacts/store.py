"""The process's artifact store (``settings.TESSERA_ARTIFACT_STORE``), shared by datasets and runs."""

from __future__ import annotations

import functools

from django.conf import settings

from designer.engine.store import ArtifactStore, store_from_url


def artifact_store() -> ArtifactStore:
    """One store per configured URL and process (a changed setting, as in tests, gets its own)."""
    return _store_for(str(settings.TESSERA_ARTIFACT_STORE))


@functools.cache
def _store_for(url: str) -> ArtifactStore:
    return store_from_url(url)
