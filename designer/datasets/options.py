"""How an upload's delimited text is read: the options a user may set, checked, and the ones a reading used.

Each option left unset keeps today's guess (the delimiter from the name and first line, UTF-8, the default
missing-value markers, ``.`` decimals, types inferred per column); nothing here reads a file.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from rest_framework.exceptions import ValidationError

from modules.sdk.stream_csv import TextOptions
from modules.sdk.textdata import COLUMN_TYPES, DECIMALS, MISSING_MARKERS, TextDataError, check_encoding

#: Names a form may send for a delimiter that is awkward to type (a tab in a shell, for one).
DELIMITER_NAMES = {"comma": ",", "semicolon": ";", "tab": "\t", "\\t": "\t", "pipe": "|", "space": " "}


@dataclass(frozen=True)
class ReadOptions:
    """What the user chose; ``None`` means "guess" (delimiter) or "the default" (missing_values)."""

    delimiter: str | None = None
    has_header: bool = True
    encoding: str = "utf-8"
    missing_values: tuple[str, ...] | None = None
    decimal: str = "."
    column_types: dict[str, str] = field(default_factory=dict)

    def with_delimiter(self, delimiter: str) -> ReadOptions:
        return replace(self, delimiter=delimiter)

    def text(self) -> TextOptions:
        """The options the readers take, once the delimiter is known (``with_delimiter``)."""
        if self.delimiter is None:
            raise ValueError("the delimiter is not known yet")
        return TextOptions(
            delimiter=self.delimiter,
            has_header=self.has_header,
            encoding=self.encoding,
            missing_values=self.missing_values,
            decimal=self.decimal,
            column_types=self.column_types,
        )

    def used(self) -> dict[str, Any]:
        """The options as a reading applied them (the guessed delimiter, the markers in force), for the preview."""
        markers = sorted(MISSING_MARKERS) if self.missing_values is None else list(self.missing_values)
        return {
            "delimiter": self.delimiter,
            "has_header": self.has_header,
            "encoding": self.encoding,
            "missing_values": markers,
            "decimal": self.decimal,
            "column_types": dict(self.column_types),
        }


def delimiter_of(value: str) -> str:
    """One character (or one of ``DELIMITER_NAMES``) that can split fields: not a quote or a line break."""
    value = DELIMITER_NAMES.get(value.lower(), value) if len(value) > 1 else value
    if len(value) != 1:
        raise ValidationError(f"give one character (or comma, semicolon, tab, pipe, space), not {value!r}")
    if value in '"\r\n' or value.isalnum():
        raise ValidationError(f"{value!r} cannot separate fields; choose , ; tab | or another mark")
    return value


def encoding_of(value: str) -> str:
    try:
        check_encoding(value)
    except TextDataError as exc:
        raise ValidationError(exc.message) from None
    return value


def decimal_of(value: str) -> str:
    if value not in DECIMALS:
        raise ValidationError(f"the decimal separator must be '.' or ',', not {value!r}")
    return value


def column_types_of(value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise ValidationError('give an object of column names to types, e.g. {"price": "number"}')
    wrong = {k: v for k, v in value.items() if v not in COLUMN_TYPES}
    if wrong:
        name, kind = next(iter(wrong.items()))
        raise ValidationError(f"column {name!r}: {kind!r} is not a type; choose one of {', '.join(COLUMN_TYPES)}")
    return dict(value)


def missing_values_of(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError('give a list of text markers, e.g. ["NA", "-"]')
    return tuple(dict.fromkeys(v.strip() for v in value))
