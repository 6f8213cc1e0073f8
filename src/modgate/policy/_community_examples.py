"""A small community-rules export shipped with modgate (our own text), for the demo and docs."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def example_community_rules_file() -> Path:
    """Path of the shipped example export: 6 communities, 23 rules, in Reddit's column names.

    Example:
        >>> example_community_rules_file().name
        'community_rules.csv'
    """
    return Path(str(resources.files("modgate.policy") / "examples" / "community_rules.csv"))
