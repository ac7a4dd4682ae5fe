"""With every reading option, the Arrow reader gives what ``read_delimited`` gives, or steps aside (``None``)
for the options it does not implement (a decimal comma, column type overrides, markers it cannot lower as
Python does). Small inputs with ``min_bytes=0``, as in test_fast_csv."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from modules.sdk.fast_csv import read_fast
from modules.sdk.textdata import TextDataError, read_delimited

EUROPEAN = "Stadt;Preis;Menge;Code\nKöln;1,5;3;NA\nMünchen;-2,25;-;EU\nZürich;3;4;n/v\n"

# (data, options) both readers must read alike, the fast one itself.
READ: dict[str, tuple[bytes, dict[str, Any]]] = {
    "latin-1": (EUROPEAN.encode("latin-1"), {"delimiter": ";", "encoding": "latin-1"}),
    "cp1252": ("a;b\n€;1\n„x“;2\n".encode("cp1252"), {"delimiter": ";", "encoding": "cp1252"}),
    "utf-16 with BOM": ("a,b\nx,1\ny,2.5\n".encode("utf-16"), {"encoding": "utf-16"}),
    "utf-8 named": ("a,b\nä,1\n".encode(), {"encoding": "UTF8"}),
    "markers replaced": (EUROPEAN.encode(), {"delimiter": ";", "missing_values": ["-", "n/v"]}),
    "markers empty list": (b"a,b\nNA,1\n,2\n", {"missing_values": []}),
    "markers any case": (b"a,b\nMISSING,1\n3,missing\n", {"missing_values": ["Missing"]}),
    "pipe delimiter": (b"a|b\n1|x\n2|y\n", {"delimiter": "|"}),
    "no header, latin-1": (
        "1;é\n2;è\n".encode("latin-1"),
        {"delimiter": ";", "has_header": False, "encoding": "latin-1"},
    ),
}

# (data, options) the fast reader leaves to read_delimited.
ASIDE: dict[str, tuple[bytes, dict[str, Any]]] = {
    "decimal comma": (EUROPEAN.encode(), {"delimiter": ";", "decimal": ","}),
    "column types": (b"a,b\n1,2\n3,4\n", {"column_types": {"a": "number"}}),
    "non-ASCII marker": ("a,b\nÖ,1\nö,2\n".encode(), {"missing_values": ["ö"]}),
    "marker with a k (the Kelvin sign lowers to one)": ("a,b\nk,1\n\u212a,2\n".encode(), {"missing_values": ["k"]}),
    "a delimiter beyond ASCII (Arrow splits at a byte)": ("a€b\n1€2\n".encode(), {"delimiter": "€"}),
    "bytes the encoding cannot decode": (b"a,b\n\xff\xfe\xfd,1\n", {"encoding": "utf-8"}),
}


def outcome(read: Any, data: bytes, options: dict[str, Any]) -> object:
    try:
        return read(data, **options)
    except TextDataError as exc:
        return exc


def fast(data: bytes, **options: Any) -> pd.DataFrame | None:
    return read_fast(data, min_bytes=0, **{"delimiter": ",", "has_header": True, **options})


def slow(data: bytes, **options: Any) -> pd.DataFrame:
    return read_delimited(data, **options)


@pytest.mark.parametrize("case", sorted(READ))
def test_the_fast_reader_reads_every_option_it_implements_as_read_delimited_does(case: str) -> None:
    data, options = READ[case]

    careful = outcome(slow, data, options)
    quick = outcome(fast, data, options)

    assert isinstance(careful, pd.DataFrame), careful
    assert isinstance(quick, pd.DataFrame), f"read_fast stepped aside or refused: {quick!r}"
    pd.testing.assert_frame_equal(quick, careful, check_exact=True)


@pytest.mark.parametrize("case", sorted(ASIDE))
def test_the_fast_reader_steps_aside_for_what_it_does_not_implement(case: str) -> None:
    data, options = ASIDE[case]

    assert outcome(fast, data, options) is None


def test_the_careful_reader_reads_what_the_fast_one_stepped_aside_from() -> None:
    data, options = ASIDE["non-ASCII marker"]

    df = slow(data, **options)

    assert df["a"].isna().tolist() == [True, True]


def test_markers_replaced_make_na_a_value_and_the_dash_missing_in_both_readers() -> None:
    data, options = READ["markers replaced"]

    df = fast(data, **options)

    assert df is not None
    assert df["Code"].tolist()[:2] == ["NA", "EU"]
    assert pd.isna(df["Code"][2])
    assert df["Menge"].tolist() == [3, pd.NA, 4]
