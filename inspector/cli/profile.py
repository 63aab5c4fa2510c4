"""``topic-inspector profile add|list|remove``: saved connections, of any service."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import sys

from inspector.cli._common import (
    EXIT_OK,
    Parser,
    UsageError,
    add_command,
    add_modes,
    add_network_options,
    examples,
    keyring,
)
from inspector.core import network
from inspector.core.errors import ValidationError
from inspector.core.profiles import Profile, ProfileStore, check_profile
from inspector.core.regions import REGIONS
from inspector.core.secrets import SecretStoreError
from inspector.core.services import SERVICES
from inspector.core.terminal import escape_text, say


def add(profile: Parser) -> None:
    examples(
        profile,
        "topic-inspector profile add Local --base-url http://127.0.0.1:9300",
        "topic-inspector profile add Prod --region eu",
        "topic-inspector profile list",
        "topic-inspector profile remove Prod",
        notes=("Then store the profile's token: topic-inspector token set --profile Local",),
        token=False,
    )
    actions = add_modes(profile, "action", "{add,list,remove}")

    new = add_command(actions, "add", help="add a profile, or change the one of that name")
    new.add_argument("name", metavar="NAME", help="the profile's name")
    where = new.add_mutually_exclusive_group(required=True)
    where.add_argument("--region", metavar="R", help=f"one of: {', '.join(REGIONS)}")
    where.add_argument("--base-url", metavar="URL")
    new.add_argument("--rate-limit", metavar="RPM", type=int)
    add_network_options(new)
    new.add_argument(
        "--service",
        default="workato",
        choices=list(SERVICES),
        help="the API the profile speaks (default workato); the others need --base-url",
    )
    new.add_argument("--environment", metavar="GUID", help="qala: the environment id")
    new.add_argument("--account", metavar="ID", help="boomi: the account id")
    new.add_argument("--workflow-container", action="store_true", help="messaging: the token is a workflow container's")
    examples(
        new,
        "topic-inspector profile add Prod --region eu",
        "topic-inspector profile add Local --base-url http://127.0.0.1:9300 --rate-limit 0",
        "topic-inspector profile add Q --service qala --base-url https://qala.example.com --environment GUID",
        token=False,
    )
    new.set_defaults(run=run_add)

    listing = add_command(actions, "list", help="list the profiles: name, where, service")
    listing.set_defaults(run=run_list)

    remove = add_command(actions, "remove", help="remove a profile and its stored token")
    remove.add_argument("name", metavar="NAME", help="the profile's name")
    remove.set_defaults(run=run_remove)


def run_list(args: argparse.Namespace) -> int:
    for profile in ProfileStore().load():
        where = profile.base_url if profile.region == "custom" else REGIONS[profile.region].label
        print("\t".join(escape_text(part) for part in (profile.name, where or "", profile.service_label)))
    return EXIT_OK


def run_remove(args: argparse.Namespace) -> int:
    profiles = ProfileStore()
    gone = next((p for p in profiles.load() if p.name == args.name), None)
    if gone is None or not profiles.remove(args.name):
        raise ValidationError(f"no profile named {args.name!r}", where="profile")
    with contextlib.suppress(SecretStoreError):
        store = keyring()
        store.delete(gone.account)
        store.delete(gone.legacy_account)
    say(f"profile {args.name!r} removed (and its token, if one was stored)", file=sys.stdout)
    return EXIT_OK


def run_add(args: argparse.Namespace) -> int:
    if args.service != "workato" and not args.base_url:
        raise UsageError(f"a {args.service} profile needs --base-url URL (regions are Workato's)")
    profiles = ProfileStore()
    profile = Profile(
        args.name,
        "custom" if args.base_url else args.region.lower(),
        args.base_url,
        args.rate_limit,
        service=args.service,
        environment_id=args.environment,
        account_id=args.account,
        workflow_container=bool(args.workflow_container),
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
            store = keyring()
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
    user, where = network.proxy_user(proxy), proxy.rsplit("@", 1)[-1]
    if sys.stdin is None:
        return
    if sys.stdin.isatty():
        text = getpass.getpass(f"Password of {user} at the proxy {where} (input hidden; empty keeps the stored one): ")
    else:
        text = sys.stdin.readline()
    password = text.rstrip("\r\n")
    if password:
        store = keyring()
        store.set(network.proxy_account(proxy), password)
        say(f"the password of {user} at the proxy {where}: stored in {store.backend_name}", file=sys.stdout)
