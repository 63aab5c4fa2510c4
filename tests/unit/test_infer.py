"""Inferring a field list from payloads (``core.infer``): merged types, optional fields, notes on mixes, nesting,
dates, and the same answer for the same payloads."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inspector.core.errors import ValidationError
from inspector.core.fieldlist import dump_fieldlist, parse_fieldlist, payload_problems
from inspector.core.infer import infer_fieldlist


def infer(*payloads: Any) -> tuple[list[dict[str, Any]], list[str]]:
    inferred = infer_fieldlist(payloads)
    return dump_fieldlist(inferred.fields), list(inferred.notes)


def test_types_of_one_message() -> None:
    fields, notes = infer(
        {"id": 1, "total": 2.5, "ok": True, "name": "Ann", "day": "2024-05-01", "at": "2024-05-01T10:00:00+02:00"}
    )
    assert fields == [
        {"name": "id", "type": "integer"},
        {"name": "total", "type": "number"},
        {"name": "ok", "type": "boolean"},
        {"name": "name"},
        {"name": "day", "type": "date"},
        {"name": "at", "type": "date_time"},
    ]
    assert notes == []


def test_integer_and_number_merge_to_number_and_missing_fields_are_optional() -> None:
    fields, notes = infer({"n": 1, "a": "x"}, {"n": 2.5}, {"n": 3, "b": False})
    assert fields == [
        {"name": "n", "type": "number"},
        {"name": "a", "optional": True},
        {"name": "b", "type": "boolean", "optional": True},
    ]
    assert notes == []


def test_mixed_types_are_said_and_string_wins() -> None:
    fields, notes = infer({"code": 5}, {"code": "A5"}, {"code": "B7"})
    assert fields == [{"name": "code"}]
    assert notes == [
        "`code` has mixed types (a whole number once, text twice): typed string, the broadest; the messages where "
        "it is not text would be refused"
    ]


def test_dates_mixed_with_text_are_text() -> None:
    fields, notes = infer({"when": "2024-05-01"}, {"when": "tomorrow"})
    assert fields == [{"name": "when"}]
    assert notes == ["`when` is not always a date or a date-time (a date once, text once): typed string"]
    assert infer({"d": "2024-02-30"})[0] == [{"name": "d"}]  # not a real date: text


def test_nested_objects_and_arrays_of_objects() -> None:
    fields, _ = infer(
        {"customer": {"name": "A", "email": "a@x"}, "lines": [{"sku": "s", "qty": 1}], "tags": ["a"]},
        {"customer": {"name": "B"}, "lines": [{"sku": "t", "qty": 2.5, "note": "n"}, {"sku": "u", "qty": 1}]},
    )
    assert fields == [
        {"name": "customer", "type": "object", "properties": [{"name": "name"}, {"name": "email", "optional": True}]},
        {
            "name": "lines",
            "type": "array",
            "of": "object",
            "properties": [{"name": "sku"}, {"name": "qty", "type": "number"}, {"name": "note", "optional": True}],
        },
        {"name": "tags", "type": "array", "of": "string", "optional": True},
    ]


def test_what_workato_cannot_say_is_noted() -> None:
    fields, notes = infer({"gone": None, "empty": {}, "none": [], "grid": [[1]], "": 1, "ok": 1})
    assert fields == [
        {"name": "gone", "optional": True},
        {"name": "none", "type": "array", "of": "string"},
        {"name": "grid", "type": "array", "of": "string"},
        {"name": "ok", "type": "integer"},
    ]
    assert any(note.startswith("`gone` is null once") for note in notes)
    assert "`empty` is an empty object in every message: left out (a Workato object needs fields)" in notes
    assert "`none` was always an empty array: typed array of string" in notes
    assert "`grid` holds arrays, which a Workato array cannot: typed array of string" in notes
    assert "the key '' is left out: name is empty" in notes


def test_the_first_seen_order_is_kept() -> None:
    assert [f["name"] for f in infer({"b": 1, "a": 1}, {"c": 1, "a": 2})[0]] == ["b", "a", "c"]


def test_bad_input_is_refused_in_words() -> None:
    with pytest.raises(ValidationError, match="item 2 is a whole number, not a JSON object"):
        infer_fieldlist([{"a": 1}, 5], where="messages.jsonl")
    with pytest.raises(ValidationError, match="holds no messages"):
        infer_fieldlist([])


json_values = st.recursive(
    st.booleans() | st.integers(-9, 9) | st.floats(-9, 9, allow_nan=False) | st.sampled_from(["x", "2024-05-01"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["a", "b", "c"]), inner, max_size=3),
    max_leaves=10,
)
payloads = st.lists(
    st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), json_values, max_size=4), min_size=1, max_size=5
)


@given(payloads)
def test_the_inferred_list_is_valid_and_deterministic(items: list[dict[str, Any]]) -> None:
    first = infer_fieldlist(items)
    assert parse_fieldlist(dump_fieldlist(first.fields)) == first.fields  # passes Workato's checks
    assert infer_fieldlist(items) == first


@given(payloads)
def test_every_payload_fits_unless_a_note_says_why(items: list[dict[str, Any]]) -> None:
    inferred = infer_fieldlist(items)
    if not inferred.notes:
        assert all(payload_problems(inferred.fields, item) == [] for item in items)
