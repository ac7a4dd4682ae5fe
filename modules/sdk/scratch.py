"""Where large temporary files go: the spooled pieces of an upload or import read in pieces, a fetched body, a
query's rows. They can be as large as the data, so they belong on the data's disk, not in the system's temporary
folder, which is memory on many hosts (``/tmp`` is a tmpfs on Debian 13, Fedora and Arch): a table too large for
memory would fill memory there all the same.

``TESSERA_SCRATCH_DIR`` names the folder; the Django settings set it (``<TESSERA_DATA_DIR>/scratch`` unless the
operator chose another) for every process that loads them, the web app and the workers, so module code, which
does not import Django, reads it from the environment. Unset (module code used on its own): the system's folder.
"""

from __future__ import annotations

import os

SCRATCH_ENV = "TESSERA_SCRATCH_DIR"


def scratch_dir() -> str | None:
    """The folder for large temporary files, created when missing; ``None`` (``tempfile``'s default) when unset."""
    path = os.environ.get(SCRATCH_ENV, "").strip()
    if not path:
        return None
    os.makedirs(path, exist_ok=True)
    return path
