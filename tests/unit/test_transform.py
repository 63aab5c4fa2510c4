"""The replay edit list: parsing "set PATH = EXPR" / "remove PATH" lines, refusals that name their line, and
applying the edits to a copy of each payload."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from inspector.core.errors import ValidationError
from inspector.core.transform import Edit, EditError, apply_edits, parse_edits

MESSAGE_ID = "msg-0042"
TIME = "2024-05-01T10:00:00+00:00"
PAYLOAD: dict[str, Any] = {
    "status": "failed",
    "customer": {"full_name": "Jane Roe", "name": "J.", "ssn": "123-45-6789", "tags": ["vip"]},
    "lines": [{"sku": "A", "qty": 1}, {"sku": "B", "qty": 2}],
    "total": 10,
    "note": None,
}


def run(text: str, payload: dict[str, Any] | None = None, message_id: str | None = MESSAGE_ID) -> dict[str, Any]:
    return apply_edits(parse_edits(text), message_id, TIME, copy.deepcopy(PAYLOAD) if payload is None else payload)


# --- parsing ------------------------------------------------------------------------------------------------------


def test_parse_set_and_remove_with_line_numbers() -> None:
    text = "# replay fixes\n\nset status = 'replayed'\n   \n  remove customer.ssn  \nset customer.name = payload.x\n"
    assert parse_edits(text) == [
        Edit("set", ("status",), "'replayed'", 3),
        Edit("remove", ("customer", "ssn"), None, 5),
        Edit("set", ("customer", "name"), "payload.x", 6),
    ]


def test_parse_empty_and_comment_only_text() -> None:
    assert parse_edits("") == []
    assert parse_edits("\n  \n# nothing\n\t# still nothing\n") == []


def test_parse_windows_and_old_mac_line_ends() -> None:
    assert [edit.line for edit in parse_edits("set a = `1`\r\n\r\nremove b\rremove c")] == [1, 3, 4]


def test_parse_operation_ignores_case_and_spacing() -> None:
    assert parse_edits("SET\ta.b=`1`\nRemove  x") == [
        Edit("set", ("a", "b"), "`1`", 1),
        Edit("remove", ("x",), None, 2),
    ]


def test_parse_expression_keeps_everything_after_the_first_equals() -> None:
    assert parse_edits("set paid = payload.status == 'paid'")[0].expression == "payload.status == 'paid'"
    assert parse_edits("set eq = '='")[0].expression == "'='"


def test_parse_unicode_field_names() -> None:
    assert parse_edits("set 顧客.名前 = 'x'")[0].path == ("顧客", "名前")


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("upsert status = 'x'", 'unknown operation "upsert": use "set" or "remove"'),
        ("set", 'set needs a field path, "=" and an expression'),
        ("set status 'x'", 'set needs "= EXPR" after the path'),
        ("set = 'x'", 'set has no field path before "="'),
        ("set status =", 'set status has no expression after "="'),
        ("set status =   ", 'set status has no expression after "="'),
        ("set a..b = 'x'", 'empty field name in the path "a..b"'),
        ("set .a = 'x'", 'empty field name in the path ".a"'),
        ("set a. = 'x'", 'empty field name in the path "a."'),
        ("set first name = 'x'", 'the path "first name" has a space in it'),
        ("set lines[0].sku = 'x'", "array items cannot be edited"),
        ("remove", "remove needs the path of the field to delete"),
        ("remove a.b = 'x'", 'remove takes a field path only, without "= EXPR"'),
        ("remove a..b", 'empty field name in the path "a..b"'),
        ("set a = payload.x ||", "the expression ends too soon at column 21"),
        ("set a = payload.", "the expression ends too soon at column 17"),
        ("set a = 'open", "Unclosed ' delimiter at column 9"),
        ("  set   a  =  payload.x y", "unexpected 'y' at column 25"),
        ("set a = payload ~ 1", "Unknown token ~ at column 17"),
        ("set a = `replayed`", "`replayed` is not a JSON value at column 9"),
        ("set a = `{a: 1}`", "`{a: 1}` is not a JSON value at column 9"),
        ("set a = lenght(payload.lines)", "unknown function lenght() at column 9"),
        ("set a = length(@, @)", "length() takes 1 argument, not 2 at column 9"),
        ("set a = merge()", "merge() takes at least 1 argument, not 0 at column 9"),
        ("set a = payload.lines[::0]", "a slice step cannot be 0"),
        ("set a = " + "(" * 5000 + "b" + ")" * 5000, "the expression is nested too deeply"),
    ],
)
def test_refusals_name_their_line(line: str, words: str) -> None:
    text = f"# header\nset ok = `1`\n{line}\nremove later"
    with pytest.raises(ValidationError) as caught:
        parse_edits(text)
    error = caught.value
    assert isinstance(error, EditError)
    assert error.where == "edit line 3"
    assert error.line == 3
    assert str(error).startswith("edit line 3: ")
    assert words in error.reason, error.reason


def test_refusal_column_points_into_the_line() -> None:
    line = "  set   a  =  payload.x y"
    with pytest.raises(EditError) as caught:
        parse_edits(line)
    assert caught.value.column is not None
    assert line[caught.value.column - 1] == "y"


def test_refusal_hints() -> None:
    with pytest.raises(EditError) as caught:
        parse_edits("set a = `replayed`")
    assert caught.value.hint == "for text use single quotes: 'replayed'"
    with pytest.raises(EditError) as caught:
        parse_edits("set a = lenght(@)")
    assert caught.value.hint == "did you mean length()?"
    with pytest.raises(EditError) as caught:
        parse_edits("frob a")
    assert "set PATH = EXPR" in caught.value.hint


def test_legacy_literal_is_refused_every_time() -> None:
    """JMESPath caches what it compiled, and warns only the first time: the refusal must not depend on that."""
    for _ in range(3):
        with pytest.raises(EditError, match="not a JSON value"):
            parse_edits("set a = `again`")


def test_long_operation_word_is_shortened_in_the_message() -> None:
    with pytest.raises(EditError) as caught:
        parse_edits("x" * 500)
    assert len(caught.value.reason) < 120


# --- applying -----------------------------------------------------------------------------------------------------


def test_set_literals() -> None:
    result = run("set status = 'replayed'\nset count = `42`\nset meta = `{\"a\": 1}`\nset gone = `null`")
    assert result["status"] == "replayed"
    assert result["count"] == 42
    assert result["meta"] == {"a": 1}
    assert result["gone"] is None


def test_set_from_the_message() -> None:
    result = run("set customer.name = payload.customer.full_name\nset replay.of = message_id\nset replay.at = time")
    assert result["customer"]["name"] == "Jane Roe"
    assert result["replay"] == {"of": MESSAGE_ID, "at": TIME}


def test_set_with_a_computed_expression() -> None:
    result = run("set sku_list = join(',', payload.lines[*].sku)\nset big = payload.total > `5`")
    assert result["sku_list"] == "A,B"
    assert result["big"] is True


def test_no_match_sets_null() -> None:
    result = run("set status = payload.nothing.here")
    assert "status" in result
    assert result["status"] is None


def test_message_without_id_or_time() -> None:
    result = apply_edits(parse_edits("set a = message_id\nset b = time"), None, None, {})
    assert result == {"a": None, "b": None}


def test_set_creates_missing_objects() -> None:
    assert run("set a.b.c = `1`", {"x": 1}) == {"x": 1, "a": {"b": {"c": 1}}}
    assert run("set customer.address.city = 'Oslo'")["customer"]["address"] == {"city": "Oslo"}


def test_set_replaces_a_whole_value() -> None:
    assert run("set customer = 'anonymous'")["customer"] == "anonymous"


def test_remove() -> None:
    result = run("remove customer.ssn\nremove note")
    assert "ssn" not in result["customer"]
    assert "note" not in result
    assert result["customer"]["full_name"] == "Jane Roe"


@pytest.mark.parametrize("path", ["absent", "customer.absent", "absent.deeper", "status.deeper", "lines.0", "note.x"])
def test_remove_of_an_absent_field_is_no_error(path: str) -> None:
    assert run(f"remove {path}") == PAYLOAD


def test_edits_apply_in_order() -> None:
    assert run("set a = `1`\nset b = payload.a", {}) == {"a": 1, "b": 1}
    assert run("remove customer\nset name = payload.customer.name") == {
        **{key: value for key, value in PAYLOAD.items() if key != "customer"},
        "name": None,
    }
    assert run("set a = `1`\nremove a\nset a.b = `2`", {}) == {"a": {"b": 2}}


def test_input_payload_is_not_touched() -> None:
    payload = copy.deepcopy(PAYLOAD)
    before = copy.deepcopy(payload)
    result = run(
        "set customer.name = 'x'\nremove customer.ssn\nset customer.tags = `[]`\nset lines = `[]`\nset new.deep = `1`",
        payload,
    )
    assert payload == before
    assert result is not payload
    assert result["customer"] is not payload["customer"]


def test_set_copies_the_value_it_takes_from_the_payload() -> None:
    """set b = payload.a makes b a copy: editing b afterwards leaves a as it was."""
    result = run("set copy = payload.customer\nset copy.name = 'changed'\nremove copy.tags")
    assert result["customer"] == PAYLOAD["customer"]
    assert result["copy"]["name"] == "changed"


def test_literal_objects_are_not_shared_between_messages() -> None:
    """JMESPath hands out the same object for a literal on every evaluation; an edit must not change it."""
    edits = parse_edits('set meta = `{"source": "inspector"}`\nset meta.n = payload.n')
    first = apply_edits(edits, "1", TIME, {"n": 1})
    second = apply_edits(edits, "2", TIME, {"n": 2})
    assert first["meta"] == {"source": "inspector", "n": 1}
    assert second["meta"] == {"source": "inspector", "n": 2}
    assert first["meta"] is not second["meta"]


def test_empty_edit_list_returns_an_equal_copy() -> None:
    payload = copy.deepcopy(PAYLOAD)
    result = apply_edits([], MESSAGE_ID, TIME, payload)
    assert result == payload
    assert result is not payload


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("set status.code = `1`", "cannot set status.code: status is a string, not an object"),
        ("set lines.first = `1`", "cannot set lines.first: lines is an array, not an object"),
        ("set note.text = 'x'", "cannot set note.text: note is null, not an object"),
        ("set total.cents.x = `1`", "cannot set total.cents.x: total is a number, not an object"),
        ("set customer.full_name.first = 'J'", "customer.full_name is a string, not an object"),
        ("set n = abs(payload.status)", "abs() got a string where it takes a number"),
        ("set n = length(payload.total)", "length() got a number where it takes a string or an array or an object"),
        ("set n = sum(payload.lines)", "sum() got an array holding an object where it takes an array of numbers"),
    ],
)
def test_apply_refusals_name_the_line_and_the_message(text: str, words: str) -> None:
    edits = parse_edits(f"set ok = `1`\n# a comment\n{text}")
    with pytest.raises(EditError) as caught:
        apply_edits(edits, MESSAGE_ID, TIME, copy.deepcopy(PAYLOAD))
    error = caught.value
    assert error.where == "edit line 3"
    assert error.message_id == MESSAGE_ID
    assert str(error).startswith(f"edit line 3: on message {MESSAGE_ID}: ")
    assert words in error.reason, error.reason


def test_evaluation_error_does_not_repeat_the_payload() -> None:
    payload = {"big": {"secret": "x" * 1000}}
    with pytest.raises(EditError) as caught:
        run("set n = abs(payload.big)", payload)
    assert "secret" not in str(caught.value)
    assert len(str(caught.value)) < 200


def test_apply_refusal_for_a_message_without_id() -> None:
    with pytest.raises(EditError, match="on a message without an id"):
        run("set status.x = `1`", message_id=None)


def test_apply_refuses_a_payload_that_is_not_an_object() -> None:
    with pytest.raises(ValidationError, match="the payload is an array, not an object"):
        apply_edits(parse_edits("remove a"), MESSAGE_ID, TIME, [1, 2])  # type: ignore[arg-type]


def test_apply_checks_edits_made_by_hand() -> None:
    with pytest.raises(EditError, match='unknown operation "rename"') as caught:
        apply_edits([Edit("rename", ("a",), None, 7)], MESSAGE_ID, TIME, {})
    assert caught.value.where == "edit line 7"
    with pytest.raises(EditError, match="empty field path"):
        apply_edits([Edit("remove", (), None, 2)], MESSAGE_ID, TIME, {})
    with pytest.raises(EditError, match="the expression ends too soon at column 3 of the expression"):
        apply_edits([Edit("set", ("a",), "a.", 4)], MESSAGE_ID, TIME, {})
    with pytest.raises(EditError, match="empty expression"):
        apply_edits([Edit("set", ("a",), None, 5)], MESSAGE_ID, TIME, {})


# --- properties ---------------------------------------------------------------------------------------------------

FAST = settings(max_examples=300, deadline=None, database=None)

# Pieces of edit lists and of JMESPath, to reach the parser's corners more often than random text would.
_FRAGMENTS = [
    "set ",
    "remove ",
    "SET ",
    "upsert ",
    "#",
    " = ",
    "=",
    "==",
    " ",
    "\t",
    "\n",
    "\r\n",
    "\r",
    ".",
    "..",
    "a",
    "b.c",
    "payload",
    "payload.",
    "message_id",
    "time",
    "[",
    "]",
    "[0]",
    "[*]",
    "[?",
    "[::0]",
    "(",
    ")",
    "{",
    "}",
    "'",
    "'x'",
    "`",
    "`1`",
    '`"s"`',
    "`{",
    "`x`",
    '"',
    '"q"',
    "\\",
    "|",
    "||",
    "&&",
    "!",
    "@",
    "&",
    "length(",
    "lenght(",
    "merge(",
    "not_null(",
    ",",
    ":",
    "*",
    "<",
    ">=",
    "~",
    "$",
    "é",
    "\u00a0",
    "\x00",
]
edit_texts = st.lists(st.sampled_from(_FRAGMENTS), max_size=24).map("".join) | st.text(max_size=80)


def _line_count(text: str) -> int:
    return len(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))


@FAST
@given(edit_texts)
@example("set a = " + "[" * 3000)
@example("set a = `" + "\\" * 3)
@example("set a = `x")
@example("\u2028set a = `1`")
def test_parse_edits_only_ever_raises_validation_error(text: str) -> None:
    error: EditError | None = None
    try:
        edits = parse_edits(text)
    except EditError as exc:  # anything else fails the test
        error = exc
    if error is not None:
        assert 1 <= error.line <= _line_count(text)
        assert error.where == f"edit line {error.line}"
        assert error.reason
        assert "\n" not in error.reason
    else:
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        for edit in edits:
            assert edit.op in ("set", "remove")
            assert edit.path
            assert all(edit.path)
            assert lines[edit.line - 1].strip().lower().startswith(edit.op)


_names = st.sampled_from(["a", "b", "c", "status", "é"])
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=4),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(_names, children, max_size=3),
    max_leaves=8,
)
_payloads = st.dictionaries(_names, _json, max_size=4)
_paths = st.lists(_names, min_size=1, max_size=3).map(tuple)


@FAST
@given(_payloads, _paths, _json)
def test_set_then_read_back(payload: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    """A set either refuses (a non-object on the way) or puts exactly that value there; the input never changes."""
    before = copy.deepcopy(payload)
    literal = json.dumps(value, ensure_ascii=False).replace("`", "\\`")
    edits = parse_edits(f"set {'.'.join(path)} = `{literal}`")
    error: EditError | None = None
    try:
        result = apply_edits(edits, MESSAGE_ID, TIME, payload)
    except EditError as exc:
        error = exc
    if error is not None:
        assert re.search(r"is (a string|a number|an array|null|true|false), not an object", error.reason)
    else:
        node: Any = result
        for name in path:
            node = node[name]
        assert node == value
        removed = apply_edits(parse_edits(f"remove {'.'.join(path)}"), MESSAGE_ID, TIME, result)
        parent: Any = removed
        for name in path[:-1]:
            parent = parent[name]
        assert path[-1] not in parent
    assert payload == before
