"""Hypothesis properties of the publish-input validator and chunker: whatever text comes in, only a
``ValidationError`` that names its place ever comes out, and chunks cover every item in order within the limits."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from inspector.core.errors import ValidationError
from inspector.core.jsoninput import JsonSyntaxError, PublishInput, parse_publish_input
from inspector.core.publisher import PublishInputError, encode_all
from inspector.core.validation import (
    MAX_BATCH_ITEMS,
    MAX_BODY_BYTES,
    batch_body,
    batch_body_size,
    check_batch,
    chunk_encoded,
    encode_json,
    encode_payload,
)

SOURCE = "clipboard"
FAST = settings(max_examples=200, deadline=None, database=None)
MEDIUM = settings(max_examples=100, deadline=None, database=None)  # lists of generated objects
SLOW = settings(max_examples=50, deadline=None, database=None)

# --- strategies -------------------------------------------------------------------------------------------------

_scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12)
)
_keys = st.text(max_size=8)
json_values = st.recursive(
    _scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_keys, children, max_size=4),
    max_leaves=8,
)
json_objects = st.dictionaries(_keys, json_values, max_size=4)
# Quicker to draw, for lists of many objects.
flat_objects = st.dictionaries(_keys, _scalars | st.lists(_scalars, max_size=3), max_size=3)


@st.composite
def dumped(draw: st.DrawFn, values: st.SearchStrategy[Any]) -> str:
    """A value as a person might paste it: compact or pretty, ASCII-escaped or not."""
    return json.dumps(
        draw(values),
        indent=draw(st.sampled_from([None, 2, "\t"])),
        ensure_ascii=draw(st.booleans()),
    )


_FRAGMENTS = [
    "{",
    "}",
    "[",
    "]",
    ":",
    ",",
    '"',
    '"a"',
    "'a'",
    "1",
    "-0",
    "0.5e-3",
    "01",
    "1e999",
    "-1e999",
    "9" * 5000,  # over CPython's int-from-str digit limit
    "NaN",
    "Infinity",
    "-Infinity",
    "true",
    "null",
    "nul",
    '"\\ud800"',
    '"\\u12"',
    "\\",
    " ",
    "\t",
    "\n",
    "\r\n",
    "\ufeff",
    "\u2028",
    "\xa0",
    "\x00",
    "/*",
    "é",
]


@st.composite
def corrupted(draw: st.DrawFn) -> str:
    """Valid JSON with one cut, deletion, insertion or replacement."""
    text = draw(dumped(json_values | json_objects | st.lists(json_objects, max_size=4)))
    at = draw(st.integers(0, len(text)))
    junk = draw(st.sampled_from(["", *_FRAGMENTS[:12], "x", "\n"]))
    how = draw(st.sampled_from(["truncate", "delete", "insert", "replace"]))
    if how == "truncate":
        return text[:at]
    if how == "delete":
        return text[:at] + text[at + 1 :]
    if how == "insert":
        return text[:at] + junk + text[at:]
    return text[:at] + junk + text[at + len(junk) :]


@st.composite
def nested_arrays(draw: st.DrawFn) -> str:
    """Arrays nested well within the recursion limit, balanced or not (deep nesting: see the tests at the end)."""
    depth = draw(st.integers(0, 60))
    inner = draw(st.sampled_from(["", "{}", '{"a": 1}', "1", "NaN", "[", ",", '{"a": [}']))
    closing = draw(st.integers(0, depth + 2))
    return "[" * depth + inner + "]" * closing


@st.composite
def json_lines_with_a_broken_line(draw: st.DrawFn) -> str:
    objects = draw(st.lists(flat_objects, min_size=2, max_size=6))
    lines = [json.dumps(item) for item in objects]
    broken = draw(st.integers(0, len(lines) - 1))
    lines[broken] = draw(st.sampled_from([lines[broken][:-1], lines[broken] + ",", "{oops}", '{"a": NaN}', "]"]))
    return draw(st.sampled_from(["\n", "\r\n"])).join(lines)


arbitrary_texts = st.one_of(
    st.text(),
    st.text(alphabet=st.sampled_from('{}[]:,"\\ \n\t\r0123456789.-+eEtrufalsnNIiy\ufeff'), max_size=60),
    st.lists(st.sampled_from(_FRAGMENTS), max_size=25).map("".join),
    corrupted(),
    json_lines_with_a_broken_line(),
    nested_arrays(),
    dumped(json_values),
    st.sampled_from(["", " ", "\n", "\t\r\n", "\ufeff", "\ufeff\ufeff{}", "\xa0", "[]", "{}", "1e999"]),
)


@st.composite
def padded(draw: st.DrawFn, texts: st.SearchStrategy[str]) -> str:
    """A text with an optional BOM and surrounding whitespace, as editors and clipboards leave them."""
    bom = draw(st.sampled_from(["", "\ufeff"]))
    before = draw(st.sampled_from(["", " ", "\n", "\r\n\t"]))
    after = draw(st.sampled_from(["", "\n", "  \n\n"]))
    return bom + before + draw(texts) + after


# --- checks -----------------------------------------------------------------------------------------------------

_SYNTAX = re.compile(r"^is not valid JSON(?: Lines)? \(line (\d+), col (\d+): .+\)$", re.DOTALL)
_ON_LINE = re.compile(r"^line (\d+): .+", re.DOTALL)
# Refusals of the input as a whole: ``where`` (the source) is the location.
_WHOLE = re.compile(
    r"^(?:is empty"
    r"|is an empty array: nothing to publish"
    r"|must be a JSON object, an array of objects, or JSON Lines"
    r"|-?(?:NaN|Infinity) is not allowed in JSON"
    r"|Exceeds the limit \(\d+ digits\) for integer string conversion.*)$",
    re.DOTALL,
)


def _check_refusal(text: str, exc: ValidationError) -> None:
    assert exc.where == SOURCE
    assert exc.reason
    assert exc.message == f"{SOURCE}: {exc.reason}"
    lines = text.removeprefix("\ufeff").split("\n")  # line numbers count "\n" only
    if syntax := _SYNTAX.match(exc.reason):
        line, col = int(syntax[1]), int(syntax[2])
        assert 1 <= line <= len(lines), (line, len(lines))
        assert 1 <= col <= len(lines[line - 1]) + 1, (col, lines[line - 1])
        assert exc.hint
        assert isinstance(exc, JsonSyntaxError)  # an editor puts its margin mark at (line, column)
        assert (exc.line, exc.column) == (line, col)
    elif on_line := _ON_LINE.match(exc.reason):
        assert 1 <= int(on_line[1]) <= len(lines)
    else:
        assert _WHOLE.match(exc.reason), exc.reason


def _check_accepted(result: PublishInput) -> None:
    assert isinstance(result, PublishInput)
    assert result.items
    assert result.form in {"object", "array", "JSON Lines"}
    assert result.single == (result.form == "object")
    if result.single:
        assert len(result.items) == 1
        assert isinstance(result.items[0], dict)
    if result.form == "JSON Lines":
        assert len(result.items) >= 2
        assert isinstance(result.items[0], dict)


def _check_encode_all(items: Sequence[object]) -> None:
    """``encode_all`` either encodes every item or refuses, naming each bad item by its index."""
    refusal: PublishInputError | None = None
    try:
        encoded = encode_all(items)
    except PublishInputError as exc:
        refusal = exc
    if refusal is None:
        assert len(encoded) == len(items)
        assert all(len(item) <= MAX_BODY_BYTES for item in encoded)
        return
    wheres = [problem.where for problem in refusal.problems]
    assert wheres
    assert all(re.fullmatch(r"item \d+", where) for where in wheres), wheres
    indices = [int(where.removeprefix("item ")) for where in wheres]
    assert indices == sorted(set(indices))
    assert all(0 <= index < len(items) for index in indices)
    assert refusal.message.endswith("; nothing was sent")


# --- 1. arbitrary text: a PublishInput or a ValidationError that says where --------------------------------------


@FAST
@given(padded(arbitrary_texts))
def test_arbitrary_text_is_accepted_or_refused_with_a_place(text: str) -> None:
    try:
        result = parse_publish_input(text, source=SOURCE)
    except ValidationError as exc:
        _check_refusal(text, exc)
    else:
        _check_accepted(result)
        _check_encode_all(result.items)


@MEDIUM
@given(st.data(), st.lists(flat_objects, min_size=2, max_size=6), st.sampled_from(["\n", "\r\n"]))
def test_broken_json_line_is_named_by_its_line_number(
    data: st.DataObject, objects: list[dict[str, Any]], newline: str
) -> None:
    lines = [json.dumps(item) for item in objects]
    broken = data.draw(st.integers(1, len(lines) - 1), label="broken")  # line 1 valid: read as JSON Lines
    line = lines[broken]
    lines[broken] = data.draw(
        st.sampled_from([line[: data.draw(st.integers(1, len(line) - 1), label="cut")], line + ",", line + "}"])
    )
    blanks = data.draw(st.lists(st.sampled_from(["", "  ", "\t"]), min_size=len(lines), max_size=len(lines)))
    text_lines: list[str] = []
    expected = 0
    for number, (content, blank) in enumerate(zip(lines, blanks, strict=True)):
        if number == broken:
            expected = len(text_lines) + 1
        text_lines.append(content)
        if blank:
            text_lines.append(blank)
    with pytest.raises(ValidationError) as caught:
        parse_publish_input(newline.join(text_lines), source=SOURCE)
    assert caught.value.reason.startswith(f"is not valid JSON Lines (line {expected}, col ")
    _check_refusal(newline.join(text_lines), caught.value)


# --- 2. any JSON value, serialized ------------------------------------------------------------------------------


@FAST
@given(json_values | json_objects, st.sampled_from([None, 2]), st.booleans())
def test_dumped_json_value_is_read_back_as_itself(value: Any, indent: int | None, ascii_only: bool) -> None:
    text = json.dumps(value, indent=indent, ensure_ascii=ascii_only)
    if isinstance(value, dict):
        assert parse_publish_input(text) == PublishInput([value], single=True, form="object")
        assert json.loads(encode_payload(value)) == value
    elif isinstance(value, list) and value:
        assert parse_publish_input(text) == PublishInput(value, single=False, form="array")
    else:
        with pytest.raises(ValidationError) as caught:
            parse_publish_input(text, source=SOURCE)
        _check_refusal(text, caught.value)
        assert caught.value.reason in {
            "is an empty array: nothing to publish",
            "must be a JSON object, an array of objects, or JSON Lines",
        }


@MEDIUM
@given(st.lists(flat_objects | json_values, min_size=1, max_size=12), st.sampled_from([None, 2]))
def test_array_items_are_read_back_and_non_objects_named_by_index(items: list[Any], indent: int | None) -> None:
    result = parse_publish_input(json.dumps(items, indent=indent))
    assert result == PublishInput(items, single=False, form="array")
    bad = [index for index, item in enumerate(items) if not isinstance(item, dict)]
    if not bad:
        encoded = encode_all(result.items)
        assert encoded == [encode_json(item) for item in items]
        assert [json.loads(item) for item in encoded] == items
        return
    with pytest.raises(PublishInputError) as caught:
        encode_all(result.items)
    problems = caught.value.problems
    assert [problem.where for problem in problems] == [f"item {index}" for index in bad]
    for index, problem in zip(bad, problems, strict=True):
        assert problem.message.startswith(f"item {index}: must be a JSON object, got ")
    assert caught.value.message.startswith(f"item {bad[0]}: ")


# --- 3. the chunker ---------------------------------------------------------------------------------------------

_BLOB = memoryview(b"x" * MAX_BODY_BYTES)  # items are slices of it: sizes matter to the chunker, content does not
_small = st.integers(0, 300)
_hundredth = st.integers(10_300, 10_600)  # a hundred of these are about one batch body
_half = st.integers(MAX_BODY_BYTES // 2 - 40, MAX_BODY_BYTES // 2 + 40)  # two of these are just under or over
_whole = st.integers(MAX_BODY_BYTES - 40, MAX_BODY_BYTES)  # the largest payload encode_payload lets through
_sizes = st.one_of(_small, _small, _small, _hundredth, _hundredth, _hundredth, _half, _whole)  # few large ones: fast

_size_lists = st.integers(0, 320).flatmap(lambda count: st.lists(_sizes, min_size=count, max_size=count))


_EXACT_PAIR = MAX_BODY_BYTES // 2 - 8  # two of these make a batch body of exactly MAX_BODY_BYTES


@SLOW
@given(_size_lists, st.integers(1, MAX_BATCH_ITEMS) | st.just(MAX_BATCH_ITEMS))
@example([_EXACT_PAIR, _EXACT_PAIR], MAX_BATCH_ITEMS)  # fits to the byte: one chunk
@example([_EXACT_PAIR, _EXACT_PAIR + 1], MAX_BATCH_ITEMS)  # one byte over: two chunks
@example([0] * 250, MAX_BATCH_ITEMS)
@example([MAX_BODY_BYTES, 0, MAX_BODY_BYTES], MAX_BATCH_ITEMS)
def test_chunks_cover_every_item_once_in_order_within_limits(sizes: list[int], max_items: int) -> None:
    encoded: list[Any] = [_BLOB[:size] for size in sizes]
    spans = list(chunk_encoded(encoded, max_items=max_items))
    covered = [index for span in spans for index in span]
    assert covered == list(range(len(encoded)))
    start = 0
    for number, span in enumerate(spans):
        assert span.step == 1
        assert span.start == start
        assert 1 <= len(span) <= max_items
        start = span.stop
        chunk = encoded[span.start : span.stop]
        size = batch_body_size(chunk)
        if len(span) > 1:
            assert size <= MAX_BODY_BYTES, (size, len(span))
        else:
            # A lone item may make a batch body over the limit: the publisher sends it as a single publish,
            # whose body is the payload itself.
            assert len(chunk[0]) <= MAX_BODY_BYTES
        if len(span) > 1:  # building a lone item's body would only copy a megabyte: test_batch_body_size_* covers it
            assert size == len(batch_body(chunk))
        if number + 1 < len(spans):  # greedy: the next item did not fit
            assert len(span) == max_items or size + 1 + len(encoded[span.stop]) > MAX_BODY_BYTES


@FAST
@given(st.lists(st.binary(max_size=40), max_size=30))
def test_batch_body_size_is_the_length_of_the_body(encoded: list[bytes]) -> None:
    body = batch_body(encoded)
    assert batch_body_size(encoded) == len(body)
    assert body.startswith(b'{"payloads":[')
    assert body.endswith(b"]}")


@MEDIUM
@given(st.lists(flat_objects, max_size=25), st.integers(1, 6))
def test_chunks_of_real_payloads_are_valid_batches(objects: list[dict[str, Any]], max_items: int) -> None:
    encoded = encode_all(objects)
    for span in chunk_encoded(encoded, max_items=max_items):
        chunk = encoded[span.start : span.stop]
        assert json.loads(batch_body(chunk)) == {"payloads": objects[span.start : span.stop]}
        assert check_batch(objects[span.start : span.stop]) == chunk


# --- 4. JSON Lines round trip -----------------------------------------------------------------------------------


@MEDIUM
@given(
    st.lists(flat_objects, min_size=2, max_size=8),
    st.data(),
    st.sampled_from(["\n", "\r\n"]),
    st.booleans(),
    st.sampled_from(["", "\ufeff"]),
)
def test_json_lines_round_trip(
    objects: list[dict[str, Any]], data: st.DataObject, newline: str, ascii_only: bool, bom: str
) -> None:
    blank = st.sampled_from(["", " ", "\t "])
    lines: list[str] = []
    for item in objects:
        lines += data.draw(st.lists(blank, max_size=2), label="blank lines")
        lines.append(json.dumps(item, ensure_ascii=ascii_only))
    trailing = data.draw(st.sampled_from(["", newline, newline * 2]), label="trailing")
    text = bom + newline.join(lines) + trailing
    assert parse_publish_input(text) == PublishInput(objects, single=False, form="JSON Lines")


@FAST
@given(json_objects, st.sampled_from(["", "\n", "\r\n", "\n\n"]))
def test_one_object_on_one_line_is_a_single_publish(item: dict[str, Any], trailing: str) -> None:
    assert parse_publish_input(json.dumps(item) + trailing) == PublishInput([item], single=True, form="object")


# --- deep nesting is refused in words, not with a RecursionError ---------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["[" * 100_000, "[" * 100_000 + "]" * 100_000, '{"a": 1}\n' + '{"b": ' + "[" * 100_000],
    ids=["unclosed", "balanced", "json-lines"],
)
def test_deeply_nested_input_is_refused(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_publish_input(text, source=SOURCE)
    assert caught.value.where == SOURCE


def test_deeply_nested_payload_is_refused_by_item() -> None:
    deep: Any = []
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(PublishInputError) as caught:
        encode_all([{"ok": 1}, {"a": deep}])
    assert [problem.where for problem in caught.value.problems] == ["item 1"]
