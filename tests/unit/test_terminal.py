"""Terminal safety: server text escaped for words and JSON (inspector/core/terminal.py), and message ids a consume
answer may not hold (services/workato.py)."""

from __future__ import annotations

import io
import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inspector.core.errors import UnexpectedResponseError
from inspector.core.services.workato import parse_messages
from inspector.core.terminal import dumps, escape_json, escape_text, say

C0 = [chr(code) for code in range(0x20)]
DEL = ["\x7f"]
C1 = [chr(code) for code in range(0x80, 0xA0)]
BIDI = ["\u061c", "\u200e", "\u200f", *map(chr, range(0x202A, 0x202F)), *map(chr, range(0x2066, 0x206A))]
SURROGATES = ["\ud800", "\udbff", "\udc00", "\udfff"]
CONTROLS = C0 + DEL + C1 + BIDI
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
# Any character, lone surrogates included (st.text leaves them out).
any_char = st.characters(codec=None, exclude_categories=()) | st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)


# ----- escape_text: words -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("char", "shown"),
    [
        ("\x1b", "\\x1b"),
        ("\x07", "\\x07"),
        ("\x00", "\\x00"),
        ("\n", "\\n"),
        ("\r", "\\r"),
        ("\t", "\\t"),
        ("\x7f", "\\x7f"),
        ("\x9b", "\\x9b"),
        ("\x85", "\\x85"),
        ("\u202e", "\\u202e"),
        ("\u2066", "\\u2066"),
        ("\u061c", "\\u061c"),
        ("\ud800", "\\ud800"),
    ],
)
def test_each_control_is_shown_as_a_visible_escape(char: str, shown: str) -> None:
    assert escape_text(f"a{char}b") == f"a{shown}b"


@pytest.mark.parametrize("kind", ["C0", "DEL", "C1", "BIDI", "SURROGATES"])
def test_every_control_of_each_class_is_escaped(kind: str) -> None:
    chars = {"C0": C0, "DEL": DEL, "C1": C1, "BIDI": BIDI, "SURROGATES": SURROGATES}[kind]
    escaped = escape_text("".join(chars))
    assert UNSAFE.search(escaped) is None
    assert escaped.isascii()
    assert escaped.count("\\") == len(chars)


def test_no_code_point_escapes_the_escaping() -> None:
    every = "".join(map(chr, range(0x110000)))
    escaped = escape_text(every)
    assert UNSAFE.search(escaped) is None
    assert escape_text(every, keep_lines=True).count("\n") == 1


def test_the_attacks_of_the_issue_are_shown_not_obeyed() -> None:
    attack = "\x1b]0;title\x07 \x1b[2J \x1b]8;;https://evil/\x1b\\link\x1b]8;;\x1b\\ \x1b[5A \x9b2J \u202eexe.txt"
    shown = escape_text(attack)
    assert shown == (
        "\\x1b]0;title\\x07 \\x1b[2J \\x1b]8;;https://evil/\\x1b\\link\\x1b]8;;\\x1b\\ \\x1b[5A \\x9b2J \\u202eexe.txt"
    )


def test_printable_text_is_unchanged() -> None:
    text = "Grüße 日本 🎉 back\\slash \u00a0 \u2028 'quoted' \"x\" <b>html</b>"
    assert escape_text(text) == text
    assert escape_text(text, keep_lines=True) == text


def test_keep_lines_keeps_tabs_and_line_breaks_only() -> None:
    assert escape_text("a\tb\nc\r\nd\x1b\u202e\x85", keep_lines=True) == "a\tb\nc\r\nd\\x1b\\u202e\\x85"


# ----- escape_json / dumps: JSON on standard output -----------------------------------------------------------------


def test_json_escapes_c1_bidi_del_and_surrogates_and_decodes_to_the_same() -> None:
    value = {"k\u202e": ["".join(CONTROLS), *SURROGATES], "n": -5}
    text = dumps(value)
    assert UNSAFE.search(text) is None
    assert "\\u009b" in text
    assert "\\u202e" in text
    assert "\\ud800" in text
    assert json.loads(text) == value


def test_json_keeps_other_unicode_as_utf8() -> None:
    assert dumps({"name": "Zoë 日本 \u2028"}) == '{"name": "Zoë 日本 \u2028"}'
    assert dumps([1, 2], separators=(",", ":")) == "[1,2]"


@given(st.recursive(st.text(any_char, max_size=8), lambda kids: st.lists(kids, max_size=3), max_leaves=6))
def test_escaped_json_is_valid_and_decodes_to_the_same_value(value: object) -> None:
    for text in (dumps(value), escape_json(json.dumps(value, ensure_ascii=False, indent=2))):
        assert UNSAFE.search(text.replace("\n", "")) is None  # indent's own line breaks aside
        assert json.loads(text) == value


# ----- say: lines of words ------------------------------------------------------------------------------------------


def test_say_escapes_each_line_and_keeps_its_own_line_breaks() -> None:
    out = io.StringIO()
    say("error: \x1b[2Jbad\nerror: forged", "  hint: \u202eok", file=out)
    assert out.getvalue() == "error: \\x1b[2Jbad\\nerror: forged\n  hint: \\u202eok\n"


def test_say_writes_to_standard_error_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    say("topic 1: \x9b2J")
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", "topic 1: \\x9b2J\n")


# ----- message ids in a consume answer ------------------------------------------------------------------------------


def answer(message_id: str) -> dict[str, object]:
    return {
        "messages": [{"message_id": "ok", "time": "2026-03-01T12:00:00Z", "payload": {}}] * 2
        + [{"message_id": message_id, "time": "2026-03-01T12:00:00Z", "payload": {}}]
    }


@pytest.mark.parametrize(
    ("message_id", "words"),
    [
        ("A1\x1b]0;t\x07", "U+001B"),
        ("A1\nerror: forged line", "U+000A"),
        ("A1\x9b2J", "U+009B"),
        ("A1\u202e", "U+202E"),
        ("\u2066A1", "U+2066"),
        ("A1\x7f", "U+007F"),
        ("A1\ud800", "U+D800"),
        ("A1\u200b", "U+200B"),  # zero-width space: not printable, an id that looks like another
        ("x" * 1025, "1025 bytes (more than 1 KiB)"),
        ("é" * 513, "1026 bytes (more than 1 KiB)"),
    ],
)
def test_an_id_that_is_not_printable_or_too_long_is_a_wrong_answer(message_id: str, words: str) -> None:
    with pytest.raises(UnexpectedResponseError) as caught:
        parse_messages(answer(message_id), "host.test")
    assert "host.test answered with JSON of the wrong shape: message 2 has a 'message_id'" in caught.value.message
    assert words in caught.value.message
    assert UNSAFE.search(caught.value.describe().replace("\n  hint:", " hint:")) is None
    assert caught.value.hint


@pytest.mark.parametrize("message_id", ["x" * 1024, "é" * 512, "=1+2", "id with spaces", "日本-🎉", "a\\b"])
def test_printable_ids_up_to_1_kib_are_accepted(message_id: str) -> None:
    assert [m.message_id for m in parse_messages(answer(message_id), "host.test")] == ["ok", "ok", message_id]
