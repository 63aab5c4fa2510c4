"""Export of received messages (JSON Lines, JSON, CSV) and import of files for publishing or replay."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inspector.core.errors import ValidationError
from inspector.core.export import (
    FORMATS,
    ImportedItem,
    export_messages,
    export_to_file,
    import_file,
    import_items,
    message_line,
    message_record,
)
from inspector.core.jsoninput import JsonSyntaxError
from inspector.core.models import Message
from inspector.core.timeparse import format_time, parse_time

START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
BOM = "\ufeff".encode()


def msg(n: int, payload: dict[str, Any], time_text: str | None = None) -> Message:
    moment = START + timedelta(seconds=n, microseconds=123456)
    return Message(f"M{n}", moment, payload, format_time(moment) if time_text is None else time_text)


def replayed(items: list[ImportedItem]) -> list[Message]:
    """Messages rebuilt from imported records, as a replay would."""
    out = []
    for item in items:
        assert item.source_id is not None
        assert item.source_time is not None
        out.append(Message(item.source_id, parse_time(item.source_time), item.payload, item.source_time))
    return out


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(BOM)
    return list(csv.reader(io.StringIO(data[len(BOM) :].decode("utf-8"), newline="")))


TRICKY = {
    "text": 'quote " comma , semicolon ; tab \t',
    "lines": "one\ntwo\r\nthree\rfour",
    "unicode": "Grüße 日本 🎉 \u2028 \u2029 \u0085",
    "escapes": "back\\slash / \x00 \x1f",
    "nested": {"a": [1, 2.5, {"b": None}], "empty": {}, "none": []},
    "big": 2**70,
    "neg_zero": -0.0,
    "flag": False,
}

# ----- message_record and the JSON Lines line ------------------------------------------------------------------


def test_message_record_keeps_the_servers_spelling_of_the_time() -> None:
    message = Message("M1", START, {"a": 1}, "2026-03-01T12:00:00Z")
    assert message_record(message) == {"message_id": "M1", "time": "2026-03-01T12:00:00Z", "payload": {"a": 1}}


def test_message_record_formats_the_time_when_the_server_text_is_unknown() -> None:
    moment = datetime(2026, 3, 1, 14, 0, 0, 987654, tzinfo=timezone(timedelta(hours=2)))
    assert message_record(Message("M1", moment, {}))["time"] == "2026-03-01T12:00:00.987+00:00"


def test_jsonl_line_is_the_clis_consume_line() -> None:
    messages = [msg(0, TRICKY), msg(1, {"x": "y"}, time_text="2026-03-01T12:00:01Z")]
    data = export_messages(messages, "jsonl")
    # What `consume` writes to stdout, one message per line: the C1 control U+0085 in TRICKY as an escape.
    expected = "".join(m.to_json_line() + "\n" for m in messages).replace("\u0085", "\\u0085")
    assert data == expected.encode("utf-8")
    assert [message_line(m) for m in messages] == data.decode("utf-8").split("\n")[:-1]


def test_jsonl_is_compact_unescaped_utf8_one_object_per_line() -> None:
    data = export_messages([msg(0, {"name": "Zoë", "sep": "\u2028"}), msg(1, {})], "jsonl")
    text = data.decode("utf-8")
    assert text.endswith("\n")
    assert text.count("\n") == 2
    first, second, _ = text.split("\n")
    assert first == (
        '{"message_id":"M0","time":"2026-03-01T12:00:00.123+00:00","payload":{"name":"Zoë","sep":"\u2028"}}'
    )
    assert json.loads(second) == {"message_id": "M1", "time": "2026-03-01T12:00:01.123+00:00", "payload": {}}


def test_no_messages_export_as_an_empty_file_or_array() -> None:
    assert export_messages([], "jsonl") == b""
    assert json.loads(export_messages([], "json")) == []
    assert csv_rows(export_messages([], "csv")) == [["message_id", "time"]]


# ----- JSON Lines round trip -----------------------------------------------------------------------------------


def test_jsonl_round_trip_is_byte_for_byte() -> None:
    messages = [msg(0, TRICKY), msg(1, {"k": "v"}, time_text="2026-03-01T12:00:01Z"), msg(2, {})]
    data = export_messages(messages, "jsonl")
    items = import_items(data.decode("utf-8"))
    assert [i.payload for i in items] == [m.payload for m in messages]
    assert [i.source_id for i in items] == ["M0", "M1", "M2"]
    assert [i.source_time for i in items] == [m.time_text for m in messages]
    assert export_messages(replayed(items), "jsonl") == data
    # Records written straight from the imported items are the same bytes too.
    records = [{"message_id": i.source_id, "time": i.source_time, "payload": i.payload} for i in items]
    written = "".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n" for r in records)
    assert written.replace("\u0085", "\\u0085").encode() == data


def test_jsonl_round_trip_through_a_file(tmp_path: Path) -> None:
    messages = [msg(n, {"n": n, "text": TRICKY["lines"]}) for n in range(5)]
    path = tmp_path / "out" / "messages.jsonl"
    assert export_to_file(iter(messages), path) == 5  # a one-shot iterator is enough
    items = import_file(path)
    assert [i.payload for i in items] == [m.payload for m in messages]
    again = tmp_path / "again.ndjson"
    export_to_file(replayed(items), again)
    assert again.read_bytes() == path.read_bytes()


def test_a_lone_surrogate_is_escaped_and_survives_the_round_trip() -> None:
    payload = json.loads('{"bad": "x\\ud800y", "\\udc00key": 1}')  # what a server may legally send
    data = export_messages([msg(0, payload)], "jsonl")
    assert b"\\ud800" in data
    assert b"\\udc00" in data
    assert import_items(data.decode("utf-8"))[0].payload == payload
    assert json.loads(export_messages([msg(0, payload)], "json"))[0]["payload"] == payload
    assert csv_rows(export_messages([msg(0, payload)], "csv"))[1][2] == "x\\ud800y"


_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10)
    | st.sampled_from(["\u2028", "\u2029", '"', "\\", "\n", "\r\n", "\x00", "🎉", '{"a": 1}\n{'])
)
_json = st.recursive(
    _scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=10,
)
_payloads = st.dictionaries(st.text(max_size=8), _json, max_size=5)
_times = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)).flatmap(
    lambda moment: st.sampled_from([format_time(moment), moment.isoformat(), format_time(moment)[:-6] + "Z"])
)


@settings(max_examples=60, deadline=None, database=None)
@given(st.lists(st.tuples(st.text(min_size=1, max_size=12), _times, _payloads), min_size=1, max_size=3))
def test_jsonl_round_trip_property(drawn: list[tuple[str, str, dict[str, Any]]]) -> None:
    messages = [Message(mid, parse_time(text), payload, text) for mid, text, payload in drawn]
    data = export_messages(messages, "jsonl")
    items = import_items(data.decode("utf-8"))
    assert [(i.source_id, i.source_time, i.payload) for i in items] == drawn
    assert export_messages(replayed(items), "jsonl") == data


# ----- JSON ----------------------------------------------------------------------------------------------------


def test_json_export_is_an_indented_array_that_parses_back() -> None:
    messages = [msg(0, TRICKY), msg(1, {"a": 1})]
    data = export_messages(messages, "json")
    text = data.decode("utf-8")
    assert text.startswith('[\n  {\n    "message_id": "M0"')
    assert text.endswith("]\n")
    assert "🎉" in text  # not \ud83c escapes
    assert json.loads(text) == [message_record(m) for m in messages]
    items = import_items(text)
    assert [(i.source_id, i.payload) for i in items] == [("M0", TRICKY), ("M1", {"a": 1})]
    assert export_messages(replayed(items), "json") == data


# ----- CSV -----------------------------------------------------------------------------------------------------


def test_csv_quotes_commas_quotes_newlines_and_unicode() -> None:
    payload = {"text": TRICKY["text"], "lines": TRICKY["lines"], "unicode": TRICKY["unicode"], "plain": "abc"}
    data = export_messages([msg(0, payload)], "csv")
    assert data.startswith(BOM + b'"message_id","time","text","lines","unicode","plain"\r\n')
    assert data.endswith(b',"abc"\r\n')
    rows = csv_rows(data)
    assert rows == [
        ["message_id", "time", "text", "lines", "unicode", "plain"],
        [
            "M0",
            "2026-03-01T12:00:00.123+00:00",
            payload["text"],
            payload["lines"],
            "Grüße 日本 🎉 \u2028 \u2029 \\x85",
            "abc",
        ],
    ]


def test_csv_writes_values_as_json_text_and_null_as_empty() -> None:
    payload = {"s": "1.5", "i": 1, "f": 1.5, "t": True, "n": None, "o": {}, "a": [], "big": 2**70, "e": ""}
    rows = csv_rows(export_messages([msg(0, payload)], "csv"))
    assert dict(zip(rows[0], rows[1], strict=True)) == {
        "message_id": "M0",
        "time": "2026-03-01T12:00:00.123+00:00",
        "s": "1.5",
        "i": "1",
        "f": "1.5",
        "t": "true",
        "n": "",
        "o": "{}",
        "a": "[]",
        "big": str(2**70),
        "e": "",
    }


def test_csv_flattens_to_dotted_paths_with_the_union_of_columns_in_first_seen_order() -> None:
    messages = [
        msg(0, {"order": 1, "customer": {"name": "Ann", "vip": False}, "lines": [{"sku": "A", "qty": 2}]}),
        msg(1, {"customer": {"name": "Bob", "email": "b@x"}, "lines": [{"sku": "B"}, {"sku": "C", "qty": 1}]}),
        msg(2, {}),
        msg(3, {"note": "last"}),
    ]
    rows = csv_rows(export_messages(messages, "csv"))
    assert rows[0] == [
        "message_id",
        "time",
        "order",
        "customer.name",
        "customer.vip",
        "lines.0.sku",
        "lines.0.qty",
        "customer.email",
        "lines.1.sku",
        "lines.1.qty",
        "note",
    ]
    assert rows[1][2:] == ["1", "Ann", "false", "A", "2", "", "", "", ""]
    assert rows[2][2:] == ["", "Bob", "", "B", "", "b@x", "C", "1", ""]
    assert rows[3] == ["M2", "2026-03-01T12:00:02.123+00:00", *[""] * 9]
    assert rows[4][-1] == "last"
    assert all(len(row) == len(rows[0]) for row in rows)


def test_csv_keeps_a_payloads_own_time_and_clashing_paths_apart() -> None:
    payload = {"time": "payload time", "message_id": "payload id", "a.b": 1, "a": {"b": 2}}
    rows = csv_rows(export_messages([msg(0, payload, time_text="T")], "csv"))
    assert rows[0] == ["message_id", "time", "payload.time", "payload.message_id", "a.b", "a.b"]
    assert rows[1] == ["M0", "T", "payload time", "payload id", "1", "2"]


def test_csv_file_has_a_bom_and_crlf_line_ends(tmp_path: Path) -> None:
    path = tmp_path / "Messages.CSV"
    assert export_to_file([msg(0, {"a": "x\ny"}), msg(1, {"a": "z"})], path) == 2
    data = path.read_bytes()
    assert (
        data
        == BOM
        + b'"message_id","time","a"\r\n"M0","2026-03-01T12:00:00.123+00:00","x\ny"\r\n'
        + b'"M1","2026-03-01T12:00:01.123+00:00","z"\r\n'
    )


# ----- formats and file names ----------------------------------------------------------------------------------


def test_an_unknown_format_is_named_with_the_choices() -> None:
    with pytest.raises(ValidationError) as caught:
        export_messages([msg(0, {})], "xml")
    assert "'xml'" in caught.value.message
    assert all(fmt in caught.value.hint for fmt in FORMATS)


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("a.jsonl", "jsonl"), ("a.ndjson", "jsonl"), ("a.JSON", "json"), ("a.csv", "csv"), ("a.b.json", "json")],
)
def test_the_format_comes_from_the_suffix(tmp_path: Path, name: str, fmt: str) -> None:
    messages = [msg(0, {"a": 1})]
    export_to_file(messages, tmp_path / name)
    assert (tmp_path / name).read_bytes() == export_messages(messages, fmt)


def test_an_explicit_format_wins_over_the_suffix(tmp_path: Path) -> None:
    path = tmp_path / "dump.txt"
    assert export_to_file([msg(0, {"a": 1})], path, "json") == 1
    assert json.loads(path.read_text("utf-8"))[0]["payload"] == {"a": 1}


@pytest.mark.parametrize("name", ["messages.txt", "messages", "messages.jsonl.bak"])
def test_an_unknown_suffix_is_refused_with_a_hint_and_writes_nothing(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    with pytest.raises(ValidationError) as caught:
        export_to_file([msg(0, {})], path)
    assert caught.value.where == str(path)
    assert ".jsonl" in caught.value.hint
    assert ".csv" in caught.value.hint
    assert not path.exists()


def test_an_unknown_explicit_format_leaves_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "keep.jsonl"
    path.write_text("old\n")
    with pytest.raises(ValidationError, match="'yaml'"):
        export_to_file([msg(0, {})], path, "yaml")
    assert path.read_text() == "old\n"


def test_an_unwritable_place_is_a_validation_error_naming_the_path(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    path = blocker / "out.jsonl"  # a folder that is a file
    with pytest.raises(ValidationError) as caught:
        export_to_file([msg(0, {})], path)
    assert caught.value.where == str(path)


# ----- import --------------------------------------------------------------------------------------------------


def test_bare_payloads_import_without_ids() -> None:
    text = '{"a": 1}\n\n{"b": {"message_id": "inner"}}\n'
    assert import_items(text) == [
        ImportedItem({"a": 1}, None, None),
        ImportedItem({"b": {"message_id": "inner"}}, None, None),
    ]


def test_a_json_array_and_a_single_object_import() -> None:
    record = {"message_id": "M9", "time": "2026-03-01T12:00:00Z", "payload": {"x": [1]}}
    assert import_items(json.dumps([record, {"y": 2}], indent=2)) == [
        ImportedItem({"x": [1]}, "M9", "2026-03-01T12:00:00Z"),
        ImportedItem({"y": 2}, None, None),
    ]
    assert import_items(json.dumps(record)) == [ImportedItem({"x": [1]}, "M9", "2026-03-01T12:00:00Z")]
    assert import_items('{"only": "payload"}') == [ImportedItem({"only": "payload"}, None, None)]


def test_an_object_with_more_or_fewer_keys_than_a_record_is_a_payload() -> None:
    extra = {"message_id": "M1", "time": "t", "payload": {}, "more": 1}
    fewer = {"message_id": "M1", "payload": 5}
    assert import_items(json.dumps([extra, fewer])) == [
        ImportedItem(extra, None, None),
        ImportedItem(fewer, None, None),
    ]


def test_a_record_whose_payload_is_not_an_object_names_the_item() -> None:
    good = json.dumps({"a": 1})
    bad = json.dumps({"message_id": "M1", "time": "t", "payload": [1, 2]})
    with pytest.raises(ValidationError) as caught:
        import_items(f"[{good}, {good}, {bad}]", source="replay.json")
    assert caught.value.where == "replay.json: item 2"
    assert "payload is an array" in caught.value.message


def test_a_jsonl_entry_names_its_item_and_line() -> None:
    text = '{"a": 1}\n\n{"message_id": "M1", "time": "t", "payload": "text"}\n'
    with pytest.raises(ValidationError) as caught:
        import_items(text)
    assert caught.value.where == "file: item 1 (line 3)"
    assert "payload is a string" in caught.value.message


@pytest.mark.parametrize(
    ("entry", "kind"), [("[1]", "an array"), ("3", "a number"), ("null", "null"), ('"s"', "a string")]
)
def test_an_entry_that_is_not_an_object_is_named(entry: str, kind: str) -> None:
    with pytest.raises(ValidationError) as caught:
        import_items(f'[{{"a": 1}}, {entry}]')
    assert caught.value.where == "file: item 1"
    assert kind in caught.value.message


def test_a_record_with_a_non_string_id_or_time_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"item 0: is an exported record whose message_id is a number"):
        import_items(json.dumps({"message_id": 1, "time": "t", "payload": {}}))
    with pytest.raises(ValidationError, match=r"item 0: is an exported record whose time is null"):
        import_items(json.dumps({"message_id": "M", "time": None, "payload": {}}))


def test_a_syntax_error_keeps_its_line_and_column() -> None:
    with pytest.raises(JsonSyntaxError) as caught:
        import_items('{"a": 1}\n{"b": 2}\n{"c": }\n', source="export.jsonl")
    assert (caught.value.line, caught.value.column) == (3, 7)
    assert caught.value.where == "export.jsonl"


@pytest.mark.parametrize("text", ["", "  \n\n", "\ufeff"])
def test_an_empty_input_is_refused(text: str) -> None:
    with pytest.raises(ValidationError, match="empty"):
        import_items(text)


def test_an_empty_array_is_refused() -> None:
    with pytest.raises(ValidationError, match="empty array"):
        import_items("[]")


def test_import_file_accepts_a_bom_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(BOM + b'{"a": "\xc3\xa9"}\r\n{"message_id": "M1", "time": "t", "payload": {}}\r\n')
    assert import_file(path) == [ImportedItem({"a": "é"}, None, None), ImportedItem({}, "M1", "t")]


def test_import_file_names_the_path_for_bad_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes(b'{"a": "caf\xe9"}')
    with pytest.raises(ValidationError) as caught:
        import_file(path)
    assert caught.value.where == str(path)
    assert "UTF-8" in caught.value.message


def test_import_file_names_the_path_when_it_cannot_be_read(tmp_path: Path) -> None:
    for path in (tmp_path / "missing.jsonl", tmp_path):
        with pytest.raises(ValidationError) as caught:
            import_file(path)
        assert caught.value.where == str(path)
        assert "cannot read" in caught.value.message


def test_import_file_names_the_path_in_entry_errors(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"a": 1}\n{"message_id": "M", "time": "t", "payload": null}\n', encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        import_file(path)
    assert caught.value.where == f"{path}: item 1 (line 2)"


def test_import_file_empty_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_bytes(b"")
    with pytest.raises(ValidationError, match="empty") as caught:
        import_file(path)
    assert caught.value.where == str(path)


def test_a_csv_export_is_not_read_back(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    export_to_file([msg(0, {"a": 1})], path)
    with pytest.raises(ValidationError, match="CSV") as caught:
        import_file(path)
    assert ".jsonl" in caught.value.hint


# ----- hostile text: formulas in CSV, terminal controls in JSON ------------------------------------------------


def test_csv_cells_headers_and_ids_that_a_spreadsheet_would_run_get_a_quote() -> None:
    payload = {
        "eq": "=1+2",
        "plus": "+1",
        "minus": "-5",
        "at": "@SUM(A1)",
        "tab": "\t=1",
        "cr": "\r=1",
        "link": '=HYPERLINK("http://evil.example","x")',
        "inner": "a=b",
        "=cmd|' /C calc'!A0": "v",
        "+h": {"-i": "x"},
    }
    message = Message("=1+2", START, payload, "@T")
    rows = csv_rows(export_messages([message], "csv"))
    assert rows[0][:2] == ["message_id", "time"]
    assert rows[0][-2:] == ["'=cmd|' /C calc'!A0", "'+h.-i"]
    assert dict(zip(rows[0], rows[1], strict=True)) == {
        "message_id": "'=1+2",
        "time": "'@T",
        "eq": "'=1+2",
        "plus": "'+1",
        "minus": "'-5",
        "at": "'@SUM(A1)",
        "tab": "'\t=1",
        "cr": "'\r=1",
        "link": '\'=HYPERLINK("http://evil.example","x")',
        "inner": "a=b",
        "'=cmd|' /C calc'!A0": "v",
        "'+h.-i": "x",
    }


def test_csv_numbers_stay_numbers_and_strings_that_look_like_numbers_get_a_quote() -> None:
    payload = {"n": -5, "f": -1.5, "e": -1e-7, "big": -(2**70), "s": "-5", "inf": float("-inf"), "t": True}
    rows = csv_rows(export_messages([msg(0, payload)], "csv"))
    cells = dict(zip(rows[0], rows[1], strict=True))
    assert (cells["n"], cells["f"], cells["e"], cells["big"]) == ("-5", "-1.5", "-1e-07", str(-(2**70)))
    assert (cells["s"], cells["inf"], cells["t"]) == ("'-5", "'-Infinity", "true")


def test_every_csv_cell_is_quoted_so_a_semicolon_cannot_start_a_formula() -> None:
    data = export_messages([msg(0, {"a": "x;=1+2", "n": 1})], "csv")
    assert data == BOM + b'"message_id","time","a","n"\r\n"M0","2026-03-01T12:00:00.123+00:00","x;=1+2","1"\r\n'


def test_csv_shows_terminal_controls_as_escapes_and_keeps_line_breaks() -> None:
    payload = {"k\x1b[2J": "a\x1b]0;t\x07\u202e\x9b\tb\nc"}
    data = export_messages([msg(0, payload)], "csv")
    assert b"\x1b" not in data
    assert "\u202e".encode() not in data
    assert "\x9b".encode() not in data
    assert csv_rows(data)[0][2] == "k\\x1b[2J"
    assert csv_rows(data)[1][2] == "a\\x1b]0;t\\x07\\u202e\\x9b\tb\nc"


@pytest.mark.parametrize("fmt", ["jsonl", "json"])
def test_json_exports_escape_c1_and_bidi_controls_and_decode_to_the_same(fmt: str) -> None:
    payload = {"t\u202e": "\x1b]0;t\x07 \x9b2J \u202eexe \u2066x\u2069 \u061c\u200e\u200f \x7f \x85"}
    data = export_messages([Message("M\u00a0", START, payload, "2026-03-01T12:00:00Z")], fmt)
    text = data.decode("utf-8")
    for char in ("\x1b", "\x07", "\x9b", "\x85", "\x7f", "\u202e", "\u2066", "\u2069", "\u061c", "\u200e", "\u200f"):
        assert char not in text
    assert "\\u009b2J" in text
    assert "\\u202e" in text
    records = [json.loads(line) for line in text.splitlines()] if fmt == "jsonl" else json.loads(text)
    assert records == [{"message_id": "M\u00a0", "time": "2026-03-01T12:00:00Z", "payload": payload}]
