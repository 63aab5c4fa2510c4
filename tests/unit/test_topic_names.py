"""Topics by name (``inspector.core.topic_names``): what is an id and what a name, exact and case-blind matches,
the close names offered for a typo, the ids listed for a shared name, and the window's saved topics read without
changing the file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from inspector.core.errors import ValidationError
from inspector.core.topic_names import (
    NamedTopic,
    close_names,
    matches,
    pick,
    resolve_topic,
    saved_topics,
    topic_id_in,
)
from inspector.core.workspace import TopicEntry, Workspace, WorkspaceStore

TOPICS = [
    NamedTopic(1, "orders"),
    NamedTopic(2, "audit-events"),
    NamedTopic(3, "orders-eu"),
    NamedTopic(4, "Invoices"),
]
PLACE = "in profile 'Local'"


@pytest.mark.parametrize(
    ("text", "topic_id"),
    [
        ("1234", 1234),
        (" 42 ", 42),
        ("https://app.eu.workato.com/event_topics/77", 77),
        ("orders", None),
        ("my orders", None),
        ("0x10", None),
        ("1e3", None),
    ],
)
def test_digits_and_a_topics_address_are_ids_anything_else_a_name(text: str, topic_id: int | None) -> None:
    assert topic_id_in(text) == topic_id


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("0", "'0' is not a topic id"),
        ("-1", "'-1' is not a topic id"),
        ("1.5", "'1.5' is not a topic id"),
        ("", "'' is not a topic id"),
        ("99999999999999999999999", "is too large for a topic id"),
        ("https://app.workato.com/recipes/12", "is not the address of a topic's page"),
    ],
)
def test_what_looks_like_an_id_but_is_none_is_refused_where_it_was_given(text: str, words: str) -> None:
    with pytest.raises(ValidationError) as caught:
        topic_id_in(text, where="--to")
    assert caught.value.message.startswith("--to: ")
    assert words in caught.value.message


def test_an_exact_name_wins_over_other_cases() -> None:
    topics = [NamedTopic(5, "Orders"), NamedTopic(1, "orders")]
    assert matches("orders", topics) == [NamedTopic(1, "orders")]
    assert matches("ORDERS", topics) == topics  # no exact one: both, regardless of case
    assert matches("invoices", TOPICS) == [NamedTopic(4, "Invoices")]


def test_one_topic_listed_twice_is_one_match() -> None:
    assert matches("orders", [NamedTopic(1, "orders"), NamedTopic(1, "orders")]) == [NamedTopic(1, "orders")]


@pytest.mark.parametrize(
    ("name", "close"),
    [
        ("order", ["orders", "orders-eu"]),
        ("ordres", ["orders", "orders-eu"]),
        ("AUDIT", ["audit-events"]),
        ("invoice", ["Invoices"]),
        ("xyzzy", []),
    ],
)
def test_close_names_for_a_typo_another_case_or_a_part(name: str, close: list[str]) -> None:
    assert close_names(name, TOPICS) == close


async def test_a_name_that_matches_nothing_names_the_close_ones() -> None:
    async def listed() -> list[NamedTopic]:
        return [NamedTopic(1, "orders")]

    with pytest.raises(ValidationError) as caught:
        await resolve_topic("order", place=PLACE, list_topics=listed)
    assert caught.value.message == "topic: no topic named 'order' in profile 'Local'; did you mean 'orders'?"
    assert caught.value.hint


async def test_two_or_three_close_names_read_as_a_list() -> None:
    with pytest.raises(ValidationError) as caught:
        await resolve_topic("order", place=PLACE, saved=TOPICS)
    assert caught.value.message.endswith("did you mean 'orders' or 'orders-eu'?")
    more = [*TOPICS, NamedTopic(9, "order-archive")]
    with pytest.raises(ValidationError) as caught:
        await resolve_topic("order", place=PLACE, saved=more)
    assert caught.value.message.endswith("did you mean 'orders', 'orders-eu' or 'order-archive'?")


def test_a_name_two_topics_have_lists_their_ids() -> None:
    twins = [NamedTopic(12, "orders"), NamedTopic(34, "orders"), NamedTopic(56, "other")]
    with pytest.raises(ValidationError) as caught:
        pick("orders", twins, where="topic", place=PLACE)
    assert caught.value.message == "topic: 2 topics are named 'orders' in profile 'Local': 12 and 34"
    assert "id" in caught.value.hint


def test_names_that_differ_in_case_are_shown_with_their_ids() -> None:
    three = [NamedTopic(1, "Orders"), NamedTopic(2, "orders "), NamedTopic(3, "ORDERS")]
    with pytest.raises(ValidationError) as caught:
        pick("oRdErS", three, where="topic", place=PLACE)
    assert caught.value.message.endswith(": 1 ('Orders'), 2 ('orders') and 3 ('ORDERS')")


async def test_an_id_needs_no_list_and_saved_names_come_first() -> None:
    asked: list[str] = []

    async def listed() -> list[NamedTopic]:
        asked.append("list")
        return [NamedTopic(7, "orders")]

    assert await resolve_topic("1234", place=PLACE, list_topics=listed) == NamedTopic(1234)
    saved = [NamedTopic(3, "orders")]
    assert await resolve_topic("orders", place=PLACE, saved=saved, list_topics=listed) == NamedTopic(3, "orders")
    assert asked == []
    assert await resolve_topic(" orders ", place=PLACE, list_topics=listed) == NamedTopic(7, "orders")
    assert asked == ["list"]


def test_the_label_names_the_topic_by_id_and_name() -> None:
    assert NamedTopic(12).label == "topic 12"
    assert NamedTopic(12, "orders").label == "topic 12 (orders)"


def test_a_long_name_is_shortened_in_the_words() -> None:
    with pytest.raises(ValidationError) as caught:
        pick("x" * 500, [NamedTopic(1, "x" * 500), NamedTopic(2, "x" * 500)], where="topic", place=PLACE)
    assert "(500 characters)" in caught.value.message
    assert len(caught.value.message) < 200


# ----- the window's saved topics --------------------------------------------------------------------------------
def test_saved_topics_are_the_profiles_named_ones() -> None:
    WorkspaceStore().save(
        Workspace(
            topics={
                "Local": [TopicEntry(1, "orders"), TopicEntry(2), TopicEntry(3, "  ")],
                "Other": [TopicEntry(4, "orders")],
            }
        )
    )
    assert saved_topics("Local") == [NamedTopic(1, "orders")]
    assert saved_topics("Other") == [NamedTopic(4, "orders")]
    assert saved_topics("Nobody") == []


def test_no_workspace_file_means_no_saved_topics(tmp_path: Path) -> None:
    assert saved_topics("Local", tmp_path / "missing.json") == []


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"[]",
        b'{"topics": []}',
        b'{"topics": {"Local": {"id": 1}}}',
        b'{"topics": {"Local": [1, {"id": "x", "name": "a"}, {"id": 0, "name": "b"}, {"id": 5, "name": 7}]}}',
        "\ufeff{}".encode("utf-16"),
    ],
)
def test_an_unreadable_or_odd_workspace_gives_none_and_stays_as_it_is(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "workspace.json"
    path.write_bytes(content)
    assert saved_topics("Local", path) == []
    assert path.read_bytes() == content  # the window sets it aside, with a notice, when it starts


def test_the_good_rows_of_a_partly_odd_workspace_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "workspace.json"
    rows = [{"id": 1, "name": "orders"}, {"id": -1, "name": "bad"}, {"name": "no id"}, {"id": 2, "name": "audit"}]
    path.write_text(json.dumps({"version": 1, "topics": {"Local": rows}}), encoding="utf-8")
    assert saved_topics("Local", path) == [NamedTopic(1, "orders"), NamedTopic(2, "audit")]
