"""Rule-set fields added for AutoModerator imports: reports, body length, moderator exemption,
submitter, reasons with `{{match}}`, and the author / flair / id / unquoted-body fields."""

from __future__ import annotations

from typing import Any

import pytest

from modgate.domain import Action, AuthorInfo, Item
from modgate.enforce import EnforcerSpec
from modgate.enforce.rules import Rule, RulesEnforcer, RuleSet, compile_ruleset


def fires(rule: dict[str, Any], item: Item) -> bool:
    compiled = compile_ruleset(RuleSet(name="t", rules=(Rule.model_validate(rule),)))
    return bool(compiled.match(item).hits)


def test_reports_compare_meta_reports_and_unknown_never_holds() -> None:
    rule = {"id": "r", "reports": ">= 3"}
    assert fires(rule, Item(id="1", meta={"reports": 3}))
    assert not fires(rule, Item(id="2", meta={"reports": 2}))
    assert not fires(rule, Item(id="3"))
    assert not fires(rule, Item(id="4", meta={"reports": True}))


def test_body_length_trims_non_word_ends_and_all_comparisons_hold() -> None:
    rule = {"id": "r", "body_length": ["> 2", "< 6"]}
    assert not fires(rule, Item(id="1", body="  ok!!! yes "))  # "ok!!! yes" is 9: too long
    assert not fires(rule, Item(id="2", body="!!ok!!"))  # "ok": 2, not > 2
    assert fires(rule, Item(id="3", body="...yes..."))
    assert not fires(rule, Item(id="4", body="abcdef"))


def test_moderators_exempt_skips_known_moderators_only() -> None:
    rule = {"id": "r", "keywords": ["spam"], "moderators_exempt": True}
    assert not fires(rule, Item(id="1", body="spam", author=AuthorInfo(is_moderator=True)))
    assert fires(rule, Item(id="2", body="spam", author=AuthorInfo(is_moderator=False)))
    assert fires(rule, Item(id="3", body="spam"))


def test_is_submitter_is_true_for_posts_and_read_from_meta_for_comments() -> None:
    rule = {"id": "r", "author": {"is_submitter": True}}
    assert fires(rule, Item(id="1", kind="post", title="t"))
    assert fires(rule, Item(id="2", kind="comment", meta={"is_submitter": True}))
    assert not fires(rule, Item(id="3", kind="comment", meta={"is_submitter": False}))
    assert not fires(rule, Item(id="4", kind="comment"))


@pytest.mark.parametrize(
    ("field", "item", "value"),
    [
        ("author", Item(id="1", author_id="Spammer_1"), "spammer_1"),
        ("post_flair", Item(id="2", meta={"flair_text": "Meme"}), "meme"),
        ("post_flair_class", Item(id="3", meta={"flair_css_class": "q"}), "q"),
        ("id", Item(id="t3_abc"), "t3_abc"),
        ("body_unquoted", Item(id="4", body="> quoted\n\nown words"), "own"),
    ],
)
def test_new_fields_are_searchable(field: str, item: Item, value: str) -> None:
    rule = {"id": "r", "match_on": "raw", "checks": [{"values": [value], "fields": [field]}]}
    assert fires(rule, item)


def test_body_unquoted_drops_quoted_lines() -> None:
    rule = {"id": "r", "checks": [{"values": ["quoted"], "fields": ["body_unquoted"]}]}
    assert not fires(rule, Item(id="1", body="> quoted\nmine"))


def test_reason_renders_the_match_as_written_and_the_author() -> None:
    ruleset = RuleSet(
        name="t",
        rules=(
            Rule(
                id="r",
                match_on="raw",
                keywords=("spam",),
                action=Action.REMOVE,
                reason="{{kind}} in r/{{subreddit}}: spam word {{match}} from {{author}}; "
                "{{permalink}} kept",
            ),
        ),
    )
    spec = EnforcerSpec(name="e", kind="rules", policy="p")
    (verdict,) = RulesEnforcer(spec, compile_ruleset(ruleset)).predict(
        [Item(id="1", kind="comment", community="leafcare", body="Buy SPAM", author_id="u9")]
    )
    assert "comment in r/leafcare: spam word SPAM from u9; {{permalink}} kept" in verdict.rationale


def test_only_the_first_firing_rule_of_an_exclusive_group_counts() -> None:
    rules = (
        Rule(id="a", keywords=("deal",), action=Action.REVIEW, exclusive_group="g"),
        Rule(id="b", keywords=("deal",), action=Action.REMOVE, exclusive_group="g"),
        Rule(id="c", keywords=("deal",), action=Action.LABEL),
        Rule(id="d", keywords=("other",), action=Action.REMOVE, exclusive_group="g"),
    )
    compiled = compile_ruleset(RuleSet(name="t", rules=rules))
    assert [h.rule.id for h in compiled.match(Item(id="1", body="a deal")).hits] == ["a", "c"]
    assert [h.rule.id for h in compiled.match(Item(id="2", body="other")).hits] == ["d"]
    explained = {e.rule_id: e.fired for e in compiled.explain(Item(id="3", body="deal other"))}
    assert explained == {"a": True, "b": False, "c": True, "d": False}
