"""Decide, for each section of an AutoModerator configuration, whether it can be translated."""

from __future__ import annotations

from dataclasses import dataclass

from modgate.enforce.rules.automod._match import rule_variants
from modgate.enforce.rules.automod._model import AutomodDocument, AutomodRule, Variant
from modgate.enforce.rules.automod._report import ImportStatus

ITEM_FIELDS = frozenset(
    {"id", "title", "domain", "url", "body", "flair_text", "flair_css_class", "flair_template_id"}
)
"""Search fields a modgate item provides (see `_automod_match.item_field`); a comment's post
(`parent_submission`) provides the same ones (`Item.parent_post`)."""
AUTHOR_FIELDS = frozenset({"name", "flair_text", "flair_css_class", "flair_template_id"})
"""Author search fields a modgate item provides (`author_id`, `author.flair`, …)."""


@dataclass(frozen=True)
class Classification:
    """Whether a section becomes rules, and for which kinds of item."""

    status: ImportStatus
    reason: str = ""
    variants: tuple[Variant, ...] = ()


def classify_document(doc: AutomodDocument) -> Classification:
    """Classify one section: translated (with its item variants) or why not."""
    if doc.rule is None:
        return Classification(doc.status if doc.status == "invalid" else "ignored", doc.reason)
    rule = doc.rule
    variants, problem = rule_variants(rule)
    if problem:
        return Classification("invalid", f"AutoModerator refuses this rule: {problem}")
    if rule.action is None and not rule.effects:
        return Classification("not_applicable", "no action: AutoModerator ignores the rule")
    reasons = [f"`{u.key}` (line {u.line}): {u.reason}" for u in rule.unsupported]
    reasons += _field_problems(rule)
    if rule.parent is not None and (
        rule.parent.body_longer_than is not None or rule.parent.body_shorter_than is not None
    ):
        reasons.append("body length checks on the parent post are not translated")
    if rule.ignore_blockquotes and (
        rule.body_longer_than is not None or rule.body_shorter_than is not None
    ):
        reasons.append(
            "`ignore_blockquotes` with a body length check: the rule set measures the whole body"
        )
    if reasons:
        return Classification("unsupported", "; ".join(reasons))
    if not variants:
        return Classification(
            "not_applicable",
            "no condition: AutoModerator drops a `type: any` rule that checks nothing",
        )
    return Classification("translated", "", variants)


def _field_problems(rule: AutomodRule) -> list[str]:
    problems = []
    for search in rule.searches:
        missing = [f for f in search.fields if f not in ITEM_FIELDS]
        if missing:
            problems.append(
                f"`{search.key}` (line {search.line}): modgate items have no `{missing[0]}` field"
            )
    if rule.parent is not None:
        for search in rule.parent.searches:
            missing = [f for f in search.fields if f not in ITEM_FIELDS]
            if missing:
                problems.append(
                    f"`parent_submission: {search.key}` (line {search.line}): modgate items "
                    f"have no `{missing[0]}` field for the post"
                )
    if rule.author is not None:
        for search in rule.author.searches:
            missing = [f for f in search.fields if f not in AUTHOR_FIELDS]
            if missing:
                problems.append(
                    f"`author: {search.key}` (line {search.line}): modgate authors have no "
                    f"`{missing[0]}` field"
                )
    return problems
