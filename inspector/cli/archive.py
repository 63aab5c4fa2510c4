"""``topic-inspector archive search|stats|import|prune|forget``: the archive of every message the tails received
(the window's, and ``consume --archive``'s), in the app's data folder.

Results and figures on standard output (search: the records ``consume`` prints, so they replay and import;
the others: one JSON line), words on standard error.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

from inspector.cli._common import (
    EXIT_OK,
    Parser,
    UsageError,
    add_command,
    add_modes,
    count,
    examples,
    json_line,
    write_out,
)
from inspector.core.archive import (
    DEFAULT_LIMIT,
    IMPORT_PREFIX,
    IMPORT_TOPIC,
    Archive,
    ArchivedMessage,
    TopicRef,
    profile_address,
)
from inspector.core.errors import ValidationError
from inspector.core.export import FORMATS, export_messages
from inspector.core.profiles import ProfileStore
from inspector.core.terminal import say
from inspector.core.timeparse import SINCE_FORMS, parse_duration, parse_since
from inspector.core.validation import check_topic_id
from inspector.core.workspace import MIN_ARCHIVE_BYTES, saved_archive_settings

MAX_LIMIT = 100_000
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)b?\s*$", re.IGNORECASE | re.ASCII)
_UNITS = {"": 1, "k": 10**3, "m": 10**6, "g": 10**9, "t": 10**12}
_CHUNK = 100  # search hits written at a time with --format jsonl


def add(archive: Parser) -> None:
    archive.description = (
        "Every message a tail receives (in the window, or with 'consume --archive') is kept in an archive in the "
        "app's data folder, past the topic's retention. Search it, see what it holds, import a file into it, "
        "prune it, or forget a topic's messages."
    )
    examples(
        archive,
        "topic-inspector archive search 'order 1234'",
        "topic-inspector archive search failed --topic 1234 --profile Prod --since 7d",
        "topic-inspector archive search --jmespath \"payload.status == 'failed' && payload.total > `100`\"",
        "topic-inspector archive stats",
        "topic-inspector archive import customer.jsonl --name customer-may",
        "topic-inspector archive prune --max-size 500MB --max-age 14d",
        "topic-inspector archive forget --topic 1234 --profile Prod",
        token=False,
    )
    modes = add_modes(archive, "action", "{search,stats,import,prune,forget}")

    search = add_command(modes, "search", help="find archived messages by words, a JMESPath condition, topic and time")
    search.description = (
        "Archived messages newest first, as JSON Lines (message_id, time, payload: what 'consume' prints), or "
        'with --format a JSON array or CSV. TEXT is words that must all be in the payload, "quoted phrases", '
        "and word starts ending in * (ord*); case and accents do not matter."
    )
    search.add_argument("text", metavar="TEXT", nargs="*", help='words, "phrases" and prefix* (all must match)')
    search.add_argument("--jmespath", metavar="E", help="a condition over {message_id, time, payload}")
    search.add_argument("--topic", metavar="ID", action="append", help="only this topic's messages (again for several)")
    search.add_argument("--profile", metavar="P", help="only the messages of this profile (or import:NAME)")
    search.add_argument("--since", metavar="T", help=f"messages of this time or later: {SINCE_FORMS}")
    search.add_argument("--until", metavar="T", help="messages of before this time (same forms)")
    search.add_argument(
        "--limit", metavar="N", type=int, default=DEFAULT_LIMIT, help=f"at most N messages (default {DEFAULT_LIMIT})"
    )
    search.add_argument("--format", choices=FORMATS, default="jsonl", help="jsonl (default), json or csv")
    examples(
        search,
        "topic-inspector archive search 'order 1234' --since 7d",
        "topic-inspector archive search '\"payment declined\"' jane* --topic 1234 --profile Prod",
        "topic-inspector archive search --jmespath \"payload.customer.id == '42'\" --format csv > found.csv",
        notes=("JMESPath numbers need backticks: payload.total > `100`.",),
        token=False,
    )
    search.set_defaults(run=run_search)

    stats = add_command(modes, "stats", help="what the archive holds: where, its size, each topic's messages")
    stats.set_defaults(run=run_stats)

    imported = add_command(modes, "import", help="read a JSON Lines or JSON file into the archive under a name")
    imported.add_argument("file", metavar="FILE", help="an export of the app, consume's output, or bare payloads")
    imported.add_argument("--name", metavar="N", required=True, help="kept as profile import:N, topic 0")
    imported.set_defaults(run=run_import)

    prune = add_command(modes, "prune", help="remove the oldest messages beyond the size and age caps")
    prune.add_argument("--max-size", metavar="SIZE", help="a size cap such as 500MB or 2GB (default: the settings')")
    prune.add_argument(
        "--max-age", metavar="AGE", help="an age cap such as 30 (days), 14d or 12h (default: the settings')"
    )
    prune.set_defaults(run=run_prune)

    forget = add_command(modes, "forget", help="remove a topic's archived messages, or all of them")
    what = forget.add_mutually_exclusive_group(required=True)
    what.add_argument("--topic", metavar="ID", help="the topic whose messages go")
    what.add_argument("--all", action="store_true", help="every archived message")
    forget.add_argument("--profile", metavar="P", help="with --topic: only at this profile (default: at every one)")
    forget.set_defaults(run=run_forget)


# ----- where: profiles and topics ---------------------------------------------------------------------------------
def _address(text: str) -> str:
    """A profile's archive address: a saved profile's by name; ``import:NAME``, or an address, as given."""
    if text.startswith(IMPORT_PREFIX) or "://" in text:
        return text
    return profile_address(ProfileStore().get(text))


def _topic(text: str) -> int:
    return IMPORT_TOPIC if text.strip() == str(IMPORT_TOPIC) else check_topic_id(text, where="--topic")


def _refs(args: argparse.Namespace) -> list[TopicRef] | None:
    profile = _address(args.profile) if args.profile else None
    if args.topic:
        return [TopicRef(profile, _topic(text)) for text in args.topic]
    return None if profile is None else [TopicRef(profile, None)]


def _open() -> Archive:
    archive = Archive()
    for notice in archive.notices:
        say(f"warning: {notice}")
    return archive


# ----- search -----------------------------------------------------------------------------------------------------
def run_search(args: argparse.Namespace) -> int:
    if not 1 <= args.limit <= MAX_LIMIT:
        raise ValidationError(f"must be 1 to {MAX_LIMIT:,}", where="--limit")
    since = parse_since(args.since, where="--since") if args.since else None
    until = parse_since(args.until, where="--until") if args.until else None
    if since is not None and until is not None and until <= since:
        raise ValidationError(
            f"{args.until!r} is not after --since {args.since!r}",
            where="--until",
            hint="--until is the end of the time range: give a later time than --since",
        )
    refs = _refs(args)  # a bad profile or topic is said before the archive is opened
    with _open() as archive:
        search = archive.search(" ".join(args.text) or None, args.jmespath, refs, since, until, args.limit)
        hits: list[ArchivedMessage] = []
        where: Counter[tuple[str, int]] = Counter()
        for hit in search:
            hits.append(hit)
            where[(hit.profile, hit.topic)] += 1
            if args.format == "jsonl" and len(hits) % _CHUNK == 0:
                write_out(export_messages([h.message() for h in hits[-_CHUNK:]], "jsonl"))
        if args.format == "jsonl":
            write_out(export_messages([h.message() for h in hits[len(hits) - len(hits) % _CHUNK :]], "jsonl"))
        else:
            write_out(export_messages([h.message() for h in hits], args.format))
    _say_found(len(hits), where, limited=len(hits) >= args.limit and not search.complete, limit=args.limit)
    return EXIT_OK


def _say_found(found: int, where: Counter[tuple[str, int]], *, limited: bool, limit: int) -> None:
    places = "; ".join(f"topic {topic} at {profile}: {number}" for (profile, topic), number in where.most_common())
    more = f"; stopped at --limit {limit}: there may be more (raise --limit, or narrow the search)" if limited else ""
    say(f"{count(found, 'message')} found, newest first{f' ({places})' if places else ''}{more}")


# ----- stats, import, prune, forget ---------------------------------------------------------------------------
def run_stats(args: argparse.Namespace) -> int:
    with _open() as archive:
        stats = archive.stats()
    json_line(stats.to_json())
    topics = count(len(stats.topics), "topic")
    say(f"archive {stats.path}: {count(stats.messages, 'message')} in {topics}, {_megabytes(stats.file_bytes)}")
    return EXIT_OK


def run_import(args: argparse.Namespace) -> int:
    path = Path(args.file).expanduser()
    with _open() as archive:
        result = archive.import_file(path, args.name)
    json_line(result.to_json())
    again = f" ({count(result.duplicates, 'message')} already there)" if result.duplicates else ""
    say(f"{args.file}: {count(result.added, 'message')} imported as {result.profile}, topic {IMPORT_TOPIC}{again}")
    return EXIT_OK


def run_prune(args: argparse.Namespace) -> int:
    settings = saved_archive_settings()
    max_bytes = _size(args.max_size) if args.max_size else settings.max_bytes
    max_days = _days(args.max_age) if args.max_age else float(settings.max_age_days)
    with _open() as archive:
        result = archive.prune(max_bytes, max_days)
    json_line(result.to_json())
    say(
        f"pruned {count(result.removed, 'message')} ({result.removed_by_age} older than {max_days:g} days, "
        f"{result.removed_by_size} for the size cap of {_megabytes(max_bytes)}); the archive now uses "
        f"{_megabytes(result.used_bytes_after)}"
    )
    return EXIT_OK


def run_forget(args: argparse.Namespace) -> int:
    if args.all and args.profile:
        raise UsageError("--profile goes with --topic: --all forgets the messages of every profile")
    with _open() as archive:
        if args.all:
            removed, what = archive.forget_all(), "every archived message"
        else:
            topic = _topic(args.topic)
            profile = _address(args.profile) if args.profile else None
            removed = archive.forget_topic(profile, topic)
            what = f"topic {topic}" + (f" at {profile}" if profile else "")
    json_line({"removed": removed})
    say(f"forgot {what}: {count(removed, 'message')} removed")
    return EXIT_OK


def _size(text: str) -> int:
    match = _SIZE.match(text)
    if match is None:
        raise ValidationError(
            f"{text!r} is not a size", where="--max-size", hint="write a number and a unit: 500MB, 2GB (or bytes)"
        )
    size = int(float(match.group(1)) * _UNITS[match.group(2).lower()])
    if size < MIN_ARCHIVE_BYTES:
        raise ValidationError(
            f"{text!r} is below the smallest cap, {_megabytes(MIN_ARCHIVE_BYTES)}",
            where="--max-size",
            hint="give 1MB or more; to remove everything, use 'archive forget --all'",
        )
    return size


def _days(text: str) -> float:
    value = text.strip()
    days = float(value) if re.fullmatch(r"\d+(\.\d+)?", value, re.ASCII) else None
    if days is None:
        days = parse_duration(value, where="--max-age").total_seconds() / 86_400
    if days <= 0:
        raise ValidationError(f"{text!r} is no time at all", where="--max-age", hint="give 1 day or more: 30, 14d, 12h")
    return days


def _megabytes(size: int) -> str:
    """A size in words: MB, or GB from a thousand MB."""
    return f"{size / 1e9:,.1f} GB" if size >= 1e9 else f"{size / 1e6:,.1f} MB"
