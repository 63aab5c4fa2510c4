"""``topic-inspector emulator``: the local emulator of the Workato Event Streams API (and the other services)."""

from __future__ import annotations

import argparse
import re
import secrets
import sys
from typing import Any

from inspector.cli._common import EXIT_OK, Parser, examples
from inspector.core.errors import ValidationError
from inspector.core.regions import is_loopback_host
from inspector.core.secrets import TOKEN_ENV
from inspector.emulator.app import DEFAULT_CONTAINER_TOKEN, DEFAULT_TOKEN
from inspector.emulator.server import EmulatorConfig, parse_topic_spec, serve_forever


def add(emulator: Parser) -> None:
    emulator.add_argument(
        "--host",
        default="127.0.0.1",
        help="the address to listen on (default 127.0.0.1: this machine only); another one needs --token",
    )
    emulator.add_argument("--port", type=int, default=9300, help="0 for any free port (default 9300)")
    emulator.add_argument(
        "--token",
        help="the token clients must send (default on 127.0.0.1: emulator-token; required on other addresses)",
    )
    emulator.add_argument(
        "--container-token",
        help="the token a Messaging workflow container sends to post messages (default on 127.0.0.1: "
        "container-token; on other addresses a random one, printed at start)",
    )
    emulator.add_argument(
        "--topic",
        action="append",
        default=[],
        metavar="ID[:NAME[:SCHEMA.json]]",
        help="declare a topic (repeatable; default: two sample topics)",
    )
    emulator.add_argument("--data", default=":memory:", metavar="PATH", help="SQLite file (default :memory:)")
    emulator.add_argument("--rate-limit", type=int, default=60, metavar="RPM", help="per token; 0 = off")
    emulator.add_argument(
        "--retention",
        type=int,
        default=7 * 24 * 3600,
        metavar="SECS",
        help="retention of declared topics (default 7 days)",
    )
    emulator.add_argument("--access-log", action="store_true", help="print each request")
    examples(
        emulator,
        "topic-inspector emulator",
        "topic-inspector emulator --port 0 --topic 7:orders --data emulator.sqlite --rate-limit 0",
        f"{TOKEN_ENV}=emulator-token topic-inspector consume orders --base-url http://127.0.0.1:9300",
        notes=(f"Clients send the emulator's --token (default emulator-token), in {TOKEN_ENV} or the keyring.",),
        token=False,
    )
    emulator.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    loopback = is_loopback_host(args.host)
    config = EmulatorConfig(
        host=args.host,
        port=args.port,
        token=args.token or DEFAULT_TOKEN,  # on another address: refused by serve_forever, in words
        container_token=args.container_token or (DEFAULT_CONTAINER_TOKEN if loopback else secrets.token_urlsafe(32)),
        data=args.data,
        rate_limit_rpm=args.rate_limit,
        topics=[parse_topic_spec(spec) for spec in args.topic],
        retention_secs=args.retention,
        access_log=args.access_log,
    )
    if args.rate_limit < 0:
        raise ValidationError("must be 0 (off) or more", where="--rate-limit")

    def ready(url: str, store: Any) -> None:
        listed = store.list_topics()
        topics = ", ".join(f"{t.id} ({t.name})" for t in listed)
        if not loopback:
            print(
                f"warning: the emulator listens on {url}: every machine that reaches it can read and write its "
                "data with the token, which crosses the network unencrypted (plain HTTP)\n"
                "  hint: use it on a network you trust, and stop it (Ctrl+C) when done",
                file=sys.stderr,
                flush=True,
            )
        print(f"Topic Inspector emulator listening on {url}", flush=True)
        print(f"  token:  {config.token}", flush=True)
        if not loopback and not args.container_token:
            print(f"  container token (random): {config.container_token}", flush=True)
        print(f"  topics: {topics}", flush=True)
        print(f"  data:   {config.data}", flush=True)
        topic = _example(listed)
        print(f"  try:    {TOKEN_ENV}={config.token} topic-inspector consume {topic} --base-url {url}", flush=True)

    serve_forever(config, ready)
    return EXIT_OK


def _example(topics: list[Any]) -> str:
    """The first topic for the 'try:' line: by its name when that is one plain word no other topic has."""
    if not topics:
        return "1"
    name = topics[0].name
    plain = re.fullmatch(r"[A-Za-z][\w.-]*", name, re.ASCII) and sum(t.name == name for t in topics) == 1
    return name if plain else str(topics[0].id)
