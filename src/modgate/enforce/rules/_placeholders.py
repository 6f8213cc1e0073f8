"""Fill a rule's placeholders (`{{match}}`, `{{author}}`, …) for one item, as AutoModerator does.

AutoModerator's `replace_placeholders` (reddit's open-source `r2/lib/automoderator.py`) is the
model: `{{author}}`, `{{body}}`, `{{permalink}}`, `{{subreddit}}`, `{{kind}}` (`comment` or
`submission`), `{{title}}` (for a comment: the title of its post), and for posts `{{domain}}`
and `{{url}}`. `{{match}}` is the text the first text check that matched matched, and
`{{match-N}}` group N of its regex (0: the whole match; a literal's group 1 is the value
matched); `{{match-NAME}}` and `{{match-NAME-N}}` name the check (its `name`). Checks imported
from AutoModerator are named after their search key (`title+body`) and, as in AutoModerator,
their `{{match}}` is their group 1 (the value that matched, without the template around
it). A placeholder whose value the item does not carry stays as written, for the integration
that posts to fill (AutoModerator leaves unknown ones and `{{match…}}` of a rule that matched
nothing the same way).

Deliberate difference: where several checks matched, unnamed `{{match-N}}` reads the first in
rule order (AutoModerator picks one of them arbitrarily, Python 2 dict order).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from modgate.domain import Item
from modgate.enforce.rules._schema import Rule, TextCheck
from modgate.text import casefold_text

if TYPE_CHECKING:
    from modgate.enforce.rules._match import RuleHit

_UNNUMBERED = re.compile(r"\{\{(match(?:-[^\d-]+?)?)\}\}")
_NUMBERED = re.compile(r"\{\{match-(?:([^}]+?)-)?(\d+)\}\}")


def item_values(item: Item) -> dict[str, str]:
    """The item placeholders the item can fill (the others are left as written)."""
    values: dict[str, str] = {"body": item.body}
    if item.author_id is not None:
        values["author"] = item.author_id
    if item.community is not None:
        values["subreddit"] = item.community
    permalink = item.meta.get("permalink")
    if isinstance(permalink, str) and permalink:
        values["permalink"] = permalink
    if item.kind == "comment":
        values["kind"] = "comment"
        if item.parent_post is not None and item.parent_post.title is not None:
            values["title"] = item.parent_post.title
    elif item.kind == "post":
        values["kind"] = "submission"
        values["title"] = item.title or ""
        values["url"] = item.url or ""
        from modgate.enforce.rules._match import field_value

        # A text post's domain is `self.<community>`, as reddit names it.
        values["domain"] = (
            (field_value(item, "domain") or "") if item.url else (f"self.{item.community or ''}")
        )
    return values


def fill_placeholders(
    template: str,
    item: Item,
    matches: list[tuple[str | None, Callable[[int], str | None]]],
) -> str:
    """Fill `template` for an item.

    Args:
        template: Text with placeholders.
        item: The item.
        matches: For each text check that matched, in rule order: its name (or None) and a
            function giving group N of its match (None when there is no such group).

    Returns:
        The text with every placeholder the item and matches can fill replaced.
    """
    if "{{" not in template:
        return template
    for name, value in item_values(item).items():
        template = template.replace("{{" + name + "}}", value)
    if not matches:
        return template
    first_named = matches[0][0] is not None
    template = _UNNUMBERED.sub(
        lambda m: "{{" + m.group(1) + ("-1" if first_named or "-" in m.group(1) else "-0") + "}}",
        template,
    )
    by_name = {name: group for name, group in matches if name is not None}
    filled: dict[str, str] = {}
    for placeholder in _NUMBERED.finditer(template):
        whole = placeholder.group(0)
        if whole in filled:
            continue
        source = placeholder.group(1)
        group = matches[0][1] if source is None else by_name.get(source)
        if group is None:
            continue
        found = group(int(placeholder.group(2)))
        if found is not None:
            filled[whole] = found
    for whole, text in filled.items():
        template = template.replace(whole, text)
    return template


def hit_matches(hit: RuleHit, item: Item) -> list[tuple[str | None, Callable[[int], str | None]]]:
    """What each matched text check of a firing rule matched, for `fill_placeholders`.

    Group 1 is the value as written in the item where the rule reads raw text (AutoModerator
    matches the text as written, ignoring case), else as it reads in the normalized text.
    Regex checks are run again on the one field they matched, to get their groups.
    """
    rule = hit.rule
    out: list[tuple[str | None, Callable[[int], str | None]]] = []
    checks = [c for c in rule.text_checks() if not c.negate and c.fills_match]
    if not checks or not hit.spans:
        return out
    from modgate.enforce.rules._match import field_value

    used: set[int] = set()
    for check in checks:
        for index, span in enumerate(hit.spans):
            if index in used or span.field not in check.fields:
                continue
            found = _check_match(check, span, item, field_value)
            if found is None:
                continue
            used.add(index)
            out.append((check.name, found))
            break
    return out


def _check_match(
    check: TextCheck, span: Any, item: Item, field_value: Callable[[Item, str], str | None]
) -> Callable[[int], str | None] | None:
    raw = field_value(item, span.field)
    if raw is None:
        return None
    if check.match_on == "raw":
        text = raw
    else:
        from modgate.text import normalize_text

        text = normalize_text(raw).text if span.view == "normalized" else raw
    if not check.regex:
        matched: str = span.matched
        if span.view == "raw" and len(casefold_text(text)) == len(text):
            matched = text[span.start : span.end]
        return lambda n: matched if n in (0, 1) else None
    import regex

    from modgate.enforce.rules._match import _wrap_regex

    for value in check.values:
        try:
            pattern = regex.compile(_wrap_regex(value, check.match, check.case_sensitive), regex.V0)
            m = pattern.search(text, timeout=0.05)
        except (regex.error, TimeoutError):
            continue
        if m is not None:
            whole = span.matched
            if span.view == "raw" and len(text.lower()) == len(text):
                whole = text[span.start : span.end]  # as written
            return _groups(m, whole)
    return None


def _groups(m: Any, whole: str) -> Callable[[int], str | None]:
    def group(n: int) -> str | None:
        if n == 0:
            return whole
        try:
            value = m.group(n)
        except IndexError:
            return None
        return value if value is not None else ""

    return group


def rule_match_text(rule: Rule, hit: RuleHit, item: Item, template: str) -> str:
    """`template` of a firing rule filled in for the item (the reason, an effect's text)."""
    if "{{" not in template:
        return template
    return fill_placeholders(template, item, hit_matches(hit, item))
