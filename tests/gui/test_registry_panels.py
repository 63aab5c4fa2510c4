"""Every panel the registry names exists and is what the window opens for its capability."""

from __future__ import annotations

import pytest

from inspector.services import SERVICES, load
from inspector.ui.services import PANEL_LABELS, PANELS, panel_factory

PANEL_PATHS = [(c, p) for s in SERVICES.values() for c, p in s.panels.items()]


@pytest.mark.parametrize(("capability", "path"), PANEL_PATHS)
def test_every_registered_panel_loads_and_the_window_uses_it(capability: str, path: str) -> None:
    assert callable(load(path))
    assert PANELS[capability] == path
    assert panel_factory(capability) is load(path)
    assert PANEL_LABELS[capability]
