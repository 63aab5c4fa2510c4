"""Workato field lists: conversion to JSON Schema, validation paths, formats and example payloads."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema.exceptions import SchemaError

from inspector.core.errors import ValidationError
from inspector.core.schema import (
    SchemaViolation,
    example_payload,
    fieldlist_to_jsonschema,
    make_validator,
    violations,
)

ORDER_FIELDS: list[dict[str, Any]] = [
    {"name": "id", "type": "integer"},
    {"name": "note", "type": "string", "optional": True},
    {"name": "placed_at", "type": "date_time"},
    {
        "name": "customer",
        "type": "object",
        "properties": [
            {"name": "name", "type": "string"},
            {"name": "email", "type": "string"},
            {"name": "vip", "type": "boolean", "optional": True},
        ],
    },
    {
        "name": "lines",
        "type": "array",
        "of": "object",
        "properties": [{"name": "sku", "type": "string"}, {"name": "qty", "type": "integer"}],
    },
    {"name": "tags", "type": "array", "of": "string", "optional": True},
]


def good_order() -> dict[str, Any]:
    return {
        "id": 7,
        "placed_at": "2024-05-01T12:30:00Z",
        "customer": {"name": "Ana", "email": "ana@example.com"},
        "lines": [{"sku": "A", "qty": 1}, {"sku": "B", "qty": 2}],
    }


def order_violations(payload: object) -> list[SchemaViolation]:
    return violations(make_validator(fieldlist_to_jsonschema(ORDER_FIELDS)), payload)


# --- conversion -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("string", {"type": "string"}),
        ("integer", {"type": "integer"}),
        ("number", {"type": "number"}),
        ("boolean", {"type": "boolean"}),
        ("date_time", {"type": "string", "format": "date-time"}),
        ("timestamp", {"type": "string", "format": "date-time"}),
        ("date", {"type": "string", "format": "date"}),
    ],
)
def test_scalar_types(kind: str, expected: dict[str, Any]) -> None:
    schema = fieldlist_to_jsonschema([{"name": "f", "type": kind}])
    assert schema == {"type": "object", "properties": {"f": expected}, "required": ["f"]}


def test_missing_type_means_string() -> None:
    assert fieldlist_to_jsonschema([{"name": "f"}])["properties"]["f"] == {"type": "string"}


def test_object_with_properties() -> None:
    schema = fieldlist_to_jsonschema(
        [{"name": "c", "type": "object", "properties": [{"name": "x", "type": "number", "optional": True}]}]
    )
    assert schema["properties"]["c"] == {"type": "object", "properties": {"x": {"type": "number"}}}
    assert schema["required"] == ["c"]


def test_array_of_scalar() -> None:
    schema = fieldlist_to_jsonschema([{"name": "a", "type": "array", "of": "integer"}])
    assert schema["properties"]["a"] == {"type": "array", "items": {"type": "integer"}}


def test_array_defaults_to_strings() -> None:
    schema = fieldlist_to_jsonschema([{"name": "a", "type": "array"}])
    assert schema["properties"]["a"] == {"type": "array", "items": {"type": "string"}}


def test_array_of_object() -> None:
    schema = fieldlist_to_jsonschema(
        [{"name": "a", "type": "array", "of": "object", "properties": [{"name": "q", "type": "integer"}]}]
    )
    assert schema["properties"]["a"] == {
        "type": "array",
        "items": {"type": "object", "properties": {"q": {"type": "integer"}}, "required": ["q"]},
    }


def test_optional_and_required() -> None:
    schema = fieldlist_to_jsonschema(
        [
            {"name": "a", "type": "string"},
            {"name": "b", "type": "string", "optional": True},
            {"name": "c", "type": "string", "optional": False},
        ]
    )
    assert schema["required"] == ["a", "c"]
    assert set(schema["properties"]) == {"a", "b", "c"}


def test_all_optional_has_no_required_key() -> None:
    schema = fieldlist_to_jsonschema([{"name": "a", "optional": True}])
    assert "required" not in schema


def test_empty_field_list_is_any_object() -> None:
    assert fieldlist_to_jsonschema([]) == {"type": "object", "properties": {}}


def test_converted_schemas_are_valid_json_schema() -> None:
    make_validator(fieldlist_to_jsonschema(ORDER_FIELDS))


# --- bad field lists ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fields", [{"name": "a"}, "[]", None, 3])
def test_field_list_must_be_a_list(fields: object) -> None:
    with pytest.raises(ValidationError) as caught:
        fieldlist_to_jsonschema(fields, where="topic schema")
    assert caught.value.where == "topic schema"
    assert "must be a list of fields" in caught.value.message


@pytest.mark.parametrize(
    ("fields", "where", "words"),
    [
        ([{"type": "string"}], "schema[0]", "no 'name'"),
        ([{"name": "a"}, {"name": ""}], "schema[1]", "no 'name'"),
        ([{"name": "a"}, {"name": 5}], "schema[1]", "no 'name'"),
        (["a"], "schema[0]", "must be an object"),
        ([{"name": "a"}, {"name": "a"}], "schema.a", "used twice"),
        ([{"name": "a", "type": "uuid"}], "schema.a", "unknown type 'uuid'"),
        ([{"name": "a", "type": "object"}], "schema.a", "'properties' list"),
        ([{"name": "a", "type": "object", "properties": {}}], "schema.a", "'properties' list"),
        ([{"name": "a", "type": "array", "of": "object"}], "schema.a", "'properties' list"),
        ([{"name": "a", "type": "array", "of": "thing"}], "schema.a", "unknown array item type 'thing'"),
        ([{"name": "a", "optional": "yes"}], "schema.a", "'optional' must be true or false"),
    ],
)
def test_bad_fields_name_the_path(fields: list[Any], where: str, words: str) -> None:
    with pytest.raises(ValidationError) as caught:
        fieldlist_to_jsonschema(fields)
    assert caught.value.where == where
    assert words in caught.value.message
    assert caught.value.message.startswith(f"{where}: ")


def test_nested_bad_field_path() -> None:
    fields = [
        {
            "name": "customer",
            "type": "object",
            "properties": [
                {"name": "address", "type": "object", "properties": [{"name": "zip", "type": "postcode"}]},
            ],
        }
    ]
    with pytest.raises(ValidationError) as caught:
        fieldlist_to_jsonschema(fields)
    assert caught.value.where == "schema.customer.address.zip"
    assert "unknown type 'postcode'" in caught.value.message
    assert "string" in caught.value.hint


def test_nested_missing_name_path() -> None:
    fields = [{"name": "customer", "type": "object", "properties": [{"name": "ok"}, {"type": "string"}]}]
    with pytest.raises(ValidationError) as caught:
        fieldlist_to_jsonschema(fields)
    assert caught.value.where == "schema.customer[1]"


def test_bad_field_inside_array_of_objects_path() -> None:
    fields = [{"name": "lines", "type": "array", "of": "object", "properties": [{"name": "qty", "type": "int"}]}]
    with pytest.raises(ValidationError) as caught:
        fieldlist_to_jsonschema(fields)
    assert caught.value.where == "schema.lines[].qty"


# --- violations -----------------------------------------------------------------------------------------------


def test_good_payload_has_no_violations() -> None:
    assert order_violations(good_order()) == []


def test_optional_fields_may_be_present() -> None:
    payload = good_order() | {"note": "hi", "tags": ["x", "y"]}
    payload["customer"]["vip"] = True
    assert order_violations(payload) == []


def test_nested_property_path() -> None:
    payload = good_order()
    payload["customer"]["email"] = 42
    found = order_violations(payload)
    assert [v.path for v in found] == ["payload.customer.email"]
    assert "is not of type 'string'" in found[0].message
    assert str(found[0]) == f"payload.customer.email: {found[0].message}"


def test_array_item_path() -> None:
    payload = good_order()
    payload["lines"][1]["qty"] = "two"
    found = order_violations(payload)
    assert [v.path for v in found] == ["payload.lines[1].qty"]


def test_missing_required_is_reported_on_the_parent() -> None:
    payload = good_order()
    del payload["customer"]["email"]
    del payload["id"]
    found = order_violations(payload)
    assert [(v.path, v.message) for v in found] == [
        ("payload", "'id' is required"),
        ("payload.customer", "'email' is required"),
    ]


def test_array_of_scalar_item_path() -> None:
    payload = good_order() | {"tags": ["ok", 3]}
    found = order_violations(payload)
    assert [v.path for v in found] == ["payload.tags[1]"]


def test_violations_are_sorted_by_path_and_custom_root() -> None:
    payload = good_order()
    payload["lines"][0]["qty"] = "x"
    payload["customer"]["name"] = None
    payload["id"] = "seven"
    validator = make_validator(fieldlist_to_jsonschema(ORDER_FIELDS))
    paths = [v.path for v in violations(validator, payload, root="msg")]
    assert paths == ["msg.customer.name", "msg.id", "msg.lines[0].qty"]


def test_non_object_payload() -> None:
    found = order_violations([1, 2])
    assert [v.path for v in found] == ["payload"]
    assert "is not of type 'object'" in found[0].message


def test_boolean_is_not_an_integer() -> None:
    assert [v.path for v in order_violations(good_order() | {"id": True})] == ["payload.id"]


@pytest.mark.parametrize(
    "value",
    ["2024-05-01T12:30:00Z", "2024-05-01T12:30:00.123456789+02:00", "2024-05-01T12:30:00+0000"],
)
def test_date_time_format_accepts(value: str) -> None:
    assert order_violations(good_order() | {"placed_at": value}) == []


@pytest.mark.parametrize("value", ["2024-05-01T12:30:00", "yesterday", "2024-13-01T00:00:00Z", "2024-05-01"])
def test_date_time_format_checked(value: str) -> None:
    found = order_violations(good_order() | {"placed_at": value})
    assert [(v.path, v.message) for v in found] == [("payload.placed_at", f"{value!r} is not a valid date-time")]


def test_date_time_type_still_checked() -> None:
    found = order_violations(good_order() | {"placed_at": 1714566600})
    assert [v.path for v in found] == ["payload.placed_at"]
    assert "is not of type 'string'" in found[0].message


@pytest.mark.parametrize(("value", "ok"), [("2024-02-29", True), ("2023-02-29", False), ("05/01/2024", False)])
def test_date_format_checked(value: str, ok: bool) -> None:
    validator = make_validator(fieldlist_to_jsonschema([{"name": "d", "type": "date"}]))
    found = violations(validator, {"d": value})
    assert (found == []) is ok
    if not ok:
        assert found[0].message == f"{value!r} is not a valid date"


def test_make_validator_refuses_a_broken_schema() -> None:
    with pytest.raises(SchemaError):
        make_validator({"type": "no-such-type"})


# --- example_payload ------------------------------------------------------------------------------------------


def test_example_payload_of_the_order_schema_is_valid() -> None:
    schema = fieldlist_to_jsonschema(ORDER_FIELDS)
    example = example_payload(schema)
    assert violations(make_validator(schema), example) == []
    assert set(example) == {"id", "note", "placed_at", "customer", "lines", "tags"}
    assert example["customer"]["vip"] is True
    assert example["lines"] == [{"sku": "text", "qty": 1}]


@pytest.mark.parametrize(
    "kind",
    ["string", "integer", "number", "boolean", "date_time", "timestamp", "date"],
)
def test_example_payload_for_every_scalar_type(kind: str) -> None:
    schema = fieldlist_to_jsonschema(
        [
            {"name": "one", "type": kind},
            {"name": "many", "type": "array", "of": kind},
            {"name": "inner", "type": "object", "properties": [{"name": "v", "type": kind, "optional": True}]},
        ]
    )
    example = example_payload(schema)
    assert violations(make_validator(schema), example) == []
    assert example["many"] == [example["one"]]
    assert example["inner"] == {"v": example["one"]}


def test_example_payload_of_unknown_schema_is_none() -> None:
    assert example_payload({}) is None
    assert example_payload({"type": "array"}) == ["text"]
