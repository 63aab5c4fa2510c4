"""``topic-inspector publish TOPIC [FILE]``: a JSON object, array or JSON Lines, with a result line per item."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from inspector.cli._common import (
    EXIT_FAILED,
    EXIT_OK,
    TOPIC_NOTE,
    Connection,
    Parser,
    add_connection,
    check_topic,
    connection,
    examples,
    find_topic,
    read_input,
    source_name,
    token_source,
)
from inspector.core.http import TokenSource
from inspector.core.jsoninput import parse_publish_input
from inspector.core.models import ItemResult, Outcome, outcome_counts
from inspector.core.publisher import publish_all
from inspector.core.services.workato import EventStreamsClient
from inspector.core.terminal import dumps, say


def add(publish: Parser) -> None:
    publish.description = (
        "Publish a JSON object (single publish), or a JSON array or JSON Lines (batch publish in ordered chunks of "
        "up to 100). Prints one JSON line per input item. Exit status: 0 all published, 1 any failed, 2 bad input."
    )
    publish.add_argument("topic", metavar="TOPIC", help="topic id or name")
    publish.add_argument("file", metavar="FILE", nargs="?", default="-", help="input file, or - for stdin")
    add_connection(publish)
    examples(
        publish,
        "topic-inspector publish orders order.json --profile Local",
        "topic-inspector publish 1234 orders.jsonl --region eu",
        'echo \'{"Name": "Jane"}\' | topic-inspector publish orders --profile Local',
        notes=(TOPIC_NOTE,),
    )
    publish.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    conn = connection(args)
    check_topic(args.topic)
    token = token_source(conn)
    return asyncio.run(_publish(args, conn, token))


async def _publish(args: argparse.Namespace, conn: Connection, token: TokenSource) -> int:
    data = parse_publish_input(read_input(args.file), source=source_name(args.file))  # checked before any request
    named = await find_topic(args, conn, token, args.topic)
    topic = named.id
    printed: set[int] = set()

    def emit(chunk: Sequence[ItemResult]) -> None:  # each chunk's lines as soon as it is answered
        fresh = [result for result in chunk if result.index not in printed]
        sys.stdout.write("".join(dumps(r.to_json()) + "\n" for r in fresh))
        sys.stdout.flush()
        printed.update(result.index for result in fresh)

    async with EventStreamsClient(conn.endpoint, token) as client:
        results = await publish_all(client, topic, data.items, on_progress=lambda _step, chunk: emit(chunk))
    emit(results)  # items no chunk reported (after a refusal that stopped the rest)
    counts = outcome_counts(results)
    ok, failed, unknown = counts[Outcome.SUCCESS], counts[Outcome.FAILED], counts[Outcome.UNKNOWN]
    summary = f"{ok} published, {failed} failed"
    if unknown:
        summary += f", {unknown} unknown (may have been published; check the topic before resending)"
    say(f"{named.label}: {summary}")
    return EXIT_OK if ok == len(results) else EXIT_FAILED
