"""Malformed inputs for every entry point: one JSON Lines file per entry point, one case per line.

Every case has an ``id`` and ``expect``: words (a string, or a list of strings) the error's ``describe()`` must
contain, so a test can tell a specific message from a vague one. ``where``, when given, are words naming the
place (the field, line or item) that the error's message must contain. ``known_bug`` marks a case that still
fails, with the reason (the test expects it to fail until the bug is fixed).

The input itself is one of:

- ``text``: the text, as is (JSON escapes carry control characters and lone surrogates);
- ``build``: ``[[piece, times], ...]``, the pieces repeated and joined (1 MB payloads, deep nesting);
- ``bytes_hex``: raw bytes (files, server bodies); ``text`` with ``encoding``: the text in that encoding;
- ``value``: a JSON value (arguments that are not text: a topic id of the wrong type, a schema document);
- ``nest``: ``{"template", "leaf", "depth"}``: a value nested ``depth`` times, built without the JSON parser's
  recursion limit; ``template`` is JSON with the string ``"$"`` where the inner value goes.

Each file's other fields are for the test that reads it (``tests/unit/test_bad_inputs.py``,
``tests/integration/test_bad_inputs_cli.py``). ``count()`` is the number of bad inputs tried, for benchmarks.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
Case = dict[str, Any]


def names() -> list[str]:
    """The entry points that have a corpus, by file name without ``.jsonl``."""
    return sorted(path.stem for path in HERE.glob("*.jsonl"))


@cache
def _load(name: str) -> tuple[Case, ...]:
    cases = []
    # Only "\n" ends a case: U+2028 may stand in a text (JSON allows it unescaped), and str.splitlines would cut there.
    for number, line in enumerate((HERE / f"{name}.jsonl").read_text(encoding="utf-8").split("\n"), start=1):
        if not line.strip():
            continue
        case = json.loads(line)
        if not isinstance(case, dict) or "id" not in case or "expect" not in case:
            raise ValueError(f"{name}.jsonl line {number}: a case needs an 'id' and 'expect'")
        cases.append(case)
    ids = [case["id"] for case in cases]
    if len(ids) != len(set(ids)):
        raise ValueError(f"{name}.jsonl: case ids are not unique")
    return tuple(cases)


def load(name: str) -> list[Case]:
    """The cases of one entry point's corpus, in file order."""
    return [dict(case) for case in _load(name)]


def count(name: str | None = None) -> int:
    """How many bad inputs the corpus holds: of one entry point, or of all of them."""
    return len(_load(name)) if name is not None else sum(len(_load(each)) for each in names())


def counts() -> dict[str, int]:
    """Cases per entry point."""
    return {name: len(_load(name)) for name in names()}


def expected_words(case: Case) -> list[str]:
    expect = case["expect"]
    return [expect] if isinstance(expect, str) else list(expect)


def text_of(case: Case) -> str:
    """The case's input as text."""
    if "build" in case:
        return "".join(piece * times for piece, times in case["build"])
    if "text" in case:
        return str(case["text"])
    raise KeyError(f"case {case['id']!r} has no text or build")


def bytes_of(case: Case) -> bytes:
    """The case's input as bytes: raw, or its text encoded (UTF-8 unless it names another encoding)."""
    if "bytes_hex" in case:
        return bytes.fromhex(case["bytes_hex"])
    return text_of(case).encode(case.get("encoding", "utf-8"), "surrogatepass")


def value_of(case: Case) -> Any:
    """The case's input as a value: ``value``, a ``nest``ed one, or its text read as (lenient) JSON."""
    if "nest" in case:
        spec = case["nest"]
        inner: Any = json.loads(json.dumps(spec["leaf"]))
        for _ in range(spec["depth"]):
            inner = _fill(json.loads(spec["template"]), inner)
        return inner
    if "value" in case:
        return case["value"]
    return json.loads(text_of(case))  # lenient: NaN and Infinity are read, as from a non-strict producer


def _fill(template: Any, inner: Any) -> Any:
    """The template with its ``"$"`` slot (within two levels) replaced by ``inner``."""
    if template == "$":
        return inner
    children = template.items() if isinstance(template, dict) else enumerate(template)
    for key, child in list(children):
        if child == "$":
            template[key] = inner
            return template
        if isinstance(child, dict | list):
            for key2, grandchild in list(child.items() if isinstance(child, dict) else enumerate(child)):
                if grandchild == "$":
                    child[key2] = inner
                    return template
    raise ValueError(f"no '$' slot in the template {template!r}")
