"""RulesEnforcer: the Enforcer contract, verdict contents, policies, registry and errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from modgate.domain import Action, Item
from modgate.enforce import EnforcerSpec, EnforcerThresholds, create_enforcer
from modgate.enforce.rules import RulesEnforcer, RuleSet, compile_ruleset
from modgate.errors import EnforcerError
from modgate.testing import check_enforcer

RULES: dict[str, Any] = {
    "policy": "violence@1",
    "rules": [
        {"id": "threat", "keywords": ["kill you"], "action": "remove", "criterion": "threat"},
        {"id": "weak", "keywords": ["idiot"], "score": 0.3, "criterion": "insult"},
        {"id": "slow", "regex": [r"(a|aa)+(?=!)"], "match_on": "raw", "action": "review"},
        {"id": "other-policy", "keywords": ["spam"], "policy": "spam@1", "action": "remove"},
    ],
    "regex_timeout_ms": 10,
}


def make(thresholds: EnforcerThresholds | None = None, policy: str = "violence@1") -> RulesEnforcer:
    spec = EnforcerSpec(
        name="rules-test",
        kind="rules",
        policy=policy,
        params={"rules": RULES},
        thresholds=thresholds or EnforcerThresholds(remove=0.9, warn=0.25),
    )
    return RulesEnforcer(spec)


def test_passes_the_conformance_battery() -> None:
    check_enforcer(make())


def test_a_match_gives_the_rule_score_action_criterion_and_span() -> None:
    verdict = make().predict([Item(id="a", body="I will k1ll you, idiot")])[0]
    assert verdict.score == 1.0
    assert verdict.action is Action.REMOVE
    assert verdict.label == "violating"
    assert verdict.criteria == ("threat", "insult")
    assert "rule threat (remove): 'kill you' at 7-15 of normalized body" in verdict.rationale
    assert "rule weak (thresholds)" in verdict.rationale


def test_a_rule_without_action_uses_the_enforcer_thresholds() -> None:
    verdict = make().predict([Item(id="a", body="idiot")])[0]
    assert verdict.score == 0.3
    assert verdict.action is Action.WARN  # 0.3 >= warn 0.25
    assert verdict.label == "non_violating"


def test_no_match_allows() -> None:
    verdict = make().predict([Item(id="a", body="have a nice day")])[0]
    assert (verdict.score, verdict.action, verdict.criteria, verdict.error) == (
        0.0,
        Action.ALLOW,
        (),
        None,
    )


def test_rules_of_another_policy_do_not_take_part() -> None:
    assert make().predict([Item(id="a", body="spam")])[0].action is Action.ALLOW
    spam = make(policy="spam@1")
    assert spam.predict([Item(id="a", body="spam")])[0].action is Action.REMOVE


def test_a_timeout_gives_an_error_verdict_that_goes_to_review() -> None:
    verdict = make().predict([Item(id="a", body="a" * 5000 + " kill you")])[0]
    assert verdict.error is not None and "slow" in verdict.error
    assert verdict.action is Action.REVIEW


def test_no_rule_for_the_policy_is_a_configuration_error() -> None:
    with pytest.raises(EnforcerError, match="no rule for policy 'hate'"):
        make(policy="hate@1")


def test_the_registry_builds_the_rules_kind_from_a_spec_with_a_file(tmp_path: Path) -> None:
    file = tmp_path / "violence.yaml"
    file.write_text("policy: violence@1\nrules:\n  - id: t\n    keywords: [kill you]\n")
    spec = EnforcerSpec(name="v", kind="rules", policy="violence@1", params={"ruleset": str(file)})
    enforcer = create_enforcer(spec)
    assert isinstance(enforcer, RulesEnforcer)
    assert enforcer.spec == spec
    assert enforcer.predict([Item(id="a", body="kill you")])[0].action is Action.REMOVE


def test_params_need_a_ruleset() -> None:
    with pytest.raises(EnforcerError, match="params.ruleset"):
        RulesEnforcer(EnforcerSpec(name="v", kind="rules", policy="p@1"))


def test_a_compiled_ruleset_can_be_passed_in() -> None:
    compiled = compile_ruleset(RuleSet.model_validate(RULES))
    enforcer = RulesEnforcer(EnforcerSpec(name="v", kind="rules", policy="violence"), compiled)
    assert enforcer.ruleset is compiled
    assert enforcer.predict([Item(id="a", body="kill you")])[0].score == 1.0


def test_the_rationale_names_the_first_rules_and_counts_the_rest() -> None:
    many = {"rules": [{"id": f"r{i}", "keywords": [f"w{i}x"], "action": "warn"} for i in range(7)]}
    spec = EnforcerSpec(name="m", kind="rules", policy="p@1", params={"rules": many})
    body = " ".join(f"w{i}x" for i in range(7))
    verdict = RulesEnforcer(spec).predict([Item(id="a", body=body)])[0]
    assert verdict.rationale.count("rule r") == 5
    assert verdict.rationale.endswith("and 2 more rule(s)")
    assert verdict.action is Action.WARN
