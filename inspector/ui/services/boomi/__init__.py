"""Boomi's panel (``panel``), its tables (``model``) and dialogs (``dialogs``)."""

from inspector.ui.services.boomi.panel import BoomiPanel, open_panel

__all__ = ["BoomiPanel", "open_panel"]
