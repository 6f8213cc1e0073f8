"""Shared helpers of the AutoModerator importer tests: fixtures, probes, expectations."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from modgate.domain import AuthorInfo, Item
from modgate.enforce.rules.automod._model import AutomodConfig, AutomodDocument

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "automod"
_TAG = re.compile(r"\[([A-Z]+\d+)\]")


def probe_item(spec: dict[str, Any], ident: str) -> Item:
    """Build an item from the shorthand of the expectation files."""
    data = dict(spec)
    repeat = data.pop("repeat", None)
    author = data.pop("author", None)
    if repeat is not None:
        data["body"] = data.get("body", "") * int(repeat)
    return Item(
        id=ident,
        community=data.pop("community", "leafcare"),
        author=AuthorInfo(**author) if author is not None else None,
        **data,
    )


@cache
def load_expectations(name: str) -> dict[str, dict[str, Any]]:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    loaded = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    assert isinstance(loaded, dict)
    return {str(k): v for k, v in loaded.items()}


def documents_by_tag(config: AutomodConfig) -> dict[str, AutomodDocument]:
    found: dict[str, AutomodDocument] = {}
    for doc in config.documents:
        tag = _TAG.search(doc.first_line)
        if tag:
            assert tag.group(1) not in found, f"tag {tag.group(1)} used twice"
            found[tag.group(1)] = doc
    return found


@cache
def probe_cases(name: str) -> list[tuple[str, int, bool, dict[str, Any]]]:
    """(tag, probe number, should match, probe) for every probe of an expectations file."""
    cases = []
    for tag, expected in load_expectations(name).items():
        for should, key in ((True, "match"), (False, "no_match")):
            for number, probe in enumerate(expected.get(key) or []):
                cases.append((tag, number, should, probe))
    return cases
