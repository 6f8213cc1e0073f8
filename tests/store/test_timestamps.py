from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from modgate.store import format_timestamp, parse_timestamp


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-01-31T12:00:00Z", datetime(2026, 1, 31, 12, tzinfo=UTC)),
        ("2026-01-31 14:00:00+02:00", datetime(2026, 1, 31, 12, tzinfo=UTC)),
        ("2026-01-31T12:00:00", datetime(2026, 1, 31, 12, tzinfo=UTC)),
        ("2026-01-31", datetime(2026, 1, 31, tzinfo=UTC)),
        ("1700000000", datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        (" 1700000000.5 ", datetime(2023, 11, 14, 22, 13, 20, 500000, tzinfo=UTC)),
        (1700000000, datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        (1700000000000, datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        (date(2026, 1, 31), datetime(2026, 1, 31, tzinfo=UTC)),
        ("", None),
        (None, None),
    ],
)
def test_accepted_forms(value: object, expected: datetime | None) -> None:
    assert parse_timestamp(value) == expected


@pytest.mark.parametrize(
    "value",
    ["yesterday", "2026-13-01", True, float("nan"), "1e400", 1e30, [1], "9999-12-31T23:00-05:00"],
)
def test_rejected_forms_raise_value_error_naming_the_value(value: object) -> None:
    with pytest.raises(ValueError):
        parse_timestamp(value)


@given(st.text())
def test_any_string_parses_to_utc_or_raises_value_error(text: str) -> None:
    try:
        parsed = parse_timestamp(text)
    except ValueError:
        return
    assert parsed is None or parsed.utcoffset() == timedelta(0)


@given(
    st.datetimes(
        min_value=datetime(2, 1, 1, tzinfo=UTC).replace(tzinfo=None),
        max_value=datetime(9998, 12, 31, tzinfo=UTC).replace(tzinfo=None),
    ),
    st.integers(min_value=-14 * 60, max_value=14 * 60),
)
def test_iso_round_trip_is_the_same_instant(moment: datetime, offset_minutes: int) -> None:
    aware = moment.replace(tzinfo=timezone(timedelta(minutes=offset_minutes)))
    parsed = parse_timestamp(aware.isoformat())
    assert parsed == aware
    assert parsed is not None and parsed.tzinfo is UTC
    assert parse_timestamp(format_timestamp(parsed)) == parsed


@given(st.integers(min_value=-(10**10), max_value=10**10))
def test_epoch_seconds_round_trip(seconds: int) -> None:
    parsed = parse_timestamp(str(seconds))
    assert parsed is not None
    assert parsed.timestamp() == seconds
