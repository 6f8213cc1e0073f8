"""The severities a policy may declare and the default prompt token budget.

A module of its own, free of pydantic: the CLI declares `--severity` and `--token-budget` with
them, so building `modgate policy --help` imports this module and nothing else of `policy`.
"""

from __future__ import annotations

import enum

DEFAULT_TOKEN_BUDGET = 1000
"""Compiled-prompt budget in tokens.

Policy-following models (gpt-oss-safeguard) do best when the policy itself is around 400–600
tokens. The compiled prompt adds about 200 tokens of fixed instructions and reply format, and
8–12 one-line examples add 250–350 more, so the whole prompt of a policy in that range lands
near 850–1000 tokens; past 1000 the policy part is almost surely too long.
"""


class Severity(enum.StrEnum):
    """How grave a violation of the policy is, for prioritising review and reporting."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"
