"""RFC 3339 timestamps as the API writes them: ``Z`` or ``+00:00``, with or without fractional seconds; and the
start times a person types (``parse_since``): RFC 3339, or a duration back from now such as ``30m`` or ``2h``."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from inspector.core.errors import ValidationError

# re.ASCII: \d would match any script's digits (fullwidth "２０２４"), which fromisoformat then refuses in its words.
_FRACTION = re.compile(r"(\.\d+)", re.ASCII)
_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})$",
    re.ASCII,
)
_NO_ZONE = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$", re.ASCII)
_PARTS = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::(\d{2}))?(?:\.\d+)?(?:[Zz]|[+-](\d{2}):?(\d{2}))$",
    re.ASCII,
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
            if fast.tzinfo is not None and 1 < fast.year < 9999:  # years 1 and 9999: see _check_utc_range
                return fast
    value = text.strip()
    if _NO_ZONE.match(value):
        raise ValidationError(
            f"{text!r} has no time zone",
            where=where,
            hint=f"add Z for UTC ({value}Z) or the offset from UTC, like {value}+02:00",
        )
    if not _RFC3339.match(value):
        raise ValidationError(
            f"{text!r} is not an RFC 3339 timestamp",
            where=where,
            hint="write it like 2024-05-01T12:30:00Z or 2024-05-01T14:30:00+02:00",
        )
    _check_parts(text, value, where)
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
    _check_utc_range(text, parsed, where)
    return parsed


def _check_parts(text: str, value: str, where: str) -> None:
    """Say in words what Python's parser would say in its own terms: a leap second, an offset out of range."""
    parts = _PARTS.match(value)
    if parts is None:  # pragma: no cover - _RFC3339 matched
        return
    second, hours, minutes = parts.groups()
    if second == "60":
        raise ValidationError(
            f"{text!r} is a leap second (:60), which cannot be represented",
            where=where,
            hint="use :59 of the same minute, or :00 of the next one",
        )
    if hours is not None and (int(hours) > 23 or int(minutes) > 59):
        raise ValidationError(
            f"{text!r} has an offset from UTC out of range",
            where=where,
            hint="an offset runs from -23:59 to +23:59, for example +02:00",
        )


def _check_utc_range(text: str, moment: datetime, where: str) -> None:
    """Refuse a time that exists only in its own zone: 0001-01-01T00:00+01:00 is in year 0 in UTC, and converting
    it (to show it in UTC or as a timestamp for the table) would raise OverflowError later, far from the input."""
    if 1 < moment.year < 9999:
        return
    try:
        moment.astimezone(UTC)
    except OverflowError:
        raise ValidationError(
            f"{text!r} is out of range: in UTC it falls outside the years 1 to 9999",
            where=where,
            hint="check the year",
        ) from None


# A duration back from now, as a person types it: 90s, 30m, 2h, 1d, 1w, 1.5h, 1h30m (spaces allowed between parts).
_DURATION = re.compile(r"^(?:\d+(?:\.\d+)?\s*[smhdw]\s*)+$", re.ASCII | re.IGNORECASE)
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([smhdw])", re.ASCII | re.IGNORECASE)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800}
_DATE_LIKE = re.compile(r"^\s*\d{4}-", re.ASCII)  # a date-time attempt: parse_time says what is wrong with it
SINCE_FORMS = "RFC 3339 (2024-05-01T09:00:00Z) or a duration like 30m, 2h, 1d"


def parse_duration(text: str, *, where: str = "duration") -> timedelta:
    """A duration as a person types it: a number and a unit (s, m, h, d or w), or several (``1h30m``)."""
    value = text.strip() if isinstance(text, str) else ""
    if not _DURATION.match(value):
        raise ValidationError(
            f"{_shown(text)} is not a duration",
            where=where,
            hint="write a number and a unit: 90s, 30m, 2h, 1d or 1w (seconds, minutes, hours, days, weeks)",
        )
    try:
        seconds = sum(float(number) * _UNIT_SECONDS[unit.lower()] for number, unit in _DURATION_PART.findall(value))
        return timedelta(seconds=seconds)
    except (OverflowError, ValueError):  # past timedelta's 999,999,999 days (or a number of 309 digits)
        raise ValidationError(
            f"{_shown(text)} is too long a duration", where=where, hint="give a duration of a few years at most"
        ) from None


def parse_since(text: str, *, where: str = "time", now: datetime | None = None) -> datetime:
    """A start time as a person types it (``--since``, the window's start position): an RFC 3339 timestamp, as
    ``parse_time`` reads it, or a duration back from ``now`` (default: this moment), such as ``30m``, ``2h`` or
    ``1d``. Anything else is refused with both forms in the words."""
    if not isinstance(text, str):
        raise ValidationError(f"expected a time or a duration as text, got {type(text).__name__}", where=where)
    if _DATE_LIKE.match(text):
        return parse_time(text, where=where)
    if not _DURATION.match(text.strip()):
        raise ValidationError(
            f"{_shown(text)} is not a time: give {SINCE_FORMS}",
            where=where,
            hint="a duration counts back from now: 90s, 30m, 2h, 1d or 1w, or several together such as 1h30m",
        )
    back = parse_duration(text, where=where)
    moment = (now_utc() if now is None else now).astimezone(UTC)
    try:
        return moment - back
    except OverflowError:
        raise ValidationError(
            f"{_shown(text)} reaches back before the year 1", where=where, hint="give a shorter duration"
        ) from None


def _shown(text: object) -> str:
    """Input for a message, shortened: a pasted document stays readable in one line."""
    if isinstance(text, str) and len(text) > 60:
        return f"{text[:40]!r}… ({len(text)} characters)"
    return repr(text)


def format_time(moment: datetime) -> str:
    """Format an aware datetime the way the API does: UTC, milliseconds, ``+00:00``."""
    if moment.tzinfo is None:
        raise ValueError("format_time needs an aware datetime")
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}+00:00"


def now_utc() -> datetime:
    return datetime.now(UTC)
