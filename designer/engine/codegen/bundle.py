"""The export as one zip: the script, the notebook, the data and artifacts they read, requirements, a README."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from importlib import metadata

from .script import ExportedCode


def requirements(packages: Sequence[str], library: bool) -> str:
    """The packages a script imports, pinned to this server's versions: the same versions give the same numbers."""
    lines = [_pinned(name) for name in packages]
    if library:
        lines.append("# and the Tessera module library: pip install -e <your Tessera checkout>")
    return "\n".join(lines) + "\n"


def readme(name: str) -> str:
    return (
        f"# {name}\n\n"
        "Run `pip install -r requirements.txt`, then `python pipeline.py` in this folder (outputs land in "
        "`outputs/`);\nor open `pipeline.ipynb` in Jupyter and run all cells.\n"
    )


def zip_bytes(
    exported: ExportedCode, name: str, data: Mapping[str, bytes], artifacts: Mapping[str, bytes] | None = None
) -> bytes:
    """The zip: ``data`` maps paths such as ``data/data.parquet`` to bytes; ``artifacts`` digests to bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("pipeline.py", exported.script)
        zf.writestr("pipeline.ipynb", json.dumps(exported.notebook, indent=1, ensure_ascii=False) + "\n")
        zf.writestr("requirements.txt", requirements(exported.packages, bool(exported.library)))
        zf.writestr("README.md", readme(name))
        for path, content in sorted(data.items()):
            zf.writestr(path, content, compress_type=zipfile.ZIP_STORED)  # Parquet is compressed already
        for digest, content in sorted((artifacts or {}).items()):
            zf.writestr(f"artifacts/{digest}", content)
    return buffer.getvalue()


def _pinned(package: str) -> str:
    try:
        return f"{package}=={metadata.version(package)}"
    except metadata.PackageNotFoundError:
        return package
