"""docs/security.md names the test behind every promise: each named test must exist."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECURITY = ROOT / "docs" / "security.md"
_REFERENCE = re.compile(r"`(tests/[\w/]+\.py)?::(\w+)`")


def _references() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    current = ""
    for match in _REFERENCE.finditer(SECURITY.read_text(encoding="utf-8")):
        current = match.group(1) or current  # `::name` continues the last file named
        found.append((current, match.group(2)))
    return found


def test_every_test_named_in_security_md_exists() -> None:
    references = _references()
    assert len(references) > 30
    missing = [
        f"{file}::{name}"
        for file, name in references
        if not re.search(rf"^def {name}\(", (ROOT / file).read_text(encoding="utf-8"), re.MULTILINE)
    ]
    assert missing == []


def test_the_threat_model_covers_the_five_adversaries() -> None:
    text = SECURITY.read_text(encoding="utf-8")
    for who in (
        "Analyst with SQL access",
        "API client with a key",
        "Hostile content",
        "Hostile LLM server",
        "Hostile config file",
    ):
        assert f"**{who}**" in text
