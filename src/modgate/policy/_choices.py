"""The severities a policy may declare.

A module of its own, free of pydantic: the CLI declares `--severity` with this enum, so
building `modgate policy --help` imports this module and nothing else of `policy`.
"""

from __future__ import annotations

import enum


class Severity(enum.StrEnum):
    """How grave a violation of the policy is, for prioritising review and reporting."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"
