"""Requirement lines of an environment, checked without Django: what is refused, by line, and the content hash."""

from __future__ import annotations

from modules.library.python_language._requirements import content_hash, line_for, problems


def messages(lines: list[str], base: str = "worker") -> list[str]:
    return [p.message for p in problems(lines, base)]


def test_control_characters_and_a_repeated_name_are_refused_by_line() -> None:
    assert messages(["numpy", "pan\x01das", "numpy>1"]) == [
        "requirement line 2 ('pan\\\\x01das'): control characters are not allowed",
        "requirement line 3 ('numpy>1'): names numpy again (line 1); merge them into one line",
    ]


def test_lines_split_by_markers_may_name_a_package_twice_and_comments_are_skipped() -> None:
    lines = ["# pinned per Python", 'numpy<2; python_version < "3.10"', 'numpy>=2; python_version >= "3.10"', ""]
    assert messages(lines) == []
    assert line_for(lines, "NumPy>=2") == (2, 'numpy<2; python_version < "3.10"')


def test_base_none_must_list_the_runners_packages() -> None:
    assert messages(["tabulate"], base="none") == [
        "requirement lines: an environment with base 'none' must list pandas and pyarrow (the script's tables "
        "travel as pandas DataFrames through Parquet); or use base 'worker'"
    ]
    assert messages(["pandas==3.1.1", "pyarrow"], base="none") == []


def test_the_hash_ignores_blanks_and_comments_but_not_order_or_base() -> None:
    assert content_hash("worker", ["a==1", "", "# x", " b "]) == content_hash("worker", ["a==1", "b"])
    assert content_hash("worker", ["a==1", "b"]) != content_hash("worker", ["b", "a==1"])
    assert content_hash("worker", ["a==1"]) != content_hash("none", ["a==1"])
