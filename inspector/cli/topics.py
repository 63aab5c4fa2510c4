"""``topic-inspector topics``: a Workato workspace's topics through the Developer API (list, get, create, update,
purge, delete), and their schemas: infer one from messages, test a schema change against a topic's messages."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from inspector.cli._common import (
    EXIT_FAILED,
    EXIT_OK,
    Connection,
    Parser,
    Subparsers,
    add_command,
    add_connection,
    add_modes,
    connection,
    examples,
    json_line,
    read_input,
    source_name,
    token_source,
)
from inspector.core.errors import ValidationError
from inspector.core.fieldlist import Field, dump_fieldlist, fieldlist_from_text
from inspector.core.http import TokenSource
from inspector.core.infer import infer_fieldlist
from inspector.core.jsoninput import parse_publish_input
from inspector.core.models import Topic
from inspector.core.schemacheck import SchemaTest, check_schema_change
from inspector.core.services.workato import (
    DeveloperApiClient,
    EventStreamsClient,
    check_retention,
    check_topic_name,
    retention_words,
)
from inspector.core.terminal import dumps, say
from inspector.core.validation import check_topic_id

Action = Callable[[argparse.Namespace, Connection, TokenSource], Coroutine[Any, Any, int]]


def add(topics: Parser) -> None:
    topics.description = (
        "A Workato workspace's topics, through the Developer API: list, get, create, update, purge and delete them; "
        "infer a schema from messages; test a schema change against a topic's retained messages. Topics and "
        "refused messages are printed as JSON Lines, words on standard error. Exit status: 0 done, 1 failed "
        "(check-schema: a message would be refused), 2 bad input."
    )
    examples(
        topics,
        "topic-inspector topics list --region eu",
        "topic-inspector topics create orders --schema orders.schema.json --retention 7d --region eu",
        "topic-inspector topics infer-schema messages.jsonl > orders.schema.json",
        "topic-inspector topics check-schema 12 orders.schema.json --region eu",
        "topic-inspector topics purge 12 --confirm orders --region eu",
    )
    modes = add_modes(topics, "action", "{list,get,create,update,purge,delete,infer-schema,check-schema}")

    listing = _mode(modes, "list", _list, help="the topics, as JSON Lines")
    listing.add_argument("--name", help="only topics whose name contains this")
    listing.add_argument("--sort", choices=["activity", "name", "id"])
    listing.add_argument("--include-schema", action="store_true")

    _mode(modes, "get", _get, help="one topic, with its schema").add_argument("id", metavar="ID", help="topic id")

    create = _mode(modes, "create", _create, help="create a topic")
    create.add_argument("name", metavar="NAME", help="the topic's name (unique in the workspace)")
    _settings(create)

    update = _mode(modes, "update", _update, help="change a topic's name, schema, retention or description")
    update.add_argument("id", metavar="ID", help="topic id")
    update.add_argument("--name", metavar="NAME", help="a new name")
    _settings(update)

    for name, act, words in (
        ("purge", _purge, "delete every message of a topic (the topic stays)"),
        ("delete", _delete, "delete a topic and its messages"),
    ):
        mode = _mode(modes, name, act, help=words)
        mode.add_argument("id", metavar="ID", help="topic id")
        mode.add_argument(
            "--confirm", metavar="NAME", required=True, help="the topic's name, typed again: nothing is lost otherwise"
        )

    infer = add_command(modes, "infer-schema", help="print the Workato field list that messages fit")
    infer.description = (
        "Infer a Workato field list from message payloads: a JSON object, a JSON array or JSON Lines (a consume "
        "export's lines, with their payload, are read too). Prints the field list; notes on mixed types on "
        "standard error."
    )
    infer.add_argument("file", metavar="FILE", help="JSON Lines of payloads, or - for standard input")
    infer.set_defaults(run=_run_infer)

    check = _mode(modes, "check-schema", _check, help="test a schema change against the topic's messages first")
    check.description = (
        "Read every retained message of topic ID and check it against the field list in FILE, the schema the "
        "topic would get. Prints one JSON line per message the new schema would refuse; exit 1 when any would be."
    )
    check.add_argument("id", metavar="ID", help="topic id")
    check.add_argument("file", metavar="FILE", help="the new schema: a Workato field list (JSON), or - for stdin")


def _mode(modes: Subparsers, name: str, act: Action, **kwargs: Any) -> argparse.ArgumentParser:
    parser = add_command(modes, name, **kwargs)
    add_connection(parser)
    parser.set_defaults(run=run, act=act)
    return parser


def _settings(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--schema", metavar="FILE", help="the schema: a Workato field list in a JSON file")
    parser.add_argument(
        "--retention", metavar="SECS", help="how long messages are kept: seconds, or 90m, 36h, 7d (up to 90 days)"
    )
    parser.add_argument("--description", metavar="T", help="the topic's description")


def run(args: argparse.Namespace) -> int:
    conn = connection(args)
    _check_arguments(args)  # bad input is refused before the keyring is read
    token = token_source(conn)
    act: Action = args.act
    return asyncio.run(act(args, conn, token))


def _check_arguments(args: argparse.Namespace) -> None:
    if getattr(args, "id", None) is not None:
        check_topic_id(args.id, where="ID")
    if getattr(args, "name", None) is not None and args.action in ("create", "update"):
        check_topic_name(args.name, where="topic name" if args.action == "create" else "--name")
    if getattr(args, "retention", None) is not None:
        args.retention = check_retention(args.retention, where="--retention")
    if getattr(args, "schema", None) is not None:
        args.schema_fields = _read_schema(args.schema, "--schema")
    if args.action == "check-schema":
        args.schema_fields = _read_schema(args.file, "FILE")
    if args.action == "update" and all(
        getattr(args, key) is None for key in ("name", "schema", "retention", "description")
    ):
        raise ValidationError(
            "nothing to change", where="topics update", hint="give --name, --schema, --retention or --description"
        )


def _read_schema(source: str, option: str) -> tuple[Field, ...]:
    return fieldlist_from_text(read_input(source), where=f"{option} {source_name(source)}")


def _row(topic: Topic, *, schema: bool = True) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": topic.id,
        "name": topic.name,
        "description": topic.description,
        "retention": topic.retention_secs,
    }
    if schema:
        row["schema"] = topic.schema
    return row


def _named(topic: Topic) -> str:
    return f"topic {topic.id} ({topic.name!r})"


# ----- the actions ----------------------------------------------------------------------------------------------
async def _list(args: argparse.Namespace, conn: Connection, token: TokenSource) -> int:
    async with DeveloperApiClient(conn.endpoint, token) as client:
        topics = await client.list_topics(name=args.name, sort=args.sort, include_schema=args.include_schema)
    for topic in topics:
        json_line(_row(topic, schema=args.include_schema))
    say(f"{len(topics)} topic{'' if len(topics) == 1 else 's'} at {conn.endpoint.developer_url}")
    return EXIT_OK


async def _get(args: argparse.Namespace, conn: Connection, token: TokenSource) -> int:
    async with DeveloperApiClient(conn.endpoint, token) as client:
        topic = await client.get_topic(check_topic_id(args.id, where="ID"))
    json_line(_row(topic))
    return EXIT_OK


async def _create(args: argparse.Namespace, conn: Connection, token: TokenSource) -> int:
    schema = dump_fieldlist(getattr(args, "schema_fields", ()))
    async with DeveloperApiClient(conn.endpoint, token) as client:
        topic = await client.create_topic(
            args.name, schema, retention_secs=args.retention, description=args.description or ""
        )
    json_line(_row(topic))
    kept = f", messages kept {retention_words(topic.retention_secs)}" if topic.retention_secs else ""
    fields = len(topic.schema or [])
    say(f"created {_named(topic)}: {fields} field{'' if fields == 1 else 's'}{kept}")
    return EXIT_OK


async def _update(args: argparse.Namespace, conn: Connection, token: TokenSource) -> int:
    fields = getattr(args, "schema_fields", None)
    changes = {
        "name": args.name,
        "schema": None if fields is None else dump_fieldlist(fields),
        "retention_secs": args.retention,
        "description": args.description,
    }
    async with DeveloperApiClient(conn.endpoint, token) as client:
        topic = await client.update_topic(check_topic_id(args.id, where="ID"), **changes)
    json_line(_row(topic))
    said = ", ".join(key.removesuffix("_secs") for key, value in changes.items() if value is not None)
    say(f"updated {_named(topic)}: {said}")
    return EXIT_OK


async def _confirmed(client: DeveloperApiClient, args: argparse.Namespace, verb: str) -> Topic:
    """The topic, once ``--confirm`` is its name exactly (refused in words otherwise, nothing done)."""
    topic = await client.get_topic(check_topic_id(args.id, where="ID"))
    if args.confirm != topic.name:
        raise ValidationError(
            f"{args.confirm!r} is not the name of topic {topic.id}, which is {topic.name!r}: nothing was {verb}",
            where="--confirm",
            hint=f"type the topic's name exactly (case and spaces count), as 'topics get {topic.id}' shows it",
        )
    return topic


async def _purge(args: argparse.Namespace, conn: Connection, token: TokenSource) -> int:
    async with DeveloperApiClient(conn.endpoint, token) as client:
        topic = await _confirmed(client, args, "purged")
        await client.purge_topic(topic.id)
    json_line({"id": topic.id, "name": topic.name, "purged": True})
    say(f"purged {_named(topic)}: its messages are deleted, the topic and its schema stay")
    return EXIT_OK


async def _delete(args: argparse.Namespace, conn: Connection, token: TokenSource) -> int:
    async with DeveloperApiClient(conn.endpoint, token) as client:
        topic = await _confirmed(client, args, "deleted")
        await client.delete_topic(topic.id)
    json_line({"id": topic.id, "name": topic.name, "deleted": True})
    say(f"deleted {_named(topic)} and its messages")
    return EXIT_OK


async def _check(args: argparse.Namespace, conn: Connection, token: TokenSource) -> int:
    topic_id = check_topic_id(args.id, where="ID")

    def show(test: SchemaTest, refusals: list[Any]) -> None:
        for refusal in refusals:
            json_line(refusal.to_json())

    async with EventStreamsClient(conn.endpoint, token) as client:
        test = await check_schema_change(client, topic_id, args.schema_fields, on_progress=show)
    say(f"topic {topic_id}: {test.summary()}")
    return EXIT_FAILED if test.refused else EXIT_OK


def _run_infer(args: argparse.Namespace) -> int:
    source = source_name(args.file)
    items = parse_publish_input(read_input(args.file), source=source).items
    payloads = [_payload_of(item) for item in items]
    inferred = infer_fieldlist(payloads, where=source)
    print(dumps(dump_fieldlist(inferred.fields), indent=2))
    for note in inferred.notes:
        say(f"note: {note}")
    count = inferred.messages
    say(f"inferred {len(inferred.fields)} top-level fields from {count:,} message{'' if count == 1 else 's'}")
    return EXIT_OK


def _payload_of(item: Any) -> Any:
    """A payload, or a consumed message's payload (a line of 'consume' output: message_id, time, payload)."""
    if isinstance(item, dict) and set(item) == {"message_id", "time", "payload"} and isinstance(item["payload"], dict):
        return item["payload"]
    return item
