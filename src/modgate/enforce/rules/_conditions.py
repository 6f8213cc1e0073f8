"""Conditions on an item's context: edited, top-level, and the post a comment is in.

Pure: the rule matcher calls `failed_context_condition` once a rule's community, kind and
length checks hold. Unknown data never satisfies a condition (an item whose source did not say
whether it was edited matches neither `is_edited: true` nor `is_edited: false`).
"""

from __future__ import annotations

from modgate.domain import Item
from modgate.enforce.rules._schema import Rule


def failed_context_condition(rule: Rule, item: Item) -> str | None:
    """The first edited / top-level / parent-post condition of `rule` that fails, or None."""
    if rule.is_edited is not None and item.is_edited is not rule.is_edited:
        return f"is_edited is {item.is_edited!r}, wanted {rule.is_edited}"
    if rule.is_top_level is not None and item.is_top_level is not rule.is_top_level:
        return f"is_top_level is {item.is_top_level!r}, wanted {rule.is_top_level}"
    conditions = rule.parent_post
    if conditions is None:
        return None
    post = item.parent_post
    if post is None:
        return "the parent post is unknown"
    if conditions.is_edited is not None and post.is_edited is not conditions.is_edited:
        return f"parent post is_edited is {post.is_edited!r}, wanted {conditions.is_edited}"
    if conditions.reports is not None:
        if post.reports is None:
            return "number of reports on the parent post unknown"
        if not conditions.reports.holds(post.reports):
            return f"parent post: {post.reports} reports is not {conditions.reports}"
    return None
