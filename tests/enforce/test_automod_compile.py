"""An import that reports success loads: the importer compiles what it writes.

Generated configurations of long alternations (the shape that broke RE2's default 8 MB budget)
must import to a rule set that `load_ruleset` reads back, with the RE2 budget in the report;
sets too large for one RE2 program are split, and what cannot compile is reported invalid.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from modgate.domain import Item
from modgate.enforce.rules import _match
from modgate.enforce.rules._load import load_ruleset
from modgate.enforce.rules._match import compile_ruleset
from modgate.enforce.rules._schema import Rule, RuleSet
from modgate.enforce.rules.automod._io import render_rule_set_yaml
from modgate.enforce.rules.automod._parse import parse_automod_config
from modgate.enforce.rules.automod._translate import import_automod_config


def _words(rng: random.Random, count: int) -> list[str]:
    return [
        "".join(rng.choice("bcdfghjklmnpqrstvwz") for _ in range(rng.randint(6, 11)))
        for _ in range(count)
    ]


def _long_alternation_config(sections: int, words_per_section: int) -> tuple[str, list[list[str]]]:
    rng = random.Random(60)
    texts, vocab = [], []
    for index in range(sections):
        words = _words(rng, words_per_section)
        vocab.append(words)
        alternation = "(" + "|".join(words) + ")"
        texts.append(
            f"# section {index}\ntype: submission\n"
            f"title+body (regex): ['{alternation}', 'x{index}(?i)y+']\naction: remove\n"
        )
    return "\n---\n".join(texts), vocab


def test_sixty_sections_of_long_alternations_import_to_a_loadable_set(tmp_path: Path) -> None:
    text, vocab = _long_alternation_config(60, 250)
    imported = import_automod_config(parse_automod_config(text), name="big")
    assert [e.status for e in imported.report.entries] == ["translated"] * 60
    report = imported.report
    # The patterns need more than RE2's default 8 MB: the budget is sized to them.
    assert report.re2_memory_mb > 8
    assert report.re2_sets >= 2  # title and body views at least
    assert "RE2:" in report.summary()
    target = tmp_path / "big.yaml"
    target.write_text(render_rule_set_yaml(imported), encoding="utf-8")
    loaded = load_ruleset(target)
    assert loaded.report.re2_sets == report.re2_sets
    # Each section's words fire its rule, with Python re as the oracle of the match.
    rng = random.Random(3)
    for index in rng.sample(range(60), 10):
        word = rng.choice(vocab[index])
        body = f"buy {word} now"
        assert re.search("(?:^|\\W|\\b)(" + "|".join(vocab[index]) + ")(?:$|\\W|\\b)", body)
        item = Item(id="p", kind="post", title="t", body=body)
        why = {e.rule_id: e for e in loaded.explain(item)}
        (rule_id,) = imported.report.entries[index].rule_ids
        assert why[rule_id].fired or why[rule_id].reason.startswith("would fire")


def test_a_small_cap_splits_the_set_and_matching_is_unchanged() -> None:
    rng = random.Random(5)
    rules = [
        Rule(id=f"r{i}", regex=("(?:" + "|".join(_words(rng, 1500)) + ")",)) for i in range(12)
    ]
    whole = compile_ruleset(RuleSet(name="whole", rules=tuple(rules)))
    split = compile_ruleset(RuleSet(name="split", rules=tuple(rules), re2_max_memory_mb=8))
    assert split.report.re2_sets > whole.report.re2_sets
    for rule in rules:
        word = rule.regex[0][3:].split("|")[7]
        item = Item(id="i", body=f"so {word} here")
        expected = [h.rule.id for h in whole.match(item).hits]
        assert expected and [h.rule.id for h in split.match(item).hits] == expected


def test_sets_hold_a_bounded_amount_of_pattern_text_and_matching_is_unchanged(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = random.Random(8)
    rules = [Rule(id=f"r{i}", regex=("(?:" + "|".join(_words(rng, 300)) + ")",)) for i in range(12)]
    ruleset = RuleSet(name="chunks", rules=tuple(rules))
    whole = compile_ruleset(ruleset)
    one_rule = len(rules[0].regex[0])
    monkeypatch.setattr(_match, "_RE2_SET_MAX_CHARS", 3 * one_rule)
    chunked = compile_ruleset(ruleset)
    # Two field views of 12 patterns of about one_rule characters each, at most three
    # patterns per set: four sets or more per view.
    assert whole.report.re2_sets == 2
    assert chunked.report.re2_sets >= 8
    for rule in rules:
        word = rule.regex[0][3:].split("|")[11]
        item = Item(id="i", body=f"so {word} here")
        expected = [h.rule.id for h in whole.match(item).hits]
        assert rule.id in expected
        assert [h.rule.id for h in chunked.match(item).hits] == expected
    assert not chunked.match(Item(id="i", body="nothing to see")).hits


def test_a_section_that_cannot_compile_is_reported_invalid_with_the_reason() -> None:
    rng = random.Random(9)
    huge = "(" + "|".join(_words(rng, 6000)) + ")"
    text = (
        "type: comment\nbody: [fine]\naction: remove\n---\n"
        f"type: comment\nbody (regex): ['{huge}']\naction: remove\n"
    )
    imported = import_automod_config(parse_automod_config(text), name="x", re2_max_memory_mb=1)
    first, second = imported.report.entries
    assert first.status == "translated"
    assert second.status == "invalid"
    assert "too large for RE2" in second.reason and "1 MB" in second.reason
    assert [rule.id for rule in imported.rules] == list(first.rule_ids)
    compile_ruleset(imported.rule_set)  # what is written loads
