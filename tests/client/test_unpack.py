"""`pipeline export-script` unpacks the server's zip into the chosen directory, and nowhere else."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from tessera_client.errors import TesseraError
from tessera_client.exports import unpack


def _zip(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def test_a_zip_is_unpacked_into_the_directory(tmp_path):
    names = unpack(_zip({"pipeline.py": "print(1)\n", "data/README.md": "inputs\n"}), tmp_path / "out")

    assert names == ["pipeline.py", "data/README.md"]
    assert (tmp_path / "out" / "pipeline.py").read_text() == "print(1)\n"
    assert (tmp_path / "out" / "data" / "README.md").read_text() == "inputs\n"


@pytest.mark.parametrize("evil", ["../escape.py", "/etc/escape.py", "a/../../escape.py"])
def test_a_member_outside_the_directory_unpacks_nothing(tmp_path, evil):
    with pytest.raises(TesseraError, match="outside the target directory; nothing unpacked"):
        unpack(_zip({"ok.py": "x\n", evil: "y\n"}), tmp_path / "out")

    assert not (tmp_path / "out").exists()
    assert not (tmp_path / "escape.py").exists()


def test_an_answer_that_is_not_a_zip_is_one_line():
    with pytest.raises(TesseraError, match="^The server's answer is not a zip file.$"):
        unpack(b"<html>", Path("/nonexistent"))
