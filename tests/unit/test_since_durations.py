"""Start times as a person types them (``timeparse.parse_since``): RFC 3339 as ``parse_time`` reads it, or a
duration back from now (``90s``, ``30m``, ``2h``, ``1d``); anything else refused with both forms in the words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from inspector.core.errors import ValidationError
from inspector.core.timeparse import parse_duration, parse_since, parse_time

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
BOTH = "give RFC 3339 (2024-05-01T09:00:00Z) or a duration like 30m, 2h, 1d"


@pytest.mark.parametrize(
    ("text", "back"),
    [
        ("90s", timedelta(seconds=90)),
        ("30m", timedelta(minutes=30)),
        ("2h", timedelta(hours=2)),
        ("1d", timedelta(days=1)),
        ("1w", timedelta(weeks=1)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("1d 12h", timedelta(days=1, hours=12)),
        ("1.5h", timedelta(minutes=90)),
        ("2H", timedelta(hours=2)),
        (" 2 h\n", timedelta(hours=2)),
        ("0s", timedelta(0)),
    ],
)
def test_a_duration_counts_back_from_now(text: str, back: timedelta) -> None:
    assert parse_since(text, where="--since", now=NOW) == NOW - back
    assert parse_duration(text) == back


def test_the_moment_is_in_utc_whatever_the_zone_of_now() -> None:
    paris = NOW.astimezone(timezone(timedelta(hours=2)))
    moment = parse_since("2h", now=paris)
    assert moment == NOW - timedelta(hours=2)
    assert moment.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "text",
    ["2024-05-01T09:00:00Z", "2024-05-01T11:00:00+02:00", "2024-05-01 09:00Z", "2024-05-01T09:00:00.000+00:00"],
)
def test_rfc_3339_reads_as_parse_time_reads_it(text: str) -> None:
    assert parse_since(text, now=NOW) == parse_time(text) == datetime(2024, 5, 1, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("2024-05-01T09:00:00", "has no time zone"),
        ("2024-05-01", "is not an RFC 3339 timestamp"),
        ("2016-12-31T23:59:60Z", "is a leap second"),
        ("2024-02-30T00:00:00Z", "day is out of range for month"),
    ],
)
def test_a_date_time_attempt_keeps_parse_times_words(text: str, words: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_since(text, where="start time", now=NOW)
    assert words in caught.value.message
    assert caught.value.where == "start time"


@pytest.mark.parametrize(
    "text",
    ["2x", "garbage", "", "   ", "-2h", "2", "h", "2 hours", "2h ago", "1714567890", "２h", "2h\x1b[31m", "now"],
)
def test_anything_else_is_not_a_time_and_says_both_forms(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_since(text, where="--since", now=NOW)
    assert caught.value.message == f"--since: {text!r} is not a time: {BOTH}"
    assert "30m" in caught.value.hint


def test_the_brief_words_for_2x() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_since("2x", where="--since", now=NOW)
    assert str(caught.value) == f"--since: '2x' is not a time: {BOTH}"


@pytest.mark.parametrize("text", ["1000000000d", "9" * 400 + "s"])
def test_a_duration_too_long_for_a_time_span_is_refused(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_since(text, where="--since", now=NOW)
    assert "is too long a duration" in caught.value.message
    assert len(caught.value.message) < 120  # a pasted number is shortened


def test_a_duration_back_before_the_year_1_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_since("800000d", where="--since", now=NOW)
    assert caught.value.message == "--since: '800000d' reaches back before the year 1"


@pytest.mark.parametrize("value", [None, 7200, timedelta(hours=2)])
def test_a_value_that_is_not_text_is_refused(value: object) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_since(value, where="--since", now=NOW)  # type: ignore[arg-type]
    assert type(value).__name__ in caught.value.message


def test_parse_duration_says_what_a_duration_is() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_duration("2 fortnights", where="--window")
    assert caught.value.message == "--window: '2 fortnights' is not a duration"
    assert "90s, 30m, 2h, 1d or 1w" in caught.value.hint


def test_parse_time_itself_still_refuses_durations() -> None:
    """Times from a server are never durations: only what a person types is read so."""
    with pytest.raises(ValidationError, match="is not an RFC 3339 timestamp"):
        parse_time("2h")
