"""``topic-inspector qala publish|session-token``: Qala's event publishing.

Same conventions as the Workato commands: results as JSON Lines on standard output, words on standard error, exit
status 0 (all done), 1 (something failed), 2 (bad input: nothing was sent).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from inspector.cli._common import (
    EXIT_FAILED,
    EXIT_OK,
    Parser,
    add_command,
    add_modes,
    add_service_connection,
    examples,
    json_line,
    read_input,
    service_connection,
    source_name,
)
from inspector.core.http import TokenSource
from inspector.core.jsoninput import parse_publish_input
from inspector.core.models import Outcome, outcome_counts
from inspector.core.profiles import Profile
from inspector.core.services.qala import NO_ID_WORDS, QalaClient, check_events, check_guid, check_topic_name
from inspector.core.terminal import say


def add(qala: Parser) -> None:
    examples(
        qala,
        "topic-inspector qala publish events.json --profile Qala --topic orders",
        "topic-inspector qala publish events.jsonl --profile Qala",
        "topic-inspector qala session-token GROUP --profile Qala",
    )
    actions = add_modes(qala, "action", "{publish,session-token}")

    publish = add_command(
        actions,
        "publish",
        help="publish events to a topic by name, or routed by type",
        description=(
            "Publish a JSON array of events (or one event, or JSON Lines) to a Qala topic by name, or without "
            "--topic to let Qala route them by type. Each event: type, data, optional id and audiences. Every "
            "event is checked first: nothing is sent if one is bad. Prints one JSON line per event. Exit status: "
            "0 all published, 1 any failed or unknown, 2 bad input."
        ),
    )
    publish.add_argument("file", metavar="FILE", nargs="?", default="-", help="events file, or - for stdin")
    publish.add_argument("--topic", metavar="NAME", help="the topic's name (default: routed by event type)")
    add_service_connection(publish, environment=True)
    examples(
        publish,
        "topic-inspector qala publish events.json --profile Qala --topic orders",
        "topic-inspector qala publish events.json --base-url https://qala.example.com --environment GUID",
    )
    publish.set_defaults(run=run_publish)

    session = add_command(actions, "session-token", help="create a subscriber group's session token (shown once)")
    session.add_argument("group", metavar="GROUP", help="the subscriber group id")
    add_service_connection(session, environment=True)
    examples(session, "topic-inspector qala session-token GROUP --profile Qala")
    session.set_defaults(run=run_session_token)


def _client(profile: Profile, token: TokenSource) -> QalaClient:
    assert profile.base_url is not None  # check_profile made sure
    assert profile.environment_id is not None
    return QalaClient(profile.base_url, token, profile.environment_id, rate_limit_rpm=profile.endpoint().rate_limit_rpm)


def run_publish(args: argparse.Namespace) -> int:
    if args.topic is not None:
        check_topic_name(args.topic)
    events = check_events(parse_publish_input(read_input(args.file), source=source_name(args.file)).items)
    profile, token = service_connection(args, "qala")
    return asyncio.run(_publish(profile, token, events, args.topic))


def run_session_token(args: argparse.Namespace) -> int:
    group = check_guid(args.group, where="subscriber group id")
    profile, token = service_connection(args, "qala")
    return asyncio.run(_session_token(profile, token, group))


async def _publish(profile: Profile, token: TokenSource, events: list[dict[str, Any]], topic: str | None) -> int:
    async with _client(profile, token) as client:
        results = await client.publish_events(events, topic)
    for result in results:
        row = result.to_json()
        row["type"] = events[result.index].get("type")
        json_line(row)
    counts = outcome_counts(results)
    ok, failed, unknown = counts[Outcome.SUCCESS], counts[Outcome.FAILED], counts[Outcome.UNKNOWN]
    where = f"topic {topic!r}" if topic else "routed by type"
    summary = f"{ok} published, {failed} failed" + (f", {unknown} unknown (may have been published)" if unknown else "")
    no_id = sum(1 for result in results if result.ok and result.message_id is None)
    if no_id:
        summary += f"; {no_id} of them with {NO_ID_WORDS}"
    say(f"qala ({where}, environment {profile.environment_id}): {summary}")
    return EXIT_OK if ok == len(results) else EXIT_FAILED


async def _session_token(profile: Profile, token: TokenSource, group: str) -> int:
    async with _client(profile, token) as client:
        session = await client.create_session_token(group)
    say(session, file=sys.stdout)
    say(f"session token for subscriber group {group}: shown once, not stored")
    return EXIT_OK
