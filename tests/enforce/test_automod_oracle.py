"""Imported AutoModerator configs act as reddit's AutoModerator acts (the oracle of
`automod_oracle`), on generated configs and items (Hypothesis).

For each generated config and item: the verdict of the translated rule set (action, effects
with placeholders filled in) against what AutoModerator does to the item (removal, reports,
approval, and the effects it performs) — covering the new checks (`is_edited`, `is_top_level`,
`parent_submission`, `flair_template_id`, the author's `flair_css_class` and
`contributor_quality`), the effects and their placeholders, and `action: approve` with
AutoModerator's ordering (removal rules first, approval after).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modgate.domain import Action, AuthorInfo, Effect, Item, ParentPost
from modgate.enforce import EnforcerSpec
from modgate.enforce.rules._enforcer import RulesEnforcer
from modgate.enforce.rules._match import compile_ruleset
from modgate.enforce.rules.automod._parse import parse_automod_config
from modgate.enforce.rules.automod._translate import import_automod_config
from tests.enforce.automod_oracle import QUALITY, Outcome, apply, load_rules, thing_of

WORDS = ("apple", "berry", "cherry")
NAMES = ("alice", "bob")
TEMPLATES = ("tpl-1", "tpl-2")
CLASSES = ("newbie", "vet")
REASONS = (
    "{{kind}} {{match}} by {{author}} in {{subreddit}}",
    "{{title}}: {{match-1}} / {{match-2}} ({{body}})",
    "{{permalink}} {{url}} {{domain}}",
)

# One condition of a section: (YAML lines, the type it needs or None).
_CONDITIONS: list[st.SearchStrategy[tuple[str, str | None]]] = [
    st.sampled_from(WORDS).map(lambda w: (f"body: [{w}]", None)),
    st.sampled_from(WORDS).map(lambda w: (f"~body: [{w}]", None)),
    st.just((r"body (regex): ['(b|ch)(e\w+)']", None)),
    st.sampled_from(WORDS).map(lambda w: (f"title (includes): [{w}]", "submission")),
    st.sampled_from(TEMPLATES).map(lambda t: (f"flair_template_id: [{t}]", "submission")),
    st.sampled_from(NAMES).map(lambda n: (f"author: [{n}]", None)),
    st.sampled_from(CLASSES).map(lambda c: (f"author:\n    flair_css_class: [{c}]", None)),
    st.tuples(st.sampled_from(("<", ">", "=", "<=", ">=")), st.sampled_from(QUALITY)).map(
        lambda q: (f'author:\n    contributor_quality: "{q[0]} {q[1]}"', None)
    ),
    st.integers(1, 2).map(lambda n: (f"reports: {n}", None)),
    st.sampled_from(("image hosting sites", "video hosting sites", "direct image links")).map(
        lambda name: (f"standard: {name}", "submission")
    ),
    st.booleans().map(lambda b: (f"is_edited: {str(b).lower()}", None)),
    st.booleans().map(lambda b: (f"is_top_level: {str(b).lower()}", "comment")),
    st.sampled_from(WORDS).map(
        lambda w: (f"parent_submission:\n    title (includes): [{w}]", "comment")
    ),
    st.sampled_from(TEMPLATES).map(
        lambda t: (f"parent_submission:\n    flair_template_id: [{t}]", "comment")
    ),
    st.booleans().map(
        lambda b: (f"parent_submission:\n    is_edited: {str(b).lower()}", "comment")
    ),
]


_ACTIONS = ("remove", "spam", "filter", "report", "approve", None)


@st.composite
def sections(draw: st.DrawFn, actions: tuple[str | None, ...] = _ACTIONS) -> str:
    condition, needs = draw(st.one_of(_CONDITIONS))
    if condition.startswith("parent_submission") and draw(st.booleans()):
        condition += "\n    set_flair: [parent, p]\n    action: report"
    lines = [condition]
    kind = needs or draw(st.sampled_from(("any", "comment", "submission")))
    if kind != "any":
        lines.insert(0, f"type: {kind}")
    action = draw(st.sampled_from(actions))
    if action is not None:
        lines.append(f"action: {action}")
        if draw(st.booleans()):
            lines.append(f"action_reason: '{draw(st.sampled_from(REASONS))}'")
    if draw(st.booleans()):
        lines.append(f"priority: {draw(st.integers(0, 2))}")
    if action is None or draw(st.booleans()):
        lines.append(f"comment: 'Hi {{{{author}}}}: {draw(st.sampled_from(REASONS))}'")
    if draw(st.booleans()):
        lines.append("modmail_subject: '{{kind}} in {{subreddit}}'")
        lines.append("modmail: '{{match}} {{permalink}}'")
    if kind == "submission" and draw(st.booleans()):
        lines.append("set_flair: ['F {{match}}', 'cls-{{author}} x$y']")
        lines.append(f"set_nsfw: {str(draw(st.booleans())).lower()}")
    return "\n".join(lines) + "\n"


@st.composite
def items(draw: st.DrawFn) -> Item:
    words = st.lists(st.sampled_from((*WORDS, "other", "BERRY")), min_size=1, max_size=3).map(
        " ".join
    )
    kind = draw(st.sampled_from(("comment", "post")))
    author = AuthorInfo(
        is_moderator=draw(st.booleans()),
        flair_css_class=draw(st.sampled_from((*CLASSES, None))),
        contributor_quality=draw(st.sampled_from((*QUALITY, None))),
    )
    meta: dict[str, Any] = {
        "permalink": "https://r.example/p/1",
        "reports": draw(st.integers(0, 2)),
    }
    common: dict[str, Any] = {
        "id": "i1",
        "community": "sub",
        "body": draw(words),
        "author_id": draw(st.sampled_from(NAMES)),
        "author": author,
        "is_edited": draw(st.booleans()),
        "meta": meta,
    }
    if kind == "comment":
        parent = ParentPost(
            title=draw(words),
            flair_template_id=draw(st.sampled_from((*TEMPLATES, None))),
            is_edited=draw(st.booleans()),
        )
        return Item(kind="comment", is_top_level=draw(st.booleans()), parent_post=parent, **common)
    meta["flair_template_id"] = draw(st.sampled_from(TEMPLATES))
    url = draw(
        st.sampled_from(
            (None, "https://www.pics.example/a", "https://i.imgur.com/a.png", "https://youtu.be/v")
        )
    )
    return Item(kind="post", title=draw(words), url=url, **common)


def expected_action(outcome: Outcome) -> Action:
    if outcome.removal in ("remove", "spam"):
        return Action.REMOVE
    if outcome.removal == "filter" or outcome.reports:
        return Action.REVIEW
    return Action.ALLOW


def effect_key(effect: Effect) -> tuple[Any, ...]:
    """An effect in the oracle's tuple form."""
    kind, target = effect.kind, effect.target
    if kind in ("comment", "modmail", "message"):
        return (kind, target, effect.text, effect.subject)
    if kind == "set_flair":
        return (kind, target, effect.text, effect.css_class, bool(effect.overwrite))
    if kind.startswith("set_"):
        return (kind, target, effect.value)
    return (kind, target, effect.text)


def modgate_verdict(config: str, item: Item) -> tuple[Action, Counter[tuple[Any, ...]]]:
    result = import_automod_config(parse_automod_config(config), name="t", community="sub")
    assert all(e.status in ("translated", "not_applicable") for e in result.report.entries), [
        (e.status, e.reason) for e in result.report.entries
    ]
    spec = EnforcerSpec(name="am", kind="rules", policy="p")
    (verdict,) = RulesEnforcer(spec, compile_ruleset(result.rule_set)).predict([item])
    assert verdict.error is None, verdict.error
    return verdict.action, Counter(effect_key(e) for e in verdict.effects)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(section=sections(), item=items())
def test_each_check_and_effect_of_one_section_agrees_with_automoderator(
    section: str, item: Item
) -> None:
    outcome = apply(load_rules(section), thing_of(item))
    action, effects = modgate_verdict(section, item)
    assert action is expected_action(outcome), (section, item, outcome)
    assert effects == Counter(outcome.effects), (section, item)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    removals=st.lists(sections(("remove", "spam", "filter")), min_size=1, max_size=2),
    approvals=st.lists(sections(("approve",)), min_size=1, max_size=2),
    others=st.lists(sections(("report", None)), max_size=2),
    order=st.randoms(use_true_random=False),
    item=items(),
)
def test_approvals_and_removal_order_agree_with_automoderator(
    removals: list[str], approvals: list[str], others: list[str], order: Any, item: Item
) -> None:
    config = [*removals, *approvals, *others]
    order.shuffle(config)
    text = "---\n".join(config)
    outcome = apply(load_rules(text), thing_of(item))
    action, effects = modgate_verdict(text, item)
    assert action is expected_action(outcome), f"{text}\n{item!r}\n{outcome}"
    assert effects == Counter(outcome.effects), f"{text}\n{item!r}"


def test_an_approval_restores_what_a_higher_priority_removal_removed() -> None:
    config = (
        "body: [apple]\naction: remove\npriority: 5\ncomment: removed {{match}}\n---\n"
        "author: [alice]\naction: approve\naction_reason: trusted\n"
    )
    item = Item(
        id="1", kind="comment", body="apple", author_id="alice", community="sub",
        parent_post=ParentPost(title="t"), is_top_level=True, is_edited=False,
        meta={"permalink": "p"}, author=AuthorInfo(is_moderator=False),
    )  # fmt: skip
    action, effects = modgate_verdict(config, item)
    assert action is Action.ALLOW
    # The removal comment was posted before the approval, as AutoModerator does it.
    assert effects == Counter(
        {("comment", "item", "removed apple", None): 1, ("approve", "item", "trusted"): 1}
    )
    assert Counter(apply(load_rules(config), thing_of(item)).effects) == effects


def test_an_approval_checking_reports_clears_only_earlier_reports() -> None:
    config = (
        "body: [apple]\naction: report\npriority: 2\n---\n"
        "author: [alice]\nreports: 1\naction: approve\npriority: 1\n---\n"
        "body: [berry]\naction: report\n"
    )
    base = {
        "id": "1", "kind": "comment", "author_id": "alice", "community": "sub",
        "parent_post": ParentPost(title="t"), "is_top_level": True, "is_edited": False,
        "author": AuthorInfo(is_moderator=False),
    }  # fmt: skip
    cleared = Item(body="apple", meta={"permalink": "p", "reports": 1}, **base)
    kept = Item(body="apple berry", meta={"permalink": "p", "reports": 1}, **base)
    unreported = Item(body="apple", meta={"permalink": "p", "reports": 0}, **base)
    assert modgate_verdict(config, cleared)[0] is Action.ALLOW
    assert modgate_verdict(config, kept)[0] is Action.REVIEW
    assert modgate_verdict(config, unreported)[0] is Action.REVIEW
    for item in (cleared, kept, unreported):
        outcome = apply(load_rules(config), thing_of(item))
        assert modgate_verdict(config, item)[0] is expected_action(outcome)
