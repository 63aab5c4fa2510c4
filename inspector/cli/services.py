"""The commands of the services beside Workato's: ``qala``, ``boomi`` and ``messages``.

Same conventions as the Workato commands: results as JSON Lines on standard output, words on standard error,
exit status 0 (all done), 1 (something failed), 2 (bad input: nothing was sent). Connect with ``--profile P``
(a profile of that service) or ``--base-url URL`` and the service's own options; the token comes from
``TOPIC_INSPECTOR_TOKEN`` or the keyring, as for the other commands.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from inspector.core.errors import ValidationError
from inspector.core.profiles import Profile, ProfileStore
from inspector.core.terminal import dumps, say

if TYPE_CHECKING:
    from inspector.cli import Connection
    from inspector.core.http import TokenSource
    from inspector.core.services.boomi import BoomiClient, OperationStatus, Page, Subscription

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
SERVICE_COMMANDS = ("qala", "boomi", "messages")


def add_commands(add: Callable[..., argparse.ArgumentParser]) -> None:
    """The ``qala``, ``boomi`` and ``messages`` commands, on the main parser's ``add``."""
    qala = add(
        "qala",
        help="Qala: publish events, create a subscriber group's session token",
        description=(
            "Publish a JSON array of events (or one event, or JSON Lines) to a Qala topic by name, or without "
            "--topic to let Qala route them by type. Each event: type, data, optional id and audiences. Every "
            "event is checked first: nothing is sent if one is bad. Prints one JSON line per event. Exit status: "
            "0 all published, 1 any failed or unknown, 2 bad input."
        ),
    )
    qala.add_argument("action", choices=["publish", "session-token"])
    qala.add_argument(
        "file",
        metavar="FILE|GROUP",
        nargs="?",
        default="-",
        help="events file or - (publish); the subscriber group id (session-token)",
    )
    qala.add_argument("--topic", metavar="NAME", help="the topic's name (publish; default: routed by event type)")
    _connection_options(qala, environment=True)

    boomi = add(
        "boomi",
        help="Boomi event notifications: an account's subscriptions",
        description=(
            "List, view, create, update, delete and bulk-change the event subscriptions of a Boomi account. Only "
            "EVENT_STREAMS destinations are supported by the service today; an EMAIL one is refused with its "
            "reason. Subscriptions are printed as JSON Lines; bulk operations print one status line per "
            "subscription. 'delete --all' asks for --confirm with the account id."
        ),
    )
    boomi.add_argument("what", choices=["subscriptions"])
    boomi.add_argument("action", choices=["list", "get", "create", "update", "delete", "bulk", "enable", "disable"])
    boomi.add_argument("args", nargs="*", metavar="ARG", help="ids, a FILE, or for bulk: delete ID... | update FILE")
    boomi.add_argument("--page", type=int, default=None, metavar="N", help="list: one page, 0-based")
    boomi.add_argument(
        "--page-size",
        type=int,
        metavar="N",
        help="list: subscriptions asked for a request, 1 to 100 (default 20 with --page, 100 without)",
    )
    boomi.add_argument("--sort-by", default="createdDate", metavar="FIELD", help="list: default createdDate")
    boomi.add_argument("--desc", action="store_true", help="list: newest (or highest) first")
    # ``nargs="?"``: "update --all FILE" as well as "update FILE --all" (a positional after an option is not
    # taken by ARG..., which argparse has already filled).
    boomi.add_argument(
        "--all",
        nargs="?",
        const=True,
        default=False,
        metavar="FILE",
        help="update --all FILE: replace all with FILE's; delete --all: every one",
    )
    boomi.add_argument("--confirm", metavar="ACCOUNT", help="delete --all: the account id again, to confirm")
    _connection_options(boomi, account=True)

    messages = add(
        "messages",
        help="Messaging API: watch an app's messages, or post one (workflow containers)",
        description=(
            "watch APP: print an app's messages as they appear, as JSON Lines ({event: message, ...}), and a "
            "line for each message that vanished because its transaction ended ({event: vanished, ...}); Ctrl+C "
            "stops. post APP --transaction T --workflow W --label L SELECTOR...: only for workflow containers."
        ),
    )
    messages.add_argument("action", choices=["watch", "post"])
    messages.add_argument("app", metavar="APP", help="the app id")
    messages.add_argument("selectors", nargs="*", metavar="SELECTOR", help="post: the recipients")
    messages.add_argument("--interval", type=float, default=2.0, metavar="SECS", help="watch: poll every (default 2)")
    messages.add_argument("--max", type=int, metavar="N", help="watch: stop after N messages")
    messages.add_argument("--transaction", metavar="ID", help="post: the transaction id")
    messages.add_argument("--workflow", metavar="ID", help="post: the workflow id")
    messages.add_argument("--label", help="post: the message")
    messages.add_argument(
        "--workflow-container", action="store_true", help="with --base-url: the token is a workflow container's"
    )
    _connection_options(messages)


def _connection_options(parser: argparse.ArgumentParser, *, environment: bool = False, account: bool = False) -> None:
    group = parser.add_argument_group("connection (choose one)")
    where = group.add_mutually_exclusive_group()
    where.add_argument("--profile", metavar="P", help="a saved profile of this service")
    where.add_argument("--base-url", metavar="URL", help="the service's address")
    if environment:
        group.add_argument("--environment", metavar="GUID", help="with --base-url: the environment id")
    if account:
        group.add_argument("--account", metavar="ID", help="with --base-url: the account id")
    group.add_argument("--rate-limit", metavar="RPM", type=int, help="requests per minute (default 60)")
    from inspector.cli import _add_network_options

    _add_network_options(group)


def _profile(args: argparse.Namespace, service: str) -> Profile:
    """The profile named, or one made of --base-url and the service's options (checked either way)."""
    from inspector.core.profiles import check_profile

    if args.profile:
        profile = ProfileStore().get(args.profile)
        if profile.service != service:
            raise ValidationError(
                f"is a {profile.service_label} profile, not a {service} one",
                where=f"profile {profile.name!r}",
                hint=f"add one with 'topic-inspector profile add NAME --service {service} ...'",
            )
    elif args.base_url:
        profile = Profile(
            f"{service}:{args.base_url}",
            "custom",
            args.base_url,
            service=service,
            environment_id=getattr(args, "environment", None),
            account_id=getattr(args, "account", None),
            workflow_container=bool(getattr(args, "workflow_container", False)),
        )
    else:
        raise ValidationError("no connection", where="--profile or --base-url", hint="give one of the two")
    profile = check_profile(profile)
    if args.rate_limit is not None:
        if args.rate_limit < 0:
            raise ValidationError("must be 0 (off) or more", where="--rate-limit")
        from dataclasses import replace

        profile = replace(profile, rate_limit_rpm=args.rate_limit)
    return profile


def _connect(args: argparse.Namespace, service: str) -> tuple[Profile, TokenSource]:
    from inspector.cli import Connection, _network, _token

    profile = _profile(args, service)
    account = profile.account if args.profile else f"endpoint:{profile.endpoint().events_url}"
    legacy = profile.legacy_account if args.profile else None
    conn: Connection = Connection(profile.endpoint(), account, legacy, _network(args, profile))
    return profile, _token(conn)


def _line(row: dict[str, Any]) -> None:
    sys.stdout.write(dumps(row) + "\n")
    sys.stdout.flush()


def dispatch(args: argparse.Namespace) -> int:
    from inspector.cli import UsageError

    if args.command == "qala":
        if args.action == "publish":
            from inspector.cli import _read_input
            from inspector.core.jsoninput import parse_publish_input
            from inspector.core.services.qala import check_events, check_topic_name

            if args.topic is not None:
                check_topic_name(args.topic)
            source = "standard input" if args.file == "-" else args.file
            events = check_events(parse_publish_input(_read_input(args.file), source=source).items)
            profile, token = _connect(args, "qala")
            return asyncio.run(_qala_publish(profile, token, events, args.topic))
        if args.file == "-":
            raise UsageError("session-token needs the subscriber group id")
        from inspector.core.services.qala import check_guid

        group = check_guid(args.file, where="subscriber group id")
        profile, token = _connect(args, "qala")
        return asyncio.run(_qala_session_token(profile, token, group))
    if args.command == "boomi":
        _check_boomi_args(args)
        profile, token = _connect(args, "boomi")
        return asyncio.run(_boomi(args, profile, token))
    if args.command == "messages":
        if args.action == "post" and not (args.transaction and args.workflow and args.label):
            raise UsageError("post needs --transaction, --workflow and --label, and one or more SELECTORs")
        if args.action == "watch" and (args.interval <= 0 or args.interval > 3600):
            raise ValidationError("must be more than 0 and at most 3600 seconds", where="--interval")
        if args.max is not None and args.max < 1:
            raise ValidationError("must be 1 or more", where="--max", hint="the number of messages to print")
        profile, token = _connect(args, "messaging")
        if args.action == "post" and not profile.workflow_container:
            raise ValidationError(
                "only workflow containers of an app can post messages",
                where="messages post",
                hint="use a profile marked as a workflow container (or --workflow-container with --base-url)",
            )
        return asyncio.run(_messages(args, profile, token))
    raise UsageError(f"unknown command {args.command!r}")


# ----- qala ----------------------------------------------------------------------------------------------------
async def _qala_publish(profile: Profile, token: TokenSource, events: list[dict[str, Any]], topic: str | None) -> int:
    from inspector.core.models import Outcome, outcome_counts
    from inspector.core.services.qala import NO_ID_WORDS, QalaClient

    assert profile.base_url is not None  # check_profile made sure
    assert profile.environment_id is not None
    async with QalaClient(
        profile.base_url, token, profile.environment_id, rate_limit_rpm=profile.endpoint().rate_limit_rpm
    ) as client:
        results = await client.publish_events(events, topic)
    for result in results:
        row = result.to_json()
        row["type"] = events[result.index].get("type")
        _line(row)
    counts = outcome_counts(results)
    ok, failed, unknown = counts[Outcome.SUCCESS], counts[Outcome.FAILED], counts[Outcome.UNKNOWN]
    where = f"topic {topic!r}" if topic else "routed by type"
    summary = f"{ok} published, {failed} failed" + (f", {unknown} unknown (may have been published)" if unknown else "")
    no_id = sum(1 for result in results if result.ok and result.message_id is None)
    if no_id:
        summary += f"; {no_id} of them with {NO_ID_WORDS}"
    say(f"qala ({where}, environment {profile.environment_id}): {summary}")
    return EXIT_OK if ok == len(results) else EXIT_FAILED


async def _qala_session_token(profile: Profile, token: TokenSource, group: str) -> int:
    from inspector.core.services.qala import QalaClient

    assert profile.base_url is not None  # check_profile made sure
    assert profile.environment_id is not None
    async with QalaClient(
        profile.base_url, token, profile.environment_id, rate_limit_rpm=profile.endpoint().rate_limit_rpm
    ) as client:
        session = await client.create_session_token(group)
    say(session, file=sys.stdout)
    say(f"session token for subscriber group {group}: shown once, not stored")
    return EXIT_OK


# ----- boomi ---------------------------------------------------------------------------------------------------
def _check_boomi_args(args: argparse.Namespace) -> None:
    from inspector.cli import UsageError

    needs_ids = {"get": 1, "enable": 1, "disable": 1}
    if isinstance(args.all, str):  # "update --all FILE": the FILE came with the option
        args.args, args.all = [*args.args, args.all], True
    if args.action in needs_ids and len(args.args) != 1:
        raise UsageError(f"subscriptions {args.action} needs one subscription id")
    if args.action == "update" and not (len(args.args) == 2 or (args.all and len(args.args) == 1)):
        raise UsageError("subscriptions update needs ID FILE, or --all FILE")
    if args.action == "create" and len(args.args) > 1:
        raise UsageError("subscriptions create needs one FILE (or - for standard input)")
    if args.action == "delete":
        if args.all and args.args:
            raise UsageError("delete --all takes no ids")
        if not args.all and not args.args:
            raise UsageError("delete needs subscription ids, or --all --confirm ACCOUNT")
    if args.action == "bulk" and (len(args.args) < 2 or args.args[0] not in ("delete", "update")):
        raise UsageError("bulk needs 'delete ID...' or 'update FILE'")


def _read_json(source: str) -> Any:
    from inspector.cli import _read_input
    from inspector.core.jsoninput import parse_publish_input

    data = parse_publish_input(_read_input(source), source="standard input" if source == "-" else source)
    return data.items


def _page_words(page: Page, asked: int) -> str:
    """One page's place in words, numbered from 0 as ``--page`` is (the number asked, not the server's echo)."""
    total, size = page.total_elements, page.page_size
    if not total:
        return "no subscriptions" + (f" (page {asked} is empty)" if asked else "")
    last = max(page.total_pages, math.ceil(total / max(size, 1))) - 1
    pages = "the only page" if last == 0 else f"pages 0 to {last}"
    if not page.subscriptions and asked > last:
        return f"page {asked} is past the end: {total} subscriptions fill {pages} at {size} a page"
    return f"page {asked} ({pages}), {len(page.subscriptions)} of {total} subscriptions"


def _subscription_row(subscription: Subscription) -> dict[str, Any]:
    return dict(subscription.raw)


def _status_row(status: OperationStatus) -> dict[str, Any]:
    return {"subscriptionId": status.subscription_id, "status": status.code, "message": status.message}


async def _boomi(args: argparse.Namespace, profile: Profile, token: TokenSource) -> int:
    from inspector.core.services.boomi import BoomiClient

    assert profile.base_url is not None  # check_profile made sure
    assert profile.account_id is not None
    async with BoomiClient(
        profile.base_url, token, profile.account_id, rate_limit_rpm=profile.endpoint().rate_limit_rpm
    ) as client:
        return await _boomi_action(args, client)


async def _boomi_action(args: argparse.Namespace, client: BoomiClient) -> int:
    from inspector.core.services.boomi import MAX_PAGE_SIZE

    action, rest = args.action, list(args.args)
    direction = "DESC" if args.desc else "ASC"
    if action == "list":
        if args.page is None:
            size = MAX_PAGE_SIZE if args.page_size is None else args.page_size
            rows = await client.list_all(page_size=size, sort_by=args.sort_by, sort_direction=direction)
            for row in rows:
                _line(_subscription_row(row))
            say(f"account {client.account_id}: {len(rows)} subscriptions")
            return EXIT_OK
        page = await client.list_page(
            page_number=args.page,
            page_size=20 if args.page_size is None else args.page_size,
            sort_by=args.sort_by,
            sort_direction=direction,
        )
        for row in page.subscriptions:
            _line(_subscription_row(row))
        say(f"account {client.account_id}: {_page_words(page, args.page)}")
        return EXIT_OK
    if action == "get":
        _line(_subscription_row(await client.get(rest[0])))
        return EXIT_OK
    if action in ("enable", "disable"):
        _line(_subscription_row(await client.set_enabled(rest[0], action == "enable")))
        return EXIT_OK
    if action == "create":
        items = _read_json(rest[0] if rest else "-")
        created = await client.create(items)
        for row in created:
            _line(_subscription_row(row))
        say(f"account {client.account_id}: {len(created)} created")
        return EXIT_OK
    if action == "update":
        if args.all:
            replaced = await client.update_all(_read_json(rest[0]))
            for row in replaced:
                _line(_subscription_row(row))
            say(f"account {client.account_id}: now {len(replaced)} subscriptions")
            return EXIT_OK
        items = _read_json(rest[1])
        if len(items) != 1:
            raise ValidationError("must hold one JSON object (the fields to change)", where=rest[1])
        _line(_subscription_row(await client.update(rest[0], items[0])))
        return EXIT_OK
    if action == "delete":
        if args.all:
            if args.confirm != client.account_id:
                raise ValidationError(
                    f"--confirm must repeat the account id ({client.account_id}) to delete all its subscriptions",
                    where="delete --all",
                    hint=f"add --confirm {client.account_id}",
                )
            await client.delete_all()
            say(f"account {client.account_id}: every subscription deleted")
            return EXIT_OK
        for sid in rest:
            await client.delete(sid)
            _line({"subscriptionId": sid, "deleted": True})
        return EXIT_OK
    statuses = (
        await client.bulk_delete(rest[1:]) if rest[0] == "delete" else await client.bulk_update(_read_json(rest[1]))
    )
    for status in statuses:
        _line(_status_row(status))
    done = sum(1 for s in statuses if s.ok)
    say(f"account {client.account_id}: {done} of {len(statuses)} {rest[0]}d")
    return EXIT_OK if done == len(statuses) else EXIT_FAILED


# ----- messages ------------------------------------------------------------------------------------------------
async def _messages(args: argparse.Namespace, profile: Profile, token: TokenSource) -> int:
    from inspector.core.services.messaging import AppMessageWatch, MessagingClient, WatchUpdate

    assert profile.base_url is not None
    async with MessagingClient(
        profile.base_url,
        token,
        workflow_container=profile.workflow_container,
        rate_limit_rpm=profile.endpoint().rate_limit_rpm,
    ) as client:
        if args.action == "post":
            created = await client.post(args.app, args.transaction, args.workflow, args.label, args.selectors)
            for message in created:
                _line(message.to_json())
            say(f"app {args.app}: {len(created)} messages posted")
            return EXIT_OK
        shown = 0
        last_status = ""

        def update(change: WatchUpdate) -> None:
            nonlocal shown
            for message in change.new:
                _line({"event": "message", **message.to_json()})
                shown += 1
                if args.max is not None and shown >= args.max:
                    watch.stop()  # "--max N": exactly N messages, nothing after them
                    return
            for message in change.vanished:
                _line({"event": "vanished", "reason": "its transaction ended", **message.to_json()})
            for transaction in change.ended_transactions:
                _line({"event": "transaction_ended", "appId": args.app, "transactionId": transaction})

        def status(words: str) -> None:
            nonlocal last_status
            if words != last_status and not words.startswith("watching"):
                say(f"app {args.app}: {words}")
            last_status = words

        watch = AppMessageWatch(client, args.app, update, interval=args.interval, on_status=status)
        await watch.run()
        return EXIT_OK


def service_profile_fields(args: argparse.Namespace) -> dict[str, Any]:
    """``profile add``'s options for another service, as ``Profile`` fields."""
    return {
        "service": args.service,
        "environment_id": args.environment,
        "account_id": args.account,
        "workflow_container": bool(args.workflow_container),
    }


__all__: Sequence[str] = ("SERVICE_COMMANDS", "add_commands", "dispatch", "service_profile_fields")
