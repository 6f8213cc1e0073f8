from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from modgate.domain import Action, Item, Verdict
from modgate.enforce import ApplicablePolicy, applicable_policies, combine_verdicts
from modgate.enforce._decide import NO_VERDICT

WHEN = datetime(2026, 1, 1, tzinfo=UTC)
SITE = ApplicablePolicy(policy="hate@2")
SPAM = ApplicablePolicy(policy="spam@1")
LOCAL = ApplicablePolicy(policy="memes@1", scope="community:cats")
OTHER_LOCAL = ApplicablePolicy(policy="politics@1", scope="community:dogs")
ITEM = Item(id="i1", body="text", community="cats")


def verdict(policy: str, action: Action, *, error: str | None = None, item: str = "i1") -> Verdict:
    if error is not None:
        return Verdict.failed(item, policy, "e@1", error)
    label = "non_violating" if action is Action.ALLOW else "violating"
    return Verdict(
        item_id=item, policy=policy, enforcer=f"{policy.split('@')[0]}-clf@1",
        score=0.5, label=label, action=action, criteria=("c1",),
    )  # fmt: skip


def decide(verdicts: list[Verdict], policies: list[ApplicablePolicy], item: Item = ITEM):
    return combine_verdicts(item, verdicts, policies, decision_id="d1", decided_at=WHEN)


def test_most_severe_action_wins_with_reasons_most_severe_first() -> None:
    got = decide([verdict("hate@2", Action.LABEL), verdict("spam@1", Action.REMOVE)], [SITE, SPAM])
    assert got.action is Action.REMOVE
    assert [r.policy for r in got.reasons] == ["spam@1", "hate@2"]
    assert got.reasons[0].enforcer == "spam-clf@1"
    assert got.reasons[0].criteria == ("c1",)
    assert got.decision_id == "d1" and got.decided_at == WHEN and got.item_id == "i1"


def test_error_verdict_routes_to_review_even_if_policy_may_not_review() -> None:
    label_only = ApplicablePolicy(policy="hate@2", actions=frozenset({Action.LABEL}))
    got = decide([verdict("hate@2", Action.ALLOW, error="timeout")], [label_only])
    assert got.action is Action.REVIEW
    assert got.reasons[0].error == "timeout"


def test_missing_verdict_for_applicable_policy_is_review_not_allow() -> None:
    got = decide([verdict("hate@2", Action.ALLOW)], [SITE, SPAM])
    assert got.action is Action.REVIEW
    missing = [r for r in got.reasons if r.error == NO_VERDICT]
    assert [r.policy for r in missing] == ["spam@1"]


def test_all_allow_gives_allow_with_every_policy_as_reason() -> None:
    got = decide([verdict("hate@2", Action.ALLOW), verdict("spam@1", Action.ALLOW)], [SITE, SPAM])
    assert got.action is Action.ALLOW
    assert {r.policy for r in got.reasons} == {"hate@2", "spam@1"}


def test_action_is_capped_to_what_the_policy_may_take() -> None:
    review_label = ApplicablePolicy(
        policy="hate@2", actions=frozenset({Action.REVIEW, Action.LABEL})
    )
    assert decide([verdict("hate@2", Action.REMOVE)], [review_label]).action is Action.REVIEW
    assert decide([verdict("hate@2", Action.WARN)], [review_label]).action is Action.LABEL
    label_only = ApplicablePolicy(policy="hate@2", actions=frozenset({Action.LABEL}))
    assert decide([verdict("hate@2", Action.REMOVE)], [label_only]).action is Action.LABEL
    nothing = ApplicablePolicy(policy="hate@2", actions=frozenset())
    assert decide([verdict("hate@2", Action.REMOVE)], [nothing]).action is Action.ALLOW


def test_other_communities_policies_and_stray_verdicts_are_ignored() -> None:
    verdicts = [
        verdict("hate@2", Action.ALLOW),
        verdict("memes@1", Action.LABEL),
        verdict("politics@1", Action.REMOVE),  # a dogs policy: not for a cats item
        verdict("unknown@1", Action.REMOVE),  # no such applicable policy
        verdict("hate@2", Action.REMOVE, item="other-item"),  # another item's verdict
    ]
    got = decide(verdicts, [SITE, LOCAL, OTHER_LOCAL])
    assert got.action is Action.LABEL
    assert {r.policy for r in got.reasons} == {"hate@2", "memes@1"}


def test_community_policy_applies_only_in_its_community() -> None:
    assert applicable_policies(ITEM, [SITE, LOCAL, OTHER_LOCAL]) == [SITE, LOCAL]
    no_community = Item(id="i1", body="x")
    assert applicable_policies(no_community, [SITE, LOCAL]) == [SITE]


def test_community_allow_cannot_relax_a_site_remove() -> None:
    got = decide(
        [verdict("hate@2", Action.REMOVE), verdict("memes@1", Action.ALLOW)], [SITE, LOCAL]
    )
    assert got.action is Action.REMOVE


def test_verdicts_match_policies_by_id_and_keep_their_version() -> None:
    got = decide([verdict("hate@1", Action.WARN)], [SITE])
    assert got.action is Action.WARN
    assert got.reasons[0].policy == "hate@1"


def test_no_applicable_policy_allows() -> None:
    got = decide([], [OTHER_LOCAL])
    assert got.action is Action.ALLOW and got.reasons == ()


def test_bad_scope_is_refused() -> None:
    with pytest.raises(ValueError, match="scope"):
        ApplicablePolicy(policy="x@1", scope="communty:cats")


# --- properties -----------------------------------------------------------------------------

ACTIONS = st.sampled_from(list(Action))
ACTION_SETS = st.frozensets(st.sampled_from([a for a in Action if a is not Action.ALLOW]))


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[list[ApplicablePolicy], list[Verdict]]:
    n_site = draw(st.integers(0, 3))
    n_local = draw(st.integers(0, 3))
    policies = [
        ApplicablePolicy(policy=f"site{i}@1", actions=draw(ACTION_SETS)) for i in range(n_site)
    ] + [
        ApplicablePolicy(
            policy=f"local{i}@1",
            scope=draw(st.sampled_from(["community:cats", "community:dogs"])),
            actions=draw(ACTION_SETS),
        )
        for i in range(n_local)
    ]
    verdicts = []
    for policy in policies:
        if draw(st.integers(0, 4)) > 0:  # mostly present; sometimes missing
            error = draw(st.one_of(st.none(), st.just("boom")))
            verdicts.append(verdict(policy.policy, draw(ACTIONS), error=error))
    return policies, draw(st.permutations(verdicts))


@given(scenarios())
def test_final_action_is_the_most_severe_reason(scenario) -> None:
    policies, verdicts = scenario
    got = decide(list(verdicts), policies)
    severities = [r.action.severity for r in got.reasons]
    assert severities == sorted(severities, reverse=True)
    assert got.action.severity == max(severities, default=0)


@given(scenarios())
def test_any_error_among_applicable_verdicts_means_at_least_review(scenario) -> None:
    policies, verdicts = scenario
    applicable = {p.policy for p in applicable_policies(ITEM, policies)}
    got = decide(list(verdicts), policies)
    if any(v.error and v.policy in applicable for v in verdicts):
        assert got.action.severity >= Action.REVIEW.severity


@given(scenarios(), st.lists(st.tuples(ACTIONS, ACTION_SETS), max_size=3))
def test_community_policies_never_lower_a_site_decision(scenario, extra) -> None:
    policies, verdicts = scenario
    site_only = [p for p in policies if p.scope == "site"]
    site_verdicts = [v for v in verdicts if v.policy.startswith("site")]
    before = decide(list(site_verdicts), site_only).action
    local = [
        ApplicablePolicy(policy=f"extra{i}@1", scope="community:cats", actions=actions)
        for i, (_, actions) in enumerate(extra)
    ]
    local_verdicts = [verdict(p.policy, a) for p, (a, _) in zip(local, extra, strict=True)]
    after = decide(list(verdicts) + local_verdicts, policies + local).action
    assert after.severity >= before.severity


@given(scenarios())
def test_verdict_order_does_not_matter(scenario) -> None:
    policies, verdicts = scenario
    assert decide(list(verdicts), policies) == decide(list(reversed(verdicts)), policies)


@given(scenarios())
def test_action_never_exceeds_what_some_policy_allows_unless_review_for_errors(scenario) -> None:
    policies, verdicts = scenario
    got = decide(list(verdicts), policies)
    if got.action not in (Action.ALLOW, Action.REVIEW):
        assert any(got.action in p.actions for p in applicable_policies(ITEM, policies))
