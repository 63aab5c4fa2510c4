"""What the window remembers between runs: topics per profile, cursors, open tabs, layout and preferences.

One versioned JSON file, written atomically (a crash leaves the old or the new file, never a torn one). A file
that cannot be read is set aside as ``workspace.json.broken`` and the app starts fresh, saying so.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from inspector.core.errors import ValidationError
from inspector.core.paths import AppPaths, atomic_write
from inspector.core.validation import check_topic_id

log = logging.getLogger("inspector.workspace")
FILE_VERSION = 1
DEFAULT_ROW_CAP = 100_000
DEFAULT_ARCHIVE_MAX_BYTES = 2_000_000_000  # the message archive's size cap: 2 GB
DEFAULT_ARCHIVE_DAYS = 30  # and its age cap: messages received longer ago are pruned
MIN_ARCHIVE_BYTES = 1_000_000


@dataclass
class TopicEntry:
    """A topic of a profile in the sidebar: its name, schemas, where its tail starts and how far it got."""

    id: int
    name: str = ""
    schema: list[Any] | None = None  # Workato field list, from the Developer API
    user_schema: Any = None  # a field list or JSON Schema the user loaded for the publish editor
    start: str = "beginning"  # beginning | now | since | after | resume
    start_value: str = ""  # the time for "since", the id for "after"
    cursor: str | None = None  # the last message id seen, to resume from

    @property
    def label(self) -> str:
        return f"{self.name} ({self.id})" if self.name else f"topic {self.id}"


@dataclass
class ArchiveSettings:
    """The message archive (``inspector.core.archive``): on unless turned off here, or for one profile
    (``Profile.archive``); pruned, oldest first, to ``max_bytes`` and ``max_age_days``."""

    enabled: bool = True
    max_bytes: int = DEFAULT_ARCHIVE_MAX_BYTES
    max_age_days: int = DEFAULT_ARCHIVE_DAYS
    notice_shown: bool = False  # the first-time banner (where the archive is, how to turn it off) was shown


@dataclass
class Workspace:
    """What the window keeps between sessions: the topics, the open tabs, its place and size, and settings."""

    topics: dict[str, list[TopicEntry]] = field(default_factory=dict)  # profile name -> topics
    open_topics: list[tuple[str, int]] = field(default_factory=list)  # (profile, topic id), in tab order
    geometry: str = ""  # Qt's saveGeometry, base64
    window_state: str = ""
    splitters: dict[str, list[int]] = field(default_factory=dict)
    utc_times: bool = False
    row_cap: int = DEFAULT_ROW_CAP
    archive: ArchiveSettings = field(default_factory=ArchiveSettings)
    notice: str = ""  # set when the file could not be read; not saved

    def topics_of(self, profile: str) -> list[TopicEntry]:
        return self.topics.setdefault(profile, [])

    def topic(self, profile: str, topic_id: int) -> TopicEntry | None:
        return next((t for t in self.topics.get(profile, []) if t.id == topic_id), None)

    def add_topic(self, profile: str, topic_id: int, name: str = "") -> TopicEntry:
        entry = self.topic(profile, topic_id)
        if entry is None:
            entry = TopicEntry(topic_id, name)
            self.topics_of(profile).append(entry)
        elif name:
            entry.name = name
        return entry

    def remove_topic(self, profile: str, topic_id: int) -> None:
        self.topics[profile] = [t for t in self.topics.get(profile, []) if t.id != topic_id]
        self.open_topics = [o for o in self.open_topics if o != (profile, topic_id)]

    def rename_profile(self, old: str, new: str) -> None:
        if old in self.topics:
            self.topics[new] = self.topics.pop(old)
        self.open_topics = [(new if p == old else p, t) for p, t in self.open_topics]

    def forget_profile(self, name: str) -> None:
        self.topics.pop(name, None)
        self.open_topics = [o for o in self.open_topics if o[0] != name]


_TOPIC_URL = re.compile(r"/(?:event_topics|event_streams/topics|topics|pubsub/topics)/(\d+)(?:[/?#]|$)")


def parse_topic_reference(text: str) -> int:
    """A topic id from what a person pastes: ``1234``, or a topic's URL from the Workato web app."""
    value = text.strip() if isinstance(text, str) else ""
    if value.isdigit() or re.fullmatch(r"[-+]?[\d.,]+", value):
        return check_topic_id(value)  # "-1", "1.5": refused as numbers that are not ids
    match = _TOPIC_URL.search(value)
    # Another shape of topic address: its last number. Only when it speaks of topics: the last number of a recipe's
    # or a connection's address is that recipe's id, and taking it for a topic's would show another topic.
    speaks_of_topics = any(word in value.lower() for word in ("topic", "event_stream", "pubsub"))
    if match is None and value.startswith(("http://", "https://")) and speaks_of_topics:
        numbers = re.findall(r"/(\d+)(?=[/?#]|$)", value)
        match_id = numbers[-1] if numbers else None
    else:
        match_id = match.group(1) if match else None
    shown = repr(value) if len(value) <= 80 else f"{value[:60]!r}…"  # what was pasted may be a whole document
    if match_id is None and value.startswith(("http://", "https://")):
        raise ValidationError(
            f"{shown} is not the address of a topic's page: it has no topic id",
            where="topic",
            hint="open the topic in Workato and copy its address (…/event_topics/1234), or paste the number",
        )
    if match_id is None:
        raise ValidationError(
            f"{shown if isinstance(text, str) else repr(text)} is neither a topic id nor a topic URL",
            where="topic",
            hint="paste the number, or the address of the topic's page in Workato (…/event_topics/1234)",
        )
    return check_topic_id(match_id)


class WorkspaceStore:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or AppPaths.current().data / "workspace.json"

    def load(self) -> Workspace:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return Workspace()
        try:
            return _from_json(json.loads(raw))
        # RecursionError: JSON nested deeper than the parser goes; OverflowError: int() of an infinity (1e400).
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError, OverflowError) as exc:
            broken = self.path.with_suffix(".json.broken")
            self.path.replace(broken)
            log.warning("workspace file unreadable (%s); set aside as %s", exc, broken)
            return Workspace(notice=f"The saved workspace could not be read ({exc}); it was kept as {broken}.")

    def save(self, workspace: Workspace) -> None:
        data = asdict(workspace)
        data.pop("notice")
        data["version"] = FILE_VERSION
        atomic_write(self.path, json.dumps(data, indent=1, ensure_ascii=False).encode())


def _from_json(data: Any) -> Workspace:
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    if data.get("version", FILE_VERSION) > FILE_VERSION:
        raise ValueError(f"written by a newer version (format {data['version']})")
    topics = {
        str(profile): [
            TopicEntry(**{k: v for k, v in row.items() if k in TopicEntry.__dataclass_fields__}) for row in rows
        ]
        for profile, rows in dict(data.get("topics", {})).items()
    }
    for rows in topics.values():
        for row in rows:
            row.id = check_topic_id(row.id)
    return Workspace(
        topics=topics,
        open_topics=[(str(p), check_topic_id(t)) for p, t in data.get("open_topics", [])],
        geometry=str(data.get("geometry", "")),
        window_state=str(data.get("window_state", "")),
        splitters={str(k): [int(x) for x in v] for k, v in dict(data.get("splitters", {})).items()},
        utc_times=bool(data.get("utc_times", False)),
        row_cap=max(1000, int(data.get("row_cap", DEFAULT_ROW_CAP))),
        archive=archive_settings(data.get("archive")),
    )


def archive_settings(data: Any) -> ArchiveSettings:
    """The archive's settings as saved (a file of before them has none: the defaults). Read leniently: a value
    out of range is its default again, so a bad setting never costs the rest of the workspace."""
    if not isinstance(data, dict):
        return ArchiveSettings()

    def whole(key: str, least: int, default: int) -> int:
        value = data.get(key)
        return value if isinstance(value, int) and not isinstance(value, bool) and value >= least else default

    return ArchiveSettings(
        enabled=data.get("enabled") is not False,
        max_bytes=whole("max_bytes", MIN_ARCHIVE_BYTES, DEFAULT_ARCHIVE_MAX_BYTES),
        max_age_days=whole("max_age_days", 1, DEFAULT_ARCHIVE_DAYS),
        notice_shown=data.get("notice_shown") is True,
    )


def saved_archive_settings(path: Path | None = None) -> ArchiveSettings:
    """The archive's settings as the window saved them, read without changing the file (for the CLI): a file
    that cannot be read gives the defaults here (the window sets it aside, with a notice, when it next starts)."""
    path = path or WorkspaceStore().path
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        return ArchiveSettings()
    except (OSError, ValueError, RecursionError) as exc:
        log.warning("archive settings not read from %s (%s): using the defaults", path, exc)
        return ArchiveSettings()
    return archive_settings(data.get("archive") if isinstance(data, dict) else None)
