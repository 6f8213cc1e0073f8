"""AutoModerator's matching semantics, written once: patterns, item views and a reference check.

`automod_pattern` builds the regular expression AutoModerator builds for a search check (values
escaped unless `regex`, OR-ed into one group, wrapped in the search method's template, matched
with Python `re`, ignoring case unless `case-sensitive`, `.` matching newlines).
`match_automod_rule` evaluates a whole rule on a modgate item the way AutoModerator evaluates it
on a Reddit item; it is the reference the importer's translation is tested against, not the
production matcher (that is the rule-set engine the translation targets). Where a modgate item
lacks what Reddit always knows (author data, reports), the rule-set engine's rule applies:
unknown data never satisfies a condition (an author not known to moderate is not exempt).

How modgate items stand in for Reddit items (documented in docs/automod.md):
a `comment` item is a comment; a `post` item is a link submission when it has a `url`, else a
text submission; other kinds never match. Post flair, reports and "is the submitter" come from
`item.meta` keys `flair_text`, `flair_css_class`, `reports`, `is_submitter`; the author's name is
`item.author_id`, its flair `item.author.flair`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from modgate.domain import Item
from modgate.enforce.rules.automod._dialect import python3_pattern
from modgate.enforce.rules.automod._model import (
    AutomodAuthor,
    AutomodRule,
    AutomodSearch,
    AutomodThreshold,
    MatchMethod,
    Variant,
)

# AutoModerator's search-method templates (reddit r2/lib/automoderator.py, `_match_regexes`).
METHOD_TEMPLATES: dict[MatchMethod, str] = {
    "full-exact": "^%s$",
    "full-text": r"^\W*%s\W*$",
    "includes": "%s",
    "includes-word": r"(?:^|\W|\b)%s(?:$|\W|\b)",
    "starts-with": "^%s",
    "ends-with": "%s$",
}
SUBDOMAIN_PREFIX = r"(?:.*?\.)?"
"""Put before `domain` values when no method is given, so subdomains match too."""

VARIANT_FIELDS: dict[Variant, frozenset[str]] = {
    "comment": frozenset({"id", "body"}),
    "text submission": frozenset(
        {
            "id",
            "title",
            "domain",
            "body",
            "flair_text",
            "flair_css_class",
            "media_author",
            "media_author_url",
            "media_title",
            "media_description",
            "flair_template_id",
        }
    ),
    "link submission": frozenset(
        {
            "id",
            "title",
            "domain",
            "url",
            "body",
            "flair_text",
            "flair_css_class",
            "media_author",
            "media_author_url",
            "media_title",
            "media_description",
            "flair_template_id",
        }
    ),
}
"""Fields a search checks on each kind of item (text posts have no url)."""
_TARGET_FIELDS: dict[str, frozenset[str]] = {
    "comment": frozenset({"id", "body"}),
    "submission": VARIANT_FIELDS["link submission"],
}
_TYPE_VARIANTS: dict[str, tuple[Variant, ...]] = {
    "comment": ("comment",),
    "submission": ("text submission", "link submission"),
    "text submission": ("text submission",),
    "link submission": ("link submission",),
}
SUBMISSION_ONLY_ACTIONS = {
    "set_flair",
    "set_locked",
    "set_sticky",
    "set_nsfw",
    "set_spoiler",
    "set_contest_mode",
    "set_suggested_sort",
    "set_original_content",
}
_EDGE_NON_WORD = re.compile(r"^\W+|\W+$")


def automod_pattern(search: AutomodSearch) -> str:
    """The regular expression (Python `re` flavour) AutoModerator builds for a search check.

    Group 1 is the matched value (what `{{match}}` shows). Regex values are read in
    AutoModerator's Python 2 dialect (`python3_pattern`): a global inline flag anywhere in any
    value applies to the whole pattern.
    """
    values = search.values if search.regex else tuple(re.escape(v) for v in search.values)
    value_group = "(" + "|".join(values) + ")"
    if not search.method_given and search.fields == ("domain",):
        value_group = SUBDOMAIN_PREFIX + value_group
    pattern = METHOD_TEMPLATES[search.method] % value_group
    return python3_pattern(pattern) if search.regex else pattern


def automod_flags(search: AutomodSearch) -> int:
    """The `re` flags AutoModerator compiles a search check with."""
    flags = re.DOTALL | re.UNICODE
    if not search.case_sensitive:
        flags |= re.IGNORECASE
    return flags


def item_variant(item: Item) -> Variant | None:
    """Which kind of Reddit item a modgate item stands for (None: AutoModerator never sees it)."""
    if item.kind == "comment":
        return "comment"
    if item.kind == "post":
        return "link submission" if item.url else "text submission"
    return None


def link_domain(url: str) -> str:
    """The domain AutoModerator's `domain` field holds for a link (lower case, no `www.`)."""
    try:
        host = urlsplit(url if "//" in url else f"//{url}").hostname or ""
    except ValueError:
        return ""
    return host[4:] if host.startswith("www.") else host


def trimmed_body_length(body: str) -> int:
    """Body length as `body_longer_than`/`body_shorter_than` count it (non-word ends trimmed)."""
    return len(_EDGE_NON_WORD.sub("", body))


def strip_blockquotes(body: str) -> str:
    """The body `ignore_blockquotes` searches: quoted (`>`) and empty lines removed."""
    return "\n".join(line for line in body.splitlines() if line and not line.startswith(">"))


def item_field(item: Item, name: str, *, ignore_blockquotes: bool = False) -> str | None:
    """The value AutoModerator would search in field `name` of the item (None: not checked)."""
    variant = item_variant(item)
    if variant is None or name not in VARIANT_FIELDS[variant]:
        return None
    if name == "body":
        if variant == "link submission" and not item.body:
            return None  # body is checked on link posts only when they have text
        return strip_blockquotes(item.body) if ignore_blockquotes else item.body
    if name == "title":
        return item.title or ""
    if name == "url":
        return item.url or ""
    if name == "domain":
        if variant == "text submission":
            return f"self.{item.community or ''}"
        return link_domain(item.url or "")
    if name == "id":
        return item.id
    if name in ("flair_text", "flair_css_class", "flair_template_id"):
        value = item.meta.get(name)
        return value if isinstance(value, str) else ""
    return ""


def parent_field(item: Item, name: str) -> str | None:
    """The value AutoModerator searches in field `name` of a comment's post (None: skipped)."""
    post = item.parent_post
    if post is None:
        return None
    if name == "body":
        return None if post.url else (post.body or "")  # a link post's body is not checked
    if name == "url":
        return post.url if post.url else None  # a text post's url is not checked
    if name == "domain":
        return link_domain(post.url) if post.url else f"self.{item.community or ''}"
    if name == "title":
        return post.title or ""
    if name == "id":
        return post.id or ""
    if name in ("flair_text", "flair_css_class", "flair_template_id"):
        return getattr(post, name) or ""
    return ""


def author_field(item: Item, name: str) -> str:
    """The value of an author search field (`name`, `flair_text`, `flair_css_class`, …)."""
    if name == "name":
        return item.author_id or ""
    info = item.author
    if info is None:
        return ""
    if name == "flair_text":
        return info.flair or ""
    if name == "flair_css_class":
        return info.flair_css_class or ""
    if name == "flair_template_id":
        return info.flair_template_id or ""
    return ""


def rule_variants(rule: AutomodRule) -> tuple[tuple[Variant, ...], str | None]:
    """The kinds of item a rule applies to, after AutoModerator's expansion of `type: any`.

    Returns:
        The variants, and an error when AutoModerator would refuse the rule for its type.
    """
    targets = ("comment", "submission") if rule.type == "any" else None
    if targets is None:
        target = "comment" if rule.type == "comment" else "submission"
        problem = _type_problem(rule, target)
        if problem:
            return (), problem
        return _TYPE_VARIANTS.get(rule.type, ()), None
    variants: list[Variant] = []
    problems = []
    for target in targets:
        problem = _type_problem(rule, target)
        if problem:
            problems.append(problem)
            continue
        if _has_target_checks(rule):
            variants.extend(_TYPE_VARIANTS[target])
    if len(problems) == len(targets):
        return (), problems[0]
    return tuple(variants), None


def _type_problem(rule: AutomodRule, target: str) -> str | None:
    for search in rule.searches:
        if not set(search.fields) & _TARGET_FIELDS[target]:
            return f"can't search `{search.key}` on a {target}"
    if target == "submission":
        if rule.is_top_level is not None:
            return "can't use `is_top_level` on a submission"
        if rule.parent is not None:
            return "can't use `parent_submission` on a submission"
    if target == "comment":
        used = sorted(set(rule.side_effects) & SUBMISSION_ONLY_ACTIONS)
        if used:
            return f"can't use `{used[0]}` on a comment"
    return None


def _has_target_checks(rule: AutomodRule) -> bool:
    return bool(
        rule.searches
        or rule.reports is not None
        or rule.body_longer_than is not None
        or rule.body_shorter_than is not None
        or rule.other_checks
        or (rule.author is not None and rule.author.has_checks)
    )


@dataclass(frozen=True)
class AutomodMatch:
    """A rule that matched an item, with the matched text per search key (for `{{match}}`)."""

    matches: dict[str, re.Match[str]]


def match_automod_rule(rule: AutomodRule, item: Item) -> AutomodMatch | None:
    """Evaluate a rule on an item exactly as AutoModerator would (the reference semantics).

    Only the checks a rule may contain once translated are evaluated; callers check
    `rule.unsupported` first.
    """
    variant = item_variant(item)
    variants, problem = rule_variants(rule)
    if variant is None or problem or variant not in variants:
        return None
    if rule.exempts_moderators and item.author is not None and item.author.is_moderator:
        return None
    if not _nonpattern_checks(rule, item):
        return None
    if rule.author is not None and not _author_checks(rule.author, item):
        return None
    if rule.parent is not None and not _parent_checks(rule, item):
        return None
    matches: dict[str, re.Match[str]] = {}
    if not _search_checks(
        rule.searches,
        lambda name: item_field(item, name, ignore_blockquotes=rule.ignore_blockquotes),
        matches,
    ):
        return None
    return AutomodMatch(matches=matches)


def _parent_checks(rule: AutomodRule, item: Item) -> bool:
    parent = rule.parent
    assert parent is not None
    post = item.parent_post
    if post is None:
        return False  # unknown data never satisfies a condition
    if parent.reports and (post.reports is None or post.reports < parent.reports):
        return False
    if parent.body_longer_than is not None or parent.body_shorter_than is not None:
        length = trimmed_body_length(post.body or "")
        if parent.body_longer_than is not None and length <= parent.body_longer_than:
            return False
        if parent.body_shorter_than is not None and length >= parent.body_shorter_than:
            return False
    if parent.is_edited is not None and post.is_edited is not parent.is_edited:
        return False
    matches: dict[str, re.Match[str]] = {}
    return _search_checks(parent.searches, lambda name: parent_field(item, name), matches)


def _nonpattern_checks(rule: AutomodRule, item: Item) -> bool:
    if rule.is_top_level is not None and item.is_top_level is not rule.is_top_level:
        return False
    if rule.is_edited is not None and item.is_edited is not rule.is_edited:
        return False
    if rule.reports:
        reports = item.meta.get("reports")
        if not isinstance(reports, int) or reports < rule.reports:
            return False
    if rule.body_longer_than is not None or rule.body_shorter_than is not None:
        length = trimmed_body_length(item.body)
        if rule.body_longer_than is not None and length <= rule.body_longer_than:
            return False
        if rule.body_shorter_than is not None and length >= rule.body_shorter_than:
            return False
    return True


def _author_checks(author: AutomodAuthor, item: Item) -> bool:
    info = item.author
    if author.is_submitter is not None:
        if item.kind == "comment":
            is_submitter = item.meta.get("is_submitter")
        else:
            is_submitter = True  # AutoModerator's default for a post's own author
        if is_submitter is not author.is_submitter:
            return False
    for flag in ("is_moderator", "is_contributor"):
        wanted = getattr(author, flag)
        if wanted is not None and (info is None or getattr(info, flag) is not wanted):
            return False  # unknown author data never satisfies a condition
    if author.contributor_quality is not None:
        quality = info.contributor_quality if info is not None else None
        if quality is None or not quality_holds(author.contributor_quality, quality):
            return False
    if author.thresholds:
        results = [threshold_holds(t, item) for t in author.thresholds]
        if not (any(results) if author.satisfy_any_threshold else all(results)):
            return False
    matches: dict[str, re.Match[str]] = {}
    return _search_checks(author.searches, lambda name: author_field(item, name), matches)


QUALITY_BANDS = ("lowest", "low", "moderate", "high", "highest")
"""Contributor quality bands, lowest first."""


def quality_holds(condition: tuple[str, str], observed: str) -> bool:
    """Whether band `observed` satisfies `contributor_quality: "<op> <band>"`."""
    op, band = condition
    value, target = QUALITY_BANDS.index(observed), QUALITY_BANDS.index(band)
    return {
        "<": value < target,
        ">": value > target,
        "=": value == target,
        "<=": value <= target,
        ">=": value >= target,
    }[op]


def threshold_value(name: str, item: Item) -> float | None:
    """The author attribute a threshold compares (None when the item does not know it)."""
    info = item.author
    if info is None:
        return None
    if name == "account_age":
        return info.account_age_days
    if name == "comment_karma":
        return info.comment_karma
    if name == "post_karma":
        return info.post_karma
    return info.karma  # combined karma


def threshold_holds(threshold: AutomodThreshold, item: Item) -> bool:
    """Whether the item's author satisfies one threshold (unknown values never do)."""
    value = threshold_value(threshold.name, item)
    if value is None:
        return False
    target = threshold.value
    return {
        "<": value < target,
        ">": value > target,
        "=": value == target,
        "<=": value <= target,
        ">=": value >= target,
    }[threshold.comparison]


def _search_checks(
    searches: tuple[AutomodSearch, ...],
    field_value: Callable[[str], str | None],
    matches: dict[str, re.Match[str]],
) -> bool:
    active = [s for s in searches if s.values]
    if not active:
        return True
    checked_anything = False
    for search in active:
        pattern = re.compile(automod_pattern(search), automod_flags(search))
        found = None
        for name in search.fields:
            value = field_value(name)
            if value is None:
                continue
            checked_anything = True
            found = pattern.search(value)
            if found:
                matches[search.key] = found
                break
        if bool(found) == search.negated:
            return False
    return checked_anything
