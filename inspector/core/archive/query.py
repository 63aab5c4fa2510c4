"""What a search asks of SQLite: the user's words as a safe FTS5 query, and what SQL can decide of a JMESPath
condition before Python evaluates it.

``words_query`` never lets the user's text reach FTS5 as syntax: each word and "quoted phrase" becomes an FTS5
string (the tokenizer splits it as it split the payloads), a trailing ``*`` a prefix search, and the words are
ANDed. Text with no letter or digit is refused in words, never with an FTS5 syntax error. ``looks_like_id``: one
bare token, which a search also matches against the message ids (they are not in the word index).

``prefilter`` reads a compiled JMESPath condition: ``sql``, its verdict per message (``verdict``: 1 matches, 0
does not, NULL Python decides), and ``fts``, words every match holds (``payload.a == 'x y'`` holds "x y"), so
the word index can lead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from inspector.core.archive.verdict import json_path, verdict
from inspector.core.errors import ValidationError

MAX_WORDS = 32
_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")
_PART = re.compile(r'"([^"]*)(?:"|$)(\*?)|([^\s"]+)')
WORDS_HINT = 'type words (all must be there), a "quoted phrase", or the start of a word and * (ord*)'


def words_query(text: str, *, where: str = "search words") -> str:
    """The user's words as an FTS5 query: each word or "phrase" quoted, ``word*`` a prefix, all ANDed."""
    terms: list[str] = []
    for match in _PART.finditer(_CONTROLS.sub(" ", text)):
        phrase, star, bare = match.groups()
        if bare is not None:
            word, prefix = bare.rstrip("*"), bare.endswith("*")
        else:
            word, prefix = phrase, bool(star)
        if not any(char.isalnum() for char in word):
            continue  # punctuation alone: no word for the tokenizer (and no FTS5 syntax either)
        terms.append('"' + word.replace('"', '""') + '"' + ("*" if prefix else ""))
    if not terms:
        raise ValidationError(f"{_shown(text)} has no letter or digit to search for", where=where, hint=WORDS_HINT)
    if len(terms) > MAX_WORDS:
        raise ValidationError(
            f"has {len(terms)} words and phrases; a search takes up to {MAX_WORDS}",
            where=where,
            hint="search for the few words that tell the messages apart, or quote a longer phrase",
        )
    return " ".join(terms)


def _shown(text: str) -> str:
    return repr(text) if len(text) <= 40 else f"{text[:30]!r}… ({len(text)} characters)"


# ----- JMESPath -------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Prefilter:
    """What SQL knows of a condition: ``sql``, an expression over the ``messages`` columns (with ``params``)
    that is 1 for a message the condition matches, 0 for one it does not, NULL when Python must decide; and
    ``fts``, an FTS5 query every match's words satisfy. Either may be None (nothing to check that way)."""

    sql: str | None = None
    params: tuple[Any, ...] = ()
    fts: str | None = None


NONE = Prefilter()
# Controls that JSON writes as \b \f \n \r \t: the index reads them as spaces, as the tokenizer reads a literal's.
_NAMED_ESCAPES = frozenset("\b\f\n\r\t")


def prefilter(tree: Any) -> Prefilter:
    """What SQL knows of a parsed JMESPath expression (``compiled.parsed``)."""
    decided = verdict(tree)
    sql, params = (None, ()) if decided is None else (decided.text, decided.params)
    return Prefilter(sql, params, _words(tree))


def looks_like_id(text: str) -> str | None:
    """The message id the words may be: one token without spaces, quotes or a trailing ``*``; else None."""
    token = text.strip()
    if not token or len(token) > 512 or token.endswith("*") or '"' in token or any(c.isspace() for c in token):
        return None
    return None if _has_surrogate(token) else token


def _words(tree: Any) -> str | None:
    """Words every message the expression matches holds: the phrase of a payload value equal to a literal
    string, through ``&&`` (both sides') and ``||`` (when both sides have some)."""
    kind = tree.get("type")
    children: list[Any] = tree.get("children", [])
    if kind == "and_expression":
        found = [f for f in (_words(children[0]), _words(children[1])) if f is not None]
        return " AND ".join(f"({f})" for f in found) or None
    if kind == "or_expression":
        left, right = _words(children[0]), _words(children[1])
        return f"({left}) OR ({right})" if left is not None and right is not None else None
    if kind != "comparator" or tree.get("value") != "eq":
        return None
    left, right = children
    if right.get("type") != "literal":
        left, right = right, left
    if right.get("type") != "literal" or json_path(left) is None:
        return None
    return _phrase(right.get("value"))


def _phrase(value: Any) -> str | None:
    """The FTS5 phrase a string value equal to ``value`` must hold in the index, or None when the index cannot
    be trusted with it (no word in it, or a control that JSON writes as \\uXXXX, which the index keeps as a
    word)."""
    if not isinstance(value, str) or not any(char.isalnum() for char in value) or _has_surrogate(value):
        return None
    if any(char < " " and char not in _NAMED_ESCAPES for char in value):
        return None
    return '"' + value.replace('"', '""') + '"'


def _has_surrogate(text: str) -> bool:
    return any("\ud800" <= char <= "\udfff" for char in text)
