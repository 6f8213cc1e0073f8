"""Parsing of CLI option values that Typer does not handle (times)."""

from __future__ import annotations

from datetime import UTC, datetime

from modgate.errors import ValidationError


def parse_time(value: str, option: str) -> datetime:
    """Parse an ISO 8601 date or time; a value without a zone is taken as UTC.

    Raises:
        ValidationError: The value is not ISO 8601; the message names the option.
    """
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValidationError(
            f"{option}: {value!r} is not an ISO 8601 date or time (e.g. 2026-01-31T12:00Z)"
        ) from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
