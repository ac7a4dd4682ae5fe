"""Watching a file be read in pieces: its whole-file readers made to fail the test, the piece reader's careful
parser spied on."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from modules.sdk import stream_csv


def read_in_pieces_only(monkeypatch: pytest.MonkeyPatch, *whole: tuple[Any, str]) -> list[int]:
    """Each ``(module, name)`` of ``whole`` (a reader of whole files) fails the test if called; the lengths of the
    texts ``stream_csv``'s careful parser is given, piece by piece, are appended to the list returned."""

    def refused(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the file was read whole")

    for module, name in whole:
        monkeypatch.setattr(module, name, refused)
    sizes: list[int] = []
    real = stream_csv.read_delimited

    def careful(text: str, **kwargs: Any) -> pd.DataFrame:
        sizes.append(len(text))
        return real(text, **kwargs)

    monkeypatch.setattr(stream_csv, "read_delimited", careful)
    return sizes
