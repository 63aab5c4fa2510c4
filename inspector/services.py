"""The one registry of services: what each can do, what its profile needs, and where each layer keeps its part.

A service has one module in each layer, named here as ``"module:attr"`` strings and imported only when used (the
window is shown before any client, panel or command module loads):

- ``client``: its core client (``inspector.core.services.<service>``), which has the service's capabilities;
- ``panels``: for each capability the window shows in a tab of its own, the function that makes the panel
  (``inspector.ui.services.<service>``); Workato's topics open as topic tabs instead;
- ``commands``: its CLI commands, name -> the function that fills the command's parser (``inspector.cli.<module>``),
  and ``command_help`` their lines in ``topic-inspector --help`` (shown without importing the commands' modules);
- ``emulator``: the function that gives the emulator's routes for it (``inspector.emulator.services.<service>``).

Adding a service: a module in each of those four folders and one row in ``SERVICES``; ``tests/unit/test_registry.py``
checks that every row's parts exist. The UI and the CLI ask a profile for a capability, never for a vendor.

This module imports nothing of the app: every layer may read it.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

# Capabilities, as the UI and the CLI ask for them.
CONSUME = "consume"  # a live tail of a topic (Workato)
PUBLISH = "publish"  # publish to a topic (Workato)
PUBLISH_BATCH = "publish_batch"
LIST_TOPICS = "list_topics"
PUBLISH_EVENTS = "publish_events"  # publish an array of typed events, to a topic by name or routed by type (Qala)
SESSION_TOKENS = "session_tokens"  # create a subscriber group's session token (Qala)
MANAGE_SUBSCRIPTIONS = "manage_subscriptions"  # list, create, update and delete subscriptions (Boomi)
WATCH_MESSAGES = "watch_messages"  # an app's transient messages (Messaging Resource API)
POST_MESSAGES = "post_messages"  # post an app's messages: workflow containers only


_NONE: Mapping[str, str] = MappingProxyType({})


class Service(NamedTuple):  # a NamedTuple, not a dataclass: the window reads this module before it is shown
    key: str
    label: str
    capabilities: frozenset[str]
    needs: tuple[str, ...] = ()  # profile fields it needs besides the base URL: environment_id, account_id
    client: str = ""  # "module:Class" of its core client
    panels: Mapping[str, str] = _NONE  # capability -> "module:function" making its panel
    panel_labels: Mapping[str, str] = _NONE  # capability -> its sidebar item and tab title
    commands: Mapping[str, str] = _NONE  # CLI command -> "module:function" filling its parser
    command_help: Mapping[str, str] = _NONE  # CLI command -> its line in --help
    emulator: str = ""  # "module:function" giving the emulator's routes


SERVICES: dict[str, Service] = {
    "workato": Service(
        "workato",
        "Workato Event Streams",
        frozenset({CONSUME, PUBLISH, PUBLISH_BATCH, LIST_TOPICS}),
        client="inspector.core.services.workato:EventStreamsClient",
        commands={
            "consume": "inspector.cli.consume:add",
            "publish": "inspector.cli.publish:add",
            "replay": "inspector.cli.replay:add",
            "topics": "inspector.cli.topics:add",
        },
        command_help={
            "consume": "read messages as JSON Lines (or JSON, CSV)",
            "publish": "publish a JSON object, array or JSON Lines",
            "replay": "replay messages from a file to a topic, journaled and resumable",
            "topics": "list, create, change, purge and delete topics; infer and test schemas",
        },
        emulator="inspector.emulator.services.workato:mounts",
    ),
    "qala": Service(
        "qala",
        "Qala publishing",
        frozenset({PUBLISH_EVENTS, SESSION_TOKENS}),
        ("environment_id",),
        client="inspector.core.services.qala:QalaClient",
        panels={PUBLISH_EVENTS: "inspector.ui.services.qala:open_panel"},
        panel_labels={PUBLISH_EVENTS: "Publish events"},
        commands={"qala": "inspector.cli.qala:add"},
        command_help={"qala": "Qala: publish events, create a subscriber group's session token"},
        emulator="inspector.emulator.services.qala:mounts",
    ),
    "boomi": Service(
        "boomi",
        "Boomi event notifications",
        frozenset({MANAGE_SUBSCRIPTIONS}),
        ("account_id",),
        client="inspector.core.services.boomi:BoomiClient",
        panels={MANAGE_SUBSCRIPTIONS: "inspector.ui.services.boomi:open_panel"},
        panel_labels={MANAGE_SUBSCRIPTIONS: "Subscriptions"},
        commands={"boomi": "inspector.cli.boomi:add"},
        command_help={"boomi": "Boomi event notifications: an account's subscriptions"},
        emulator="inspector.emulator.services.boomi:mounts",
    ),
    "messaging": Service(
        "messaging",
        "App messages (Messaging Resource API)",
        frozenset({WATCH_MESSAGES}),
        client="inspector.core.services.messaging:MessagingClient",
        panels={WATCH_MESSAGES: "inspector.ui.services.messaging:open_panel"},
        panel_labels={WATCH_MESSAGES: "App messages"},
        commands={"messages": "inspector.cli.messages:add"},
        command_help={"messages": "Messaging API: watch an app's messages, or post one (workflow containers)"},
        emulator="inspector.emulator.services.messaging:mounts",
    ),
}


def load(path: str) -> Any:
    """The object a ``"module:attr"`` path names (its module is imported now)."""
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


def panels() -> dict[str, str]:
    """Every service's panels: capability -> ``"module:function"``."""
    return {capability: path for service in SERVICES.values() for capability, path in service.panels.items()}


def panel_labels() -> dict[str, str]:
    return {capability: label for service in SERVICES.values() for capability, label in service.panel_labels.items()}


def service_commands() -> dict[str, tuple[str, str]]:
    """Every service's CLI commands, in the registry's order: name -> (``"module:function"``, its line in --help)."""
    return {
        name: (path, service.command_help[name])
        for service in SERVICES.values()
        for name, path in service.commands.items()
    }


def emulator_routes() -> list[str]:
    """Every service's emulator routes, as ``"module:function"``."""
    return [service.emulator for service in SERVICES.values()]
