"""``topic-inspector messages watch|post``: an app's transient messages (the Messaging Resource API).

Same conventions as the Workato commands: JSON Lines on standard output, words on standard error, exit status 0,
1 or 2 (bad input: nothing was sent).
"""

from __future__ import annotations

import argparse
import asyncio

from inspector.cli._common import (
    EXIT_OK,
    Parser,
    add_command,
    add_modes,
    add_service_connection,
    examples,
    json_line,
    service_connection,
)
from inspector.core.errors import ValidationError
from inspector.core.http import TokenSource
from inspector.core.profiles import Profile
from inspector.core.services.messaging import AppMessageWatch, MessagingClient, WatchUpdate
from inspector.core.terminal import say


def add(messages: Parser) -> None:
    messages.description = (
        "watch APP: print an app's messages as they appear, as JSON Lines ({event: message, ...}), and a line for "
        "each message that vanished because its transaction ended ({event: vanished, ...}); Ctrl+C stops. post APP "
        "--transaction T --workflow W --label L SELECTOR...: only for workflow containers."
    )
    examples(
        messages,
        "topic-inspector messages watch APP --profile Messages",
        "topic-inspector messages post APP user:1 --transaction T --workflow W --label L --profile Container",
    )
    actions = add_modes(messages, "action", "{watch,post}")

    watch = add_command(actions, "watch", help="print an app's messages as they appear, until Ctrl+C")
    watch.add_argument("app", metavar="APP", help="the app id")
    watch.add_argument("--interval", type=float, default=2.0, metavar="SECS", help="poll every (default 2)")
    watch.add_argument("--max", type=int, metavar="N", help="stop after N messages")
    _add_connection(watch)
    watch.set_defaults(run=run_watch)

    post = add_command(actions, "post", help="post a message to SELECTORs (workflow containers only)")
    post.add_argument("app", metavar="APP", help="the app id")
    post.add_argument("selectors", nargs="+", metavar="SELECTOR", help="the recipients")
    post.add_argument("--transaction", metavar="ID", required=True, help="the transaction id")
    post.add_argument("--workflow", metavar="ID", required=True, help="the workflow id")
    post.add_argument("--label", required=True, help="the message")
    _add_connection(post)
    post.set_defaults(run=run_post)


def _add_connection(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--workflow-container", action="store_true", help="with --base-url: the token is a workflow container's"
    )
    add_service_connection(parser)


def _client(profile: Profile, token: TokenSource) -> MessagingClient:
    assert profile.base_url is not None
    return MessagingClient(
        profile.base_url,
        token,
        workflow_container=profile.workflow_container,
        rate_limit_rpm=profile.endpoint().rate_limit_rpm,
    )


def run_post(args: argparse.Namespace) -> int:
    profile, token = service_connection(args, "messaging")
    if not profile.workflow_container:
        raise ValidationError(
            "only workflow containers of an app can post messages",
            where="messages post",
            hint="use a profile marked as a workflow container (or --workflow-container with --base-url)",
        )

    async def post() -> int:
        async with _client(profile, token) as client:
            created = await client.post(args.app, args.transaction, args.workflow, args.label, args.selectors)
        for message in created:
            json_line(message.to_json())
        say(f"app {args.app}: {len(created)} messages posted")
        return EXIT_OK

    return asyncio.run(post())


def run_watch(args: argparse.Namespace) -> int:
    if args.interval <= 0 or args.interval > 3600:
        raise ValidationError("must be more than 0 and at most 3600 seconds", where="--interval")
    if args.max is not None and args.max < 1:
        raise ValidationError("must be 1 or more", where="--max", hint="the number of messages to print")
    profile, token = service_connection(args, "messaging")
    return asyncio.run(_watch(args, profile, token))


async def _watch(args: argparse.Namespace, profile: Profile, token: TokenSource) -> int:
    async with _client(profile, token) as client:
        shown = 0
        last_status = ""

        def update(change: WatchUpdate) -> None:
            nonlocal shown
            for message in change.new:
                json_line({"event": "message", **message.to_json()})
                shown += 1
                if args.max is not None and shown >= args.max:
                    watch.stop()  # "--max N": exactly N messages, nothing after them
                    return
            for message in change.vanished:
                json_line({"event": "vanished", "reason": "its transaction ended", **message.to_json()})
            for transaction in change.ended_transactions:
                json_line({"event": "transaction_ended", "appId": args.app, "transactionId": transaction})

        def status(words: str) -> None:
            nonlocal last_status
            if words != last_status and not words.startswith("watching"):
                say(f"app {args.app}: {words}")
            last_status = words

        watch = AppMessageWatch(client, args.app, update, interval=args.interval, on_status=status)
        await watch.run()
        return EXIT_OK
