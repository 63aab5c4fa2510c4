"""The row layout the table and the filters share, and the message a row gives back."""

from __future__ import annotations

import gc
from datetime import UTC, datetime, timedelta, timezone

import pytest

from inspector.core import rows
from inspector.core.export import FORMATS, export_messages
from inspector.core.filtering import RowFilter, make_filter
from inspector.core.models import Message
from inspector.core.rows import Row, make_row

MOMENT = datetime(2024, 5, 1, 12, 30, 0, 123000, tzinfo=UTC)


def test_the_index_constants_name_the_fields_of_row() -> None:
    assert [getattr(rows, field.upper()) for field in Row._fields] == list(range(len(Row._fields)))


def test_a_raw_row_is_an_exact_tuple_the_collector_leaves_alone() -> None:
    raw = make_row(7, Message("M7", MOMENT, {"a": "b"}, "2024-05-01T12:30:00.123Z"))
    assert type(raw) is tuple
    gc.collect()
    assert not gc.is_tracked(raw)
    assert Row._make(raw) == (7, "M7", MOMENT.timestamp(), '{"a":"b"}', 9, "2024-05-01T12:30:00.123Z")


@pytest.mark.parametrize(
    "time_text",
    ["2024-05-01T12:30:00.123+00:00", "2024-05-01T12:30:00.123Z", "2024-05-01T14:30:00.123+02:00"],
)
def test_a_row_gives_back_the_message_with_the_servers_time_text(time_text: str) -> None:
    moment = MOMENT.astimezone(timezone(timedelta(hours=2))) if "+02:00" in time_text else MOMENT
    message = Message("M1", moment, {"n": 1, "s": "Ω\u0085", "big": 2**70, "f": 1e16}, time_text)
    again = Row._make(make_row(0, message)).message()
    assert again == message
    assert again.time_text == time_text
    for fmt in FORMATS:
        assert export_messages([again], fmt) == export_messages([message], fmt)


def test_a_message_without_server_text_gets_the_apis_spelling_everywhere() -> None:
    message = Message("M1", MOMENT, {})
    assert message.time_rfc3339 == "2024-05-01T12:30:00.123+00:00"
    assert message.to_json()["time"] == message.time_rfc3339
    assert Row._make(make_row(0, message)).time_text == message.time_rfc3339


@pytest.mark.parametrize(
    ("mode", "text"), [("text", "jane"), ("text", "Jane"), ("text", "ω"), ("jmespath", "payload.n > `2`")]
)
def test_every_filter_answers_a_slice_as_it_answers_each_row(mode: str, text: str) -> None:
    predicate = make_filter(mode, text)
    assert isinstance(predicate, RowFilter)
    names = ["Jane", "jane", "John", "ΩMEGA", "ω"]
    table = [make_row(n, Message(f"M{n}", MOMENT, {"n": n, "name": name})) for n, name in enumerate(names)]
    assert predicate.matching(table) == [row[rows.SEQ] for row in table if predicate(row)]
    assert predicate.matching(table)  # something matched: the comparison above is not of two empty lists


def test_a_payload_with_a_lone_surrogate_makes_a_row() -> None:
    """Valid JSON (a "\\ud800" escape) that is not UTF-8: the table keeps it, and exports it as consume does."""
    message = Message("M1", MOMENT, {"half": "a\ud800b"}, "2024-05-01T12:30:00.123Z")
    row = Row._make(make_row(0, message))
    assert row.size == len('{"half":"a') + 3 + len('b"}')
    for fmt in FORMATS:
        assert export_messages([row.message()], fmt) == export_messages([message], fmt)
