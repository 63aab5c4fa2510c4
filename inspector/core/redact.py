"""Keep tokens out of logs: a logging filter that blanks credentials wherever they show in a message."""

from __future__ import annotations

import logging
import re

MASK = "[redacted]"
# An Authorization header or field: its scheme word (Bearer, Basic, Token...) and the credential after it.
_AUTHORIZATION = re.compile(r"(?i)(authorization[\"']?\s*[:=]\s*)([\"']?)((?:[A-Za-z]+\s+)?[^\s\"',;]+)")
# "Bearer <token>" wherever it stands.
_BEARER = re.compile(r"(?i)(bearer\s+)(?!\[redacted\])[^\s\"',;]+")
# token=..., "api_token": "...", access-token: ... (quoted values up to the closing quote).
_TOKEN_QUOTED = re.compile(r"(?i)(\w*[-_]?token[\"']?\s*[:=]\s*)([\"'])(.*?)\2")
_TOKEN_BARE = re.compile(r"(?i)(\w*[-_]?token[\"']?\s*[:=]\s*)(?![\"'])(?!\[redacted\])([^\s\"'&,;}]+)")


def redact(text: str) -> str:
    text = _AUTHORIZATION.sub(lambda m: m.group(1) + m.group(2) + MASK, text)
    text = _BEARER.sub(lambda m: m.group(1) + MASK, text)
    text = _TOKEN_QUOTED.sub(lambda m: m.group(1) + m.group(2) + MASK + m.group(2), text)
    return _TOKEN_BARE.sub(lambda m: m.group(1) + MASK, text)


class RedactingFilter(logging.Filter):
    """Rewrites each record's message (and traceback text) with credentials blanked. Attach it to handlers."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg, record.args = redact(message), None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True
