"""``topic-inspector``: the GUI with no arguments; headless commands over the same core otherwise."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from inspector import __version__
from inspector.core import redact
from inspector.core.errors import InspectorError, PublishInputError, ValidationError
from inspector.core.network import NetworkSettings
from inspector.core.paths import read_text_file
from inspector.core.profiles import Profile, ProfileStore
from inspector.core.regions import REGIONS, Endpoint, custom_endpoint, region
from inspector.core.secrets import TOKEN_ENV, KeyringStore, SecretStoreError, check_token_text, env_token
from inspector.core.terminal import dumps, escape_text, say
from inspector.core.timeparse import parse_time
from inspector.core.validation import MAX_CONSUME_BATCH, MAX_WAIT_SECS, check_topic_id
from inspector.ui import has_screen

# The HTTP client, the tail, publishing and the replay journal are imported by the commands that use them:
# `topic-inspector` with no arguments opens the window, which must not wait for them (bench/startup.py).
if TYPE_CHECKING:
    from inspector.core.http import TokenSource
    from inspector.core.models import ItemResult, Message
    from inspector.core.replay import Journal, ReplayProgress
    from inspector.core.services.workato import EventStreamsClient
    from inspector.core.tail import TailState, TailStatus

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {escape_text(message)}\n")


# ----- connection options -----------------------------------------------------------------------------------
def _add_connection(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("connection (choose one)")
    where = group.add_mutually_exclusive_group()
    where.add_argument("--region", metavar="R", help=f"one of: {', '.join(REGIONS)}")
    where.add_argument("--base-url", metavar="URL", help="a base URL of your own, such as the local emulator")
    where.add_argument("--profile", metavar="P", help="a saved profile (see 'topic-inspector profile')")
    group.add_argument("--rate-limit", metavar="RPM", type=int, help="requests per minute (default: the region's)")
    _add_network_options(group)


def _add_network_options(group: argparse._ActionsContainer) -> None:
    group.add_argument(
        "--proxy",
        metavar="URL",
        help="an HTTP proxy for https base URLs, http://[user@]host:port; its password is read from the keyring "
        "(default: the profile's, else HTTPS_PROXY or ALL_PROXY, except for the hosts in NO_PROXY)",
    )
    group.add_argument(
        "--ca-bundle",
        metavar="FILE",
        help="a PEM file of CA certificates to trust besides the system's (your company's CA); SSL_CERT_FILE and "
        "REQUESTS_CA_BUNDLE add theirs too (default: the profile's)",
    )


@dataclass(frozen=True)
class Connection:
    endpoint: Endpoint
    account: str  # where the token lives in the keyring
    legacy_account: str | None = None  # where an earlier build kept it
    network: NetworkSettings = field(default_factory=NetworkSettings)  # the proxy and CA bundle of its clients


def _connection(args: argparse.Namespace) -> Connection:
    rpm = args.rate_limit
    if rpm is not None and rpm < 0:
        raise ValidationError("must be 0 (off) or more", where="--rate-limit")
    if args.profile:
        profile = ProfileStore().get(args.profile)
        if rpm is not None:
            profile = replace(profile, rate_limit_rpm=rpm)
        return Connection(profile.endpoint(), profile.account, profile.legacy_account, _network(args, profile))
    if args.base_url:
        endpoint = custom_endpoint(args.base_url, **({} if rpm is None else {"rate_limit_rpm": rpm}))
    elif args.region:
        endpoint = region(args.region)
        if rpm is not None:
            endpoint = Endpoint(
                endpoint.key, endpoint.label, endpoint.events_url, endpoint.developer_url, rpm, endpoint.legacy
            )
    else:
        raise UsageError("choose where to connect: --region R, --base-url URL or --profile P")
    return Connection(endpoint, f"endpoint:{endpoint.events_url}", network=_network(args, None))


def _network(args: argparse.Namespace, profile: Profile | None) -> NetworkSettings:
    """``--proxy`` and ``--ca-bundle``, else the profile's, with the proxy's password from the keyring: used by
    every client this command makes (``network.configure``); the environment's proxies and CAs come on top."""
    from inspector.core import network

    proxy, proxy_where = getattr(args, "proxy", None), "--proxy"
    ca_bundle, ca_where = getattr(args, "ca_bundle", None), "--ca-bundle"
    if profile is not None and not proxy and profile.proxy:
        proxy, proxy_where = profile.proxy, f"profile {profile.name!r} proxy"
    if profile is not None and not ca_bundle and profile.ca_bundle:
        ca_bundle, ca_where = profile.ca_bundle, f"profile {profile.name!r} CA bundle"
    settings = NetworkSettings(
        network.check_proxy_url(proxy, where=proxy_where) if proxy else None,
        network.check_ca_file(ca_bundle, where=ca_where) if ca_bundle else None,
    )
    if settings.proxy and network.proxy_user(settings.proxy):
        password = KeyringStore().get(network.proxy_account(settings.proxy))
        settings = replace(settings, proxy_password=password)
    network.configure(settings)
    return settings


def _token(conn: Connection) -> TokenSource:
    """``TOPIC_INSPECTOR_TOKEN``, else the keyring's token as a source read again for each request, so a long
    ``consume --follow`` or ``replay`` does not hold the token between requests."""
    from inspector.core.secrets import KeyringToken, checked_token, remember_token

    token = env_token()
    if token:
        return checked_token(token, f"the token in {TOKEN_ENV}")
    store = KeyringStore()
    stored = store.get_moving(conn.account, conn.legacy_account)
    if stored:
        label = conn.endpoint.label
        fingerprint = remember_token(checked_token(stored, f"the token of {label} in {store.backend_name}"))
        return KeyringToken(store, conn.account, fingerprint=fingerprint, label=label)
    raise InspectorError(
        f"no token for {conn.endpoint.label}",
        hint=f"store one with 'topic-inspector token set' and the same connection options, or set {TOKEN_ENV}",
    )


# ----- consume ----------------------------------------------------------------------------------------------
def _write_out(data: bytes) -> None:
    """Bytes on standard output as they are (UTF-8 whatever the locale), after any text already written."""
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


async def _consume(args: argparse.Namespace, conn: Connection, token: TokenSource) -> int:
    from inspector.core.export import export_messages
    from inspector.core.services.workato import EventStreamsClient
    from inspector.core.tail import StartPosition, TailState, TopicTail

    topic = check_topic_id(args.topic)
    start = StartPosition.beginning()
    if args.after:
        start = StartPosition.after_id(args.after)
    elif args.since:
        start = (
            StartPosition.now()
            if args.since == "now"
            else StartPosition.since_time(parse_time(args.since, where="--since"))
        )
    last_state: list[TailState] = []
    held: list[Message] = []  # --format json or csv: written whole when consume ends

    def on_batch(batch: list[Message]) -> None:
        if args.format == "jsonl":
            _write_out(export_messages(batch, "jsonl"))  # streamed: each batch as it arrives
        else:
            held.extend(batch)

    def on_status(status: TailStatus) -> None:
        if status.state in (TailState.BACKING_OFF, TailState.RATE_LIMITED):
            say(f"topic {topic}: {status.detail}")
        elif status.state is TailState.LIVE and last_state and last_state[-1] is not TailState.LIVE:
            say(f"topic {topic}: connected")
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
            if tail.received or tail.status.state is not TailState.ERROR:
                if args.format != "jsonl":
                    _write_out(export_messages(held, args.format))
                resume = f"; last message id {tail.cursor} (resume with --after {tail.cursor})" if tail.cursor else ""
                say(f"topic {topic}: {tail.received} messages{resume}")
    return EXIT_OK


# ----- publish ----------------------------------------------------------------------------------------------
def _read_input(source: str) -> str:
    if source == "-":
        if sys.stdin is None or sys.stdin.isatty():
            raise UsageError("give a FILE to publish, or pipe JSON into standard input")
        return sys.stdin.read()
    return read_text_file(Path(source).expanduser())


async def _publish(args: argparse.Namespace, conn: Connection, token: TokenSource) -> int:
    from inspector.core.jsoninput import parse_publish_input
    from inspector.core.models import Outcome, outcome_counts
    from inspector.core.publisher import publish_all
    from inspector.core.services.workato import EventStreamsClient

    topic = check_topic_id(args.topic)
    source = "standard input" if args.file == "-" else args.file
    data = parse_publish_input(_read_input(args.file), source=source)
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
    say(f"topic {topic}: {summary}")
    return EXIT_OK if ok == len(results) else EXIT_FAILED


# ----- replay -----------------------------------------------------------------------------------------------
def _journal(args: argparse.Namespace) -> Journal:
    from inspector.core.replay import Journal

    return Journal(Path(args.journal).expanduser() if args.journal else None)


def _replay_offline(args: argparse.Namespace) -> int | None:
    """--list and --report need no connection."""
    if not (args.list or args.report):
        return None
    journal = _journal(args)
    try:
        journal.recover()
        if args.report:
            sys.stdout.write(dumps(journal.report(args.report), indent=2) + "\n")
        else:
            jobs = journal.jobs()
            for info in jobs:
                say(f"{info.describe()} · from {info.source} to {info.destination.get('label', '?')}", file=sys.stdout)
            if not jobs:
                say(f"no replay jobs in {journal.path}")
    finally:
        journal.close()
    return EXIT_OK


def _replay_job(args: argparse.Namespace, conn: Connection, journal: Journal) -> str:
    from inspector.core.export import import_items
    from inspector.core.models import Outcome
    from inspector.core.replay import ReplayItem

    if args.resume:
        info = journal.job(args.resume)
        if args.resend_unknown:
            journal.requeue(info.id, outcomes=(Outcome.UNKNOWN,))
        if args.retry_failed:
            journal.requeue(info.id, outcomes=(Outcome.FAILED,))
        return info.id
    if not args.file or not args.to:
        raise UsageError("give FILE and --to TOPIC, or --resume JOB")
    topic = check_topic_id(args.to, where="--to")
    source = "standard input" if args.file == "-" else args.file
    items = import_items(_read_input(args.file), source=source)
    destination = {
        "topic": topic,
        "events_url": conn.endpoint.events_url,
        "label": f"topic {topic} at {conn.endpoint.label}",
    }
    return journal.create(source, destination, [ReplayItem(i.payload, i.source_id) for i in items])


async def _replay(args: argparse.Namespace, conn: Connection, token: TokenSource) -> int:
    from inspector.core.replay import run_job
    from inspector.core.services.workato import EventStreamsClient

    journal = _journal(args)
    try:
        for info in journal.recover():
            say(f"{info.describe()}: the last run ended while it was sending")
        job_id = _replay_job(args, conn, journal)
        info = journal.job(job_id)
        if info.destination.get("events_url") != conn.endpoint.events_url:
            target = info.destination.get("events_url")
            raise UsageError(f"job {job_id} replays to {info.destination.get('label')}; connect to {target}")
        say(f"job {job_id}: {info.pending} to send to {info.destination.get('label')}")

        def progress(step: ReplayProgress, results: list[Any]) -> None:
            say(f"job {job_id}: {step.done}/{step.total} sent, {step.published} published")

        async with EventStreamsClient(conn.endpoint, token) as client:
            if args.check_unknown:
                await _check_unknown(client, journal, job_id, retry_missing=args.retry_failed)
            info = await run_job(client, journal, job_id, on_progress=progress)
        say(info.describe())
        if info.unknown:
            say(
                f"job {job_id}: {info.unknown} unknown (may have been published): '--resume {job_id} "
                "--check-unknown --retry-failed' looks for them in the topic and sends only those not there"
            )
        if info.pending:
            say(f"job {job_id}: continue with '--resume {job_id}'")
        return EXIT_OK if info.published == info.total else EXIT_FAILED
    finally:
        journal.close()


async def _check_unknown(client: EventStreamsClient, journal: Journal, job_id: str, *, retry_missing: bool) -> None:
    from inspector.core.models import Outcome
    from inspector.core.replay import check_unknown

    checked = await check_unknown(client, journal, job_id)
    say(
        f"job {job_id}: checked the unknown items against {checked.read} messages of the topic: {checked.found} "
        f"found (published), {checked.missing} not there (failed)"
    )
    if retry_missing and checked.missing:
        journal.requeue(job_id, outcomes=(Outcome.FAILED,))  # those not there are sent in this run


# ----- topics (Developer API) -------------------------------------------------------------------------------
async def _topics(args: argparse.Namespace, conn: Connection, token: TokenSource) -> int:
    from inspector.core.services.workato import DeveloperApiClient

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
        sys.stdout.write(dumps(row) + "\n")
    say(f"{len(topics)} topics at {conn.endpoint.developer_url}")
    return EXIT_OK


# ----- token ------------------------------------------------------------------------------------------------
def _token_command(args: argparse.Namespace) -> int:
    conn = _connection(args)
    store = KeyringStore()
    if args.action == "status":
        stored = store.get_moving(conn.account, conn.legacy_account) is not None
        where = f"stored in {store.backend_name}" if stored else "not stored"
        say(f"token for {conn.endpoint.label}: {where}", file=sys.stdout)
        if not store.is_system:
            say(store.warning(), file=sys.stdout)
        if env_token():
            say(f"{TOKEN_ENV} is set and overrides the keyring in this shell", file=sys.stdout)
        return EXIT_OK if stored else EXIT_FAILED
    if args.action == "delete":
        removed = store.delete(conn.account)
        say(f"token for {conn.endpoint.label}: {'deleted' if removed else 'none was stored'}", file=sys.stdout)
        return EXIT_OK
    if sys.stdin is not None and not sys.stdin.isatty():
        text = sys.stdin.readline()
    else:
        import getpass

        text = getpass.getpass(f"Token for {conn.endpoint.label} (input hidden): ")
    token = check_token_text(text)
    store.set(conn.account, token)
    say(f"token for {conn.endpoint.label}: stored in {store.backend_name}", file=sys.stdout)
    return EXIT_OK


# ----- profiles ---------------------------------------------------------------------------------------------
def _profile_command(args: argparse.Namespace) -> int:
    profiles = ProfileStore()
    if args.action == "list":
        for profile in profiles.load():
            where = profile.base_url if profile.region == "custom" else REGIONS[profile.region].label
            print("\t".join(escape_text(part) for part in (profile.name, where or "", profile.service_label)))
        return EXIT_OK
    if args.action == "remove":
        gone = next((p for p in profiles.load() if p.name == args.name), None)
        if gone is None or not profiles.remove(args.name):
            raise ValidationError(f"no profile named {args.name!r}", where="profile")
        with contextlib.suppress(SecretStoreError):
            store = KeyringStore()
            store.delete(gone.account)
            store.delete(gone.legacy_account)
        say(f"profile {args.name!r} removed (and its token, if one was stored)", file=sys.stdout)
        return EXIT_OK
    if bool(args.region) == bool(args.base_url):
        raise UsageError("profile add needs exactly one of --region R or --base-url URL")
    if args.service != "workato" and not args.base_url:
        raise UsageError(f"a {args.service} profile needs --base-url URL (regions are Workato's)")
    from inspector.cli.services import service_profile_fields
    from inspector.core import network
    from inspector.core.profiles import check_profile

    profile = Profile(
        args.name,
        "custom" if args.base_url else args.region.lower(),
        args.base_url,
        args.rate_limit,
        **service_profile_fields(args),
        proxy=args.proxy,
        ca_bundle=args.ca_bundle,
    )
    proxy = check_profile(profile).proxy
    if proxy and network.proxy_user(proxy):
        _ask_proxy_password(proxy)
    previous = next((p for p in profiles.load() if p.name == args.name), None)
    saved = profiles.upsert(profile)
    if previous is not None and previous.account != saved.account:  # a token stays with its address
        with contextlib.suppress(SecretStoreError):
            store = KeyringStore()
            if store.delete(previous.account) | store.delete(previous.legacy_account):
                say(
                    f"the token stored for {previous.endpoint().events_url} was removed: its address changed",
                    file=sys.stdout,
                )
    say(
        f"profile {saved.name!r} saved: {saved.endpoint().events_url}; store its token with "
        f"'topic-inspector token set --profile {saved.name!r}'",
        file=sys.stdout,
    )
    return EXIT_OK


def _ask_proxy_password(proxy: str) -> None:
    """The password of the proxy's user, from a hidden prompt (or a line of standard input), into the keyring;
    nothing typed keeps the one stored."""
    from inspector.core import network

    user, where = network.proxy_user(proxy), proxy.rsplit("@", 1)[-1]
    if sys.stdin is None:
        return
    if sys.stdin.isatty():
        import getpass

        text = getpass.getpass(f"Password of {user} at the proxy {where} (input hidden; empty keeps the stored one): ")
    else:
        text = sys.stdin.readline()
    password = text.rstrip("\r\n")
    if password:
        store = KeyringStore()
        store.set(network.proxy_account(proxy), password)
        say(f"the password of {user} at the proxy {where}: stored in {store.backend_name}", file=sys.stdout)


# ----- emulator ---------------------------------------------------------------------------------------------
def _emulator_command(args: argparse.Namespace) -> int:
    import secrets

    from inspector.core.regions import is_loopback_host
    from inspector.emulator.app import DEFAULT_CONTAINER_TOKEN, DEFAULT_TOKEN
    from inspector.emulator.server import EmulatorConfig, parse_topic_spec, serve_forever

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
        topics = ", ".join(f"{t.id} ({t.name})" for t in store.list_topics())
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
        print(f"  try:    {TOKEN_ENV}={config.token} topic-inspector consume 1 --base-url {url}", flush=True)

    serve_forever(config, ready)
    return EXIT_OK


# ----- parser -----------------------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="topic-inspector", description="Inspect, publish to and replay event-stream topics.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to standard error")
    parser.add_argument(
        "--demo", action="store_true", help="open the window on the built-in emulator with live sample traffic"
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help=(
            "check this installation: publish to and tail the built-in emulator, load the keyring backends and "
            "open the window (offscreen without a screen); exit 0 when all passed"
        ),
    )
    common = _Parser(add_help=False)
    common.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=argparse.SUPPRESS,
        help="log details to standard error (tokens are redacted)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def add(name: str, **kwargs: Any) -> argparse.ArgumentParser:
        return sub.add_parser(name, parents=[common], **kwargs)

    consume = add(
        "consume",
        help="read messages as JSON Lines (or JSON, CSV)",
        description=(
            "Read a topic's messages and print them as JSON Lines (message_id, time, payload), or with --format as "
            "a JSON array or CSV, the same bytes as the window's Export. Without --follow it stops when the topic "
            "is drained."
        ),
    )
    consume.add_argument("topic", metavar="TOPIC", help="topic id")
    _add_connection(consume)
    start = consume.add_mutually_exclusive_group()
    start.add_argument("--after", metavar="ID", help="start after this message id")
    start.add_argument("--since", metavar="TIME", help="start at this RFC 3339 time, or 'now'")
    consume.add_argument(
        "--batch-size",
        type=int,
        default=MAX_CONSUME_BATCH,
        metavar="N",
        help=f"messages per request, 1 to {MAX_CONSUME_BATCH} (default {MAX_CONSUME_BATCH})",
    )
    consume.add_argument("--follow", action="store_true", help="keep long-polling for new messages")
    consume.add_argument(
        "--wait",
        type=int,
        default=MAX_WAIT_SECS,
        metavar="SECS",
        help=f"long-poll wait with --follow, 0 to {MAX_WAIT_SECS} (default {MAX_WAIT_SECS})",
    )
    consume.add_argument("--max", type=int, metavar="N", help="stop after N messages")
    from inspector.core.export import FORMATS

    consume.add_argument(
        "--format",
        choices=FORMATS,
        default="jsonl",
        help="jsonl (default: one line per message, as they arrive), json (an array) or csv (for spreadsheets); "
        "json and csv are written whole when consume ends, so with --follow they need --max N",
    )

    publish = add(
        "publish",
        help="publish a JSON object, array or JSON Lines",
        description=(
            "Publish a JSON object (single publish), or a JSON array or JSON Lines (batch publish in ordered chunks "
            "of up to 100). Prints one JSON line per input item. Exit status: 0 all published, 1 any failed, "
            "2 bad input."
        ),
    )
    publish.add_argument("topic", metavar="TOPIC", help="topic id")
    publish.add_argument("file", metavar="FILE", nargs="?", default="-", help="input file, or - for stdin")
    _add_connection(publish)

    replay = add(
        "replay",
        help="replay messages from a file to a topic, journaled and resumable",
        description=(
            "Publish the payloads of FILE (JSON Lines or a JSON array, as written by 'consume' or exported by the "
            "window; bare payload objects too) to --to TOPIC, in order, in batches of up to 100. The job is "
            "journaled before each batch and after each answer: if the run is killed, '--resume JOB' sends only "
            "what has no recorded outcome. A batch that was in flight is reported as unknown (it may have been "
            "published) and is sent again only with --resend-unknown. Exit status: 0 all published, 1 not all, "
            "2 bad input."
        ),
    )
    replay.add_argument("file", metavar="FILE", nargs="?", help="messages to replay (- for stdin)")
    replay.add_argument("--to", metavar="TOPIC", help="the destination topic id")
    replay.add_argument("--resume", metavar="JOB", help="continue a journaled job")
    replay.add_argument("--resend-unknown", action="store_true", help="with --resume: send unknown items again")
    replay.add_argument("--retry-failed", action="store_true", help="with --resume: send failed items again")
    replay.add_argument(
        "--check-unknown",
        action="store_true",
        help="with --resume: look for the unknown items in the topic; found ones count as published, the others "
        "as failed (add --retry-failed to send those)",
    )
    replay.add_argument("--list", action="store_true", help="list the journaled jobs and their state")
    replay.add_argument("--report", metavar="JOB", help="print a job's report as JSON (each item's result)")
    replay.add_argument("--journal", metavar="PATH", help="the journal file (default: in the app's data folder)")
    _add_connection(replay)

    topics = add("topics", help="list topics through the Developer API")
    topics.add_argument("action", choices=["list"])
    _add_connection(topics)
    topics.add_argument("--name", help="only topics whose name contains this")
    topics.add_argument("--sort", choices=["activity", "name", "id"])
    topics.add_argument("--include-schema", action="store_true")

    from inspector.cli.services import add_commands

    add_commands(add)

    token = add(
        "token",
        help="store, check or delete a token in the OS keyring",
        description=(
            f"Tokens are read from standard input or a hidden prompt and kept only in the OS keyring. {TOKEN_ENV} "
            "overrides the keyring for scripts and CI."
        ),
    )
    token.add_argument("action", choices=["set", "delete", "status"])
    _add_connection(token)

    profile = add("profile", help="add, list or remove connection profiles")
    profile.add_argument("action", choices=["add", "list", "remove"])
    profile.add_argument("name", nargs="?", help="profile name (add, remove)")
    profile.add_argument("--region", metavar="R", help=f"one of: {', '.join(REGIONS)}")
    profile.add_argument("--base-url", metavar="URL")
    profile.add_argument("--rate-limit", metavar="RPM", type=int)
    _add_network_options(profile)
    profile.add_argument(
        "--service",
        default="workato",
        choices=["workato", "qala", "boomi", "messaging"],
        help="the API the profile speaks (default workato); the others need --base-url",
    )
    profile.add_argument("--environment", metavar="GUID", help="qala: the environment id")
    profile.add_argument("--account", metavar="ID", help="boomi: the account id")
    profile.add_argument(
        "--workflow-container", action="store_true", help="messaging: the token is a workflow container's"
    )

    emulator = add("emulator", help="run the local emulator of the Workato Event Streams API")
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
    return parser


class _EscapingFormatter(logging.Formatter):
    """Log lines on standard error show a server's words, never obey them (``terminal.escape_text``)."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        return escape_text(super().formatMessage(record))


def _setup_logging(verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_EscapingFormatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(redact.RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.WARNING)
    if not verbose:
        logging.getLogger("httpx").setLevel(logging.WARNING)
    # qasync's executor logs the arguments and results of what runs in its threads at DEBUG: keyring reads and
    # writes, whose argument or result is a token that no filter can recognise as one.
    logging.getLogger("qasync").setLevel(logging.INFO)


def _run_gui(demo: bool) -> int:
    if not has_screen():
        if demo:
            print(
                "No screen here (DISPLAY and WAYLAND_DISPLAY are unset): running the demo in the terminal.",
                file=sys.stderr,
            )
            return _run_terminal_demo()
        say(
            "error: no screen to open the window on (DISPLAY and WAYLAND_DISPLAY are unset)",
            "  hint: run it in a desktop session, or use the commands ('topic-inspector --help')",
        )
        return EXIT_FAILED
    from inspector.ui.app import run

    return run(demo=demo)


def _run_terminal_demo() -> int:
    """Without a screen (an SSH session): the emulator with live sample traffic, followed in the terminal."""
    import asyncio
    import tempfile

    from inspector.core.services.workato import EventStreamsClient
    from inspector.core.tail import StartPosition, TopicTail
    from inspector.emulator.server import EmulatorServer, demo_config
    from inspector.emulator.traffic import generate_traffic

    async def follow(url: str, token: str) -> None:
        endpoint = custom_endpoint(url, rate_limit_rpm=0)
        async with EventStreamsClient(endpoint, token) as client:

            def show(topic: int) -> Any:
                def printer(batch: list[Message]) -> None:
                    for message in batch:
                        print(
                            f"topic {topic}  {message.time_text}  {message.message_id}  "
                            f"{json.dumps(message.payload)[:100]}",
                            flush=True,
                        )

                return printer

            tails = [TopicTail(client, t, show(t), start=StartPosition.now(), wait_secs=30) for t in (1, 2)]
            traffic = asyncio.create_task(generate_traffic(url, token))
            try:
                await asyncio.gather(*(tail.run() for tail in tails))
            finally:
                traffic.cancel()
                await asyncio.gather(traffic, return_exceptions=True)

    with tempfile.TemporaryDirectory(prefix="topic-inspector-demo-") as folder:
        config = demo_config(f"{folder}/demo.sqlite")  # a random token, not the public default
        with EmulatorServer(config) as server:
            print(
                f"Demo: emulator at {server.url} (token {server.token}); live messages below, Ctrl+C to stop.",
                flush=True,
            )
            try:
                asyncio.run(follow(server.url, server.token))
            except KeyboardInterrupt:
                print("demo stopped", file=sys.stderr)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    window = not argv or argv == ["--demo"]
    args = None if window else build_parser().parse_args(argv)
    _setup_logging(bool(args and args.verbose))
    try:
        return _run_gui(demo=bool(argv)) if args is None else _dispatch(args)
    except KeyboardInterrupt:
        say("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except PublishInputError as exc:
        for problem in exc.problems[:20]:
            say(f"error: {problem.message}")
        if len(exc.problems) > 20:
            say(f"... and {len(exc.problems) - 20} more")
        say("nothing was sent")
        return EXIT_USAGE
    except (UsageError, ValidationError) as exc:
        _say_error(exc)
        return EXIT_USAGE
    except InspectorError as exc:
        _say_error(exc)
        return EXIT_FAILED
    except Exception as exc:  # noqa: BLE001 - a bug: reported in a file rather than as a traceback
        return _crashed(exc, getattr(args, "command", None))


def _say_error(error: Exception) -> None:
    """An error on standard error: its message and its hint, each one line with the server's words escaped."""
    hint = error.hint if isinstance(error, InspectorError) else ""
    say(f"error: {error.message if isinstance(error, InspectorError) else error}", *([f"  hint: {hint}"] * bool(hint)))


def _crashed(error: Exception, command: str | None) -> int:
    from inspector.core.crash import known_tokens, write_report

    where = f"the command 'topic-inspector {command}'" if command else "the window"
    try:
        path = write_report(error, where, tokens=known_tokens())
    except OSError as exc:
        say(f"error: unexpected {type(error).__name__} in {where} (no crash report: {exc})")
        return EXIT_FAILED
    say(
        f"error: unexpected {type(error).__name__} in {where}; this is a bug in Topic Inspector",
        f"  hint: a crash report was saved to {path} (it holds no token); please send it with what you did",
    )
    return EXIT_FAILED


def _dispatch(args: argparse.Namespace) -> int:
    if args.self_test or args.demo:
        if args.command is not None or (args.self_test and args.demo):
            raise UsageError("--self-test and --demo take no command")
        if args.demo:
            return _run_gui(demo=True)
        from inspector.ui.selftest import run_self_test

        return run_self_test()
    if args.command is None:
        return _run_gui(demo=False)
    if args.command == "emulator":
        return _emulator_command(args)
    from inspector.cli.services import SERVICE_COMMANDS, dispatch

    if args.command in SERVICE_COMMANDS:
        return dispatch(args)
    if args.command == "token":
        return _token_command(args)
    if args.command == "profile":
        if args.action in ("add", "remove") and not args.name:
            raise UsageError(f"profile {args.action} needs a NAME")
        return _profile_command(args)
    if args.command == "consume":
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
        if args.since and args.since != "now":
            parse_time(args.since, where="--since")  # a bad argument is said before any token is asked for
    if args.command == "replay":
        done = _replay_offline(args)
        if done is not None:
            return done
        if not args.resume and not (args.file and args.to):
            raise UsageError("give FILE and --to TOPIC, or --resume JOB (see --list)")
        if args.check_unknown and not args.resume:
            raise UsageError("--check-unknown goes with --resume JOB")
        if args.check_unknown and args.resend_unknown:
            raise UsageError("choose --check-unknown (send only what is not in the topic) or --resend-unknown (all)")
    conn = _connection(args)
    check_topic_id(getattr(args, "topic", 1))
    token = _token(conn)
    runner = {"consume": _consume, "publish": _publish, "topics": _topics, "replay": _replay}[args.command]
    import asyncio

    return asyncio.run(runner(args, conn, token))
