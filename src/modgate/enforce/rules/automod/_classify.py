"""Decide, for each section of an AutoModerator configuration, whether it can be translated."""

from __future__ import annotations

from dataclasses import dataclass

from modgate.enforce.rules.automod._match import rule_variants
from modgate.enforce.rules.automod._model import AutomodDocument, AutomodRule, Variant
from modgate.enforce.rules.automod._report import ImportStatus

ITEM_FIELDS = frozenset({"id", "title", "domain", "url", "body", "flair_text", "flair_css_class"})
"""Search fields a modgate item provides (see `_automod_match.item_field`)."""
AUTHOR_FIELDS = frozenset({"name", "flair_text"})
"""Author search fields a modgate item provides (`author_id`, `author.flair`)."""


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
    if rule.action is None and not rule.side_effects:
        return Classification("not_applicable", "no action: AutoModerator ignores the rule")
    if rule.action is None:
        return Classification(
            "not_applicable",
            "no enforcement action, only " + ", ".join(f"`{s}`" for s in rule.side_effects),
        )
    if rule.action == "approve":
        return Classification(
            "not_applicable",
            "`approve` only restores items Reddit's spam filter removed or clears reports; "
            "a rule set adds actions and never overrides another rule",
        )
    reasons = [f"`{u.key}` (line {u.line}): {u.reason}" for u in rule.unsupported]
    reasons += _field_problems(rule)
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
    if rule.author is not None:
        for search in rule.author.searches:
            missing = [f for f in search.fields if f not in AUTHOR_FIELDS]
            if missing:
                problems.append(
                    f"`author: {search.key}` (line {search.line}): modgate authors have no "
                    f"`{missing[0]}` field"
                )
    return problems
