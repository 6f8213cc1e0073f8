"""Timestamps from export files → timezone-aware UTC datetimes (pure; no clock, no I/O)."""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
MILLISECONDS_FROM = 1e11
"""Epoch numbers at or above this (year 5138 in seconds) are read as milliseconds."""


def parse_timestamp(value: object) -> datetime | None:
    """Read a timestamp as exports write it; the result is always timezone-aware UTC.

    Accepted: ISO 8601 strings (`2026-01-31T12:00:00Z`, `2026-01-31 12:00:00+02:00`,
    `2026-01-31`), epoch seconds as numbers or numeric strings (Reddit's `created_utc`,
    fractions allowed), epoch milliseconds (numbers ≥ 1e11), and `datetime`/`date` objects.
    A value without a zone is taken as UTC; one with a zone is converted to UTC.

    Args:
        value: The raw value; None or a blank string means "no timestamp".

    Returns:
        The UTC datetime, or None for an empty value.

    Raises:
        ValueError: The value is not a timestamp (the message says why).
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is a boolean, not a timestamp")
    if isinstance(value, datetime):
        return _to_utc(value)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, int | float):
        return _from_epoch(float(value), value)
    if not isinstance(value, str):
        raise ValueError(f"a {type(value).__name__} is not a timestamp")
    text = value.strip()
    if not text:
        return None
    if _NUMBER.fullmatch(text):
        return _from_epoch(float(text), value)
    iso = text[:-1] + "+00:00" if text[-1:] in ("Z", "z") else text
    try:
        parsed = datetime.fromisoformat(iso)
    except ValueError:
        raise ValueError(
            f"{value!r} is neither ISO 8601 (2026-01-31T12:00:00Z) nor epoch seconds"
        ) from None
    return _to_utc(parsed)


def _to_utc(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{value.isoformat()} is out of range in UTC") from None


def _from_epoch(number: float, original: object) -> datetime:
    if not math.isfinite(number):
        raise ValueError(f"{original!r} is not a finite number")
    seconds = number / 1000 if abs(number) >= MILLISECONDS_FROM else number
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        raise ValueError(f"{original!r} is out of range for an epoch timestamp") from None


def format_timestamp(value: datetime) -> str:
    """ISO 8601 in UTC with a `Z`, as the store's JSON serialisation writes it."""
    text = value.astimezone(UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text
