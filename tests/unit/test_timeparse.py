"""RFC 3339 parsing and formatting as the API writes timestamps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from inspector.core.errors import ValidationError
from inspector.core.timeparse import format_time, now_utc, parse_time

NOON = datetime(2024, 5, 1, 12, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "2024-05-01T12:30:00Z",
        "2024-05-01T12:30:00z",
        "2024-05-01t12:30:00Z",
        "2024-05-01 12:30:00Z",
        "2024-05-01T12:30:00+00:00",
        "2024-05-01T12:30:00+0000",
        "2024-05-01T12:30:00-00:00",
        "2024-05-01T14:30:00+02:00",
        "2024-05-01T14:30:00+0200",
        "2024-05-01T07:00:00-05:30",
        "2024-05-01T12:30Z",
        "  2024-05-01T12:30:00Z\n",
    ],
)
def test_accepted_forms_give_the_same_moment(text: str) -> None:
    parsed = parse_time(text)
    assert parsed.tzinfo is not None
    assert parsed.utcoffset() is not None
    assert parsed == NOON


def test_offset_is_kept() -> None:
    parsed = parse_time("2024-05-01T14:30:00+02:00")
    assert parsed.utcoffset() == timedelta(hours=2)
    assert parsed.hour == 14


def test_z_is_utc() -> None:
    assert parse_time("2024-05-01T12:30:00Z").utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    ("fraction", "micro"),
    [
        ("1", 100_000),
        ("12", 120_000),
        ("123", 123_000),
        ("1234", 123_400),
        ("12345", 123_450),
        ("123456", 123_456),
        ("1234564", 123_456),
        ("1234565", 123_457),
        ("12345649", 123_456),
        ("123456789", 123_457),
        ("000000499", 0),
        ("000000500", 1),
    ],
)
def test_fractional_seconds_round_to_microseconds(fraction: str, micro: int) -> None:
    parsed = parse_time(f"2024-05-01T12:30:00.{fraction}Z")
    assert parsed == NOON + timedelta(microseconds=micro)
    assert parsed.tzinfo is not None


def test_fraction_with_offset() -> None:
    parsed = parse_time("2024-05-01T14:30:00.123456789+02:00")
    assert parsed.utcoffset() == timedelta(hours=2)
    assert parsed.microsecond == 123_457


def test_rounding_carries_into_the_next_second() -> None:
    assert parse_time("2024-12-31T23:59:59.9999995Z") == datetime(2025, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "2024-05-01T12:30:00",
        "2024-05-01T12:30:00.123",
        "2024-05-01",
        "12:30:00Z",
        "",
        "   ",
        "yesterday",
        "2024-05-01T12:30:00ZZ",
        "2024-05-01T12:30:00+2",
        "2024/05/01T12:30:00Z",
        "2024-05-01T12:30:00.Z",
    ],
)
def test_refused_forms_name_the_input(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_time(text, where="since")
    assert caught.value.where == "since"
    assert repr(text) in caught.value.message
    assert caught.value.message.startswith("since: ")
    assert caught.value.hint


@pytest.mark.parametrize(
    "text",
    ["2024-13-01T12:30:00Z", "2024-02-30T12:30:00Z", "2024-05-01T25:00:00Z", "2024-05-01T12:30:00+25:00"],
)
def test_impossible_dates_are_validation_errors(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_time(text, where="t")
    assert caught.value.where == "t"
    assert repr(text) in caught.value.message


@pytest.mark.parametrize("value", [None, 1714566600, 1.5, b"2024-05-01T12:30:00Z", NOON])
def test_non_strings_are_refused(value: object) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_time(value, where="since_time")  # type: ignore[arg-type]
    assert caught.value.where == "since_time"
    assert type(value).__name__ in caught.value.message


def test_default_where_is_time() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_time("nope")
    assert caught.value.where == "time"


def test_format_time_is_utc_milliseconds() -> None:
    moment = datetime(2024, 5, 1, 14, 30, 0, 123_999, tzinfo=timezone(timedelta(hours=2)))
    assert format_time(moment) == "2024-05-01T12:30:00.123+00:00"


def test_format_time_pads_milliseconds() -> None:
    assert format_time(NOON + timedelta(microseconds=7_000)) == "2024-05-01T12:30:00.007+00:00"
    assert format_time(NOON) == "2024-05-01T12:30:00.000+00:00"


def test_format_time_refuses_naive() -> None:
    with pytest.raises(ValueError, match="aware"):
        format_time(datetime(2024, 5, 1, 12, 30))


@pytest.mark.parametrize(
    "moment",
    [
        NOON,
        NOON + timedelta(milliseconds=999),
        datetime(1999, 12, 31, 23, 59, 59, 1000, tzinfo=UTC),
        datetime(2024, 5, 1, 3, 0, 0, 250_000, tzinfo=timezone(timedelta(hours=-7))),
    ],
)
def test_round_trip_at_millisecond_precision(moment: datetime) -> None:
    text = format_time(moment)
    assert parse_time(text) == moment
    assert format_time(parse_time(text)) == text


def test_round_trip_truncates_below_a_millisecond() -> None:
    moment = NOON + timedelta(microseconds=1_999)
    assert parse_time(format_time(moment)) == NOON + timedelta(milliseconds=1)


def test_now_utc_is_aware_utc() -> None:
    now = now_utc()
    assert now.utcoffset() == timedelta(0)
    assert abs((datetime.now(UTC) - now).total_seconds()) < 5
