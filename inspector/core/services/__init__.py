"""One module per event service. Each client exposes the capabilities the service really has; the UI and the
CLI ask a profile for a capability (``capabilities``), not for a vendor, so another service slots in the same way.
Every client stands on ``api.ServiceClient``; ``api`` also types the capabilities the core's machinery uses
(``SupportsConsume`` for a tail, ``SupportsPublish`` for ``publish_all`` and replay, ...).

This module imports no client (no HTTP library): the window asks it before anything else is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass

# Capabilities, as the UI asks for them.
CONSUME = "consume"  # a live tail of a topic (Workato)
PUBLISH = "publish"  # publish to a topic (Workato)
PUBLISH_BATCH = "publish_batch"
LIST_TOPICS = "list_topics"
PUBLISH_EVENTS = "publish_events"  # publish an array of typed events, to a topic by name or routed by type (Qala)
SESSION_TOKENS = "session_tokens"  # create a subscriber group's session token (Qala)
MANAGE_SUBSCRIPTIONS = "manage_subscriptions"  # list, create, update and delete subscriptions (Boomi)
WATCH_MESSAGES = "watch_messages"  # an app's transient messages (Messaging Resource API)
POST_MESSAGES = "post_messages"  # post an app's messages: workflow containers only


@dataclass(frozen=True, slots=True)
class Service:
    key: str
    label: str
    capabilities: frozenset[str]
    needs: tuple[str, ...] = ()  # profile fields it needs besides the base URL: environment_id, account_id


SERVICES: dict[str, Service] = {
    "workato": Service("workato", "Workato Event Streams", frozenset({CONSUME, PUBLISH, PUBLISH_BATCH, LIST_TOPICS})),
    "qala": Service("qala", "Qala publishing", frozenset({PUBLISH_EVENTS, SESSION_TOKENS}), ("environment_id",)),
    "boomi": Service("boomi", "Boomi event notifications", frozenset({MANAGE_SUBSCRIPTIONS}), ("account_id",)),
    "messaging": Service("messaging", "App messages (Messaging Resource API)", frozenset({WATCH_MESSAGES})),
}
