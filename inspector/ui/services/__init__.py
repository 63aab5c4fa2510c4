"""The panels of the further services, one module each: Qala publishing and session tokens (``qala``), Boomi
event-notification subscriptions (``boomi``), an app's transient messages (``messaging``).

The window asks for a capability, not a vendor: ``PANELS`` (from the registry, ``inspector.services``) says where
the panel of each capability is made, as ``"module:function"``, loaded when its tab first opens (the window is
shown before any of them loads). Each panel calls its core client and shows what happened in words; it never
builds a request or reads the service's JSON itself.
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, Protocol, cast

from inspector.services import load, panel_labels, panels

if TYPE_CHECKING:
    from inspector.core.http import TokenSource
    from inspector.core.profiles import Profile
    from inspector.ui.context import AppContext
    from inspector.ui.services._common import ServicePanel

# capability -> the function that makes its panel, as "module:function" (a PanelFactory), from the registry
PANELS: dict[str, str] = panels()
# capability -> its item under the profile in the sidebar, and its tab
PANEL_LABELS: dict[str, str] = panel_labels()


class PanelHost(Protocol):
    """What a panel may ask of the window."""

    @property
    def ctx(self) -> AppContext: ...

    def spawn(self, coroutine: Coroutine[Any, Any, Any]) -> object: ...

    def can_open_topic_named(self, name: str) -> bool: ...

    async def open_topic_named(self, name: str) -> object: ...


class PanelFactory(Protocol):
    def __call__(self, host: PanelHost, profile: Profile, token: TokenSource) -> ServicePanel: ...


def panel_factory(capability: str) -> PanelFactory:
    """The function that makes the panel of ``capability`` (its module is imported now)."""
    return cast("PanelFactory", load(PANELS[capability]))
