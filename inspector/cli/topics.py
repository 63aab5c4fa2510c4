"""``topic-inspector topics list``: the topics of a Workato workspace, through the Developer API."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from inspector.cli._common import EXIT_OK, Connection, Parser, add_connection, connection, json_line, token_source
from inspector.core.http import TokenSource
from inspector.core.services.workato import DeveloperApiClient
from inspector.core.terminal import say


def add(topics: Parser) -> None:
    topics.add_argument("action", choices=["list"])
    add_connection(topics)
    topics.add_argument("--name", help="only topics whose name contains this")
    topics.add_argument("--sort", choices=["activity", "name", "id"])
    topics.add_argument("--include-schema", action="store_true")
    topics.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    conn = connection(args)
    token = token_source(conn)
    return asyncio.run(_topics(args, conn, token))


async def _topics(args: argparse.Namespace, conn: Connection, token: TokenSource) -> int:
    async with DeveloperApiClient(conn.endpoint, token) as client:
        topics = await client.list_topics(name=args.name, sort=args.sort, include_schema=args.include_schema)
    for topic in topics:
        row: dict[str, Any] = {
            "id": topic.id,
            "name": topic.name,
            "description": topic.description,
            "retention": topic.retention_secs,
        }
        if args.include_schema:
            row["schema"] = topic.schema
        json_line(row)
    say(f"{len(topics)} topics at {conn.endpoint.developer_url}")
    return EXIT_OK
