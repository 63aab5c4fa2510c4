"""``topic-inspector consume TOPIC``: a topic's messages as JSON Lines (or a JSON array, or CSV); TOPIC by id or
name, ``--since`` a time or a duration back from now."""

from __future__ import annotations

import argparse
import asyncio

from inspector.cli._archiving import archive_writer, close_writer
from inspector.cli._common import (
    EXIT_OK,
    TOPIC_NOTE,
    Connection,
    Parser,
    UsageError,
    add_connection,
    check_topic,
    connection,
    count,
    examples,
    find_topic,
    token_source,
    write_out,
)
from inspector.core.errors import ValidationError
from inspector.core.export import FORMATS, export_messages
from inspector.core.http import TokenSource
from inspector.core.models import Message
from inspector.core.services.workato import EventStreamsClient
from inspector.core.tail import StartPosition, TailState, TailStatus, TopicTail
from inspector.core.terminal import say
from inspector.core.timeparse import SINCE_FORMS, parse_since
from inspector.core.validation import MAX_CONSUME_BATCH, MAX_WAIT_SECS


def add(consume: Parser) -> None:
    consume.description = (
        "Read a topic's messages and print them as JSON Lines (message_id, time, payload), or with --format as a "
        "JSON array or CSV, the same bytes as the window's Export. Without --follow it stops when the topic is "
        "drained."
    )
    consume.add_argument("topic", metavar="TOPIC", help="topic id or name")
    add_connection(consume)
    start = consume.add_mutually_exclusive_group()
    start.add_argument("--after", metavar="ID", help="start after this message id")
    start.add_argument(
        "--since",
        metavar="TIME",
        help="start at this time: RFC 3339 (2024-05-01T09:00:00Z), a duration back from now (90s, 30m, 2h, 1d), "
        "or 'now' (only new messages)",
    )
    consume.add_argument(
        "--batch-size",
        type=int,
        default=MAX_CONSUME_BATCH,
        metavar="N",
        help=f"messages per request, 1 to {MAX_CONSUME_BATCH} (default {MAX_CONSUME_BATCH})",
    )
    consume.add_argument("--follow", action="store_true", help="keep long-polling for new messages")
    consume.add_argument(
        "--archive", action="store_true", help="keep the messages in the app's archive too ('archive --help')"
    )
    consume.add_argument(
        "--wait",
        type=int,
        default=MAX_WAIT_SECS,
        metavar="SECS",
        help=f"long-poll wait with --follow, 0 to {MAX_WAIT_SECS} (default {MAX_WAIT_SECS})",
    )
    consume.add_argument("--max", type=int, metavar="N", help="stop after N messages")
    consume.add_argument(
        "--format",
        choices=FORMATS,
        default="jsonl",
        help="jsonl (default: one line per message, as they arrive), json (an array) or csv (for spreadsheets); "
        "json and csv are written whole when consume ends, so with --follow they need --max N",
    )
    examples(
        consume,
        "topic-inspector consume orders --profile Local --since 2h > messages.jsonl",
        "topic-inspector consume 1234 --region eu --since 2024-05-01T09:00:00Z --max 500",
        "topic-inspector consume 1234 --region eu --after A1BRi --follow",
        "topic-inspector consume orders --profile Local --format csv > messages.csv",
        notes=(TOPIC_NOTE, f"--since takes {SINCE_FORMS} (back from now), or 'now'."),
    )
    consume.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.max is not None and args.max < 1:
        raise ValidationError("must be 1 or more", where="--max")
    if args.follow and not 0 <= args.wait <= MAX_WAIT_SECS:
        raise ValidationError(f"must be 0 to {MAX_WAIT_SECS}", where="--wait")
    if not 1 <= args.batch_size <= MAX_CONSUME_BATCH:
        raise ValidationError(f"must be 1 to {MAX_CONSUME_BATCH}", where="--batch-size")
    if args.follow and args.format != "jsonl" and args.max is None:
        raise UsageError(
            f"--format {args.format} with --follow needs --max N: a {args.format.upper()} document is written "
            "whole when consume ends (after N messages); use --format jsonl to print messages as they arrive"
        )
    start = _start(args)  # a bad argument is said before any token is asked for
    conn = connection(args)
    check_topic(args.topic)
    token = token_source(conn)
    return asyncio.run(_consume(args, conn, token, start))


def _start(args: argparse.Namespace) -> StartPosition:
    if args.after:
        return StartPosition.after_id(args.after)
    if args.since == "now":
        return StartPosition.now()
    if args.since is not None:
        return StartPosition.since_time(parse_since(args.since, where="--since"))
    return StartPosition.beginning()


async def _consume(args: argparse.Namespace, conn: Connection, token: TokenSource, start: StartPosition) -> int:
    named = await find_topic(args, conn, token, args.topic)
    topic, label = named.id, named.label
    last_state: list[TailState] = []
    held: list[Message] = []  # --format json or csv: written whole when consume ends
    writer = archive_writer() if args.archive else None

    def on_batch(batch: list[Message]) -> None:
        if writer is not None:
            writer.add(conn.endpoint.events_url, topic, batch)  # queued: committed by the writer's thread
        if args.format == "jsonl":
            write_out(export_messages(batch, "jsonl"))  # streamed: each batch as it arrives
        else:
            held.extend(batch)

    def on_status(status: TailStatus) -> None:
        if status.state in (TailState.BACKING_OFF, TailState.RATE_LIMITED):
            say(f"{label}: {status.detail}")
        elif status.state is TailState.LIVE and last_state and last_state[-1] is not TailState.LIVE:
            say(f"{label}: connected")
        last_state.append(status.state)

    async with EventStreamsClient(conn.endpoint, token) as client:
        tail = TopicTail(
            client,
            topic,
            on_batch,
            start=start,
            batch_size=args.batch_size,
            wait_secs=args.wait,
            follow=args.follow,
            max_messages=args.max,
            on_status=on_status,
            give_up_after=None if args.follow else 5,
        )
        try:
            await tail.run()
        finally:
            if writer is not None:
                close_writer(writer, label)
            if tail.received or tail.status.state is not TailState.ERROR:
                if args.format != "jsonl":
                    write_out(export_messages(held, args.format))
                resume = f"; last message id {tail.cursor} (resume with --after {tail.cursor})" if tail.cursor else ""
                say(f"{label}: {count(tail.received, 'message')}{resume}")
    return EXIT_OK
