"""``topic-inspector``: the GUI with no arguments; headless commands over the same core otherwise."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from inspector import __version__
from inspector.core import redact
from inspector.core.errors import InspectorError, PublishInputError, ValidationError
from inspector.core.paths import read_text_file
from inspector.core.profiles import Profile, ProfileStore
from inspector.core.regions import REGIONS, Endpoint, custom_endpoint, region
from inspector.core.secrets import TOKEN_ENV, KeyringStore, SecretStoreError, check_token_text, env_token
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
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


# ----- connection options -----------------------------------------------------------------------------------
def _add_connection(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("connection (choose one)")
    where = group.add_mutually_exclusive_group()
    where.add_argument("--region", metavar="R", help=f"one of: {', '.join(REGIONS)}")
    where.add_argument("--base-url", metavar="URL", help="a base URL of your own, such as the local emulator")
    where.add_argument("--profile", metavar="P", help="a saved profile (see 'topic-inspector profile')")
    group.add_argument("--rate-limit", metavar="RPM", type=int, help="requests per minute (default: the region's)")


@dataclass(frozen=True)
class Connection:
    endpoint: Endpoint
    account: str  # where the token lives in the keyring
    legacy_account: str | None = None  # where an earlier build kept it


def _connection(args: argparse.Namespace) -> Connection:
    rpm = args.rate_limit
    if rpm is not None and rpm < 0:
        raise ValidationError("must be 0 (off) or more", where="--rate-limit")
    if args.profile:
        profile = ProfileStore().get(args.profile)
        if rpm is not None:
            profile = Profile(profile.name, profile.region, profile.base_url, rpm)
        return Connection(profile.endpoint(), profile.account, profile.legacy_account)
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
    return Connection(endpoint, f"endpoint:{endpoint.events_url}")


def _token(conn: Connection) -> TokenSource:
    """``TOPIC_INSPECTOR_TOKEN``, else the keyring's token as a source read again for each request, so a long
    ``consume --follow`` or ``replay`` does not hold the token between requests."""
    from inspector.core.secrets import KeyringToken, token_fingerprint

    token = env_token()
    if token:
        return check_token_text(token)
    store = KeyringStore()
    stored = store.get_moving(conn.account, conn.legacy_account)
    if stored:
        return KeyringToken(store, conn.account, fingerprint=token_fingerprint(stored), label=f"{conn.endpoint.label}")
    raise InspectorError(
        f"no token for {conn.endpoint.label}",
        hint=f"store one with 'topic-inspector token set' and the same connection options, or set {TOKEN_ENV}",
    )


# ----- consume ----------------------------------------------------------------------------------------------
def _write_batch(out: TextIO, batch: list[Message]) -> None:
    out.write("".join(message.to_json_line() + "\n" for message in batch))
    out.flush()


async def _consume(args: argparse.Namespace, conn: Connection, token: TokenSource) -> int:
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

    def on_status(status: TailStatus) -> None:
        if status.state in (TailState.BACKING_OFF, TailState.RATE_LIMITED):
            print(f"topic {topic}: {status.detail}", file=sys.stderr)
        elif status.state is TailState.LIVE and last_state and last_state[-1] is not TailState.LIVE:
            print(f"topic {topic}: connected", file=sys.stderr)
        last_state.append(status.state)

    async with EventStreamsClient(conn.endpoint, token) as client:
        tail = TopicTail(
            client,
            topic,
            lambda batch: _write_batch(sys.stdout, batch),
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
                resume = f"; last message id {tail.cursor} (resume with --after {tail.cursor})" if tail.cursor else ""
                print(f"topic {topic}: {tail.received} messages{resume}", file=sys.stderr)
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
        sys.stdout.write("".join(json.dumps(r.to_json(), ensure_ascii=False) + "\n" for r in fresh))
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
    print(f"topic {topic}: {summary}", file=sys.stderr)
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
            sys.stdout.write(json.dumps(journal.report(args.report), ensure_ascii=False, indent=2) + "\n")
        else:
            jobs = journal.jobs()
            for info in jobs:
                print(f"{info.describe()} · from {info.source} to {info.destination.get('label', '?')}")
            if not jobs:
                print(f"no replay jobs in {journal.path}", file=sys.stderr)
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
            print(f"{info.describe()}: the last run ended while it was sending", file=sys.stderr)
        job_id = _replay_job(args, conn, journal)
        info = journal.job(job_id)
        if info.destination.get("events_url") != conn.endpoint.events_url:
            target = info.destination.get("events_url")
            raise UsageError(f"job {job_id} replays to {info.destination.get('label')}; connect to {target}")
        print(f"job {job_id}: {info.pending} to send to {info.destination.get('label')}", file=sys.stderr)

        def progress(step: ReplayProgress, results: list[Any]) -> None:
            print(f"job {job_id}: {step.done}/{step.total} sent, {step.published} published", file=sys.stderr)

        async with EventStreamsClient(conn.endpoint, token) as client:
            if args.check_unknown:
                await _check_unknown(client, journal, job_id, retry_missing=args.retry_failed)
            info = await run_job(client, journal, job_id, on_progress=progress)
        print(info.describe(), file=sys.stderr)
        if info.unknown:
            print(
                f"job {job_id}: {info.unknown} unknown (may have been published): '--resume {job_id} "
                "--check-unknown --retry-failed' looks for them in the topic and sends only those not there",
                file=sys.stderr,
            )
        if info.pending:
            print(f"job {job_id}: continue with '--resume {job_id}'", file=sys.stderr)
        return EXIT_OK if info.published == info.total else EXIT_FAILED
    finally:
        journal.close()


async def _check_unknown(client: EventStreamsClient, journal: Journal, job_id: str, *, retry_missing: bool) -> None:
    from inspector.core.models import Outcome
    from inspector.core.replay import check_unknown

    checked = await check_unknown(client, journal, job_id)
    print(
        f"job {job_id}: checked the unknown items against {checked.read} messages of the topic: {checked.found} "
        f"found (published), {checked.missing} not there (failed)",
        file=sys.stderr,
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
        sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(topics)} topics at {conn.endpoint.developer_url}", file=sys.stderr)
    return EXIT_OK


# ----- token ------------------------------------------------------------------------------------------------
def _token_command(args: argparse.Namespace) -> int:
    conn = _connection(args)
    store = KeyringStore()
    if args.action == "status":
        stored = store.get_moving(conn.account, conn.legacy_account) is not None
        where = f"stored in {store.backend_name}" if stored else "not stored"
        print(f"token for {conn.endpoint.label}: {where}")
        if not store.is_system:
            print(store.warning())
        if env_token():
            print(f"{TOKEN_ENV} is set and overrides the keyring in this shell")
        return EXIT_OK if stored else EXIT_FAILED
    if args.action == "delete":
        removed = store.delete(conn.account)
        print(f"token for {conn.endpoint.label}: {'deleted' if removed else 'none was stored'}")
        return EXIT_OK
    if sys.stdin is not None and not sys.stdin.isatty():
        text = sys.stdin.readline()
    else:
        import getpass

        text = getpass.getpass(f"Token for {conn.endpoint.label} (input hidden): ")
    token = check_token_text(text)
    store.set(conn.account, token)
    print(f"token for {conn.endpoint.label}: stored in {store.backend_name}")
    return EXIT_OK


# ----- profiles ---------------------------------------------------------------------------------------------
def _profile_command(args: argparse.Namespace) -> int:
    profiles = ProfileStore()
    if args.action == "list":
        for profile in profiles.load():
            where = profile.base_url if profile.region == "custom" else REGIONS[profile.region].label
            print(f"{profile.name}\t{where}\t{profile.service_label}")
        return EXIT_OK
    if args.action == "remove":
        gone = next((p for p in profiles.load() if p.name == args.name), None)
        if gone is None or not profiles.remove(args.name):
            raise ValidationError(f"no profile named {args.name!r}", where="profile")
        with contextlib.suppress(SecretStoreError):
            store = KeyringStore()
            store.delete(gone.account)
            store.delete(gone.legacy_account)
        print(f"profile {args.name!r} removed (and its token, if one was stored)")
        return EXIT_OK
    if bool(args.region) == bool(args.base_url):
        raise UsageError("profile add needs exactly one of --region R or --base-url URL")
    if args.service != "workato" and not args.base_url:
        raise UsageError(f"a {args.service} profile needs --base-url URL (regions are Workato's)")
    from inspector.cli_services import service_profile_fields

    profile = Profile(
        args.name,
        "custom" if args.base_url else args.region.lower(),
        args.base_url,
        args.rate_limit,
        **service_profile_fields(args),
    )
    previous = next((p for p in profiles.load() if p.name == args.name), None)
    saved = profiles.upsert(profile)
    if previous is not None and previous.account != saved.account:  # a token stays with its address
        with contextlib.suppress(SecretStoreError):
            store = KeyringStore()
            if store.delete(previous.account) | store.delete(previous.legacy_account):
                print(f"the token stored for {previous.endpoint().events_url} was removed: its address changed")
    print(
        f"profile {saved.name!r} saved: {saved.endpoint().events_url}; store its token with "
        f"'topic-inspector token set --profile {saved.name!r}'"
    )
    return EXIT_OK


# ----- emulator ---------------------------------------------------------------------------------------------
def _emulator_command(args: argparse.Namespace) -> int:
    from inspector.emulator.server import EmulatorConfig, parse_topic_spec, serve_forever

    config = EmulatorConfig(
        host=args.host,
        port=args.port,
        token=args.token,
        container_token=args.container_token,
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
        print(f"Topic Inspector emulator listening on {url}", flush=True)
        print(f"  token:  {config.token}", flush=True)
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
        help="read messages as JSON Lines",
        description=(
            "Read a topic's messages and print them as JSON Lines (message_id, time, payload). Without --follow it "
            "stops when the topic is drained."
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

    from inspector.cli_services import add_commands

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
    emulator.add_argument("--host", default="127.0.0.1")
    emulator.add_argument("--port", type=int, default=9300, help="0 for any free port (default 9300)")
    emulator.add_argument("--token", default="emulator-token", help="the token clients must send")
    emulator.add_argument(
        "--container-token",
        default="container-token",
        help="the token a Messaging workflow container sends to post messages",
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


def _setup_logging(verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
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
        print(
            "error: no screen to open the window on (DISPLAY and WAYLAND_DISPLAY are unset)\n"
            "  hint: run it in a desktop session, or use the commands ('topic-inspector --help')",
            file=sys.stderr,
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
    from inspector.emulator.server import EmulatorConfig, EmulatorServer
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
        config = EmulatorConfig(port=0, rate_limit_rpm=0, data=f"{folder}/demo.sqlite")
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
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except PublishInputError as exc:
        for problem in exc.problems[:20]:
            print(f"error: {problem.message}", file=sys.stderr)
        if len(exc.problems) > 20:
            print(f"... and {len(exc.problems) - 20} more", file=sys.stderr)
        print("nothing was sent", file=sys.stderr)
        return EXIT_USAGE
    except (UsageError, ValidationError) as exc:
        message = exc.describe() if isinstance(exc, InspectorError) else str(exc)
        print(f"error: {message}", file=sys.stderr)
        return EXIT_USAGE
    except InspectorError as exc:
        print(f"error: {exc.describe()}", file=sys.stderr)
        return EXIT_FAILED
    except Exception as exc:  # noqa: BLE001 - a bug: reported in a file rather than as a traceback
        return _crashed(exc, getattr(args, "command", None))


def _crashed(error: Exception, command: str | None) -> int:
    from inspector.core.crash import known_tokens, write_report

    where = f"the command 'topic-inspector {command}'" if command else "the window"
    try:
        path = write_report(error, where, tokens=known_tokens())
    except OSError as exc:
        print(f"error: unexpected {type(error).__name__} in {where} (no crash report: {exc})", file=sys.stderr)
        return EXIT_FAILED
    print(
        f"error: unexpected {type(error).__name__} in {where}; this is a bug in Topic Inspector\n"
        f"  hint: a crash report was saved to {path} (it holds no token); please send it with what you did",
        file=sys.stderr,
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
    from inspector.cli_services import SERVICE_COMMANDS, dispatch

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
