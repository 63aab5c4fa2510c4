"""Workato field lists (``core.fieldlist``): strict checks in words with the field's number and path, the exact
round trip of valid lists, and payload checks that agree with the topic's JSON Schema."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inspector.core.errors import ValidationError
from inspector.core.fieldlist import (
    ITEM_TYPES,
    SCALAR_TYPES,
    Field,
    dump_fieldlist,
    fieldlist_from_text,
    fieldlist_problems,
    fieldlist_text,
    parse_fieldlist,
    payload_problems,
    walk,
    with_type,
)
from inspector.core.schema import fieldlist_to_jsonschema, make_validator, violations

ORDER = [
    {"name": "order_id", "type": "integer", "label": "Order ID", "hint": "from the shop"},
    {"name": "placed_at", "type": "date_time"},
    {"name": "total", "type": "number"},
    {"name": "customer", "type": "object", "properties": [{"name": "name"}, {"name": "email", "optional": True}]},
    {
        "name": "lines",
        "type": "array",
        "of": "object",
        "optional": True,
        "properties": [{"name": "qty", "type": "integer"}],
    },
    {"name": "tags", "type": "array", "of": "string"},
]


def text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def test_model_of_a_field_list() -> None:
    fields = parse_fieldlist(ORDER)
    assert [f.name for f in fields] == ["order_id", "placed_at", "total", "customer", "lines", "tags"]
    assert fields[0] == Field("order_id", "integer", label="Order ID", hint="from the shop")
    assert fields[3].properties[1] == Field("email", optional=True)
    assert fields[4].holds_fields
    assert fields[4].type_words == "array of object"
    assert fields[5].item_type == "string"
    assert [path for path, _ in walk(fields)] == [
        "order_id",
        "placed_at",
        "total",
        "customer",
        "customer.name",
        "customer.email",
        "lines",
        "lines[].qty",
        "tags",
    ]


@pytest.mark.parametrize(
    "value",
    [
        ORDER,
        [],
        [{"type": "string", "name": "reordered", "optional": False}],  # key order and explicit defaults are kept
        [{"name": "x", "control_type": "text", "sticky": True, "type": "string"}],  # keys the model does not know
        [{"name": "s", "properties": []}, {"name": "n", "type": "integer", "of": "junk"}],  # unused keys kept as read
        [{"name": "a", "type": "array"}, {"name": "é ü 名前", "label": "ünïcode"}],
    ],
)
def test_valid_lists_round_trip_exactly(value: list[Any]) -> None:
    fields = parse_fieldlist(value)
    assert text(dump_fieldlist(fields)) == text(value)
    again = fieldlist_from_text(fieldlist_text(fields))
    assert fieldlist_text(again) == fieldlist_text(fields)
    assert text(dump_fieldlist(again)) == text(value)


def test_edits_write_new_keys_in_the_usual_order() -> None:
    [field] = parse_fieldlist([{"name": "customer", "type": "object", "properties": [{"name": "id"}]}])
    as_string = with_type(field, "string")
    assert as_string.to_json() == {"name": "customer", "type": "string"}
    as_list = with_type(field, "array", "object")
    assert list(as_list.to_json()) == ["name", "type", "of", "properties"]
    made = Field("email", optional=True, hint="work address")
    assert list(made.to_json()) == ["name", "optional", "hint"]
    assert parse_fieldlist([made.to_json()]) == (made,)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ([{"name": "id"}, {"name": "id"}], "field 2 (id): duplicate name 'id' (field 1 has it too)"),
        (
            [
                {
                    "name": "customer",
                    "type": "object",
                    "properties": [{"name": "a"}, {"name": "b"}, {"name": "email"}, {"name": "email"}],
                }
            ],
            "field 4 (customer.email): duplicate name 'email' (field 3 has it too)",
        ),
        ([{"name": "customer", "type": "object", "properties": []}], "field 1 (customer): an object with no fields"),
        (
            [{"name": "l", "type": "array", "of": "object", "properties": []}],
            "field 1 (l): an array of objects with no",
        ),
        ([{"name": "a"}, {"name": " a"}], "field 2: its name ' a' starts or ends with a space"),
        ([{"name": "a", "type": "object", "properties": [{"name": ""}]}], "field 1 of a: its name is empty"),
        ([{"name": "a\tb"}], "field 1: its name 'a\\tb' holds the unprintable character U+0009"),
        ([{"name": "x", "type": "blob"}], "field 1 (x): unknown type 'blob'"),
        ([{"name": "x", "type": "array", "of": "array"}], "field 1 (x): unknown array item type 'array'"),
        ("[]", "must be a list of fields (a JSON array), not text"),
    ],
)
def test_bad_lists_are_refused_with_number_and_path(value: Any, words: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_fieldlist(value, where="--schema s.json")
    assert words in caught.value.message
    assert caught.value.where == "--schema s.json"
    assert "\n" not in caught.value.message


def test_every_problem_is_listed_and_counted() -> None:
    value = [{"name": "a", "type": "blob"}, {"name": "a"}, {"name": "b", "type": "object", "properties": []}]
    assert [str(p) for p in fieldlist_problems(value)] == [
        "field 1 (a): unknown type 'blob'",
        "field 2 (a): duplicate name 'a' (field 1 has it too)",
        "field 3 (b): an object with no fields",
    ]
    with pytest.raises(ValidationError, match=r"and 2 more problems\)$"):
        parse_fieldlist(value)


def test_text_errors_say_line_and_column() -> None:
    with pytest.raises(ValidationError, match=r"line 2, col 1: expected a value"):
        fieldlist_from_text('[{"name": "a"},\n]', where="schema.json")
    with pytest.raises(ValidationError, match="is empty"):
        fieldlist_from_text("  ")


def test_deep_nesting_is_refused_in_words() -> None:
    value: list[Any] = [{"name": "leaf"}]
    for _ in range(3000):
        value = [{"name": "x", "type": "object", "properties": value}]
    with pytest.raises(ValidationError, match="nested too deeply"):
        parse_fieldlist(value)


# --- payloads ---------------------------------------------------------------------------------------------------


def problems(payload: object) -> list[str]:
    return [f"{p.path}|{p.words}" for p in payload_problems(parse_fieldlist(ORDER), payload)]


def good() -> dict[str, Any]:
    return {"order_id": 7, "placed_at": "2024-05-01T10:00:00Z", "total": 12.5, "customer": {"name": "Ann"}, "tags": []}


def test_a_fitting_payload_has_no_problems() -> None:
    assert problems(good()) == []
    assert problems(good() | {"extra": {"any": "thing"}, "order_id": 7.0}) == []


def test_payload_problems_in_words_with_paths() -> None:
    payload = good() | {"total": "12", "lines": [{"qty": 1}, {}, {"qty": True}], "placed_at": "soon"}
    del payload["customer"]["name"]
    assert problems(payload) == [
        'placed_at|`placed_at` is not a valid date-time: text "soon"',
        'total|`total` should be a number, not text "12"',
        "customer.name|`customer.name` is required",
        "lines[1].qty|`lines[1].qty` is required",
        "lines[2].qty|`lines[2].qty` should be a whole number, not true",
    ]
    assert problems([1]) == ["|the payload is an array, not a JSON object"]
    assert problems(good() | {"tags": None}) == ["tags|`tags` should be an array, not null"]


# Payloads made of the kinds of values a field list describes, and some it does not.
values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 5)
    | st.floats(-3, 3, allow_nan=False)
    | st.sampled_from(["", "x", "2024-05-01", "2024-05-01T10:00:00Z", "2024-13-01", "10:00"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["a", "b", "c"]), inner, max_size=3),
    max_leaves=8,
)


@st.composite
def fieldlists(draw: st.DrawFn, depth: int = 0) -> list[dict[str, Any]]:
    names = draw(st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=3, unique=True))
    out = []
    for name in names:
        kind = draw(st.sampled_from([*SCALAR_TYPES, "object", "array"] if depth < 2 else list(SCALAR_TYPES)))
        field: dict[str, Any] = {"name": name, "type": kind}
        if draw(st.booleans()):
            field["optional"] = draw(st.booleans())
        if kind == "array":
            field["of"] = draw(st.sampled_from(ITEM_TYPES if depth < 2 else SCALAR_TYPES))
        if kind == "object" or field.get("of") == "object":
            field["properties"] = draw(fieldlists(depth + 1))
        out.append(field)
    return out


@given(fieldlists())
def test_generated_lists_round_trip(value: list[dict[str, Any]]) -> None:
    assert text(dump_fieldlist(parse_fieldlist(value))) == text(value)


@given(fieldlists(), st.dictionaries(st.sampled_from(["a", "b", "c"]), values, max_size=3))
def test_payload_problems_agree_with_the_json_schema(value: list[dict[str, Any]], payload: dict[str, Any]) -> None:
    validator = make_validator(fieldlist_to_jsonschema(value))
    assert bool(payload_problems(parse_fieldlist(value), payload)) == bool(violations(validator, payload))
