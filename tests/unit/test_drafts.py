"""Drafts, templates and publish history: kept per topic, capped, and never lost to a bad file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from inspector.core.drafts import HISTORY_SIZE, HISTORY_TEXT_LIMIT, HistoryEntry, PublishStore, summarize
from inspector.core.models import ItemResult, Outcome


def entry(n: int, text: str = "{}") -> HistoryEntry:
    results = [ItemResult(0, Outcome.SUCCESS, message_id=f"m{n}"), ItemResult(1, Outcome.FAILED, error="bad")]
    return HistoryEntry.of(datetime(2026, 1, 1, tzinfo=UTC), "array", text, results)


def test_drafts_are_per_topic_and_survive_a_restart(tmp_path: Path) -> None:
    store = PublishStore(tmp_path)
    store.set_draft("Prod", 1, '{"a": 1}')
    store.set_draft("Prod", 2, "[]")
    store.set_draft("Dev", 1, "{")
    store.save_drafts()
    again = PublishStore(tmp_path)
    assert (again.draft("Prod", 1), again.draft("Prod", 2), again.draft("Dev", 1)) == ('{"a": 1}', "[]", "{")
    assert again.draft("Prod", 3) == ""
    again.set_draft("Prod", 1, "")
    again.save_drafts()
    assert PublishStore(tmp_path).draft("Prod", 1) == ""


def test_templates_and_history_round_trip_with_a_cap(tmp_path: Path) -> None:
    store = PublishStore(tmp_path)
    store.save_template("Prod", 1, " order ", '{"order_id": 1}')
    for n in range(HISTORY_SIZE + 5):
        store.add_history("Prod", 1, entry(n))
    again = PublishStore(tmp_path)
    assert again.templates("Prod", 1) == {"order": '{"order_id": 1}'}
    history = again.history("Prod", 1)
    assert len(history) == HISTORY_SIZE
    assert history[0].results[0]["message_id"] == f"m{HISTORY_SIZE + 4}"  # newest first
    assert history[0].summary == "1 published, 1 failed"
    again.delete_template("Prod", 1, "order")
    assert PublishStore(tmp_path).templates("Prod", 1) == {}


def test_a_long_input_is_kept_in_the_history_without_its_text(tmp_path: Path) -> None:
    store = PublishStore(tmp_path)
    store.add_history("Prod", 1, entry(1, "x" * (HISTORY_TEXT_LIMIT + 1)))
    assert PublishStore(tmp_path).history("Prod", 1)[0].text == ""


def test_an_unreadable_file_is_set_aside_with_a_notice(tmp_path: Path) -> None:
    (tmp_path / "publishing.json").write_text('{"version": 1, "topics": {"1\\tProd": {"history": [{"x": 1}]}}}')
    (tmp_path / "drafts.json").write_text("{ torn")
    store = PublishStore(tmp_path)
    assert "could not be read" in store.notice
    assert (tmp_path / "publishing.json.broken").exists()
    assert (tmp_path / "drafts.json.broken").exists()
    assert store.history("Prod", 1) == []


def test_renaming_a_profile_moves_its_drafts_and_templates(tmp_path: Path) -> None:
    store = PublishStore(tmp_path)
    store.set_draft("Old", 7, "{}")
    store.save_template("Old", 7, "t", "{}")
    store.rename_profile("Old", "New")
    again = PublishStore(tmp_path)
    assert again.draft("New", 7) == "{}"
    assert again.templates("New", 7) == {"t": "{}"}
    assert again.draft("Old", 7) == ""
    again.forget_profile("New")
    assert PublishStore(tmp_path).draft("New", 7) == ""


def test_summary_words() -> None:
    assert summarize(97, 3, 0) == "97 published, 3 failed"
    assert summarize(5, 0, 0) == "5 published"
    assert summarize(0, 1, 2) == "0 published, 1 failed, 2 unknown"
