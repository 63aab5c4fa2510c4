"""Keep tokens out of logs: a logging filter that blanks credentials wherever they show in a message.

A credential's value runs to whitespace or a quote (``token=abc;SECRET`` is blanked whole); the names are those
of tokens, API keys, passwords and secrets (``api_key=``, ``X-Api-Key:``, ``client_secret=``...). The words
themselves stay: "The bearer token is missing" is a server's sentence, not a credential.
"""

from __future__ import annotations

import logging
import re

MASK = "[redacted]"
# The patterns are compiled when first used (``re``'s cache keeps them), not at import: the window imports this
# module before its first frame and logs nothing by then.
# An Authorization header or field: its scheme word (Bearer, Basic, Token...) and the credential after it.
_AUTHORIZATION = r"(?i)(authorization[\"']?\s*[:=]\s*)([\"']?)((?:[A-Za-z]+\s+)?[^\s\"']+)"
# Words that follow "bearer" in prose ("the bearer token is missing"), not a credential.
_PROSE = frozenset(
    (
        *("token", "tokens", "auth", "authentication", "authorization", "scheme", "header", "headers"),
        *("credential", "credentials", "is", "was", "are", "missing", "required", "invalid", "expired", "not"),
        *("must", "should", "the", "a", "an", "and", "or", "of", "in", "for", "with"),
    )
)
# "Bearer <token>" and "Bearer: <token>" wherever they stand.
_BEARER = r"(?i)(bearer(?:\s*:\s*|\s+))(?!\[redacted\])([^\s\"']+)"
# The names a credential goes by: token, api key, password, secret (with any prefix: access_token, X-Api-Key,
# client_secret), then ``=`` or ``:``.
_NAME = r"[\w-]*(?:token|api[-_]?key|password|passwd|secret)s?[\"']?\s*[:=]\s*"
_NAMED_QUOTED = rf"(?i)(\b{_NAME})([\"'])(.*?)\2"
_NAMED_BARE = rf"(?i)(\b{_NAME})(?![\"'])(?!\[redacted\])([^\s\"']+)"


def _bearer(match: re.Match[str]) -> str:
    if ":" not in match.group(1) and match.group(2).lower().rstrip(".,;:!?") in _PROSE:
        return match.group(0)
    return match.group(1) + MASK


def redact(text: str) -> str:
    text = re.sub(_AUTHORIZATION, lambda m: m.group(1) + m.group(2) + MASK, text)
    text = re.sub(_BEARER, _bearer, text)
    text = re.sub(_NAMED_QUOTED, lambda m: m.group(1) + m.group(2) + MASK + m.group(2), text)
    return re.sub(_NAMED_BARE, lambda m: m.group(1) + MASK, text)


class RedactingFilter(logging.Filter):
    """Rewrites each record's message (and traceback text) with credentials blanked. Attach it to handlers."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg, record.args = redact(message), None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True
