"""What the publish editor keeps between runs: each topic's draft, named templates, and the last publishes.

Drafts live in ``drafts.json``, written a moment after each edit; templates and history in ``publishing.json``,
written after each change. Both are written atomically (a crash leaves the old or the new file, never a torn one),
and a file that cannot be read is set aside as ``*.broken`` with a notice, never silently lost. Payloads are the
user's data; no token is ever part of them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from inspector.core.models import ItemResult, Outcome, outcome_counts
from inspector.core.paths import AppPaths, atomic_write

log = logging.getLogger("inspector.drafts")
FILE_VERSION = 1
HISTORY_SIZE = 50  # publishes kept per topic
HISTORY_TEXT_LIMIT = 256 * 1024  # longer inputs are kept in the history without their text


@dataclass
class HistoryEntry:
    time: str  # ISO 8601, UTC
    form: str  # object | array | JSON Lines
    items: int
    published: int
    failed: int
    unknown: int
    results: list[dict[str, Any]]  # {"index", "outcome", "message_id", "error"} per item
    text: str = ""  # the input as written, when within HISTORY_TEXT_LIMIT
    retry_of: int = 0  # a retry: how many failed items were sent again (0: a first publish; files before it lack it)

    @classmethod
    def of(
        cls, moment: datetime, form: str, text: str, results: list[ItemResult], *, retry_of: int = 0
    ) -> HistoryEntry:
        counts = outcome_counts(results)
        return cls(
            time=moment.isoformat(),
            form=form,
            items=len(results),
            published=counts[Outcome.SUCCESS],
            failed=counts[Outcome.FAILED],
            unknown=counts[Outcome.UNKNOWN],
            results=[
                {"index": r.index, "outcome": r.outcome.value, "message_id": r.message_id, "error": r.error_words}
                for r in results
            ],
            text=text if len(text) <= HISTORY_TEXT_LIMIT else "",
            retry_of=retry_of,
        )

    @property
    def summary(self) -> str:
        return summarize(self.published, self.failed, self.unknown)


def summarize(published: int, failed: int, unknown: int) -> str:
    """ "97 published, 3 failed" — the parts that are not zero (and "published" alone when all went)."""
    parts = [f"{published} published"]
    if failed:
        parts.append(f"{failed} failed")
    if unknown:
        parts.append(f"{unknown} unknown")
    return ", ".join(parts)


def summarize_results(results: Iterable[ItemResult]) -> str:
    counts = outcome_counts(results)
    return summarize(counts[Outcome.SUCCESS], counts[Outcome.FAILED], counts[Outcome.UNKNOWN])


def _key(profile: str, topic_id: int) -> str:
    return f"{topic_id}\t{profile}"  # a tab cannot be part of a profile name typed in a line edit


@dataclass
class TopicPublishing:
    templates: dict[str, str] = field(default_factory=dict)  # name -> text
    history: list[HistoryEntry] = field(default_factory=list)  # oldest first


class PublishStore:
    """Drafts, templates and history of every topic; ``notice`` says when a file had to be set aside."""

    def __init__(self, folder: Path | None = None) -> None:
        folder = folder or AppPaths.current().data
        self.drafts_path = folder / "drafts.json"
        self.path = folder / "publishing.json"
        self.notice = ""
        self._drafts: dict[str, str] = {str(k): str(v) for k, v in self._read(self.drafts_path, {}).items()}
        self._topics: dict[str, TopicPublishing] = {
            str(k): _topic_from_json(v) for k, v in self._read(self.path, {}).items()
        }

    def _read(self, path: Path, default: dict[str, Any]) -> dict[str, Any]:
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return default
        try:
            data = json.loads(raw)
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
            if int(data.get("version", FILE_VERSION)) > FILE_VERSION:
                raise ValueError(f"written by a newer version (format {data['version']})")
            entries = data.get("topics", {})
            if not isinstance(entries, dict):
                raise ValueError("'topics' is not an object")
            if path == self.path:
                for value in entries.values():
                    _topic_from_json(value)  # check now, so a bad file is set aside as a whole
            return entries
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            broken = path.with_suffix(".json.broken")
            path.replace(broken)
            log.warning("%s unreadable (%s); set aside as %s", path.name, exc, broken)
            self.notice = f"{path.name} could not be read ({exc}); it was kept as {broken}."
            return default

    # ----- drafts ------------------------------------------------------------------------------------------
    def draft(self, profile: str, topic_id: int) -> str:
        return self._drafts.get(_key(profile, topic_id), "")

    def set_draft(self, profile: str, topic_id: int, text: str) -> None:
        """Remember a draft (call ``save_drafts`` to write it)."""
        key = _key(profile, topic_id)
        if text:
            self._drafts[key] = text
        else:
            self._drafts.pop(key, None)

    def save_drafts(self) -> None:
        atomic_write(self.drafts_path, _dump(self._drafts))

    # ----- templates and history ---------------------------------------------------------------------------
    def _topic(self, profile: str, topic_id: int) -> TopicPublishing:
        return self._topics.setdefault(_key(profile, topic_id), TopicPublishing())

    def templates(self, profile: str, topic_id: int) -> dict[str, str]:
        return dict(self._topic(profile, topic_id).templates)

    def save_template(self, profile: str, topic_id: int, name: str, text: str) -> None:
        name = name.strip()
        if not name:
            raise ValueError("a template needs a name")
        self._topic(profile, topic_id).templates[name] = text
        self.save()

    def delete_template(self, profile: str, topic_id: int, name: str) -> None:
        self._topic(profile, topic_id).templates.pop(name, None)
        self.save()

    def history(self, profile: str, topic_id: int) -> list[HistoryEntry]:
        """Newest first."""
        return list(reversed(self._topic(profile, topic_id).history))

    def add_history(self, profile: str, topic_id: int, entry: HistoryEntry) -> None:
        history = self._topic(profile, topic_id).history
        history.append(entry)
        del history[:-HISTORY_SIZE]
        self.save()

    def save(self) -> None:
        topics = {key: asdict(value) for key, value in self._topics.items() if value.templates or value.history}
        atomic_write(self.path, _dump(topics))

    # ----- profiles --------------------------------------------------------------------------------------
    def rename_profile(self, old: str, new: str) -> None:
        suffix = f"\t{old}"
        for table in (self._drafts, self._topics):
            for key in [k for k in table if k.endswith(suffix)]:
                table[key.removesuffix(suffix) + f"\t{new}"] = table.pop(key)  # type: ignore[assignment]
        self.save_drafts()
        self.save()

    def forget_profile(self, name: str) -> None:
        suffix = f"\t{name}"
        for table in (self._drafts, self._topics):
            for key in [k for k in table if k.endswith(suffix)]:
                del table[key]
        self.save_drafts()
        self.save()


def _dump(topics: dict[str, Any]) -> bytes:
    return json.dumps({"version": FILE_VERSION, "topics": topics}, ensure_ascii=False).encode()


def _topic_from_json(value: Any) -> TopicPublishing:
    if not isinstance(value, dict):
        raise ValueError("a topic's entry is not an object")
    templates = {str(k): str(v) for k, v in dict(value.get("templates", {})).items()}
    known = set(HistoryEntry.__dataclass_fields__)  # a field a later version adds is left out, not an error
    history = [HistoryEntry(**{k: v for k, v in dict(row).items() if k in known}) for row in value.get("history", [])]
    return TopicPublishing(templates, history[-HISTORY_SIZE:])
