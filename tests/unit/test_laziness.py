"""Start-up laziness lives in tables, not in scattered imports: the registry (inspector/services.py), the CLI's
command tables (inspector/cli/__init__.py and commands.py), the window's (inspector/ui/later.py) and the core's
(inspector/core/later.py). An import inside a function anywhere else needs a row in ``ALLOWED`` with its reason."""

from __future__ import annotations

import ast
import importlib
import importlib.util
from pathlib import Path

import pytest

from inspector.cli import STARTS
from inspector.core import later as core_later
from inspector.ui import later as ui_later

PACKAGE = Path(__file__).resolve().parents[2] / "inspector"

# (module file, module imported) -> why it is imported inside a function
ALLOWED: dict[tuple[str, str], str] = {
    ("core/profiles.py", "inspector.core.services.qala"): "a Qala profile's rule; the module loads httpx",
    ("core/profiles.py", "inspector.core.services.boomi"): "a Boomi profile's rule; the module loads httpx",
    ("ui/selftest.py", "inspector.emulator.server"): "a build without uvicorn fails 'at emulator', in words",
    ("cli/_common.py", "inspector.core.topic_names"): "only for the commands that take a topic",
    ("cli/_common.py", "inspector.core.services.workato"): "the HTTP client, only to look a topic's name up",
    ("core/topic_names.py", "difflib"): "only when a name matched nothing",
}

# The window's parts whose modules import the window's own: typed Any in the table (no TYPE_CHECKING import,
# which would be an import cycle).
UNTYPED = {
    "archive_manage",
    "archive_search",
    "dialogs",
    "topic_admin",
    "topic_model",
    "topic_replay",
    "topic_view",
}


def imports_in_functions() -> dict[tuple[str, str], list[int]]:
    found: dict[tuple[str, str], list[int]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        seen: set[int] = set()
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.Import | ast.ImportFrom) and id(node) not in seen:
                    seen.add(id(node))
                    names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                    for name in names:
                        found.setdefault((path.relative_to(PACKAGE).as_posix(), name), []).append(node.lineno)
    return found


def test_no_import_inside_a_function_outside_the_tables() -> None:
    stray = {key: lines for key, lines in imports_in_functions().items() if key not in ALLOWED}
    assert not stray, "\n".join(
        f"inspector/{file}, line {', '.join(map(str, lines))}: 'import {module}' inside a function; name it in "
        "the window's table (inspector/ui/later.py) or the core's (inspector/core/later.py), import it at the "
        "top, or add a row to ALLOWED in tests/unit/test_laziness.py with the reason"
        for (file, module), lines in sorted(stray.items())
    )


def test_every_allowed_case_still_exists() -> None:
    found = imports_in_functions()
    gone = [key for key in ALLOWED if key not in found]
    assert not gone, f"rows of ALLOWED no longer needed (remove them): {gone}"


def uses_of(table: str) -> dict[str, list[str]]:
    """Every ``later.NAME`` in a module importing ``table`` ("inspector.ui" or "inspector.core"): NAME -> where."""
    uses: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases = {
            alias.asname or alias.name
            for node in tree.body
            if isinstance(node, ast.ImportFrom) and node.module == table
            for alias in node.names
            if alias.name == "later"
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases:
                uses.setdefault(node.attr, []).append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    return uses


@pytest.mark.parametrize(("table", "package"), [(ui_later, "inspector.ui"), (core_later, "inspector.core")])
def test_every_name_used_from_a_table_is_in_it(table: object, package: str) -> None:
    names: dict[str, str] = vars(table)["MODULES"]
    unknown = {name: where for name, where in uses_of(package).items() if name not in names}
    assert not unknown, f"not in {package}.later.MODULES: {unknown}"
    unused = set(names) - set(uses_of(package))
    assert not unused, f"named in {package}.later.MODULES but never used: {sorted(unused)}"


@pytest.mark.parametrize("table", [ui_later, core_later])
def test_the_tables_type_what_they_name(table: object) -> None:
    """Each name has a ``TYPE_CHECKING`` import of the same module (so mypy knows ``later.replay.Journal``)."""
    source = Path(str(vars(table)["__file__"])).read_text(encoding="utf-8")
    typed: dict[str, str] = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for imp in node.body:
                if isinstance(imp, ast.Import):
                    typed.update({a.asname or a.name: a.name for a in imp.names})
                elif isinstance(imp, ast.ImportFrom):
                    for a in imp.names:
                        parent = imp.module or ""
                        full = f"{parent}.{a.name}" if parent.startswith("inspector") else f"{parent}:{a.name}"
                        typed[a.asname or a.name] = full
    names: dict[str, str] = vars(table)["MODULES"]
    expected = {name: path for name, path in names.items() if name not in UNTYPED}
    assert typed == expected


@pytest.mark.parametrize("path", [*ui_later.MODULES.values(), *core_later.MODULES.values(), *STARTS.values()], ids=str)
def test_every_table_row_names_a_module_that_exists(path: str) -> None:
    """Checked without importing it (no Qt in the unit tests)."""
    module = path.partition(":")[0]
    if module.startswith("inspector."):
        file = PACKAGE.joinpath(*module.split(".")[1:])
        assert file.with_suffix(".py").is_file() or (file / "__init__.py").is_file(), f"no module {module}"
    else:
        assert importlib.util.find_spec(module.split(".")[0]) is not None, f"no module {module}"


def test_the_core_table_imports_on_first_use_and_keeps_it() -> None:
    hashlib = importlib.import_module("hashlib")
    assert core_later.hashlib is hashlib
    assert vars(core_later)["hashlib"] is hashlib  # kept: the next use is a plain attribute
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        _ = core_later.nothing  # type: ignore[attr-defined]
