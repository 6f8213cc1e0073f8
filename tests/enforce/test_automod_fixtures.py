"""The fixture configs import as expected, and every translated rule matches its probes.

leafcare.yaml and its expectations are hand-written; plantswap.yaml (hundreds of rules) and its
expectations are written together by make_plantswap.py from each rule's parameters.
"""

from __future__ import annotations

from functools import cache

import pytest

from modgate.enforce.rules._match import CompiledRuleSet, compile_ruleset
from modgate.enforce.rules._schema import RuleSet
from modgate.enforce.rules.automod._match import match_automod_rule
from modgate.enforce.rules.automod._model import AutomodConfig, AutomodDocument
from modgate.enforce.rules.automod._parse import read_automod_config
from modgate.enforce.rules.automod._translate import AutomodImport, import_automod_config
from tests.enforce.automod_probes import (
    FIXTURES,
    documents_by_tag,
    load_expectations,
    probe_cases,
    probe_item,
)

CONFIGS = ("leafcare", "plantswap")


@cache
def imported(name: str) -> tuple[AutomodImport, CompiledRuleSet]:
    result = import_automod_config(parsed(name), name=name)
    return result, compile_ruleset(result.rule_set)


@pytest.mark.parametrize("name", CONFIGS)
def test_every_rule_gets_the_expected_status(name: str) -> None:
    config = parsed(name)
    result, _ = imported(name)
    entries = {entry.index: entry for entry in result.report.entries}
    assert len(entries) == len(config.documents)
    tagged = documents_by_tag(config)
    expected = load_expectations(f"{name}.expect.yaml")
    assert set(tagged) == set(expected)
    got = {tag: entries[doc.index].status for tag, doc in tagged.items()}
    assert got == {tag: e["status"] for tag, e in expected.items()}
    for entry in result.report.entries:
        if entry.status == "translated":
            assert entry.rule_ids and not entry.reason
        else:
            assert entry.reason and not entry.rule_ids


@pytest.mark.parametrize("name", CONFIGS)
def test_every_translated_rule_has_positive_and_negative_probes(name: str) -> None:
    for tag, expected in load_expectations(f"{name}.expect.yaml").items():
        if expected["status"] == "translated":
            assert expected.get("match") and expected.get("no_match"), tag


@pytest.mark.parametrize("name", CONFIGS)
def test_large_fixture_shape(name: str) -> None:
    result, compiled = imported(name)
    counts = result.report.counts()
    assert sum(counts.values()) == len(result.report.entries)
    if name == "plantswap":
        assert counts["translated"] >= 250
        assert compiled.report.rules == len(result.rules)


@cache
def parsed(name: str) -> AutomodConfig:
    return read_automod_config(FIXTURES / f"{name}.yaml")


def _translated_tags() -> list[tuple[str, str]]:
    return [
        (name, tag)
        for name in CONFIGS
        for tag, expected in load_expectations(f"{name}.expect.yaml").items()
        if expected.get("match") or expected.get("no_match")
    ]


@cache
def tagged(name: str) -> dict[str, AutomodDocument]:
    return documents_by_tag(parsed(name))


@pytest.mark.parametrize(("name", "tag"), _translated_tags())
def test_translated_rule_matches_its_probes(name: str, tag: str) -> None:
    result, _ = imported(name)
    doc = tagged(name)[tag]
    entry = next(e for e in result.report.entries if e.index == doc.index)
    assert doc.rule is not None
    # Each rule on its own: in the whole rule set an earlier removal rule may shadow it.
    own = tuple(rule for rule in result.rules if rule.id in entry.rule_ids)
    compiled = compile_ruleset(RuleSet(name=tag, rules=own))
    cases = [c for c in probe_cases(f"{name}.expect.yaml") if c[0] == tag]
    for _, number, should, probe in cases:
        item = probe_item(probe, f"{tag}-{number}")
        outcome = compiled.match(item)
        assert outcome.error is None
        fired = any(hit.rule.id in entry.rule_ids for hit in outcome.hits)
        assert fired is should, (probe, compiled.explain(item))
        assert (match_automod_rule(doc.rule, item) is not None) is should, probe
