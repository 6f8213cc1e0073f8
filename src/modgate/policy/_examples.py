"""The example policies shipped with modgate (harassment, hate speech, violent threats)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def example_policy_files() -> list[Path]:
    """Paths of the shipped example policies, sorted by name."""
    folder = Path(str(resources.files("modgate.policy") / "examples"))
    return sorted(folder.glob("*.yaml"))
