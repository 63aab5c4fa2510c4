"""What a topic is made with, checked before anything is sent: its name and retention (Workato's limits), and the
data centers the app offers (every one whose hosts Workato's docs give)."""

from __future__ import annotations

import pytest

from inspector.core.errors import ValidationError
from inspector.core.regions import DATA_CENTERS, REGIONS, region
from inspector.core.services.workato import (
    MAX_RETENTION_SECS,
    check_retention,
    check_topic_name,
    retention_words,
)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [(60, 60), ("3600", 3600), ("90m", 5400), ("36h", 129600), (" 7D ", 604800), ("90d", MAX_RETENTION_SECS)],
)
def test_retention_in_seconds_or_units(value: object, seconds: int) -> None:
    assert check_retention(value) == seconds


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("91d", "91 days is out of range: a topic keeps its messages from 1 minute to 90 days"),
        (59, "59 seconds is out of range"),
        (0, "0 seconds is out of range"),
        ("-5", "'-5' is not a retention"),
        ("1.5d", "'1.5d' is not a retention"),
        ("", "'' is not a retention"),
        (True, "bool is not a retention"),
        (7776001, "7,776,001 seconds is out of range"),
    ],
)
def test_bad_retention_is_refused_in_words(value: object, words: str) -> None:
    with pytest.raises(ValidationError) as caught:
        check_retention(value, where="--retention")
    assert words in caught.value.message
    assert caught.value.where == "--retention"
    assert caught.value.hint


def test_retention_words() -> None:
    assert [retention_words(s) for s in (1, 60, 5400, 7200, 86400, 90061)] == [
        "1 second",
        "1 minute",
        "90 minutes",
        "2 hours",
        "1 day",
        "90,061 seconds",
    ]


def test_topic_names() -> None:
    assert check_topic_name("  orders ") == "orders"
    for bad, words in (("", "is empty"), ("x" * 256, "256 characters long"), ("a\nb", "U\\+000A"), (5, "must be text")):
        with pytest.raises(ValidationError, match=words):
            check_topic_name(bad)


@pytest.mark.parametrize(
    ("key", "events", "developer"),
    [
        ("il", "https://event-streams.il.workato.com", "https://app.il.workato.com"),
        ("cn", "https://event-streams.workatoapp.cn", "https://app.workatoapp.cn"),
    ],
)
def test_new_data_centers(key: str, events: str, developer: str) -> None:
    endpoint = region(key)
    assert (endpoint.events_url, endpoint.developer_url) == (events, developer)
    assert endpoint.supports_batch


def test_regions_follow_the_data_centers() -> None:
    usable = [dc.key for dc in DATA_CENTERS.values() if dc.usable]
    assert list(REGIONS) == [*usable, "legacy"]
    assert set(DATA_CENTERS) == {"us", "eu", "jp", "sg", "au", "il", "cn", "kr", "uk", "sandbox"}


@pytest.mark.parametrize("key", ["kr", "KR ", "uk"])
def test_a_data_center_without_a_known_event_streams_host_is_not_guessed(key: str) -> None:
    with pytest.raises(ValidationError) as caught:
        region(key)
    assert "data center is not offered" in caught.value.message
    assert "does not give its event-streams host" in caught.value.message
    assert "--base-url" in caught.value.hint
    assert DATA_CENTERS[key.strip().lower()].events_url is None
