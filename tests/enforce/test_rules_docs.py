"""The rule set example of docs/rules.md loads, and the demo rule set does too."""

from __future__ import annotations

import re
from pathlib import Path

from modgate.cli.demo._rules import demo_ruleset_file
from modgate.domain import AuthorInfo, Item
from modgate.enforce.rules import load_ruleset, parse_ruleset

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_the_docs_example_loads_and_behaves_as_described() -> None:
    text = (DOCS / "rules.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(.*?)```", text, re.S)
    assert block is not None
    ruleset = parse_ruleset(block.group(1), "docs/rules.md")
    assert [r.id for r in ruleset.rules] == [
        "threats",
        "threat-patterns",
        "new-accounts-with-links",
    ]


def test_the_demo_ruleset_loads_and_catches_evasions() -> None:
    compiled = load_ruleset(demo_ruleset_file())
    assert compiled.report.fallback_rules == ("insult-trash",)
    result = compiled.match(Item(id="i", body="i will k1ll you, f a g g o t"))
    assert [h.rule.id for h in result.hits] == ["slurs", "threats"]
    spam = Item(
        id="s",
        body="read https://x.example",
        community="news",
        author=AuthorInfo(account_age_days=1),
    )
    assert [h.rule.id for h in compiled.match(spam).hits] == ["new-account-links"]
