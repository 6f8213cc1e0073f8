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

from modgate.domain import Action, ItemKind

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
]
"""Item fields a text check can read; `domain` is the host of `url` without `www.`; `author`
is `author_id`; `post_flair` / `post_flair_class` are `meta.flair_text` / `meta.flair_css_class`;
`body_unquoted` is the body without quoted (`>`) and empty lines."""

FREE_TEXT_FIELDS: frozenset[str] = frozenset(
    {"title", "body", "author_flair", "parent_text", "post_flair", "body_unquoted"}
)
"""Fields that `match_on: normalized` runs through `normalize_text` (the others are lower-cased)."""

_ID = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"
_COMPARISON = re.compile(
    r"^\s*(?P<op><=|>=|==|!=|<|>|=)?\s*(?P<value>-?\d+(?:\.\d+)?)\s*(?P<unit>[a-z]+)?\s*$"
)
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
    satisfy_any_threshold: bool = False
    """Karma and age thresholds are OR-ed instead of AND-ed (AutoModerator's option)."""
    negate: bool = False
    """The author block holds when its conditions do not."""

    @model_validator(mode="after")
    def _not_empty(self) -> AuthorConditions:
        if not (self.thresholds() or self.flair) and (
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
    reason: str = ""
    """Reason given with the verdict; `{{match}}` is replaced by the first matched text."""
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
        ):
            raise ValueError(f"rule {self.id!r} has no condition: it would fire on everything")
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
        """The action a rule takes (its own or the rule set's; None: use thresholds)."""
        return rule.action or self.action
