"""``topic-inspector replay start|resume|list|report``: messages from a file to a topic, journaled and resumable.

The spellings before the modes (``replay FILE --to T``, ``--resume JOB``, ``--list``, ``--report JOB``) still work
for one release: ``today`` reads them as today's, and the command says so in one line on standard error.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from inspector.cli._common import (
    EXIT_FAILED,
    EXIT_OK,
    TOPIC_NOTE,
    Connection,
    Parser,
    UsageError,
    add_command,
    add_connection,
    add_modes,
    check_topic,
    connection,
    examples,
    find_topic,
    read_input,
    source_name,
    token_source,
)
from inspector.core.export import import_items
from inspector.core.http import TokenSource
from inspector.core.models import Outcome
from inspector.core.replay import Journal, ReplayItem, ReplayProgress, check_unknown, run_job
from inspector.core.services.workato import EventStreamsClient
from inspector.core.terminal import dumps, say

MODES = ("start", "resume", "list", "report")
_OLD_OPTIONS = {"--list": "list", "--resume": "resume", "--report": "report"}
_GOES = "the old spelling goes in the next release"

# What a run of start or resume sends: the id of the job, made or reopened with the connection and its token.
Job = Callable[[Connection, TokenSource, Journal], Awaitable[str]]


def today(words: list[str]) -> tuple[list[str], str | None]:
    """``replay``'s arguments in today's spelling, and the line that says the old one is going (None: already
    today's). ``replay FILE ...`` is ``replay start FILE ...``; ``--resume JOB`` is ``resume JOB``; and so on."""
    if words[:1] and (words[0] in MODES or words[0] in ("-h", "--help")):
        return words, None
    for at, word in enumerate(words):
        option, equals, value = word.partition("=")
        mode = _OLD_OPTIONS.get(option)
        if mode is None or (mode == "list" and equals):
            continue
        if mode == "list":
            return ["list", *words[:at], *words[at + 1 :]], f"'replay --list' is now 'replay list'; {_GOES}"
        job, rest = ([value], words[at + 1 :]) if equals else (words[at + 1 : at + 2], words[at + 2 :])
        return [mode, *job, *words[:at], *rest], f"'replay {option} JOB' is now 'replay {mode} JOB'; {_GOES}"
    if not any(word.partition("=")[0] == "--to" for word in words):
        raise UsageError(
            "give FILE and --to TOPIC, or --resume JOB (now spelled 'replay start FILE --to TOPIC' and 'replay "
            "resume JOB'; 'replay list' shows the jobs)"
        )
    return ["start", *words], f"'replay FILE --to TOPIC' is now 'replay start FILE --to TOPIC'; {_GOES}"


def add(replay: Parser) -> None:
    replay.respell = today
    replay.description = (
        "Publish the payloads of FILE (JSON Lines or a JSON array, as written by 'consume' or exported by the "
        "window; bare payload objects too) to --to TOPIC, in order, in batches of up to 100 ('replay start'). The "
        "job is journaled before each batch and after each answer: if the run is killed, 'replay resume JOB' sends "
        "only what has no recorded outcome. A batch that was in flight is reported as unknown (it may have been "
        "published) and is sent again only with --resend-unknown. Exit status: 0 all published, 1 not all, 2 bad "
        "input."
    )
    examples(
        replay,
        "topic-inspector replay start missed.jsonl --to orders --profile Local",
        "topic-inspector replay resume JOB --profile Local --check-unknown --retry-failed",
        "topic-inspector replay list",
        "topic-inspector replay report JOB > report.json",
        notes=("--to TOPIC is a topic id or a topic's name, looked up as for 'consume'.",),
    )
    modes = add_modes(replay, "mode", "{start,resume,list,report}")

    start = add_command(modes, "start", help="replay FILE to --to TOPIC as a new job")
    start.add_argument("file", metavar="FILE", help="messages to replay (- for stdin)")
    start.add_argument("--to", metavar="TOPIC", required=True, help="the destination topic id or name")
    _add_journal(start)
    add_connection(start)
    examples(
        start,
        "topic-inspector consume 1234 --region eu --since 1d > missed.jsonl",
        "topic-inspector replay start missed.jsonl --to orders --profile Local",
        notes=(TOPIC_NOTE,),
    )
    start.set_defaults(run=run_start)

    resume = add_command(modes, "resume", help="continue a journaled job: send what has no recorded outcome")
    resume.add_argument("job", metavar="JOB", help="the job id (see 'replay list')")
    resume.add_argument("--resend-unknown", action="store_true", help="send the unknown items again")
    resume.add_argument("--retry-failed", action="store_true", help="send the failed items again")
    resume.add_argument(
        "--check-unknown",
        action="store_true",
        help="look for the unknown items in the topic; found ones count as published, the others as failed (add "
        "--retry-failed to send those)",
    )
    _add_journal(resume)
    add_connection(resume)
    examples(
        resume,
        "topic-inspector replay resume JOB --profile Local",
        "topic-inspector replay resume JOB --profile Local --check-unknown --retry-failed",
    )
    resume.set_defaults(run=run_resume)

    listing = add_command(modes, "list", help="list the journaled jobs and their state")
    _add_journal(listing)
    examples(listing, "topic-inspector replay list", token=False)
    listing.set_defaults(run=run_list)

    report = add_command(modes, "report", help="print a job's report as JSON (each item's result)")
    report.add_argument("job", metavar="JOB", help="the job id (see 'replay list')")
    _add_journal(report)
    examples(report, "topic-inspector replay report JOB > report.json", token=False)
    report.set_defaults(run=run_report)


def _add_journal(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--journal", metavar="PATH", help="the journal file (default: in the app's data folder)")


def _journal(args: argparse.Namespace) -> Journal:
    return Journal(Path(args.journal).expanduser() if args.journal else None)


# ----- list and report: no connection ---------------------------------------------------------------------------
def run_list(args: argparse.Namespace) -> int:
    journal = _journal(args)
    try:
        journal.recover()
        jobs = journal.jobs()
        for info in jobs:
            say(f"{info.describe()} · from {info.source} to {info.destination.get('label', '?')}", file=sys.stdout)
        if not jobs:
            say(f"no replay jobs in {journal.path}")
    finally:
        journal.close()
    return EXIT_OK


def run_report(args: argparse.Namespace) -> int:
    journal = _journal(args)
    try:
        journal.recover()
        sys.stdout.write(dumps(journal.report(args.job), indent=2) + "\n")
    finally:
        journal.close()
    return EXIT_OK


# ----- start and resume -----------------------------------------------------------------------------------------
def run_start(args: argparse.Namespace) -> int:
    check_topic(args.to, where="--to")  # before a token is asked for

    async def create(conn: Connection, token: TokenSource, journal: Journal) -> str:
        items = import_items(read_input(args.file), source=source_name(args.file))  # checked before any request
        topic = await find_topic(args, conn, token, args.to, where="--to")
        destination = {
            "topic": topic.id,
            "events_url": conn.endpoint.events_url,
            "label": f"{topic.label} at {conn.endpoint.label}",
        }
        return journal.create(source_name(args.file), destination, [ReplayItem(i.payload, i.source_id) for i in items])

    return _send(args, create)


def run_resume(args: argparse.Namespace) -> int:
    if args.check_unknown and args.resend_unknown:
        raise UsageError("choose --check-unknown (send only what is not in the topic) or --resend-unknown (all)")

    async def reopen(conn: Connection, token: TokenSource, journal: Journal) -> str:
        info = journal.job(args.job)
        if args.resend_unknown:
            journal.requeue(info.id, outcomes=(Outcome.UNKNOWN,))
        if args.retry_failed:
            journal.requeue(info.id, outcomes=(Outcome.FAILED,))
        return info.id

    return _send(args, reopen, check_unknown=args.check_unknown, retry_missing=args.retry_failed)


def _send(
    args: argparse.Namespace,
    job: Job,
    *,
    check_unknown: bool = False,
    retry_missing: bool = False,
) -> int:
    conn = connection(args)
    token = token_source(conn)
    return asyncio.run(_replay(args, conn, token, job, check_unknown=check_unknown, retry_missing=retry_missing))


async def _replay(
    args: argparse.Namespace,
    conn: Connection,
    token: TokenSource,
    job: Job,
    *,
    check_unknown: bool,
    retry_missing: bool,
) -> int:
    journal = _journal(args)
    try:
        for info in journal.recover():
            say(f"{info.describe()}: the last run ended while it was sending")
        job_id = await job(conn, token, journal)
        info = journal.job(job_id)
        if info.destination.get("events_url") != conn.endpoint.events_url:
            target = info.destination.get("events_url")
            raise UsageError(f"job {job_id} replays to {info.destination.get('label')}; connect to {target}")
        say(f"job {job_id}: {info.pending} to send to {info.destination.get('label')}")

        def progress(step: ReplayProgress, results: list[Any]) -> None:
            say(f"job {job_id}: {step.done}/{step.total} sent, {step.published} published")

        async with EventStreamsClient(conn.endpoint, token) as client:
            if check_unknown:
                await _check_unknown(client, journal, job_id, retry_missing=retry_missing)
            info = await run_job(client, journal, job_id, on_progress=progress)
        say(info.describe())
        if info.unknown:
            say(
                f"job {job_id}: {info.unknown} unknown (may have been published): 'replay resume {job_id} "
                "--check-unknown --retry-failed' looks for them in the topic and sends only those not there"
            )
        if info.pending:
            say(f"job {job_id}: continue with 'replay resume {job_id}'")
        return EXIT_OK if info.published == info.total else EXIT_FAILED
    finally:
        journal.close()


async def _check_unknown(client: EventStreamsClient, journal: Journal, job_id: str, *, retry_missing: bool) -> None:
    checked = await check_unknown(client, journal, job_id)
    say(
        f"job {job_id}: checked the unknown items against {checked.read} messages of the topic: {checked.found} "
        f"found (published), {checked.missing} not there (failed)"
    )
    if retry_missing and checked.missing:
        journal.requeue(job_id, outcomes=(Outcome.FAILED,))  # those not there are sent in this run
