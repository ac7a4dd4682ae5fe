"""A pipeline version or a run as code: the server's zip (script, notebook, data) unpacked into a folder."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

from ._http import Session
from .errors import TesseraError


def export_script(
    session: Session, route: str, directory: str | Path, params: dict[str, Any] | None = None
) -> list[str]:
    """Download the zip ``route`` answers and unpack it into ``directory``; the names of the files unpacked."""
    response = session.request("GET", route, params=params or {}, headers={"Accept": "application/zip, */*"})
    return unpack(response.content, Path(directory))


def unpack(data: bytes, directory: Path) -> list[str]:
    """Unpack a zip into ``directory``, refusing members that would land outside it (nothing is unpacked)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise TesseraError("The server's answer is not a zip file.") from None
    root = directory.resolve()
    names = []
    with archive:
        for member in archive.infolist():
            relative = PurePosixPath(member.filename)
            target = (root / relative).resolve()
            if relative.is_absolute() or ".." in relative.parts or not target.is_relative_to(root):
                raise TesseraError(
                    f"The zip holds '{member.filename}', outside the target directory; nothing unpacked."
                )
        root.mkdir(parents=True, exist_ok=True)
        for member in archive.infolist():
            archive.extract(member, root)
            if not member.is_dir():
                names.append(member.filename)
    return names
