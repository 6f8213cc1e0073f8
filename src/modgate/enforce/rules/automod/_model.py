"""Typed records of a parsed AutoModerator configuration (the importer's intermediate form).

Why the AutoModerator importer lives in `enforce` and not in `policy`: what it produces is a
keyword/regex rule set, whose schema, loader and matching engines are `enforce` models (layer
L2). `policy` (L1) may not import them, so an importer there could only emit an untyped dict that
the CLI would then have to validate against a schema it does not own — two places that must know
the rule-set schema instead of one, and no typed boundary between AutoModerator and modgate. Here
the parser produces these frozen records, the translator turns them into the rule-set models and
checks every pattern against the rule-set engines (RE2, with the `regex` module as fallback).

These records follow AutoModerator's own semantics (reddit's open-source implementation, 2015,
plus the fields the current documentation adds); nothing here knows about modgate rule sets.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from modgate.domain import ContributorQuality, Effect

MatchMethod = Literal[
    "includes-word", "includes", "starts-with", "ends-with", "full-exact", "full-text"
]
"""How a search check looks for its values inside a field (one per check)."""

MATCH_METHODS: tuple[MatchMethod, ...] = (
    "includes-word",
    "includes",
    "starts-with",
    "ends-with",
    "full-exact",
    "full-text",
)

Variant = Literal["comment", "text submission", "link submission"]
"""The three kinds of item an AutoModerator rule can apply to that modgate can tell apart."""

ThresholdName = Literal["account_age", "comment_karma", "post_karma", "combined_karma"]
Comparison = Literal["<", ">", "=", "<=", ">="]
AutomodAction = Literal["approve", "remove", "spam", "filter", "report"]
DocumentStatus = Literal["rule", "ignored", "invalid"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class AutomodSearch(_Frozen):
    """One search check, e.g. `~title+body (includes, regex): [...]`."""

    key: str
    """The key as written (lower-cased, as AutoModerator reads keys)."""
    line: int
    """1-based line of the key in the imported file."""
    fields: tuple[str, ...]
    """Fields searched, in the order written, without duplicates (`title`, `body`, …)."""
    negated: bool = False
    """`~` prefix: the check passes when no field matches."""
    method: MatchMethod = "includes-word"
    """Search method: given as a modifier or the field's default."""
    method_given: bool = False
    """Whether the method was written as a modifier (else it is the field's default)."""
    regex: bool = False
    """`regex` modifier: values are Python regular expressions, not literal text."""
    case_sensitive: bool = False
    """`case-sensitive` modifier (AutoModerator ignores case by default)."""
    values: tuple[str, ...] = ()
    """Values searched for (OR); empty when the key was given no value (check skipped)."""


class AutomodThreshold(_Frozen):
    """One author threshold such as `account_age: "< 7 days"` or `comment_karma: "> 100"`."""

    name: ThresholdName
    """Which author attribute is compared."""
    comparison: Comparison
    """Comparison operator (`=` when none was written)."""
    value: float
    """Value compared against: days for `account_age`, karma points otherwise."""
    text: str
    """The value as written."""
    line: int
    """1-based line in the imported file."""


class AutomodAuthor(_Frozen):
    """The `author:` sub-group: checks on the item's author."""

    searches: tuple[AutomodSearch, ...] = ()
    """Search checks on `name`, `flair_text`, `flair_css_class`, `id`."""
    thresholds: tuple[AutomodThreshold, ...] = ()
    """Karma and age thresholds."""
    satisfy_any_threshold: bool = False
    """True: one satisfied threshold is enough (OR); False: all must hold (AND)."""
    is_contributor: bool | None = None
    """Required approved-contributor status, if checked."""
    is_moderator: bool | None = None
    """Required moderator status, if checked."""
    is_submitter: bool | None = None
    """Whether a comment's author must (not) be the author of the post, if checked."""
    contributor_quality: tuple[Comparison, ContributorQuality] | None = None
    """`contributor_quality: "< moderate"`: operator and band, if checked."""

    @property
    def has_checks(self) -> bool:
        """Whether the sub-group checks anything at all."""
        return bool(
            self.searches
            or self.thresholds
            or self.is_contributor is not None
            or self.is_moderator is not None
            or self.is_submitter is not None
            or self.contributor_quality is not None
        )


class AutomodParent(_Frozen):
    """The `parent_submission:` sub-group of a comment rule.

    Checks on, and actions for, the post the comment is in.
    """

    searches: tuple[AutomodSearch, ...] = ()
    """Search checks on the post's fields."""
    is_edited: bool | None = None
    """Whether the post must (not) have been edited."""
    reports: int | None = None
    """Minimum number of reports on the post."""
    body_longer_than: int | None = None
    """The post's body (trimmed) must be longer than this."""
    body_shorter_than: int | None = None
    """The post's body (trimmed) must be shorter than this."""
    action: AutomodAction | None = None
    """Moderation action on the post."""
    action_reason: str | None = None
    """Reason of that action."""

    @property
    def has_checks(self) -> bool:
        """Whether the sub-group checks anything."""
        return bool(
            self.searches
            or self.is_edited is not None
            or self.reports is not None
            or self.body_longer_than is not None
            or self.body_shorter_than is not None
        )


class Unsupported(_Frozen):
    """Something a rule uses that modgate cannot evaluate faithfully."""

    key: str
    """The key (or `key: value`) concerned."""
    line: int
    """1-based line in the imported file."""
    reason: str
    """Why it cannot be translated."""


class AutomodRule(_Frozen):
    """One AutoModerator rule (one YAML document that is a mapping)."""

    type: str = "any"
    """The `type` value: `any`, `submission`, `comment`, `text submission`, …"""
    type_given: bool = False
    """Whether `type` was written (a written type is a check of its own)."""
    priority: int = 0
    """Higher priority rules are checked first."""
    moderators_exempt: bool | None = None
    """Explicit `moderators_exempt`; None: AutoModerator's default (exempt from removal/report)."""
    action: AutomodAction | None = None
    """The moderation action, if any."""
    action_reason: str | None = None
    """`action_reason` (or its alias `report_reason`), placeholders kept."""
    searches: tuple[AutomodSearch, ...] = ()
    """Search checks on the item itself (AND between them)."""
    author: AutomodAuthor | None = None
    """Checks on the author."""
    reports: int | None = None
    """Minimum number of reports."""
    body_longer_than: int | None = None
    """Body (trimmed of non-word characters at both ends) must be longer than this."""
    body_shorter_than: int | None = None
    """Body (trimmed likewise) must be shorter than this."""
    ignore_blockquotes: bool = False
    """Drop quoted lines (`>`) and empty lines from the body before searching it."""
    side_effects: tuple[str, ...] = ()
    """Non-enforcement actions (`comment`, `modmail`, `message`, `set_flair`, …) present."""
    effects: tuple[Effect, ...] = ()
    """Those side effects as declared effects (the item's, its author's and, from
    `parent_submission`, the parent post's), placeholders as written."""
    is_edited: bool | None = None
    """`is_edited` check on the item, if any."""
    is_top_level: bool | None = None
    """`is_top_level` check (comments only), if any."""
    parent: AutomodParent | None = None
    """The `parent_submission` sub-group, if any."""
    standard: str | None = None
    """The `standard:` condition named, if any."""
    other_checks: tuple[str, ...] = ()
    """Checks outside the search checks and author (`is_edited`, `is_top_level`,
    `parent_submission`, …) present."""
    unsupported: tuple[Unsupported, ...] = ()
    """Parts of the rule modgate cannot evaluate (the rule is then not translated)."""
    warnings: tuple[str, ...] = ()
    """Things AutoModerator accepts that are probably not what the author meant."""

    @property
    def is_removal(self) -> bool:
        """Whether the rule can remove its item (`remove`, `spam`, `filter`)."""
        return self.action in ("remove", "spam", "filter")

    @property
    def exempts_moderators(self) -> bool:
        """AutoModerator's `moderators_exempt`, default included."""
        if self.moderators_exempt is not None:
            return self.moderators_exempt
        return self.is_removal or self.action == "report"


class AutomodDocument(_Frozen):
    """One `---`-separated section of the file and what it turned out to be."""

    index: int
    """1-based section number (AutoModerator counts sections the same way)."""
    line: int
    """1-based line of the section's first content line in the imported file."""
    first_line: str
    """That line's text (the rule's first key, or its comment)."""
    status: DocumentStatus
    """`rule`, `ignored` (empty, comments only, not a mapping) or `invalid`."""
    reason: str = ""
    """Why the section is ignored or invalid."""
    rule: AutomodRule | None = None
    """The parsed rule when `status` is `rule`."""
    source: str = ""
    """The section's YAML text."""


class AutomodConfig(_Frozen):
    """A parsed AutoModerator configuration file."""

    path: str
    """Where it was read from (for messages)."""
    documents: tuple[AutomodDocument, ...]
    """Every section, in file order."""

    @property
    def rules(self) -> list[AutomodDocument]:
        """The sections that are rules."""
        return [doc for doc in self.documents if doc.rule is not None]
