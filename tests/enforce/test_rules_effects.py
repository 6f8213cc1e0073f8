"""Rule effects, placeholders, approval rules and the context checks of rule sets; effects on
stored verdicts and decisions; items with edited / top-level / parent-post fields."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError as PydanticValidationError

from modgate.domain import (
    CONTRIBUTOR_QUALITY,
    Action,
    AuthorInfo,
    Decision,
    Effect,
    Item,
    ParentPost,
    Verdict,
)
from modgate.enforce import (
    ApplicablePolicy,
    EnforcerSpec,
    EnforcerVersion,
    combine_verdicts,
    list_decisions,
    list_verdicts,
    write_decisions,
    write_verdicts,
)
from modgate.enforce.rules._enforcer import RulesEnforcer
from modgate.enforce.rules._match import compile_ruleset
from modgate.enforce.rules._schema import QualityCondition, Rule, RuleSet
from modgate.store import ItemMapping, Store, get_item, import_items, item_content_hash, save_items

WHEN = datetime(2026, 1, 1, tzinfo=UTC)


def judge(rules: list[dict[str, Any]], item: Item) -> Verdict:
    ruleset = RuleSet.model_validate({"name": "t", "rules": rules})
    spec = EnforcerSpec(name="e", kind="rules", policy="p")
    (verdict,) = RulesEnforcer(spec, compile_ruleset(ruleset)).predict([item])
    return verdict


@pytest.mark.parametrize(
    ("effect", "message"),
    [
        ({"kind": "comment"}, "needs text"),
        ({"kind": "set_locked", "value": "yes"}, "true or false"),
        ({"kind": "set_suggested_sort", "value": "best-ever"}, "value must be one of"),
        ({"kind": "remove", "text": "x"}, "targets parent_post"),
        ({"kind": "message", "text": "x", "target": "author"}, "only set_flair"),
        ({"kind": "set_nsfw", "value": True, "text": "x"}, "takes no text"),
    ],
)
def test_bad_effects_are_refused_naming_the_problem(effect: dict[str, Any], message: str) -> None:
    with pytest.raises(PydanticValidationError, match=message):
        Rule.model_validate({"id": "r", "keywords": ["x"], "effects": [effect]})


def test_effects_are_filled_in_for_the_item_and_limited_like_automoderator() -> None:
    rules = [
        {
            "id": "r",
            "match_on": "raw",
            "checks": [{"values": [r"(sp)(a+)m"], "regex": True, "match": "includes"}],
            "action": "remove",
            "reason": "{{match}}/{{match-1}}/{{match-2}}/{{match-9}} {{nothing}}",
            "effects": [
                {"kind": "comment", "text": "{{author}} in {{subreddit}}: {{permalink}}"},
                {"kind": "modmail", "text": "{{kind}}: {{title}}", "subject": "x" * 150},
                {"kind": "set_flair", "text": "f" * 80, "css_class": "a$b  c-d"},
            ],
        }
    ]
    item = Item(
        id="1", kind="comment", body="buy SPAAM now", author_id="u1", community="c",
        parent_post=ParentPost(title="the post"), meta={"permalink": "https://x/1"},
    )  # fmt: skip
    verdict = judge(rules, item)
    assert verdict.action is Action.REMOVE
    assert "SPAAM/SP/AA/{{match-9}} {{nothing}}" in verdict.rationale
    comment, modmail, flair = verdict.effects
    assert comment.text == "u1 in c: https://x/1" and comment.rule == "r"
    assert modmail.text == "comment: the post" and modmail.subject == "x" * 100
    assert flair.text == "f" * 64 and flair.css_class == "ab c-d"


def test_placeholders_the_item_cannot_fill_stay_as_written() -> None:
    text = "{{title}} {{url}} {{permalink}} {{match}}"
    rules = [{"id": "r", "kinds": ["comment"], "effects": [{"kind": "comment", "text": text}]}]
    (effect,) = judge(rules, Item(id="1", kind="comment", body="x")).effects
    assert effect.text == "{{title}} {{url}} {{permalink}} {{match}}"


def _approval_rules(**approval: Any) -> list[dict[str, Any]]:
    return [
        {"id": "rm", "keywords": ["spam"], "action": "remove", "exclusive_group": "g"},
        {"id": "rep", "keywords": ["spam"], "action": "review", "reports": ">= 1"},
        {
            "id": "ok",
            "checks": [{"values": ["alice"], "fields": ["author"], "match": "full-exact"}],
            **approval,
        },
        {"id": "late", "keywords": ["spam"], "action": "review", "reports": ">= 1"},
    ]


def test_an_approval_overrides_the_rules_it_names_and_clears_later_report_counts() -> None:
    rules = _approval_rules(approves=["group:g", "rep"], reason="trusted {{author}}")
    item = Item(id="1", body="spam", author_id="alice", meta={"reports": 2})
    verdict = judge(rules, item)
    assert verdict.action is Action.ALLOW and verdict.score == 0.0
    assert "rule rm overridden by approval rule ok" in verdict.rationale
    assert [(e.kind, e.text) for e in verdict.effects] == [("approve", "trusted alice")]
    # Another author: nothing approves; removal and both report-counting rules act.
    other = judge(rules, item.model_copy(update={"author_id": "bob"}))
    assert other.action is Action.REMOVE and other.effects == ()
    assert "rule late" in other.rationale


def test_an_approval_with_needs_acts_only_when_they_fired() -> None:
    rules = _approval_rules(approves=["group:g"], approval_needs=["group:g"])
    quiet = Item(id="1", body="hello", author_id="alice")
    assert judge(rules, quiet).effects == ()
    removed = judge(rules, Item(id="2", body="spam", author_id="alice"))
    assert removed.action is Action.ALLOW
    assert [e.kind for e in removed.effects] == ["approve"]


def test_rules_check_explains_overridden_rules() -> None:
    rules = _approval_rules(approves=["group:g"])
    compiled = compile_ruleset(RuleSet.model_validate({"name": "t", "rules": rules}))
    explained = {
        e.rule_id: e for e in compiled.explain(Item(id="1", body="spam", author_id="alice"))
    }
    assert not explained["rm"].fired and explained["rm"].overridden_by == "ok"
    assert explained["ok"].fired


@pytest.mark.parametrize(
    ("rule", "item", "fires"),
    [
        ({"is_edited": True}, {"is_edited": True}, True),
        ({"is_edited": True}, {"is_edited": False}, False),
        ({"is_edited": False}, {}, False),  # unknown never satisfies
        ({"is_top_level": True}, {"kind": "comment", "is_top_level": True}, True),
        ({"is_top_level": False}, {"kind": "comment"}, False),
        ({"parent_post": {}}, {"parent_post": ParentPost(title="t")}, True),
        ({"parent_post": {}}, {}, False),
        ({"parent_post": {"reports": ">= 2"}}, {"parent_post": ParentPost(reports=2)}, True),
        ({"parent_post": {"reports": ">= 2"}}, {"parent_post": ParentPost(reports=1)}, False),
        ({"parent_post": {"is_edited": True}}, {"parent_post": ParentPost()}, False),
        (
            {
                "checks": [
                    {
                        "values": ["tpl"],
                        "fields": ["parent_post_flair_template_id"],
                        "match": "full-exact",
                    }
                ]
            },  # fmt: skip
            {"parent_post": ParentPost(flair_template_id="TPL")},
            True,
        ),
        (
            {
                "checks": [
                    {
                        "values": ["self.c"],
                        "fields": ["post_flair_template_id", "author_flair_class"],
                        "match": "full-exact",
                    }
                ]
            },  # fmt: skip
            {"meta": {"flair_template_id": "self.c"}},
            True,
        ),
        (
            {"author": {"contributor_quality": "< moderate"}},
            {"author": AuthorInfo(contributor_quality="low")},
            True,
        ),  # fmt: skip
        ({"author": {"contributor_quality": "< moderate"}}, {"author": AuthorInfo()}, False),
    ],
)
def test_context_checks(rule: dict[str, Any], item: dict[str, Any], fires: bool) -> None:
    compiled = compile_ruleset(
        RuleSet.model_validate({"name": "t", "rules": [{"id": "r", **rule}]})
    )
    assert bool(compiled.match(Item(id="1", body="b", **item)).hits) is fires


@given(
    op=st.sampled_from(["<", "<=", ">", ">=", "==", "!="]),
    band=st.sampled_from(CONTRIBUTOR_QUALITY),
    observed=st.sampled_from(CONTRIBUTOR_QUALITY),
)
def test_contributor_quality_compares_bands_in_order(op: str, band: str, observed: str) -> None:
    condition = QualityCondition.model_validate({"op": op, "band": band})
    a, b = CONTRIBUTOR_QUALITY.index(observed), CONTRIBUTOR_QUALITY.index(band)  # type: ignore[arg-type]
    expected = {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b, "==": a == b, "!=": a != b}
    assert condition.holds(observed) is expected[op]  # type: ignore[arg-type]


def _verdict(policy: str, action: Action, *effects: Effect) -> Verdict:
    return Verdict(
        item_id="i1", policy=policy, enforcer=f"{policy}-e@1", score=0.9,
        label="violating", action=action, effects=effects,
    )  # fmt: skip


def test_a_decision_returns_the_effects_of_the_verdicts_behind_its_action() -> None:
    removal = Effect(kind="comment", text="removed", rule="r1")
    flair = Effect(kind="set_flair", text="f", rule="r2")
    label = Effect(kind="comment", text="labelled", rule="r3")
    policies = [ApplicablePolicy(policy=p) for p in ("a@1", "b@1", "c@1")]
    decision = combine_verdicts(
        Item(id="i1", body="x"),
        [
            _verdict("a", Action.REMOVE, removal),
            _verdict("b", Action.REMOVE, flair, removal),
            _verdict("c", Action.LABEL, label),
        ],
        policies,
        decision_id="d",
        decided_at=WHEN,
    )
    assert decision.action is Action.REMOVE
    assert decision.effects == (removal, flair)
    capped = combine_verdicts(
        Item(id="i1", body="x"),
        [_verdict("a", Action.REMOVE, removal)],
        [ApplicablePolicy(policy="a@1", actions=frozenset({Action.LABEL}))],
        decision_id="d",
        decided_at=WHEN,
    )
    assert capped.action is Action.LABEL and capped.effects == (removal,)


def test_effects_are_stored_with_verdicts_and_decisions(store: Store) -> None:
    effects = (
        Effect(kind="comment", text="hi", stickied=True, rule="r"),
        Effect(kind="remove", target="parent_post", text="why", rule="r"),
    )
    verdict = _verdict("p", Action.REMOVE, *effects)
    version = EnforcerVersion(
        name="p-e", version=1, kind="rules", policy="p",
        spec=EnforcerSpec(name="p-e", kind="rules", policy="p"), spec_hash="s",
        artifact_hash=None, data_hash=None, version_hash="v", artifact_path=None,
        metrics={}, created_at=WHEN, created_by="t",
    )  # fmt: skip
    decision = Decision(
        decision_id="d1", item_id="i1", action=Action.REMOVE, decided_at=WHEN, effects=effects
    )
    plain = Decision(decision_id="d2", item_id="i2", action=Action.ALLOW, decided_at=WHEN)
    with store.begin() as conn:
        write_verdicts(conn, [verdict, _verdict("q", Action.ALLOW)], version, now=WHEN)
        write_decisions(conn, [decision, plain])
    stored = {v.policy: v for v in list_verdicts(store)}
    assert stored["p"].effects == effects and stored["q"].effects == ()
    decisions = {d.decision_id: d for d in list_decisions(store)}
    assert decisions["d1"].effects == effects and decisions["d2"].effects == ()


def test_items_keep_edited_top_level_and_parent_post(store: Store) -> None:
    item = Item(
        id="c1", kind="comment", body="b", is_edited=True, is_top_level=False,
        parent_post=ParentPost(title="t", flair_template_id="tpl", reports=3),
        author=AuthorInfo(flair_css_class="vet", contributor_quality="high"),
    )  # fmt: skip
    save_items(store, [item], actor="t")
    assert get_item(store, "c1") == item


def test_an_item_without_the_new_fields_keeps_its_old_content_hash() -> None:
    item = Item(id="1", body="b", author=AuthorInfo(karma=3), meta={"k": 1})
    old_author = {f: None for f in ("account_age_days", "karma", "comment_karma", "post_karma",
                                    "is_moderator", "is_contributor", "flair")}  # fmt: skip
    old = {
        "author": {**old_author, "karma": 3}, "author_id": None, "body": "b",
        "community": None, "created_at": None, "kind": "other", "language": None,
        "meta": {"k": 1}, "parent_id": None, "parent_text": None, "title": None, "url": None,
    }  # fmt: skip
    canonical = json.dumps(old, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert item_content_hash(item) == hashlib.sha256(canonical.encode()).hexdigest()


def test_item_import_maps_the_new_fields(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(
        "id,body,edited,is_top_level,author_flair_css_class,contributor_quality,link_title,"
        "link_flair_template_id\n"
        "c1,hello,1700000000,true,vet,High,The post,tpl\n"
        "c2,bye,false,no,,,,\n"
        "c3,bad,maybe,,,,,\n"
        "c4,bad,,,,superb,,\n",
        encoding="utf-8",
    )
    mapping = ItemMapping(
        columns={
            "is_edited": "edited",
            "author_flair_css_class": "author_flair_css_class",
            "author_contributor_quality": "contributor_quality",
            "parent_post_title": "link_title",
            "parent_post_flair_template_id": "link_flair_template_id",
        }
    )
    report = import_items(store, path, actor="t", mapping=mapping)
    assert (report.inserted, report.rejected) == (2, 2)
    first = get_item(store, "c1")
    assert (first.is_edited, first.is_top_level) == (True, True)
    assert first.author == AuthorInfo(flair_css_class="vet", contributor_quality="high")
    assert first.parent_post == ParentPost(title="The post", flair_template_id="tpl")
    second = get_item(store, "c2")
    assert (second.is_edited, second.is_top_level, second.author, second.parent_post) == (
        False, False, None, None,
    )  # fmt: skip
    assert "meta" not in {"edited"} and "edited" not in first.meta
