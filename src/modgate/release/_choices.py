"""Deployment stages and readiness report formats.

A module of its own, free of pydantic and the database: the CLI declares `--stage` and
`--format` with these enums, so building `modgate deploy --help` or `modgate gate --help`
imports this module and nothing else of `release`.
"""

from __future__ import annotations

import enum


class Stage(enum.StrEnum):
    """Where `deploy set` puts an enforcer version (`off` takes it out of shadow or canary)."""

    ACTIVE = "active"
    CANARY = "canary"
    SHADOW = "shadow"
    OFF = "off"


class ReadinessFormat(enum.StrEnum):
    """Formats a readiness report renders to."""

    TABLE = "table"
    JSON = "json"
    MARKDOWN = "markdown"
