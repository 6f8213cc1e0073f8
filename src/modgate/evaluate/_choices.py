"""The formats an eval report renders to.

A module of its own, free of pydantic and numpy: the CLI declares `eval report --format` with
this enum, so building `modgate eval --help` imports this module and nothing else of `evaluate`.
"""

from __future__ import annotations

import enum


class ReportFormat(enum.StrEnum):
    """Formats an eval report renders to."""

    JSON = "json"
    MARKDOWN = "markdown"
    HTML = "html"
