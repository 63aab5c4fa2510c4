"""Payload diffs for the side-by-side view: paths, kinds, order, JSON equality (1 == 1.0, true != 1), and words."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inspector.core.diff import Change, diff_payloads, preview

PROPERTY = settings(max_examples=200, deadline=None, database=None)


def test_equal_payloads_give_no_changes() -> None:
    payload = {"customer": {"email": "a@x", "tags": ["vip", 1, None]}, "total": 10.5}
    assert diff_payloads(payload, json.loads(json.dumps(payload))) == []


def test_changed_nested_field() -> None:
    changes = diff_payloads({"customer": {"email": "a@x", "id": 7}}, {"customer": {"email": "b@x", "id": 7}})
    assert changes == [Change("customer.email", "changed", old="a@x", new="b@x")]
    assert changes[0].describe() == 'customer.email: "a@x" → "b@x"'


def test_added_and_removed_keys_in_reading_order() -> None:
    a = {"id": 1, "note": "x", "status": "new", "z": 0}
    b = {"status": "paid", "id": 1, "z": 0, "extra": True, "another": None}
    assert diff_payloads(a, b) == [
        Change("note", "removed", old="x"),
        Change("status", "changed", old="new", new="paid"),
        Change("extra", "added", new=True),
        Change("another", "added", new=None),
    ]
    assert diff_payloads(a, b)[0].describe() == 'note: removed "x"'


def test_key_order_alone_is_no_difference() -> None:
    assert diff_payloads({"a": 1, "b": 2}, {"b": 2, "a": 1}) == []


def test_arrays_by_index() -> None:
    a = {"lines": [{"sku": "A", "qty": 1}, {"sku": "C"}]}
    b = {"lines": [{"sku": "A", "qty": 2}, {"sku": "C"}, {"sku": "B"}]}
    changes = diff_payloads(a, b)
    assert changes == [
        Change("lines[0].qty", "changed", old=1, new=2),
        Change("lines[2]", "added", new={"sku": "B"}),
    ]
    assert changes[1].describe() == 'lines[2]: added {"sku": "B"}'
    assert diff_payloads(b, a)[1] == Change("lines[2]", "removed", old={"sku": "B"})


def test_shorter_array_removes_from_the_end() -> None:
    assert diff_payloads([1, 2, 3], [1]) == [Change("[1]", "removed", old=2), Change("[2]", "removed", old=3)]


def test_arrays_of_arrays() -> None:
    assert diff_payloads({"m": [[1, 2], [3]]}, {"m": [[1, 5], [3, 4]]}) == [
        Change("m[0][1]", "changed", old=2, new=5),
        Change("m[1][1]", "added", new=4),
    ]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("1", 1),
        (1, "1"),
        ({}, []),
        ([], {}),
        (None, 0),
        (0, None),
        ({"a": 1}, "a"),
        ([1], 1),
        (True, "true"),
    ],
)
def test_type_change_is_one_change_of_the_whole_value(old: Any, new: Any) -> None:
    assert diff_payloads({"v": old}, {"v": new}) == [Change("v", "changed", old=old, new=new)]


def test_int_and_float_of_the_same_value_are_equal() -> None:
    assert diff_payloads({"n": 1, "m": [0, -0.0]}, {"n": 1.0, "m": [0.0, 0]}) == []
    assert diff_payloads({"n": 1}, {"n": 1.5}) == [Change("n", "changed", old=1, new=1.5)]


@pytest.mark.parametrize(("old", "new"), [(True, 1), (1, True), (False, 0), (0, False), (1.0, True), (False, 0.0)])
def test_bool_is_not_a_number(old: Any, new: Any) -> None:
    assert diff_payloads({"flag": old}, {"flag": new}) == [Change("flag", "changed", old=old, new=new)]


def test_nan_equals_nan() -> None:
    nan = float("nan")
    assert diff_payloads({"x": nan}, {"x": float("nan")}) == []


def test_unicode_and_odd_keys() -> None:
    a = {"名前": "太郎", "first name": "A", "a.b": 1, "": 1, "0": 1, "ünïcode": {"ключ": 1}}
    b = {"名前": "花子", "first name": "B", "a.b": 2, "": 2, "0": 2, "ünïcode": {"ключ": 2}}
    assert [change.path for change in diff_payloads(a, b)] == [
        "名前",
        '["first name"]',
        '["a.b"]',
        '[""]',
        '["0"]',
        "ünïcode.ключ",
    ]
    assert diff_payloads(a, b)[0].describe() == '名前: "太郎" → "花子"'


def test_odd_key_below_a_named_one() -> None:
    assert diff_payloads({"c": {"e-mail": 1}}, {"c": {"e-mail": 2}})[0].path == 'c["e-mail"]'
    assert diff_payloads({"c": {'say "hi"': 1}}, {"c": {'say "hi"': 2}})[0].path == 'c["say \\"hi\\""]'


def test_whole_values_differ() -> None:
    changes = diff_payloads("a", "b")
    assert changes == [Change("", "changed", old="a", new="b")]
    assert changes[0].describe() == '(whole payload): "a" → "b"'
    assert diff_payloads({"a": 1}, [1]) == [Change("", "changed", old={"a": 1}, new=[1])]


def test_path_prefix() -> None:
    assert diff_payloads({"a": [1]}, {"a": [2]}, path="payload") == [Change("payload.a[0]", "changed", old=1, new=2)]


def test_deep_nesting_does_not_overflow_the_stack() -> None:
    a: Any = 1
    b: Any = 2
    for _ in range(5000):
        a, b = {"x": [a]}, {"x": [b]}
    changes = diff_payloads(a, b)
    assert len(changes) == 1
    assert changes[0].path.startswith("x[0].x[0]")
    assert changes[0].path.count("[0]") == 5000


def test_describe_shortens_long_values() -> None:
    change = Change("blob", "changed", old="x" * 200, new=[1, 2])
    text = change.describe()
    assert text.startswith('blob: "xxx')
    assert text.endswith(" → [1, 2]")
    before = text.removeprefix("blob: ").split(" → ")[0]
    assert len(before) == 60
    assert before.endswith("…")
    assert preview("short") == '"short"'
    assert preview("é\n") == '"é\\n"'  # one line: newlines are escaped, letters are kept
    assert preview(None) == "null"
    assert preview(True) == "true"


def test_describe_removed_null_and_added_false() -> None:
    assert Change("a", "removed", old=None).describe() == "a: removed null"
    assert Change("a", "added", new=False).describe() == "a: added false"


# --- properties ---------------------------------------------------------------------------------------------------

# Values chosen to collide often: ints and floats of equal value, booleans next to 0 and 1, "1" next to 1.
_tricky = st.sampled_from([0, 1, 0.0, 1.0, -0.0, 2, True, False, None, "", "1", "a"])
_scalars = _tricky | st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=6)
_keys = st.sampled_from(["a", "b", "c", "1", "é", "x y"]) | st.text(max_size=4)
json_values = st.recursive(
    _scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_keys, children, max_size=4),
    max_leaves=8,
)
json_objects = st.dictionaries(_keys, json_values, max_size=4)


def canonical(value: Any) -> Any:
    """An oracle for JSON equality, independent of diff_payloads: each value tagged with its JSON type, so that
    Python's own == tells 1 from True but not 1 from 1.0, and objects compare without their key order."""
    if value is None:
        return ("null",)
    if isinstance(value, bool):
        return ("boolean", value)
    if isinstance(value, int | float):
        return ("number", value)
    if isinstance(value, str):
        return ("string", value)
    if isinstance(value, list):
        return ("array", [canonical(item) for item in value])
    return ("object", {key: canonical(item) for key, item in value.items()})


@st.composite
def twins(draw: st.DrawFn, values: st.SearchStrategy[Any]) -> tuple[Any, Any]:
    """A value and a JSON-equal copy of it: integral numbers swapped between int and float, keys reordered."""

    def twin(value: Any) -> Any:
        if isinstance(value, bool) or value is None or isinstance(value, str):
            return value
        if isinstance(value, int) and float(value) == value and draw(st.booleans()):
            return float(value)
        if isinstance(value, float) and value.is_integer() and draw(st.booleans()):
            return int(value)
        if isinstance(value, list):
            return [twin(item) for item in value]
        if isinstance(value, dict):
            keys = draw(st.permutations(list(value)))
            return {key: twin(value[key]) for key in keys}
        return value

    value = draw(values)
    return value, twin(value)


@PROPERTY
@given(json_values)
def test_a_value_has_no_diff_with_itself(value: Any) -> None:
    assert diff_payloads(value, value) == []
    assert diff_payloads(value, json.loads(json.dumps(value))) == []


@PROPERTY
@given(twins(json_values))
def test_json_equal_twins_have_no_diff(pair: tuple[Any, Any]) -> None:
    a, b = pair
    assert canonical(a) == canonical(b)
    assert diff_payloads(a, b) == []


# Independent objects are seldom equal: half of the pairs are JSON-equal twins, some of them then edited once.
@st.composite
def object_pairs(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    if draw(st.booleans()):
        return draw(json_objects), draw(json_objects)
    a, b = draw(twins(json_objects))
    if b and draw(st.booleans()):
        b = dict(b)
        b[draw(st.sampled_from(sorted(b)))] = draw(json_values)
    return a, b


@PROPERTY
@given(object_pairs())
def test_diff_is_empty_iff_json_equal(pair: tuple[dict[str, Any], dict[str, Any]]) -> None:
    a, b = pair
    assert (diff_payloads(a, b) == []) == (canonical(a) == canonical(b))


@PROPERTY
@given(object_pairs())
def test_diff_is_symmetric_with_unique_paths(pair: tuple[dict[str, Any], dict[str, Any]]) -> None:
    """Swapping the sides swaps added with removed and old with new, and finds the same paths, once each."""
    a, b = pair
    swapped = {"added": "removed", "removed": "added", "changed": "changed"}
    changes = diff_payloads(a, b)
    forward = {change.path: change for change in changes}
    backward = {change.path: change for change in diff_payloads(b, a)}
    assert len(forward) == len(changes)
    assert forward.keys() == backward.keys()
    for path, change in forward.items():
        other = backward[path]
        assert other.kind == swapped[change.kind]
        assert canonical(other.old) == canonical(change.new)
        assert canonical(other.new) == canonical(change.old)
        assert change.describe().startswith(f"{path}: ")
