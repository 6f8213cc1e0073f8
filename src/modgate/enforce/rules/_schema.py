"""Rule sets (`rules/NAME.yaml`): keyword and regex rules with conditions on item fields.

The schema follows AutoModerator's model so its rules translate here without loss: a rule is a
set of conditions that must all hold (AND); a text check lists values of which any may match
(OR) in any of its fields; every check may be negated; author thresholds can be OR-ed with
`satisfy_any_threshold`. Each rule carries its own action, score, policy and criterion.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    model_validator,
)

from modgate.domain import CONTRIBUTOR_QUALITY, Action, ContributorQuality, Effect, ItemKind

MatchMode = Literal[
    "includes", "includes-word", "starts-with", "ends-with", "full-exact", "full-text"
]
"""Where a value must sit in a field (AutoModerator's match types)."""
MatchOn = Literal["normalized", "raw"]
"""Match against the normalized text (default) or the text as written."""
TextField = Literal[
    "title",
    "body",
    "url",
    "domain",
    "author_flair",
    "parent_text",
    "author",
    "post_flair",
    "post_flair_class",
    "id",
    "body_unquoted",
    "post_flair_template_id",
    "author_flair_class",
    "author_flair_template_id",
    "parent_post_id",
    "parent_post_title",
    "parent_post_body",
    "parent_post_url",
    "parent_post_domain",
    "parent_post_flair",
    "parent_post_flair_class",
    "parent_post_flair_template_id",
]
"""Item fields a text check can read; `domain` is the host of `url` without `www.`; `author`
is `author_id`; `post_flair` / `post_flair_class` / `post_flair_template_id` are
`meta.flair_text` / `meta.flair_css_class` / `meta.flair_template_id`; `body_unquoted` is the
body without quoted (`>`) and empty lines; `author_flair_class` / `author_flair_template_id` are
the author's flair CSS class and template id; `parent_post_*` are the fields of the post a
comment is in (`Item.parent_post`; `parent_post_flair*` its flair)."""

FREE_TEXT_FIELDS: frozenset[str] = frozenset(
    {
        "title",
        "body",
        "author_flair",
        "parent_text",
        "post_flair",
        "body_unquoted",
        "parent_post_title",
        "parent_post_body",
        "parent_post_flair",
    }
)
"""Fields that `match_on: normalized` runs through `normalize_text` (the others are lower-cased)."""

_ID = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"
_COMPARISON = re.compile(
    r"^\s*(?P<op><=|>=|==|!=|<|>|=)?\s*(?P<value>-?\d+(?:\.\d+)?)\s*(?P<unit>[a-z]+)?\s*$"
)
_QUALITY = re.compile(r"^\s*(?P<op><=|>=|==|!=|<|>|=)?\s*(?P<band>[a-z]+)\s*$")
_UNIT_DAYS = {
    "minute": 1 / 1440,
    "minutes": 1 / 1440,
    "hour": 1 / 24,
    "hours": 1 / 24,
    "day": 1.0,
    "days": 1.0,
    "week": 7.0,
    "weeks": 7.0,
    "month": 30.0,
    "months": 30.0,
    "year": 365.0,
    "years": 365.0,
}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Comparison(_Frozen):
    """A numeric comparison such as `< 30` (written as a string in YAML)."""

    op: Literal["<", "<=", ">", ">=", "==", "!="]
    """Comparison operator."""
    value: float
    """Right-hand side."""

    def holds(self, observed: float) -> bool:
        """Whether `observed <op> value`."""
        op, value = self.op, self.value
        if op == "<":
            return observed < value
        if op == "<=":
            return observed <= value
        if op == ">":
            return observed > value
        if op == ">=":
            return observed >= value
        if op == "==":
            return observed == value
        return observed != value

    def __str__(self) -> str:
        value = int(self.value) if self.value.is_integer() else self.value
        return f"{self.op} {value}"


def _parse_comparison(raw: Any, *, durations: bool) -> Any:
    if isinstance(raw, Comparison | dict):
        return raw
    if isinstance(raw, bool):
        raise ValueError(f"expected a comparison such as '< 30', got {raw!r}")
    if isinstance(raw, int | float):
        return {"op": "==", "value": raw}
    if not isinstance(raw, str):
        raise ValueError(f"expected a comparison such as '< 30', got {raw!r}")
    match = _COMPARISON.match(raw.lower())
    if match is None:
        raise ValueError(f"expected a comparison such as '< 30' or '>= 10', got {raw!r}")
    op = match["op"] or "=="
    value = float(match["value"])
    unit = match["unit"]
    if unit is not None:
        if not durations or unit not in _UNIT_DAYS:
            allowed = ", ".join(sorted({u.rstrip("s") + "s" for u in _UNIT_DAYS}))
            hint = f"(durations take {allowed})" if durations else "(no unit allowed here)"
            raise ValueError(f"unknown unit {unit!r} in {raw!r} {hint}")
        value *= _UNIT_DAYS[unit]
    return {"op": "==" if op == "=" else op, "value": value}


CountComparison = Annotated[
    Comparison,
    BeforeValidator(lambda v: _parse_comparison(v, durations=False)),
    PlainSerializer(str, return_type=str),
]
"""A comparison on a count (`< 10`)."""
DaysComparison = Annotated[
    Comparison,
    BeforeValidator(lambda v: _parse_comparison(v, durations=True)),
    PlainSerializer(str, return_type=str),
]
"""A comparison on a duration in days; units are accepted (`< 2 weeks` is `< 14`)."""


def _parse_quality(raw: Any) -> Any:
    if isinstance(raw, QualityCondition | dict):
        return raw
    if not isinstance(raw, str):
        raise ValueError(f"expected a comparison such as '< moderate', got {raw!r}")
    match = _QUALITY.match(raw.lower())
    if match is None or match["band"] not in CONTRIBUTOR_QUALITY:
        bands = ", ".join(CONTRIBUTOR_QUALITY)
        raise ValueError(
            f"expected a comparison such as '< moderate' (bands: {bands}), got {raw!r}"
        )
    op = match["op"] or "=="
    return {"op": "==" if op == "=" else op, "band": match["band"]}


class QualityCondition(_Frozen):
    """A comparison of the author's contributor quality band, such as `< moderate`."""

    op: Literal["<", "<=", ">", ">=", "==", "!="]
    """Comparison operator (bands are ordered lowest < low < moderate < high < highest)."""
    band: ContributorQuality
    """The band compared with."""

    def holds(self, observed: ContributorQuality) -> bool:
        """Whether `observed <op> band` in the order of the bands."""
        rank = CONTRIBUTOR_QUALITY.index
        return Comparison(op=self.op, value=rank(self.band)).holds(rank(observed))

    def __str__(self) -> str:
        return f"{self.op} {self.band}"


QualityComparison = Annotated[
    QualityCondition,
    BeforeValidator(_parse_quality),
    PlainSerializer(str, return_type=str),
]
"""A comparison on the contributor quality band (`< moderate`)."""


class ParentPostConditions(_Frozen):
    """Conditions on the post a comment is in (AutoModerator's `parent_submission`).

    Its text fields are read by text checks as `parent_post_*`.

    The block itself requires the parent post to be known (`Item.parent_post`): an empty
    `parent_post: {}` keeps a negated check on a `parent_post_*` field from holding on an item
    whose parent post is unknown. Unknown data never satisfies a condition.
    """

    is_edited: bool | None = None
    """Whether the post was edited."""
    reports: CountComparison | None = None
    """Number of reports on the post."""


class TextCheck(_Frozen):
    """Values searched for in item fields: any value in any field satisfies the check."""

    values: tuple[str, ...] = Field(min_length=1)
    """Literal strings, or regular expressions when `regex` is true."""
    fields: tuple[TextField, ...] = Field(default=("title", "body"), min_length=1)
    """Fields searched (a match in any of them counts), default title and body."""
    match: MatchMode = "includes-word"
    """Where a value must sit: anywhere, as whole word(s), at the start or end, or the whole field
    (`full-exact`; `full-text` ignores leading and trailing punctuation and spaces)."""
    regex: bool = False
    """Values are regular expressions (RE2 syntax; others fall back to the `regex` module)."""
    case_sensitive: bool = False
    """Match case exactly; needs `match_on: raw`, since normalized text is lower-cased."""
    negate: bool = False
    """The check holds when no value matches."""
    match_on: MatchOn | None = None
    """Override of the rule's `match_on` for this check."""
    name: str | None = Field(default=None, min_length=1, max_length=200)
    """Name for `{{match-NAME-N}}` placeholders (imported rules: the AutoModerator search key,
    such as `title+body`)."""
    fills_match: bool = True
    """Whether what it matched fills `{{match…}}` placeholders (imported rules: AutoModerator
    fills them from the item's own searches, not the author's or the parent post's)."""


class AuthorConditions(_Frozen):
    """Conditions on the item's author; unknown author data never satisfies a condition."""

    account_age_days: DaysComparison | None = None
    """Account age, e.g. `< 7` or `< 2 weeks`."""
    karma: CountComparison | None = None
    """Combined karma, e.g. `< 10`."""
    comment_karma: CountComparison | None = None
    """Comment karma."""
    post_karma: CountComparison | None = None
    """Post karma."""
    is_moderator: bool | None = None
    """Whether the author moderates the community."""
    is_contributor: bool | None = None
    """Whether the author is an approved contributor."""
    flair: tuple[str, ...] = ()
    """Author flair equal (case-insensitively) to any of these."""
    is_submitter: bool | None = None
    """Whether the author also wrote the post (a post's author always did; for a comment,
    `meta.is_submitter`)."""
    contributor_quality: QualityComparison | None = None
    """Reddit's contributor quality band compared with one of `lowest`, `low`, `moderate`,
    `high`, `highest`, e.g. `< moderate` (an author of unknown quality never satisfies it)."""
    satisfy_any_threshold: bool = False
    """Karma and age thresholds are OR-ed instead of AND-ed (AutoModerator's option)."""
    negate: bool = False
    """The author block holds when its conditions do not."""

    @model_validator(mode="after")
    def _not_empty(self) -> AuthorConditions:
        if not (self.thresholds() or self.flair or self.contributor_quality) and (
            self.is_moderator is None and self.is_contributor is None and self.is_submitter is None
        ):
            raise ValueError("author block has no condition")
        return self

    def thresholds(self) -> dict[str, Comparison]:
        """The numeric thresholds that are set, by field name."""
        found = {
            "account_age_days": self.account_age_days,
            "karma": self.karma,
            "comment_karma": self.comment_karma,
            "post_karma": self.post_karma,
        }
        return {k: v for k, v in found.items() if v is not None}


class Rule(_Frozen):
    """One rule: all its conditions must hold for it to fire."""

    id: str = Field(min_length=1, max_length=200, pattern=_ID)
    """Identifier, unique in the rule set."""
    description: str = ""
    """What the rule is for."""
    enabled: bool = True
    """Disabled rules are loaded and checked but never fire."""
    policy: str | None = None
    """`policy_id@version` the rule enforces (default: the rule set's)."""
    criterion: str | None = None
    """Policy criterion id the rule evidences."""
    action: Action | None = None
    """Action when the rule fires (default: the rule set's; none: the enforcer's thresholds)."""
    score: float = Field(default=1.0, ge=0.0, le=1.0)
    """Score of the verdict when the rule fires."""
    match_on: MatchOn = "normalized"
    """Text checks read the normalized text (default) or the text as written."""
    keywords: tuple[str, ...] = ()
    """Shorthand for a check of these words or phrases as whole words in title and body."""
    regex: tuple[str, ...] = ()
    """Shorthand for a check of these regular expressions anywhere in title and body."""
    checks: tuple[TextCheck, ...] = ()
    """Further text checks (fields, match types, case, negation)."""
    communities: tuple[str, ...] = ()
    """Only items in one of these communities (empty: any)."""
    exclude_communities: tuple[str, ...] = ()
    """Never items in these communities."""
    kinds: tuple[ItemKind, ...] = ()
    """Only items of these kinds (empty: any)."""
    exclude_kinds: tuple[ItemKind, ...] = ()
    """Never items of these kinds."""
    text_length: CountComparison | None = None
    """Condition on the length in characters of title and body as written."""
    author: AuthorConditions | None = None
    """Conditions on the author."""
    reports: CountComparison | None = None
    """Condition on the number of user reports (`meta.reports`; unknown never satisfies)."""
    body_length: tuple[CountComparison, ...] = ()
    """Conditions on the body's length once non-word characters at both ends are removed
    (AutoModerator's `body_longer_than` / `body_shorter_than`); all must hold."""
    moderators_exempt: bool = False
    """Never fire on items whose author is known to moderate the community."""
    is_edited: bool | None = None
    """Only items that were (true) or were not (false) edited (`Item.is_edited`; unknown
    never satisfies)."""
    is_top_level: bool | None = None
    """Only comments that reply to the post itself (true) or to another comment (false)
    (`Item.is_top_level`; unknown never satisfies)."""
    parent_post: ParentPostConditions | None = None
    """Conditions on the post a comment is in (`Item.parent_post`)."""
    reason: str = ""
    """Reason given with the verdict; placeholders are filled in (`{{match}}`, `{{match-N}}`,
    `{{author}}`, `{{title}}`, `{{body}}`, `{{permalink}}`, `{{subreddit}}`, `{{kind}}`, …:
    see docs/rules.md)."""
    effects: tuple[Effect, ...] = ()
    """Side effects to return with the verdict when the rule fires (comments, messages,
    flair, lock, …), their texts with placeholders filled in; modgate carries none out."""
    approves: tuple[str, ...] = ()
    """An approval rule: when it fires, the hits of these rules (rule ids, or `group:NAME` for
    the rules of an exclusive group) are overridden and do not act; the rule itself allows
    (see docs/rules.md)."""
    approval_needs: tuple[str, ...] = ()
    """The approval acts only when one of these rules (ids or `group:NAME`) fired too (empty:
    whenever it fires); AutoModerator's approve acts only on a removed or reported item."""
    exclusive_group: str | None = Field(default=None, min_length=1)
    """Of the rules of one exclusive group that fire on an item, only the first in rule-set
    order counts (AutoModerator stops at the first removal rule, by priority)."""

    @model_validator(mode="after")
    def _has_a_condition(self) -> Rule:
        if not (
            self.keywords
            or self.regex
            or self.checks
            or self.communities
            or self.exclude_communities
            or self.kinds
            or self.exclude_kinds
            or self.text_length
            or self.author
            or self.reports
            or self.body_length
            or self.is_edited is not None
            or self.is_top_level is not None
            or self.parent_post is not None
        ):
            raise ValueError(f"rule {self.id!r} has no condition: it would fire on everything")
        if self.approval_needs and not self.approves:
            raise ValueError(f"rule {self.id!r}: approval_needs needs approves")
        if self.approves and self.action not in (None, Action.ALLOW):
            raise ValueError(
                f"rule {self.id!r}: an approval rule (approves) allows; its action must be allow"
            )
        for effect in self.effects:
            problem = effect_problem(effect)
            if problem:
                raise ValueError(f"rule {self.id!r}: effect {effect.kind}: {problem}")
        for check in self.text_checks():
            if check.case_sensitive and check.match_on == "normalized":
                raise ValueError(
                    f"rule {self.id!r}: case_sensitive needs match_on: raw "
                    "(normalized text is lower-cased)"
                )
        return self

    def text_checks(self) -> tuple[TextCheck, ...]:
        """Every text check of the rule, shorthands expanded, `match_on` resolved."""
        found: list[TextCheck] = []
        if self.keywords:
            found.append(TextCheck(values=self.keywords, match_on=self.match_on))
        if self.regex:
            found.append(
                TextCheck(values=self.regex, regex=True, match="includes", match_on=self.match_on)
            )
        for check in self.checks:
            if check.match_on is None:
                check = check.model_copy(update={"match_on": self.match_on})
            found.append(check)
        return tuple(found)


_TEXT_EFFECTS = frozenset({"comment", "message", "modmail"})
_BOOL_EFFECTS = frozenset(
    {"set_locked", "set_sticky", "set_nsfw", "set_spoiler", "set_contest_mode",
     "set_original_content"}
)  # fmt: skip
_ACTION_EFFECTS = frozenset({"remove", "spam", "filter", "report", "approve"})
SUGGESTED_SORTS = ("confidence", "top", "new", "controversial", "old", "random", "qa", "live")
"""Values of `set_suggested_sort` (AutoModerator accepts `best` for `confidence`)."""


def effect_problem(effect: Effect) -> str | None:
    """What is wrong with a declared effect's parameters for its kind, or None."""
    kind = effect.kind
    given = {
        k for k, v in effect.model_dump(exclude={"kind", "target", "rule"}).items() if v is not None
    }
    if kind in _TEXT_EFFECTS:
        allowed = {"text", "subject"} | ({"stickied", "locked"} if kind == "comment" else set())
        if effect.text is None:
            return "needs text"
        if kind == "comment" and effect.subject is not None:
            return "a comment has no subject"
    elif kind == "set_flair":
        allowed = {"text", "css_class", "template_id", "overwrite"}
        if effect.text is None and effect.css_class is None and effect.template_id is None:
            return "needs text, css_class or template_id"
    elif kind in _BOOL_EFFECTS:
        allowed = {"value"}
        if not isinstance(effect.value, bool):
            return "needs value: true or false"
    elif kind == "set_suggested_sort":
        allowed = {"value"}
        if effect.value not in SUGGESTED_SORTS:
            return f"value must be one of {', '.join(SUGGESTED_SORTS)}"
    elif kind == "action_reason":
        allowed = {"text"}
        if effect.text is None:
            return "needs text"
    else:
        allowed = {"text"}
        if kind not in _ACTION_EFFECTS:  # pragma: no cover - the Literal rules this out
            return "unknown kind"
    extra = sorted(given - allowed)
    if extra:
        return f"takes no {', '.join(extra)}"
    if kind in _ACTION_EFFECTS and effect.target != "parent_post":
        return "an action on the item is the rule's `action`; as an effect it targets parent_post"
    if effect.target == "author" and kind not in ("set_flair",):
        return "only set_flair can target the author"
    if effect.target == "parent_post" and kind in _TEXT_EFFECTS | {"action_reason"}:
        return "comments, messages and reasons concern the item, not its parent post"
    return None


class RuleSet(_Frozen):
    """A rule set file: defaults and the rules, evaluated independently of one another."""

    name: str | None = Field(default=None, pattern=_ID)
    """Name (default: the file stem)."""
    description: str = ""
    """What the rule set is for."""
    policy: str | None = None
    """Default `policy_id@version` of its rules."""
    action: Action | None = None
    """Default action of its rules."""
    regex_timeout_ms: float = Field(default=50.0, gt=0.0, le=10_000.0)
    """Per-match time limit for regexes RE2 cannot run (fallback engine); a timeout gives an
    error verdict, which routes the item to review."""
    re2_max_memory_mb: int = Field(default=256, ge=1, le=4096)
    """Most memory one RE2 program may use. Each program's budget is sized to its patterns
    (at least RE2's default 8 MB); regexes that need more than this are split over several RE2
    sets, and a single regex that does not fit even alone is reported as not compiling."""
    rules: tuple[Rule, ...] = Field(min_length=1)
    """The rules."""

    @model_validator(mode="after")
    def _unique_ids(self) -> RuleSet:
        counts: dict[str, int] = {}
        for rule in self.rules:
            counts[rule.id] = counts.get(rule.id, 0) + 1
        duplicates = sorted(rule_id for rule_id, n in counts.items() if n > 1)
        if duplicates:
            raise ValueError(f"rule ids must be unique; repeated: {', '.join(duplicates)}")
        return self

    def policy_of(self, rule: Rule) -> str | None:
        """The policy a rule enforces (its own or the rule set's)."""
        return rule.policy or self.policy

    def action_of(self, rule: Rule) -> Action | None:
        """The action a rule takes (its own or the rule set's; None: use thresholds).

        An approval rule (`approves`) allows.
        """
        if rule.approves:
            return Action.ALLOW
        return rule.action or self.action
