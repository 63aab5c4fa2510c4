"""What differs between two message payloads, for a side-by-side view: a flat list of changes, each with the path
of the field and the values before and after. Equal payloads give an empty list."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any, Literal

ChangeKind = Literal["added", "removed", "changed"]

# How many characters of a value ``Change.describe`` shows before it cuts the rest to "…".
PREVIEW_CHARS = 60
ROOT_LABEL = "(whole payload)"


@dataclass(frozen=True)
class Change:
    """One difference. ``path`` is relative to the compared values ("" when the values themselves differ);
    ``old`` is unset for "added", ``new`` unset for "removed"."""

    path: str
    kind: ChangeKind
    old: Any = None
    new: Any = None

    def describe(self) -> str:
        """In words, e.g. ``customer.email: "a@x" → "b@x"`` or ``lines[2]: added {"sku": "B"}``."""
        where = self.path or ROOT_LABEL
        if self.kind == "added":
            return f"{where}: added {preview(self.new)}"
        if self.kind == "removed":
            return f"{where}: removed {preview(self.old)}"
        return f"{where}: {preview(self.old)} → {preview(self.new)}"


def preview(value: Any, limit: int = PREVIEW_CHARS) -> str:
    """A value as compact one-line JSON, cut to ``limit`` characters with "…" when longer."""
    try:
        text = json.dumps(value, ensure_ascii=False, default=repr)
    except (ValueError, RecursionError):  # a circular or absurdly deep value: not something to show in full anyway
        text = repr(type(value).__name__) + "…"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def diff_payloads(a: Any, b: Any, path: str = "") -> list[Change]:
    """The changes that turn ``a`` into ``b``, with paths relative to them (``customer.email``, ``lines[0]``,
    ``["weird key"]`` for a key that is not an identifier), prefixed by ``path`` when given.

    Objects are compared key by key: in the order of ``a``'s keys, then the keys only ``b`` has (their order is
    not a difference). Arrays are compared index by index, extra items at the end being "added" or "removed".
    Anything else is compared with JSON semantics: a number equals a number of the same value whether it is an
    int or a float (``1 == 1.0``), but ``true`` is not the number 1 nor ``false`` 0 (unlike Python, JSON has a
    boolean type of its own), and a value of another type ("1" and 1, {} and [], null and 0) is a "changed".
    NaN equals NaN here (both print as NaN). Deep nesting is fine: the walk keeps its own stack.
    """
    changes: list[Change] = []
    # Depth first, in reading order: a popped item is either a Change ready to report or a pair still to compare.
    stack: list[Change | tuple[str, Any, Any]] = [(path, a, b)]
    while stack:
        item = stack.pop()
        if isinstance(item, Change):
            changes.append(item)
            continue
        where, old, new = item
        pending: list[Change | tuple[str, Any, Any]] = []
        if isinstance(old, dict) and isinstance(new, dict):
            for key, value in old.items():
                child = _key_path(where, key)
                pending.append((child, value, new[key]) if key in new else Change(child, "removed", old=value))
            pending.extend(
                Change(_key_path(where, key), "added", new=value) for key, value in new.items() if key not in old
            )
        elif isinstance(old, list) and isinstance(new, list):
            common = min(len(old), len(new))
            pending.extend((f"{where}[{index}]", old[index], new[index]) for index in range(common))
            pending.extend(Change(f"{where}[{index}]", "removed", old=old[index]) for index in range(common, len(old)))
            pending.extend(Change(f"{where}[{index}]", "added", new=new[index]) for index in range(common, len(new)))
        elif not json_equal_scalars(old, new):
            changes.append(Change(where, "changed", old=old, new=new))
        stack.extend(reversed(pending))
    return changes


def json_type(value: Any) -> str:
    """The JSON type of a decoded value: "null", "boolean", "number", "string", "array", "object" (or "other")."""
    if value is None:
        return "null"
    if isinstance(value, bool):  # before int: bool is an int in Python, not in JSON
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "other"


def json_equal_scalars(a: Any, b: Any) -> bool:
    """Equality of two values that are not both objects nor both arrays, with JSON semantics (see diff_payloads)."""
    kind = json_type(a)
    if kind != json_type(b):
        return False
    if kind == "number" and isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return bool(a == b)


def _key_path(parent: str, key: Any) -> str:
    name = key if isinstance(key, str) else str(key)
    if name.isidentifier():
        return f"{parent}.{name}" if parent else name
    return f"{parent}[{json.dumps(name, ensure_ascii=False)}]"
