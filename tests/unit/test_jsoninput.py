"""What a person pastes to publish: one object, an array, or JSON Lines; errors say where."""

from __future__ import annotations

import pytest

from inspector.core.errors import ValidationError
from inspector.core.jsoninput import PublishInput, parse_publish_input


def test_object_is_a_single_publish() -> None:
    result = parse_publish_input('{"a": 1, "b": [true, null]}')
    assert result == PublishInput([{"a": 1, "b": [True, None]}], single=True, form="object")


def test_pretty_printed_object_is_single() -> None:
    result = parse_publish_input('{\n  "a": 1,\n  "b": {\n    "c": "d"\n  }\n}\n')
    assert result.single is True
    assert result.form == "object"
    assert result.items == [{"a": 1, "b": {"c": "d"}}]


def test_array_is_a_batch() -> None:
    result = parse_publish_input('[{"a": 1}, {"a": 2}, {"a": 3}]')
    assert result == PublishInput([{"a": 1}, {"a": 2}, {"a": 3}], single=False, form="array")


def test_array_of_one_is_still_a_batch() -> None:
    result = parse_publish_input('[{"a": 1}]')
    assert result.single is False
    assert result.form == "array"
    assert result.items == [{"a": 1}]


def test_json_lines_is_a_batch_in_order() -> None:
    result = parse_publish_input('{"a": 1}\n{"a": 2}\n\n   \n{"a": 3}\n')
    assert result == PublishInput([{"a": 1}, {"a": 2}, {"a": 3}], single=False, form="JSON Lines")


def test_json_lines_with_crlf() -> None:
    result = parse_publish_input('{"a": 1}\r\n{"a": 2}\r\n')
    assert result.form == "JSON Lines"
    assert result.items == [{"a": 1}, {"a": 2}]


@pytest.mark.parametrize("text", ["", "   ", "\n\n\t", "\ufeff", "\ufeff  \n"])
def test_empty_input(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_publish_input(text, source="clipboard")
    assert caught.value.where == "clipboard"
    assert "is empty" in caught.value.message
    assert caught.value.hint


@pytest.mark.parametrize("text", ["[]", " [ ] ", "\ufeff[]"])
def test_empty_array(text: str) -> None:
    with pytest.raises(ValidationError, match="empty array: nothing to publish"):
        parse_publish_input(text)


@pytest.mark.parametrize("text", ["5", '"text"', "true", "null", "-1.5"])
def test_scalar_is_refused(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_publish_input(text, source="file.json")
    assert caught.value.where == "file.json"
    assert "must be a JSON object, an array of objects, or JSON Lines" in caught.value.message


@pytest.mark.parametrize(
    ("text", "constant"),
    [('{"a": NaN}', "NaN"), ('[{"a": Infinity}]', "Infinity"), ('{"a": -Infinity}', "-Infinity")],
)
def test_non_finite_numbers_refused(text: str, constant: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_publish_input(text)
    assert f"{constant} is not allowed in JSON" in caught.value.message
    assert caught.value.where == "input"


def test_nan_in_a_later_json_line_names_the_line() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_publish_input('{"a": 1}\n{"a": 2}\n{"a": NaN}\n')
    assert "line 3" in caught.value.message
    assert "NaN is not allowed" in caught.value.message


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ('{"a": 1,}', "line 1, col 9"),
        ('{"a" 1}', "line 1, col 6"),
        ('[{"a": 1}, {"a": 2]', "line 1, col 19"),
        ("{'a': 1}", "line 1, col 2"),
        ('[\n  {"a": 1},\n  {"a": 2\n]', "line 4, col 1"),
    ],
)
def test_broken_json_names_line_and_column(text: str, place: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_publish_input(text)
    assert "is not valid JSON (" in caught.value.message
    assert place in caught.value.message
    assert caught.value.hint


def test_broken_json_line_names_its_line_number() -> None:
    text = '{"a": 1}\n{"a": 2}\n{"a": 3,,}\n{"a": 4}\n'
    with pytest.raises(ValidationError) as caught:
        parse_publish_input(text, source="events.jsonl")
    assert caught.value.where == "events.jsonl"
    assert "is not valid JSON Lines (line 3, col 9" in caught.value.message
    assert "one JSON object on each line" in caught.value.hint


def test_json_lines_line_numbers_count_blank_lines() -> None:
    text = '{"a": 1}\n\n\n{"a": oops}\n'
    with pytest.raises(ValidationError, match=r"JSON Lines \(line 4, col 7"):
        parse_publish_input(text)


def test_pretty_printed_object_with_syntax_error_reports_the_json_error() -> None:
    text = '{\n  "a": 1\n  "b": 2\n}\n'
    with pytest.raises(ValidationError) as caught:
        parse_publish_input(text)
    message = caught.value.message
    assert "is not valid JSON (line 3, col 3" in message
    assert "expected ',' or a closing bracket" in message
    assert "JSON Lines" not in message


def test_second_object_without_newline_is_a_json_error() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_publish_input('{"a": 1} {"a": 2}')
    assert "is not valid JSON (line 1, col 10: more text after the end of the JSON value)" in caught.value.message


def test_utf8_bom_is_tolerated() -> None:
    assert parse_publish_input('\ufeff{"a": "é"}').items == [{"a": "é"}]
    result = parse_publish_input('\ufeff{"a": 1}\n{"a": 2}')
    assert result.form == "JSON Lines"
    assert result.items == [{"a": 1}, {"a": 2}]


def test_surrounding_whitespace_is_ignored() -> None:
    result = parse_publish_input('  \n {"a": 1}  \n\n')
    assert result.single is True
    assert result.items == [{"a": 1}]


def test_default_source_is_input() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_publish_input("{")
    assert caught.value.where == "input"
    assert caught.value.message.startswith("input: is not valid JSON (line 1, col 2")
