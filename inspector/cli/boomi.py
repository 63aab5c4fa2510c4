"""``topic-inspector boomi subscriptions ACTION``: the event subscriptions of a Boomi account.

Same conventions as the Workato commands: subscriptions as JSON Lines on standard output, words on standard error,
exit status 0 (all done), 1 (something failed), 2 (bad input: nothing was sent).
"""

from __future__ import annotations

import argparse
import asyncio
import math
from collections.abc import Awaitable, Callable
from typing import Any

from inspector.cli._common import (
    EXIT_FAILED,
    EXIT_OK,
    Parser,
    Subparsers,
    add_command,
    add_modes,
    add_service_connection,
    examples,
    json_line,
    read_input,
    service_connection,
    source_name,
)
from inspector.core.errors import ValidationError
from inspector.core.jsoninput import parse_publish_input
from inspector.core.services.boomi import MAX_PAGE_SIZE, BoomiClient, OperationStatus, Page, Subscription
from inspector.core.terminal import say

# What one action does with the account's client; its exit status.
Action = Callable[[argparse.Namespace, BoomiClient], Awaitable[int]]


def add(boomi: Parser) -> None:
    examples(
        boomi,
        "topic-inspector boomi subscriptions list --profile Boomi",
        "topic-inspector boomi subscriptions create subscriptions.json --profile Boomi",
        "topic-inspector boomi subscriptions delete ID --profile Boomi",
    )
    what = add_modes(boomi, "what", "{subscriptions}")
    subscriptions = add_command(
        what,
        "subscriptions",
        help="list, view, create, update, delete and bulk-change an account's subscriptions",
        description=(
            "List, view, create, update, delete and bulk-change the event subscriptions of a Boomi account. Only "
            "EVENT_STREAMS destinations are supported by the service today; an EMAIL one is refused with its "
            "reason. Subscriptions are printed as JSON Lines; bulk operations print one status line per "
            "subscription. 'delete --all' asks for --confirm with the account id."
        ),
    )
    examples(
        subscriptions,
        "topic-inspector boomi subscriptions list --profile Boomi --page 0 --page-size 20",
        "topic-inspector boomi subscriptions get ID --profile Boomi",
        "topic-inspector boomi subscriptions create subscriptions.json --profile Boomi",
        "topic-inspector boomi subscriptions update ID changes.json --profile Boomi",
        "topic-inspector boomi subscriptions delete --all --confirm ACCOUNT --profile Boomi",
        "topic-inspector boomi subscriptions bulk delete ID1 ID2 --profile Boomi",
        "topic-inspector boomi subscriptions disable ID --profile Boomi",
    )
    actions = add_modes(subscriptions, "action", "{list,get,create,update,delete,bulk,enable,disable}")

    listing = _action(actions, "list", _list, help="the subscriptions, all of them or one page")
    listing.add_argument("--page", type=int, default=None, metavar="N", help="one page, 0-based")
    listing.add_argument(
        "--page-size",
        type=int,
        metavar="N",
        help="subscriptions asked for a request, 1 to 100 (default 20 with --page, 100 without)",
    )
    listing.add_argument("--sort-by", default="createdDate", metavar="FIELD", help="default createdDate")
    listing.add_argument("--desc", action="store_true", help="newest (or highest) first")

    for name, act, words in (
        ("get", _get, "one subscription"),
        ("enable", _enable, "enable one"),
        ("disable", _disable, "disable one"),
    ):
        _action(actions, name, act, help=words).add_argument("id", metavar="ID", help="the subscription id")

    create = _action(actions, "create", _create, help="create the subscriptions of FILE")
    create.add_argument("file", metavar="FILE", nargs="?", default="-", help="JSON, or - for stdin (default)")

    update = _action(actions, "update", _update, help="update ID with FILE's fields, or replace all with --all FILE")
    which = update.add_mutually_exclusive_group(required=True)
    which.add_argument("id", metavar="ID", nargs="?", help="the subscription to update")
    which.add_argument("--all", action="store_true", help="replace all the subscriptions with FILE's")
    update.add_argument("file", metavar="FILE", help="JSON: the fields to change (ID), or every subscription (--all)")

    delete = _action(actions, "delete", _delete, help="delete subscriptions by id, or --all of them")
    which = delete.add_mutually_exclusive_group(required=True)
    which.add_argument("ids", metavar="ID", nargs="*", default=[], help="the subscriptions to delete")
    which.add_argument("--all", action="store_true", help="every subscription of the account (needs --confirm)")
    delete.add_argument("--confirm", metavar="ACCOUNT", help="with --all: the account id again, to confirm")

    bulk = add_command(actions, "bulk", help="one request for many: delete ID... | update FILE")
    kinds = add_modes(bulk, "bulk", "{delete,update}")
    _action(kinds, "delete", _bulk_delete, help="delete by id").add_argument("ids", metavar="ID", nargs="+")
    _action(kinds, "update", _bulk_update, help="update each subscription of FILE").add_argument("file", metavar="FILE")


def _action(subparsers: Subparsers, name: str, act: Action, **kwargs: Any) -> argparse.ArgumentParser:
    parser = add_command(subparsers, name, **kwargs)
    add_service_connection(parser, account=True)
    parser.set_defaults(run=run, act=act)
    return parser


def run(args: argparse.Namespace) -> int:
    profile, token = service_connection(args, "boomi")

    async def act() -> int:
        assert profile.base_url is not None  # check_profile made sure
        assert profile.account_id is not None
        async with BoomiClient(
            profile.base_url, token, profile.account_id, rate_limit_rpm=profile.endpoint().rate_limit_rpm
        ) as client:
            status: int = await args.act(args, client)
            return status

    return asyncio.run(act())


def _read_json(source: str) -> Any:
    return parse_publish_input(read_input(source), source=source_name(source)).items


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


def _row(subscription: Subscription) -> dict[str, Any]:
    return dict(subscription.raw)


def _status_row(status: OperationStatus) -> dict[str, Any]:
    return {"subscriptionId": status.subscription_id, "status": status.code, "message": status.message}


# ----- the actions ----------------------------------------------------------------------------------------------
async def _list(args: argparse.Namespace, client: BoomiClient) -> int:
    direction = "DESC" if args.desc else "ASC"
    if args.page is None:
        size = MAX_PAGE_SIZE if args.page_size is None else args.page_size
        rows = await client.list_all(page_size=size, sort_by=args.sort_by, sort_direction=direction)
        for row in rows:
            json_line(_row(row))
        say(f"account {client.account_id}: {len(rows)} subscriptions")
        return EXIT_OK
    page = await client.list_page(
        page_number=args.page,
        page_size=20 if args.page_size is None else args.page_size,
        sort_by=args.sort_by,
        sort_direction=direction,
    )
    for row in page.subscriptions:
        json_line(_row(row))
    say(f"account {client.account_id}: {_page_words(page, args.page)}")
    return EXIT_OK


async def _get(args: argparse.Namespace, client: BoomiClient) -> int:
    json_line(_row(await client.get(args.id)))
    return EXIT_OK


async def _enable(args: argparse.Namespace, client: BoomiClient) -> int:
    json_line(_row(await client.set_enabled(args.id, True)))
    return EXIT_OK


async def _disable(args: argparse.Namespace, client: BoomiClient) -> int:
    json_line(_row(await client.set_enabled(args.id, False)))
    return EXIT_OK


async def _create(args: argparse.Namespace, client: BoomiClient) -> int:
    created = await client.create(_read_json(args.file))
    for row in created:
        json_line(_row(row))
    say(f"account {client.account_id}: {len(created)} created")
    return EXIT_OK


async def _update(args: argparse.Namespace, client: BoomiClient) -> int:
    if args.all:
        replaced = await client.update_all(_read_json(args.file))
        for row in replaced:
            json_line(_row(row))
        say(f"account {client.account_id}: now {len(replaced)} subscriptions")
        return EXIT_OK
    items = _read_json(args.file)
    if len(items) != 1:
        raise ValidationError("must hold one JSON object (the fields to change)", where=args.file)
    json_line(_row(await client.update(args.id, items[0])))
    return EXIT_OK


async def _delete(args: argparse.Namespace, client: BoomiClient) -> int:
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
    for sid in args.ids:
        await client.delete(sid)
        json_line({"subscriptionId": sid, "deleted": True})
    return EXIT_OK


async def _bulk_delete(args: argparse.Namespace, client: BoomiClient) -> int:
    return _statuses(client, "deleted", await client.bulk_delete(args.ids))


async def _bulk_update(args: argparse.Namespace, client: BoomiClient) -> int:
    return _statuses(client, "updated", await client.bulk_update(_read_json(args.file)))


def _statuses(client: BoomiClient, done_words: str, statuses: list[OperationStatus]) -> int:
    for status in statuses:
        json_line(_status_row(status))
    done = sum(1 for s in statuses if s.ok)
    say(f"account {client.account_id}: {done} of {len(statuses)} {done_words}")
    return EXIT_OK if done == len(statuses) else EXIT_FAILED
