"""RFC 3339 timestamps as the API writes them: ``Z`` or ``+00:00``, with or without fractional seconds."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from inspector.core.errors import ValidationError

_FRACTION = re.compile(r"(\.\d+)")
_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})$",
)


_FAST_LENGTHS = frozenset({20, 24, 25, 27, 29, 32})


def parse_time(text: str, *, where: str = "time") -> datetime:
    """Parse an RFC 3339 timestamp into an aware datetime.

    Accepts ``Z``/``z``, ``+00:00`` and ``+0000`` offsets and any number of fractional digits (rounded to
    microseconds). A naive timestamp is refused: the API's times always carry a zone.
    """
    if not isinstance(text, str):
        raise ValidationError(f"expected an RFC 3339 timestamp string, got {type(text).__name__}", where=where)
    if len(text) in _FAST_LENGTHS and text[10:11] == "T":
        # The spellings servers send (Z or +hh:mm; none, 3 or 6 fractional digits): the C parser alone.
        try:
            fast = datetime.fromisoformat(text)
        except ValueError:
            pass
        else:
            if fast.tzinfo is not None:
                return fast
    value = text.strip()
    if not _RFC3339.match(value):
        raise ValidationError(
            f"{text!r} is not an RFC 3339 timestamp",
            where=where,
            hint="write it like 2024-05-01T12:30:00Z or 2024-05-01T14:30:00+02:00",
        )
    value = value[:-1] + "+00:00" if value[-1] in "Zz" else value
    round_up = False
    match = _FRACTION.search(value)
    if match and len(match.group(1)) != 7:
        digits = match.group(1)[1:]
        round_up = len(digits) > 6 and digits[6] >= "5"
        value = value[: match.start()] + "." + (digits + "000000")[:6] + value[match.end() :]
    try:
        parsed = datetime.fromisoformat(value)
        if round_up:
            parsed += timedelta(microseconds=1)
    except (ValueError, OverflowError) as exc:
        raise ValidationError(f"{text!r} is not a valid date or time ({exc})", where=where) from None
    if parsed.tzinfo is None:  # pragma: no cover - the pattern requires a zone
        raise ValidationError(f"{text!r} has no time zone", where=where)
    return parsed


def format_time(moment: datetime) -> str:
    """Format an aware datetime the way the API does: UTC, milliseconds, ``+00:00``."""
    if moment.tzinfo is None:
        raise ValueError("format_time needs an aware datetime")
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}+00:00"


def now_utc() -> datetime:
    return datetime.now(UTC)
