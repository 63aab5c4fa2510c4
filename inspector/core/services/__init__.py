"""One module per event service. Each client exposes the capabilities the service really has; the UI and the
CLI ask a profile for a capability (``capabilities``), not for a vendor, so another service slots in the same way.

The services, their capabilities and where each layer keeps its part are in the registry, ``inspector.services``;
its names are here too, for the core's modules. This module imports no client (no HTTP library): the window asks
it before anything else is loaded.
"""

from __future__ import annotations

from inspector.services import (
    CONSUME,
    LIST_TOPICS,
    MANAGE_SUBSCRIPTIONS,
    POST_MESSAGES,
    PUBLISH,
    PUBLISH_BATCH,
    PUBLISH_EVENTS,
    SERVICES,
    SESSION_TOKENS,
    WATCH_MESSAGES,
    Service,
)

__all__ = [
    "CONSUME",
    "LIST_TOPICS",
    "MANAGE_SUBSCRIPTIONS",
    "POST_MESSAGES",
    "PUBLISH",
    "PUBLISH_BATCH",
    "PUBLISH_EVENTS",
    "SERVICES",
    "SESSION_TOKENS",
    "WATCH_MESSAGES",
    "Service",
]
