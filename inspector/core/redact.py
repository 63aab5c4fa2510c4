"""Keep tokens out of logs: a logging filter that blanks bearer tokens and token-like fields."""

from __future__ import annotations

import logging
import re

_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=\-]+")
_TOKEN_FIELD = re.compile(r"(?i)((?:token|authorization)[\"']?\s*[:=]\s*[\"']?)(?!\[redacted\])[^\s\"',}]+")
MASK = "[redacted]"


def redact(text: str) -> str:
    text = _BEARER.sub(lambda m: m.group(1) + MASK, text)
    return _TOKEN_FIELD.sub(lambda m: m.group(1) + MASK, text)


class RedactingFilter(logging.Filter):
    """Rewrites each record's message (and traceback text) with tokens blanked. Attach it to handlers."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg, record.args = redact(message), None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True
