"""A delimited upload larger than memory, read in pieces and typed as the whole file would be.

``read_upload`` reads a file up to ``TESSERA_DATASET_PARTITION_BYTES`` whole (``read_fast``, else
``read_delimited``). A larger one is cut into pieces of about ``piece_chars`` bytes, each ending at a record's
end, and each piece is parsed by the same two parsers, given the file's header and the line it starts on, so
every error names the file's own line. Where the pieces are cut:

- on the bytes, at the last line break outside quotes, when the codec keeps ASCII bytes ASCII (UTF-8,
  single-byte codecs) and every quote opens or closes a field (``fast_csv._quoting``, the check Arrow's
  reader needs anyway): a line break is then inside a quoted field exactly when an odd number of quotes
  comes before it. No decoding, no Python string per line;
- otherwise (a stray quote, ``a, "b"``, UTF-16...) by Python's ``csv`` reader with the careful parser's own
  settings, which ends records where the careful parser does, over the text decoded a block at a time.

A column's type depends on every value in it, so the pieces are typed in two passes:

1. each piece is parsed and spooled to a temporary Arrow file, noting what its values allow: integers
   within 64 bits, numbers, true/false, text, text that is all integers beyond 64 bits, or nothing but
   missing values;
2. the file's type of each column follows from those notes in the rules' own order (every value an
   integer within 64 bits: integer; every value a number: number; every value true/false: boolean; else
   text), and each spooled piece is brought to it: integers widened to floats, an all-missing column
   given the type, and, where the file's type is text but a piece read numbers or flags, that piece parsed
   again from the file with the column as text (its values as spelled).

So the pieces, one after the other, are the frame the whole file gives (the tests compare them on messy
files cut into pieces of a few bytes, both ways), and memory holds about one piece at a time. The file is
read once, or twice when a piece must be parsed again; the spool takes about the table's size on disk.

Most large files keep each column's type from first row to last, and for them the second pass and the spool
are wasted: ``pieces_read_once`` gives each piece as soon as it is parsed, typed as the pieces so far type
the file, and raises ``Retyped`` when a later piece changes a column's type (a caller then drops what it
wrote and reads the file again with ``typed_pieces``). Large uploads and Import Data read that way first.
A piece after the first is parsed without the header put in front of it (``read_fast``'s ``names``), and its
bytes are the buffer they were read into, cut short in place: no copy of a whole piece.
"""

from __future__ import annotations

import codecs
import csv
import io
import tempfile
from collections.abc import Callable, Collection, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from .fast_csv import _SCAN, BOM, _quoting, read_fast
from .scratch import scratch_dir
from .textdata import (
    _INT,
    _refuse_data_as_header,
    check_encoding,
    is_blank,
    read_delimited,
    records,
    undecodable,
)

#: Bytes decoded at a time.
_BLOCK = 1 << 20

#: What a piece's column allows (see the module's docstring); "empty": only missing values.
INTEGER, NUMBER, BOOLEAN, DATE, TEXT, BIG_INTEGERS, EMPTY = (
    "integer",
    "number",
    "boolean",
    "date",
    "text",
    "big integers",
    "empty",
)

#: The dtype each type reads as (``read_delimited``'s).
_DTYPES = {INTEGER: "Int64", NUMBER: "float64", BOOLEAN: "boolean", DATE: "datetime64[ns]", TEXT: "str"}


@dataclass(frozen=True)
class TextOptions:
    """How the text is read: ``read_delimited``'s options."""

    delimiter: str
    has_header: bool = True
    encoding: str = "utf-8"
    missing_values: Collection[str] | None = None
    decimal: str = "."
    column_types: Mapping[str, str] | None = None

    def parser_kwargs(self) -> dict[str, object]:
        """``read_fast``'s and ``read_delimited``'s keywords but the encoding (a piece says its own)."""
        return {
            "delimiter": self.delimiter,
            "has_header": self.has_header,
            "missing_values": self.missing_values,
            "decimal": self.decimal,
            "column_types": self.column_types,
        }


@dataclass(frozen=True)
class Piece:
    data: bytes | bytearray  # whole records, in ``codec``
    codec: str
    first_line: int  # the physical line it starts on
    newlines: int = 0  # b"\n" bytes before it in the file (a refused byte's line, as read_delimited counts it)
    offset: int = 0  # bytes before it (after a UTF-8 BOM)
    quoting: str | None = None  # how it quotes, when the cut already looked (``fast_csv._quoting``)


class _Irregular(Exception):
    """The bytes cannot be cut safely at line breaks (quotes ``csv`` and a byte count could read apart)."""


class Retyped(Exception):
    """``pieces_read_once``: a later piece changed the type of a column whose earlier pieces were already given
    (or the bytes could not be cut after all): what was given must be dropped and the file read by
    ``typed_pieces``."""


def typed_pieces(
    open_file: Callable[[], BinaryIO],
    options: TextOptions,
    *,
    piece_chars: int,
    spool_dir: str | Path | None = None,
) -> Iterator[pd.DataFrame]:
    """The file's table, piece by piece, typed as ``read_delimited`` types the whole file; ``TextDataError`` as
    it raises it, all of them before the first piece is given (the whole file is parsed first).

    ``open_file`` opens the file from its start (again for a second pass, or when the bytes must be cut by
    ``csv`` after all). The parsed pieces wait for the second pass in a folder under ``spool_dir`` (by default
    the scratch folder, ``scratch.py``)."""
    with tempfile.TemporaryDirectory(prefix="tessera-pieces-", dir=spool_dir or scratch_dir()) as spool:
        reading = _Reading(open_file, options, piece_chars, Path(spool))
        reading.first_pass()
        yield from reading.second_pass()


def pieces_read_once(
    open_file: Callable[[], BinaryIO], options: TextOptions, *, piece_chars: int
) -> Iterator[pd.DataFrame]:
    """``typed_pieces``' pieces in one pass, with no spool: each piece is given as soon as it is parsed, typed as
    the pieces so far type the file, which is the whole file's typing when a later piece does not change a
    column's type (the common case: a large table's columns keep one type throughout). When one does,
    ``Retyped`` is raised: the caller drops what it was given and reads the file with ``typed_pieces``. Every
    ``TextDataError`` of the whole file is raised before the generator ends (so a caller writing the pieces
    keeps nothing unless it ran to its end), but not before the first piece is given."""
    reading = _Reading(open_file, options, piece_chars, spool=None)
    yield from reading.once()


class _Reading:
    def __init__(
        self, open_file: Callable[[], BinaryIO], options: TextOptions, piece_chars: int, spool: Path | None
    ) -> None:
        self.open_file = open_file
        self.options = options
        self.piece_chars = max(int(piece_chars), 1)
        self.spool = spool
        self.codec = check_encoding(options.encoding)
        self.by_bytes = _cuts_at_bytes(self.codec, options.delimiter)
        self.overrides = dict(options.column_types or {})
        self.header: list[str] = []
        self.header_line = 1
        self.kinds: list[dict[str, str]] = []  # per spooled piece: column -> what it allows
        self.file_kinds: dict[str, str] = {}

    # -- the two passes ---------------------------------------------------------------------------------

    def first_pass(self) -> None:
        try:
            self._spool_all()
        except _Irregular:
            self.by_bytes, self.kinds = False, []
            self._spool_all()
        self.file_kinds = {
            name: _file_kind({kinds[name] for kinds in self.kinds})
            for name in self.header
            if name not in self.overrides
        }
        self._refuse_data_as_header()

    def _refuse_data_as_header(self) -> None:
        if self.options.has_header:  # on the file's types, as the whole file's reading checks it
            kinds = {**self.file_kinds, **self.overrides}
            empty = pd.DataFrame({name: pd.Series([], dtype=_DTYPES[kinds[name]]) for name in self.header})
            _refuse_data_as_header(self.header, empty)

    def once(self) -> Iterator[pd.DataFrame]:
        """``pieces_read_once``: each piece parsed, checked against the types so far, fitted and given."""
        allowed: dict[str, set[str]] = {}
        given = False
        try:
            with self.open_file() as binary:
                for index, piece in enumerate(self._pieces(binary)):
                    df = self._parse(index, piece)
                    if df is None:
                        continue
                    if index == 0:
                        self.header = [str(c) for c in df.columns]
                        allowed = {name: set() for name in self.header if name not in self.overrides}
                    kinds = {name: _allows(df[name]) for name in allowed}
                    for name, kind in kinds.items():
                        allowed[name].add(kind)
                    file_kinds = {name: _file_kind(seen) for name, seen in allowed.items()}
                    if given and file_kinds != self.file_kinds:
                        changed = sorted(n for n in file_kinds if file_kinds[n] != self.file_kinds[n])
                        raise Retyped(f"a later piece changed the type of {', '.join(map(repr, changed))}")
                    self.file_kinds = file_kinds
                    again = self._as_text(kinds)
                    if again:  # the file's type is text, this piece read numbers or flags: its values as spelled
                        df = self._parse(index, piece, as_text=again)
                        assert df is not None
                        kinds = {**kinds, **dict.fromkeys(again, TEXT)}
                    yield self._fitted(df, kinds)
                    given = True
        except _Irregular:
            raise Retyped("the bytes cannot be cut at line breaks") from None
        self._refuse_data_as_header()

    def _spool_all(self) -> None:
        self.spooled_as: list[int | None] = []  # per piece: the spool it went to (None: blank lines only)
        with self.open_file() as binary, ThreadPoolExecutor(1, "tessera-spool") as pool:
            spooled: list[Future[None]] = []  # each piece written out on a second thread while the next is parsed
            for index, piece in enumerate(self._pieces(binary)):
                df = self._parse(index, piece)
                self.spooled_as.append(None if df is None else len(self.kinds))
                if df is None:
                    continue
                if index == 0:
                    self.header = [str(c) for c in df.columns]
                if spooled:
                    spooled.pop().result()
                spooled.append(pool.submit(_spool, df, self._spooled(len(self.kinds))))
                self.kinds.append({name: _allows(df[name]) for name in self.header if name not in self.overrides})
            for future in spooled:
                future.result()

    def second_pass(self) -> Iterator[pd.DataFrame]:
        again = [self._as_text(kinds) for kinds in self.kinds]
        if not any(again):
            for index, kinds in enumerate(self.kinds):
                yield self._fitted(_unspool(self._spooled(index)), kinds)
            return
        with self.open_file() as binary:  # the same pieces again: those to read as text are parsed anew
            for raw, piece in enumerate(self._pieces(binary)):
                index = self.spooled_as[raw]
                if index is None:
                    continue
                if again[index]:
                    df = self._parse(raw, piece, as_text=again[index])
                    assert df is not None
                    kinds = {**self.kinds[index], **dict.fromkeys(again[index], TEXT)}
                else:
                    df, kinds = _unspool(self._spooled(index)), self.kinds[index]
                yield self._fitted(df, kinds)

    # -- pieces -----------------------------------------------------------------------------------------

    def _pieces(self, binary: BinaryIO) -> Iterator[Piece]:
        return self._byte_pieces(binary) if self.by_bytes else self._text_pieces(binary)

    def _byte_pieces(self, binary: BinaryIO) -> Iterator[Piece]:
        """Pieces cut at a line break outside quotes, found on the bytes (no decoding, no ``csv``): where every
        quote opens or closes a field (``fast_csv``'s check), a line break is inside a quoted field exactly when
        an odd number of quotes comes before it. Anything else raises ``_Irregular``."""
        # A piece's bytes are the bytearray they were read into, cut short in place: no copy of a whole piece.
        held, offset, newlines, line, first = bytearray(), 0, 0, 1, True
        while True:
            data = binary.read(self.piece_chars)
            more = bool(data)
            if first:
                first = False
                if self.codec == "utf-8" and data.startswith(BOM):
                    data = data[len(BOM) :]
            held += data
            if more and len(held) < self.piece_chars:
                continue
            records = (2 if self.options.has_header else 1) if offset == 0 else 0
            found = _cut(held, self.options.delimiter, records) if more else (len(held), None)
            if found is None:
                if len(held) > 4 * self.piece_chars:
                    raise _Irregular  # no line break outside quotes: a field or line this long is csv's to find
                continue
            cut, quoting = found
            piece, held = held, held[cut:]
            del piece[cut:]
            if piece:
                yield Piece(piece, self.codec, line, newlines, offset, quoting)
                offset += len(piece)
                breaks = _count(piece, b"\n")
                returns = _count(piece, b"\r") - piece.count(b"\r\n") if b"\r" in piece else 0
                newlines, line = newlines + breaks, line + breaks + returns
            elif offset == 0 and not more:
                yield Piece(b"", self.codec, 1)  # an empty file: its first piece says so
            if not more:
                return

    def _text_pieces(self, binary: BinaryIO) -> Iterator[Piece]:
        """Pieces of whole records as Python's ``csv`` reader (the careful parser's settings) ends them: for any
        quoting, and codecs whose bytes may hold a line break's byte inside a character."""
        lines: list[str] = []
        size = 0

        def feed() -> Iterator[str]:
            nonlocal size
            for line in _lines(binary, self.codec):
                lines.append(line)
                size += len(line)
                yield line

        reader = csv.reader(feed(), delimiter=self.options.delimiter, skipinitialspace=True, strict=True)
        first_line, rows, yielded = 1, 0, False
        for _, record in records(reader):
            if is_blank(record):
                continue  # a blank line: the parser skips it too (or, first in a file with a header, refuses it)
            rows += 1
            if size >= self.piece_chars and (yielded or rows > 1 or not self.options.has_header):
                yield Piece("".join(lines).encode("utf-8"), "utf-8", first_line)
                lines.clear()
                first_line, rows, size, yielded = reader.line_num + 1, 0, 0, True
        if rows or not yielded:  # the first piece always: its parse says what is wrong with an empty file
            yield Piece("".join(lines).encode("utf-8"), "utf-8", first_line)

    def _parse(self, index: int, piece: Piece, as_text: Collection[str] = ()) -> pd.DataFrame | None:
        """The piece as the parsers read it (the first one as a file of its own); ``as_text``: columns read as text.
        ``None`` for a later piece of blank lines only."""
        options = self.options
        kwargs = options.parser_kwargs()
        if as_text:
            kwargs["column_types"] = {**self.overrides, **dict.fromkeys(as_text, TEXT)}
        if index == 0:
            fast = read_fast(
                piece.data,
                encoding=piece.codec,
                refuse_data_as_header=False,
                quoting=piece.quoting,
                **kwargs,  # type: ignore[arg-type]
            )
            if fast is None:
                fast = read_delimited(self._text(piece), refuse_data_as_header=False, **kwargs)  # type: ignore[arg-type]
            self._find_header(piece)
            return fast
        fast = read_fast(
            piece.data,
            encoding=piece.codec,
            refuse_data_as_header=False,
            quoting=piece.quoting,
            names=self.header,
            **kwargs,  # type: ignore[arg-type]
        )
        if fast is not None and [str(c) for c in fast.columns] == self.header:
            return fast
        text = self._text(piece)
        if not text.strip():
            return None
        df = read_delimited(
            text,
            refuse_data_as_header=False,
            header=self.header,
            first_line=piece.first_line,
            header_line=self.header_line,
            **kwargs,  # type: ignore[arg-type]
        )
        return df if len(df) else None  # lines that are blank once stripped

    def _text(self, piece: Piece) -> str:
        """The piece decoded; a byte that is not text refused as the whole file's reading refuses it."""
        try:
            return piece.data.decode(piece.codec)
        except UnicodeDecodeError as exc:
            line = piece.newlines + piece.data.count(b"\n", 0, exc.start) + 1
            raise undecodable(piece.codec, piece.data[exc.start], line, piece.offset + exc.start) from None

    def _find_header(self, piece: Piece) -> None:
        """The header record's line (without a header: the first record's), from the first piece."""
        text = piece.data[: 1 << 22].decode(piece.codec, errors="replace").removeprefix("\ufeff")
        lines: list[str] = []

        def feed() -> Iterator[str]:
            for line in io.StringIO(text, newline=""):
                lines.append(line)
                yield line

        reader = csv.reader(feed(), delimiter=self.options.delimiter, skipinitialspace=True, strict=True)
        for _, record in records(reader):
            if is_blank(record):
                lines.clear()
                continue
            self.header_line = reader.line_num - len(lines) + 1
            return

    # -- types ------------------------------------------------------------------------------------------

    def _as_text(self, kinds: dict[str, str]) -> list[str]:
        """The columns of a piece to parse again as text: the file's type is text, the piece read them otherwise."""
        read_as_text = (TEXT, EMPTY, BIG_INTEGERS)
        return [name for name, kind in kinds.items() if self.file_kinds[name] == TEXT and kind not in read_as_text]

    def _fitted(self, df: pd.DataFrame, kinds: dict[str, str]) -> pd.DataFrame:
        """``df`` with every column of the file's type (see the module's docstring)."""
        changed = {
            name: _fit(df[name], kinds[name], self.file_kinds[name])
            for name in kinds
            if kinds[name] != self.file_kinds[name]
        }
        return df.assign(**changed) if changed else df

    def _spooled(self, index: int) -> Path:
        assert self.spool is not None
        return self.spool / f"{index:08d}.arrow"


def _count(data: bytes | bytearray, byte: bytes) -> int:
    """How many times ``byte`` occurs in ``data``: numpy's compare a megabyte at a time, about three times as
    fast as ``bytes.count`` on a piece of tens of megabytes."""
    array = np.frombuffer(data, dtype=np.uint8)
    value = byte[0]
    return sum(int(np.count_nonzero(array[s : s + _SCAN] == value)) for s in range(0, len(array), _SCAN))


def _cuts_at_bytes(codec: str, delimiter: str) -> bool:
    """Whether pieces can be cut on the bytes: a one-byte ASCII delimiter, and a codec in which the bytes of
    ASCII (the line break and the quote among them) only ever mean those characters (UTF-8, single-byte codecs)."""
    if len(delimiter) != 1 or not delimiter.isascii() or delimiter in '"\r\n':
        return False
    if codec == "utf-8":
        return True
    ascii_bytes = bytes(range(128))
    try:
        same = ascii_bytes.decode(codec) == ascii_bytes.decode("ascii")
    except (UnicodeDecodeError, LookupError):
        return False
    return same and len(bytes(range(256)).decode(codec, errors="replace")) == 256


def _cut(data: bytes | bytearray, delimiter: str, records: int = 0) -> tuple[int, str] | None:
    """Where a piece of ``data`` ends, and how the piece quotes (``fast_csv._quoting``): after its last line break
    outside quotes, once ``records`` records that are not blank came before it; ``None`` when there is no such
    break yet; ``_Irregular`` when a quote before it does not open or close a field (a quote count then says
    nothing about where fields end)."""
    quoted = b'"' in data
    floor = 0
    if records:  # the first piece: the header and a row at least (its parse must not end the file early)
        begin, seen, at = 0, 0, -1
        while seen < records:
            at = data.find(b"\n", at + 1)
            if at < 0:
                return None
            if quoted and data.count(b'"', 0, at) % 2:
                continue  # a line break inside a quoted field
            seen += bool(data[begin:at].strip())
            begin = at + 1
        floor = at
    at = data.rfind(b"\n", floor)
    if at < 0:
        return None
    if quoted:
        before = data.count(b'"', 0, at)
        while before % 2:  # inside a quoted field: the line break before it, then
            previous = data.rfind(b"\n", floor, at)
            if previous < 0:
                return None
            before -= data.count(b'"', previous, at)
            at = previous
    cut = at + 1
    quoting = _quoting(memoryview(data)[:cut], delimiter) if quoted else "none"
    if quoting is None:
        raise _Irregular
    return cut, quoting


def _spool(df: pd.DataFrame, path: Path) -> None:
    import pyarrow as pa
    import pyarrow.feather as feather

    feather.write_feather(pa.Table.from_pandas(df, preserve_index=False), path, compression="uncompressed")


def _unspool(path: Path) -> pd.DataFrame:
    import pyarrow.feather as feather

    return feather.read_table(path, memory_map=True).to_pandas()


def _allows(series: pd.Series) -> str:
    """What a parsed column's values allow (its type; for text, whether it is only integers beyond 64 bits)."""
    dtype = series.dtype
    if isinstance(dtype, pd.Int64Dtype):
        return INTEGER
    if isinstance(dtype, pd.BooleanDtype):
        return BOOLEAN
    if pd.api.types.is_float_dtype(dtype):
        return NUMBER
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return DATE
    present = series.dropna()
    if present.empty:
        return EMPTY
    return BIG_INTEGERS if bool(present.astype(str).str.fullmatch(_INT).all()) else TEXT


def _file_kind(allowed: set[str]) -> str:
    """The whole file's type of a column, from what each piece's values allow: the rules' own order."""
    kinds = allowed - {EMPTY}
    if not kinds:
        return TEXT  # no value at all: a text column, as in a whole file
    if len(kinds) == 1 and kinds < {INTEGER, BOOLEAN, DATE}:
        return next(iter(kinds))
    if NUMBER in kinds and kinds <= {INTEGER, NUMBER, BIG_INTEGERS}:
        return NUMBER  # every value matches the number pattern: integers (of any size) do
    return TEXT  # integers beyond 64 bits are an identifier, as are mixtures


def _fit(series: pd.Series, kind: str, file_kind: str) -> pd.Series:
    """A piece's column brought to the file's type; text from numbers or flags is parsed again instead."""
    n = len(series)
    if kind == EMPTY:
        if file_kind == INTEGER:
            return pd.Series(pd.array([pd.NA] * n, dtype="Int64"), index=series.index)
        if file_kind == NUMBER:
            return pd.Series(np.full(n, np.nan), index=series.index, dtype="float64")
        if file_kind == BOOLEAN:
            return pd.Series(pd.array([pd.NA] * n, dtype="boolean"), index=series.index)
        return series
    if file_kind == NUMBER and kind == INTEGER:
        return series.astype("float64")
    if file_kind == NUMBER and kind == BIG_INTEGERS:
        floats = np.full(n, np.nan)
        present = series.notna().to_numpy()
        floats[present] = [float(v) for v in series[present]]  # Python's float(): the whole file's reading
        return pd.Series(floats, index=series.index, dtype="float64")
    if file_kind == TEXT and kind in (TEXT, BIG_INTEGERS):
        return series
    raise AssertionError(f"a piece's {kind} column cannot become {file_kind} without parsing it again")


def _lines(binary: BinaryIO, codec: str) -> Iterator[str]:
    """The file's text, line by line as ``io.StringIO(text, newline="")`` splits it (``csv``'s lines), decoded a
    block at a time; bytes that are not ``codec`` text are refused as ``read_delimited`` refuses them."""
    decoder = codecs.getincrementaldecoder(codec)()
    pending, offset, newlines, first = "", 0, 0, True
    while True:
        data = binary.read(_BLOCK)
        if first and offset == 0 and codec == "utf-8" and data.startswith(BOM):
            data = data[len(BOM) :]  # offsets are counted after it, as read_delimited counts them
        buffered = decoder.getstate()[0]
        try:
            text = decoder.decode(data, final=not data)
        except UnicodeDecodeError as exc:
            raw = bytes(exc.object)
            line = newlines + raw.count(b"\n", 0, exc.start) + 1
            raise undecodable(codec, raw[exc.start], line, offset - len(buffered) + exc.start) from None
        offset += len(data)
        newlines += data.count(b"\n")
        if first and text:
            text, first = text.removeprefix("\ufeff"), False
        parts = io.StringIO(pending + text, newline="").readlines()
        pending = ""
        if data and parts and (not parts[-1].endswith(("\n", "\r")) or parts[-1].endswith("\r")):
            pending = parts.pop()  # the rest of the line (or its "\n" after a "\r") is in the next block
        yield from parts
        if not data:
            return


__all__ = ["Retyped", "TextOptions", "pieces_read_once", "typed_pieces"]
