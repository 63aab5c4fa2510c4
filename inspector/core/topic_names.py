"""Topics by name as well as by id: what ``topic-inspector consume orders`` (and every command that takes a topic)
resolves ``orders`` to.

A reference made of digits is an id, and so is a topic's address in Workato (as the window's *Add topic* reads
it); anything else is a name. A name is looked for first in the topics saved for the profile (the window's
workspace), then in a topic list the caller fetches (the Developer API's). The match is exact, else regardless of
case. A name that matches nothing is refused with the close names, one that matches several with their ids.

No HTTP here: the caller passes the coroutine that lists the topics, so the window can use it too.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from inspector.core.errors import ValidationError
from inspector.core.validation import check_topic_id
from inspector.core.workspace import WorkspaceStore, parse_topic_reference

log = logging.getLogger("inspector.topic_names")

_NUMBER_LIKE = re.compile(r"[-+]?[\d.,]+")  # "-1", "1.5", "1,000": numbers that are not ids, never names
MAX_SUGGESTIONS = 3


@dataclass(frozen=True)
class NamedTopic:
    """A topic's id and, when it was found by name, its name."""

    id: int
    name: str = ""

    @property
    def label(self) -> str:
        """How the commands' lines name it: ``topic 12`` or ``topic 12 (orders)``."""
        return f"topic {self.id} ({self.name})" if self.name else f"topic {self.id}"


def topic_id_in(text: str, *, where: str = "topic") -> int | None:
    """The topic id that ``text`` gives by itself (digits, or a topic's address in Workato); ``None`` when it is a
    name. Text that looks like a number but is no topic id (``0``, ``-1``, ``1.5``) or is blank is refused."""
    value = text.strip() if isinstance(text, str) else text
    if not isinstance(value, str) or not value or _NUMBER_LIKE.fullmatch(value):
        return check_topic_id(value, where=where)  # says what is wrong with it as an id
    if value.startswith(("http://", "https://")):
        try:
            return parse_topic_reference(value)
        except ValidationError as exc:
            raise ValidationError(exc.reason, where=where, hint=exc.hint) from None
    return None


def saved_topics(profile: str, path: Path | None = None) -> list[NamedTopic]:
    """The named topics the window saved for ``profile``, read without changing the file: a file that cannot be
    read gives none here (the window sets it aside, with a notice, when it next starts)."""
    path = path or WorkspaceStore().path
    try:
        data = json.loads(path.read_bytes())
        rows = data.get("topics", {}).get(profile, []) if isinstance(data, dict) else []
    except FileNotFoundError:
        return []
    except (OSError, ValueError, AttributeError, RecursionError) as exc:
        log.warning("saved topics not read from %s (%s): looking topic names up through the API only", path, exc)
        return []
    found: list[NamedTopic] = []
    for row in rows if isinstance(rows, list) else []:
        if not isinstance(row, dict) or not isinstance(row.get("name"), str) or not row["name"].strip():
            continue
        try:
            found.append(NamedTopic(check_topic_id(row.get("id")), row["name"]))
        except ValidationError:
            continue
    return found


def matches(name: str, topics: Iterable[NamedTopic]) -> list[NamedTopic]:
    """The topics named ``name``: exactly, else regardless of case; one per id, in the order given."""
    by_id: dict[int, NamedTopic] = {}
    for topic in topics:
        by_id.setdefault(topic.id, topic)
    unique = list(by_id.values())
    exact = [topic for topic in unique if topic.name.strip() == name]
    if exact:
        return exact
    folded = name.casefold()
    return [topic for topic in unique if topic.name.strip().casefold() == folded]


def close_names(name: str, topics: Iterable[NamedTopic]) -> list[str]:
    """Up to three names like ``name`` (a typo, another case, a part of it), closest first."""
    import difflib  # only when a name matched nothing: kept off every command's start

    by_folded: dict[str, str] = {}  # the first spelling of each name
    for topic in topics:
        if topic.name.strip():
            by_folded.setdefault(topic.name.strip().casefold(), topic.name.strip())
    folded = name.casefold()
    close = difflib.get_close_matches(folded, list(by_folded), n=MAX_SUGGESTIONS, cutoff=0.6)
    if len(close) < MAX_SUGGESTIONS:  # "order" for "orders-eu": a part of a longer name
        close += [each for each in by_folded if folded in each and each not in close][: MAX_SUGGESTIONS - len(close)]
    return [by_folded[each] for each in close]


def pick(name: str, topics: Sequence[NamedTopic], *, where: str, place: str) -> NamedTopic | None:
    """The one topic named ``name`` among ``topics``; ``None`` for none; refused when several have that name."""
    found = matches(name, topics)
    if len(found) > 1:
        same = all(topic.name.strip() == name for topic in found)
        ids = _either((str(t.id) if same else f"{t.id} ({t.name.strip()!r})" for t in found), "and")
        raise ValidationError(
            f"{len(found)} topics are named {_shown(name)} {place}: {ids}",
            where=where,
            hint="give the id of the one you mean instead of the name",
        )
    return found[0] if found else None


def not_found(name: str, topics: Sequence[NamedTopic], *, where: str, place: str, hint: str) -> ValidationError:
    """The error for a name that matched nothing, with the close names of ``topics`` as suggestions."""
    close = close_names(name, topics)
    suggestion = f"; did you mean {_either((repr(each) for each in close), 'or')}?" if close else ""
    return ValidationError(f"no topic named {_shown(name)} {place}{suggestion}", where=where, hint=hint)


async def resolve_topic(
    text: str,
    *,
    where: str = "topic",
    place: str,
    saved: Sequence[NamedTopic] = (),
    list_topics: Callable[[], Awaitable[Sequence[NamedTopic]]] | None = None,
    hint: str = "give the topic's id, or its name as the topic list shows it",
) -> NamedTopic:
    """The topic ``text`` names: an id as it is; a name from ``saved``, else from what ``list_topics`` returns
    (called only then). ``place`` ends the messages ("in profile 'Local'"), ``hint`` the one for no match."""
    topic_id = topic_id_in(text, where=where)
    if topic_id is not None:
        return NamedTopic(topic_id)
    name = text.strip()
    found = pick(name, saved, where=where, place=place)
    if found is not None:
        return found
    listed = list(await list_topics()) if list_topics is not None else []
    found = pick(name, listed, where=where, place=place)
    if found is not None:
        return found
    raise not_found(name, [*saved, *listed], where=where, place=place, hint=hint)


def _either(words: Iterable[str], last: str) -> str:
    """``'a'``, ``'a' or 'b'``, ``'a', 'b' or 'c'``."""
    items = list(words)
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {last} {items[-1]}"


def _shown(name: str) -> str:
    """A name for a message, shortened: what was typed may be a pasted document."""
    return repr(name) if len(name) <= 80 else f"{name[:60]!r}… ({len(name)} characters)"


__all__ = [
    "NamedTopic",
    "close_names",
    "matches",
    "not_found",
    "pick",
    "resolve_topic",
    "saved_topics",
    "topic_id_in",
]
