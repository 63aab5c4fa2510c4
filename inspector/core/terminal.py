"""Text for a terminal: what a server sent is shown, never obeyed.

A terminal obeys the control characters in what it prints. ``ESC ] 0 ; title BEL`` sets the window title,
``ESC [ 2 J`` clears the screen, ``ESC ] 8 ;;`` makes a link, ``ESC [ A`` moves the cursor up over earlier
lines; the C1 control U+009B is a one-character ``ESC [``; bidi controls such as U+202E reverse what follows, so
a line reads differently from what it holds; a line break forges a line of our own. Server text (errors, message
ids, payloads) is data, so the CLI writes it through these helpers:

- ``escape_text`` for words: every C0 control (line breaks and tabs too), DEL, C1, bidi controls and lone
  surrogates become visible escapes (``\\x1b``, ``\\n``, ``\\u202e``); ``say`` prints lines of words with it.
- ``escape_json`` / ``dumps`` for JSON: JSON already escapes C0; DEL, C1, bidi controls and lone surrogates are
  written as ``\\uXXXX`` escapes too. The text stays valid JSON that decodes to the same value.
"""

from __future__ import annotations

import functools
import json
import re
import sys
from typing import Any, TextIO

# C0, DEL, C1, the bidi controls (ALM, LRM, RLM, LRE..RLO, LRI..PDI) and lone surrogates (unencodable).
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_UNSAFE = {
    "text": f"[\x00-\x1f\x7f-\x9f{_BIDI}\ud800-\udfff]",
    "lines": f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI}\ud800-\udfff]",  # tab, LF, CR kept
    # In JSON text these can only stand inside strings (JSON's own syntax is ASCII), where \uXXXX means the same.
    "json": f"[\x7f-\x9f{_BIDI}\ud800-\udfff]",
}


@functools.cache
def _unsafe(kind: str) -> re.Pattern[str]:
    """The pattern, compiled when first needed (every command imports this module; few print an escape)."""
    return re.compile(_UNSAFE[kind])


_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}")


def escape_text(text: str, *, keep_lines: bool = False) -> str:
    """``text`` with every terminal control written as a visible escape: one line, shown as it is held.

    ``keep_lines`` keeps tabs and line breaks (a CSV cell may hold several lines; CSV quoting keeps them apart).
    """
    return _unsafe("lines" if keep_lines else "text").sub(_visible, text)


def escape_json(text: str) -> str:
    """JSON text (as ``json.dumps`` writes it) with DEL, C1, bidi controls and lone surrogates as ``\\uXXXX``."""
    return _unsafe("json").sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def dumps(value: Any, **options: Any) -> str:
    """``json.dumps`` (UTF-8 text, not ASCII) made safe for a terminal with ``escape_json``."""
    return escape_json(json.dumps(value, ensure_ascii=False, **options))


def say(*lines: str, file: TextIO | None = None) -> None:
    """Print lines of words (standard error unless ``file``), each escaped with ``escape_text``."""
    print("\n".join(escape_text(line) for line in lines), file=sys.stderr if file is None else file, flush=True)


__all__ = ["dumps", "escape_json", "escape_text", "say"]
