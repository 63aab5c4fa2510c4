"""PySide6, loaded for the window before any of the window's modules, without the import hook of PySide's
``__feature__``.

Importing PySide6 replaces Python's ``__import__`` with ``__feature_import__``, which serves
``from __feature__ import snake_case, true_property``. After every import statement it then checks whether the
module imported uses PySide6. It does that by reading the module's whole source (``inspect.getsource``) the first
time it sees the module. That adds up to 10–14 ms before the window's first frame (about 70 modules of ours and of
the standard library; bench/startup.py). The app never selects a feature, and a module no feature was selected for
works the same whether PySide saw it or not. So the window takes the hook out again and keeps the import PySide
had wrapped: the lazy import of its own types. tests/conftest.py does the same, so the suite runs as the app does;
tests/gui/test_qt_import.py checks that nothing of the app selects a feature.
"""

from __future__ import annotations

import builtins

import PySide6.QtCore  # noqa: F401 - installs the hook that import_qt takes out


def import_qt() -> None:
    """Take PySide's ``__feature__`` hook out of ``__import__``, if it is the one in place (it is once PySide6 is
    imported, unless something else wrapped ``__import__`` since: then that is left alone)."""
    hook = getattr(builtins, "__feature_import__", None)
    wrapped = getattr(builtins, "__orig_import__", None)
    if hook is not None and wrapped is not None and builtins.__import__ is hook:
        builtins.__import__ = wrapped
