"""Zip archives for the tests: ordinary ones, and every hostile shape the zip port must refuse."""

from __future__ import annotations

import io
import warnings
import zipfile


def zip_of(files: dict[str, str | bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in files.items():
            zf.writestr(name, content)
    return buf.getvalue()


def zip_with_link(name: str, target: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("helpers.py", "x = 1\n")
        info = zipfile.ZipInfo(name)
        info.external_attr = (0o120777 << 16) | 0o644  # a Unix symbolic link
        zf.writestr(info, target)
    return buf.getvalue()


def zip_with_duplicate(name: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate it is asked to write
        zf.writestr(name, "first\n")
        zf.writestr(name, "second\n")
    return buf.getvalue()


def encrypted(data: bytes) -> bytes:
    """``data`` with every member marked encrypted (bit 0 of the flags, in the local and central headers).

    Python's zipfile cannot write encrypted members, so the flag is set on an ordinary archive.
    """
    out = bytearray(data)
    for signature, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = out.find(signature)
        while start != -1:
            out[start + flags_at] |= 0x01
            start = out.find(signature, start + 4)
    return bytes(out)
