"""The split names of a frozen version and the dimensions coverage counts by.

A module of its own, free of pydantic and the database: the CLI's help and defaults name them,
so building `modgate golden --help` imports this module and nothing else of `golden`.
"""

from __future__ import annotations

from typing import Literal

SPLITS: tuple[str, ...] = ("train", "dev", "test")
"""Split names of a frozen version, in order."""

Dimension = Literal["policy", "label", "criterion", "allowed", "community", "tag"]
DIMENSIONS: tuple[Dimension, ...] = ("policy", "label", "criterion", "allowed", "community", "tag")
"""Every dimension coverage can be counted by."""
