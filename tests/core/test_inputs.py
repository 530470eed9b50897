"""``miroir.core.inputs``: the JSON reader every door uses, and the plain-number reader."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from miroir.core.inputs import (
    JSON_MAX_DEPTH,
    InputError,
    JsonSyntaxError,
    json_decode,
    whole_number,
)

STORABLE = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"))
VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.floats(allow_nan=False, allow_infinity=False)
    | STORABLE,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(STORABLE, inner, max_size=4),
    max_leaves=20,
)


@given(VALUES)
def test_a_document_within_the_limits_reads_as_json_reads_it(value):
    assert json_decode(json.dumps(value)) == json.loads(json.dumps(value))


@pytest.mark.parametrize("depth", [JSON_MAX_DEPTH + 1, 500, 200_000])
def test_a_document_nested_too_deep_is_refused(depth):
    with pytest.raises(InputError, match=str(JSON_MAX_DEPTH)):
        json_decode("[" * depth + "]" * depth)


def test_the_deepest_document_allowed_reads():
    assert json_decode("[" * JSON_MAX_DEPTH + "]" * JSON_MAX_DEPTH)


@pytest.mark.parametrize(
    "raw,field",
    [
        ("9" * 5000, ""),
        ("1e999", ""),
        ("NaN", ""),
        ('{"a": -Infinity}', ""),
        ('{"a": ["x", "b\\u0000"]}', "a.1"),
        ('{"a\\ud800": 1}', "a\ud800"),
        ('{"a": {"b": "\\udfff"}}', "a.b"),
    ],
)
def test_numbers_and_text_no_field_could_take_are_refused_by_where_they_are(raw, field):
    with pytest.raises(InputError) as refused:
        json_decode(raw)
    assert refused.value.field == field
    assert not isinstance(refused.value, JsonSyntaxError)


@pytest.mark.parametrize("raw", [b"\xff\xfe{}", b"{", b"[1,]"])
def test_text_that_is_not_json_is_a_syntax_error_for_the_caller_to_answer(raw):
    with pytest.raises(JsonSyntaxError):
        json_decode(raw)


@pytest.mark.parametrize(
    "text,number",
    [
        ("42", 42),
        ("007", 7),
        ("", None),
        ("١٢٣", None),
        ("²", None),
        ("9" * 5000, None),
        ("-1", None),
    ],
)
def test_only_plain_ascii_digits_make_a_whole_number(text, number):
    assert whole_number(text) == number
