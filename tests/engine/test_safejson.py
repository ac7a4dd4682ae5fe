"""The shared reader of untrusted JSON: depth measured without recursion, before json.loads runs."""

from __future__ import annotations

import json
import math
import sys
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from designer.engine.safejson import JSONRefused, loads, nesting_depth


def depth_of(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((depth_of(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((depth_of(v) for v in value), default=0)
    return 0


tricky_text = st.text(alphabet=st.sampled_from('[]{}"\\/abc \n\u00e9\u2028'), max_size=12)
values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | tricky_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(tricky_text, inner, max_size=4),
    max_leaves=40,
)


@given(values)
def test_the_depth_of_any_json_value_is_measured_exactly_brackets_in_strings_aside(value: Any) -> None:
    for text in (json.dumps(value), json.dumps(value, ensure_ascii=False), json.dumps(value, indent=1)):
        assert nesting_depth(text.encode()) == depth_of(value)


@settings(max_examples=300)
@given(st.text(alphabet=st.sampled_from('[]{}"\\,:1 a'), max_size=60))
def test_the_decoder_never_nests_deeper_than_the_count_even_for_malformed_text(text: str) -> None:
    # json.loads's C scanner counts each level against the recursion limit: with room for only the
    # counted depth, malformed text must still fail as a syntax error, never as a RecursionError.
    counted = nesting_depth(text.encode())
    frames = len(_stack())
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(frames + counted + 30)
    try:
        json.loads(text)
    except json.JSONDecodeError:
        pass
    except RecursionError:  # pragma: no cover - the property under test
        pytest.fail(f"{text!r} recursed deeper than its counted depth {counted}")
    finally:
        sys.setrecursionlimit(old)


def test_the_recursion_check_above_can_fail() -> None:
    frames = len(_stack())
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(frames + 30)
    try:
        with pytest.raises(RecursionError):
            json.loads("[" * 200 + "]" * 200)
    finally:
        sys.setrecursionlimit(old)


def _stack() -> list[Any]:
    frames, frame = [], sys._getframe()
    while frame is not None:
        frames.append(frame)
        frame = frame.f_back  # type: ignore[assignment]
    return frames


@pytest.mark.parametrize(
    ("raw", "depth"),
    [
        (b"", 0),
        (b"1", 0),
        (b'"[[[{{{"', 0),
        (b'["\\"[", ["\\\\"]]', 2),
        (b'{"a\\\\": [[]], "b": "\\\\\\"]]]"}', 3),
        (b"[" * 100_000, 100_000),
        (b"]]]]", 0),
    ],
)
def test_depth_examples(raw: bytes, depth: int) -> None:
    assert nesting_depth(raw) == depth


def test_at_the_limit_a_body_is_read_and_one_level_more_is_refused() -> None:
    assert loads(b"[" * 64 + b"]" * 64, max_depth=64) is not None
    with pytest.raises(JSONRefused) as refused:
        loads(b"[" * 65 + b"]" * 65, max_depth=64)
    assert (refused.value.status, refused.value.code) == (400, "too_deep")
    assert refused.value.message == "The body nests arrays and objects more than 64 levels deep (the limit is 64)."


@pytest.mark.parametrize(
    ("raw", "code", "message"),
    [
        (
            b"[" * 5_000_000,
            "too_deep",
            "The body nests arrays and objects more than 100 levels deep (the limit is 100).",
        ),
        (
            b'{"a":' * 1_000_000,
            "too_deep",
            "The body nests arrays and objects more than 100 levels deep (the limit is 100).",
        ),
        (b"[]" * 2_500_000, "invalid", "The body is not valid JSON: Extra data (line 1, column 3)."),
        (
            b'"' + b"\\\\" * 2_500_000 + b'"',
            "invalid",
            "The body is not valid JSON: Extra data (line 1, column 5000003).",
        ),
    ],
    ids=["5M-open-brackets", "1M-open-objects", "2.5M-empty-arrays", "2.5M-escaped-backslashes"],
)
def test_a_hostile_body_is_refused_by_the_linear_checks(raw: bytes, code: str, message: str) -> None:
    # Deep bodies are refused by the pre-scan, before the recursive decoder runs (it would end in
    # RecursionError); flat ones by the decoder itself. What each costs: bench/hostile_json.py.
    with pytest.raises(JSONRefused) as refused:
        loads(raw + b"x", max_bytes=10_000_000)

    assert (refused.value.status, refused.value.code, refused.value.message) == (400, code, message)


@pytest.mark.parametrize(
    ("raw", "kwargs", "status", "code", "message"),
    [
        (b"x" * 11, {"max_bytes": 10}, 413, "too_large", "The body is 11 bytes; the limit is 10 bytes."),
        ("é" * 6, {"max_bytes": 10}, 413, "too_large", "The body is 12 bytes; the limit is 10 bytes."),
        ("x" * 11, {"max_bytes": 10}, 413, "too_large", "The body is over 10 bytes; the limit is 10 bytes."),
        (b'{"a": "\xff"}', {}, 400, "not_utf8", "The body is not UTF-8 text (byte 0xff at position 7)"),
        (b'{"a": 1, "a": 2}', {}, 400, "duplicate_key", "the key 'a' appears twice in one object"),
        (b"[NaN]", {}, 400, "invalid", "NaN is not a JSON number"),
        (b"[-Infinity]", {}, 400, "invalid", "-Infinity is not a JSON number"),
        (b"[1e400]", {}, 400, "invalid", "1e400 is too large for a JSON number"),
        (b"[" + b"9" * 5000 + b"]", {}, 400, "invalid", "a number has more than 4300 digits"),
        (b'{"a": ', {"what": "The file"}, 400, "invalid", "The file is not valid JSON: Expecting value (line 1"),
    ],
)
def test_refusals_name_the_fault(
    raw: bytes | str, kwargs: dict[str, Any], status: int, code: str, message: str
) -> None:
    with pytest.raises(JSONRefused) as refused:
        loads(raw, **kwargs)
    assert (refused.value.status, refused.value.code) == (status, code)
    assert message in refused.value.message


def test_nan_and_infinity_are_read_when_allowed_and_a_byte_order_mark_is_skipped() -> None:
    value = loads(b"\xef\xbb\xbf[NaN, Infinity, 1e400]", allow_nan=True)

    assert value[0] != value[0] and value[1] == value[2] == float("inf")


def test_the_fast_reader_answers_exactly_as_the_standard_one_or_leaves_the_body_to_it():
    # orjson reads most bodies; each case where it would answer differently goes to the standard reader.
    rows = b'{"Inputs":{"in":[{"a":1.5,"b":"x:\\"y\\"","c":null},{"a":-0.0,"b":"","c":[{"d":1e-7}]}]}}'
    assert loads(rows) == json.loads(rows)
    assert loads(b"[123456789012345678901234567890]") == [123456789012345678901234567890]  # an int, not a float
    assert type(loads(b"[123456789012345678901234567890]")[0]) is int
    assert math.isnan(loads(b'{"a":[NaN]}', allow_nan=True)["a"][0])
    for nested_twice in (b'{"Inputs":{"in":[{"a":1,"b":2},{"a":1,"a":2}]}}', b'[{"x":{"k":1,"k":1}}]'):
        with pytest.raises(JSONRefused) as refused:
            loads(nested_twice)
        assert refused.value.code == "duplicate_key"
