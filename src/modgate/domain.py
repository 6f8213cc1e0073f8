"""Frozen records shared by every layer: items, verdicts, actions and decisions.

This module imports only the standard library and pydantic, so every layer can use it.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, field_validator

from modgate.errors import ValidationError


class VersionRef(NamedTuple):
    """A `NAME@VERSION` reference (policies, enforcers, golden sets); no version: the latest.

    The one parser of references: every command and library function that takes one uses
    `VersionRef.parse`, so the rules (a name, then optionally `@` and a version from 1) and the
    error messages are the same everywhere.
    """

    name: str
    """What is referred to (policy id, enforcer name, golden set name)."""
    version: int | None
    """The version number, or None for the latest."""

    @classmethod
    def parse(cls, text: str, *, what: str = "reference") -> VersionRef:
        """Parse `NAME` or `NAME@VERSION`.

        Args:
            text: The reference.
            what: What it refers to, for the message (`enforcer`, `golden version`, …).

        Raises:
            ValidationError: No name, a name with spaces or a second `@`, or a version that
                is not a whole number from 1.

        Example:
            >>> VersionRef.parse("hate-speech@3")
            VersionRef(name='hate-speech', version=3)
        """
        name, sep, version = text.strip().partition("@")
        if not name or any(c.isspace() for c in name) or "@" in version:
            raise ValidationError(
                f"{what} {text!r} is not NAME or NAME@VERSION", hint="e.g. hate-speech@3"
            )
        if not sep:
            return cls(name, None)
        if not version.isdigit() or int(version) < 1:
            raise ValidationError(
                f"{what} {text!r}: the version after '@' must be a whole number from 1"
            )
        return cls(name, int(version))

    @classmethod
    def name_of(cls, text: str) -> str:
        """The name part of a stored `NAME[@VERSION]` (e.g. a verdict's policy id)."""
        return text.partition("@")[0]

    def __str__(self) -> str:
        return self.name if self.version is None else f"{self.name}@{self.version}"


class Action(enum.StrEnum):
    """What enforcement does with an item, most severe first in `ACTION_SEVERITY`."""

    REMOVE = "remove"
    REVIEW = "review"
    WARN = "warn"
    LABEL = "label"
    ALLOW = "allow"

    @property
    def severity(self) -> int:
        """Rank of the action: higher is more severe (allow is 0)."""
        return ACTION_SEVERITY[self]


ACTION_SEVERITY: dict[Action, int] = {
    Action.ALLOW: 0,
    Action.LABEL: 1,
    Action.WARN: 2,
    Action.REVIEW: 3,
    Action.REMOVE: 4,
}

ItemKind = Literal["post", "comment", "message", "other"]

ContributorQuality = Literal["lowest", "low", "moderate", "high", "highest"]
"""Reddit's contributor quality score bands, lowest first (`CONTRIBUTOR_QUALITY` orders them)."""
CONTRIBUTOR_QUALITY: tuple[ContributorQuality, ...] = (
    "lowest",
    "low",
    "moderate",
    "high",
    "highest",
)

EffectKind = Literal[
    "comment",
    "message",
    "modmail",
    "set_flair",
    "set_locked",
    "set_sticky",
    "set_nsfw",
    "set_spoiler",
    "set_contest_mode",
    "set_suggested_sort",
    "set_original_content",
    "action_reason",
    "remove",
    "spam",
    "filter",
    "report",
    "approve",
]
"""What an integration is asked to do on the platform (modgate itself posts nothing)."""
EffectTarget = Literal["item", "author", "parent_post"]
"""What an effect acts on: the item, its author (flair) or, for a comment, the post it is in."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class AuthorInfo(_Frozen):
    """What is known of an item's author at the time the item was made."""

    account_age_days: float | None = None
    """Age of the author's account in days."""
    karma: int | None = None
    """Combined karma or reputation score."""
    comment_karma: int | None = None
    """Karma earned by comments, where the platform separates it."""
    post_karma: int | None = None
    """Karma earned by posts, where the platform separates it."""
    is_moderator: bool | None = None
    """Whether the author moderates the item's community."""
    is_contributor: bool | None = None
    """Whether the author is an approved contributor of the community."""
    flair: str | None = None
    """The author's flair text in the community."""
    flair_css_class: str | None = None
    """The CSS class of the author's flair in the community."""
    flair_template_id: str | None = None
    """The id of the flair template the author's flair was made from."""
    contributor_quality: ContributorQuality | None = None
    """Reddit's contributor quality score band of the author (`lowest` … `highest`)."""


class Effect(_Frozen):
    """A side effect a rule declares: carried out by an integration, never by modgate.

    Declared on a rule with placeholders (`{{match}}`, `{{author}}`, …); recorded on a verdict
    and returned with a decision with them filled in for the item.
    """

    kind: EffectKind
    """What to do: post a `comment`, send a `message` (to the author) or `modmail`, set flair,
    lock, sticky, mark NSFW / spoiler / OC, contest mode, suggested sort; `action_reason` is the
    reason to log with the action; `remove` / `spam` / `filter` / `report` / `approve` are
    moderation actions on a target other than the item (the parent post)."""
    target: EffectTarget = "item"
    """What the effect acts on."""
    text: str | None = None
    """Comment or message body, flair text, reason or report reason."""
    subject: str | None = None
    """Subject of a `message` or `modmail`."""
    css_class: str | None = None
    """Flair CSS class (`set_flair`)."""
    template_id: str | None = None
    """Flair template id (`set_flair`)."""
    overwrite: bool | None = None
    """`set_flair`: replace flair that is already set (default: only set it where none is)."""
    value: bool | str | None = None
    """The value of a `set_*` effect (true/false; the sort name for `set_suggested_sort`)."""
    stickied: bool | None = None
    """`comment`: sticky the comment."""
    locked: bool | None = None
    """`comment`: lock the comment."""
    rule: str = ""
    """Id of the rule that declared it (filled in when recorded with a verdict)."""


class ParentPost(_Frozen):
    """The post a comment is in, as far as the source knows it (`parent_submission`)."""

    id: str | None = None
    """Identifier of the post."""
    title: str | None = None
    """Its title."""
    body: str | None = None
    """Its text (text posts)."""
    url: str | None = None
    """Its link (link posts)."""
    flair_text: str | None = None
    """Its flair text."""
    flair_css_class: str | None = None
    """Its flair CSS class."""
    flair_template_id: str | None = None
    """Its flair template id."""
    is_edited: bool | None = None
    """Whether it was edited."""
    reports: int | None = Field(default=None, ge=0)
    """Number of reports on it."""


class Item(_Frozen):
    """One piece of content to be judged (the Item contract of DESIGN.md)."""

    id: str = Field(min_length=1, max_length=512)
    """Stable identifier from the source system."""
    kind: ItemKind = "other"
    """post, comment, message or other."""
    community: str | None = None
    """Community (e.g. subreddit) the item was posted in; None for site-wide content."""
    title: str | None = None
    """Title of a post."""
    body: str = ""
    """The text to judge."""
    url: str | None = None
    """Link of a link post."""
    author_id: str | None = None
    """Author identifier, possibly hashed."""
    author: AuthorInfo | None = None
    """Author attributes at posting time."""
    parent_id: str | None = None
    """Identifier of the item this one replies to."""
    parent_text: str | None = None
    """Text of the parent item, for context."""
    created_at: datetime | None = None
    """Creation time, timezone-aware UTC."""
    language: str | None = None
    """ISO 639-1 language code when known."""
    is_edited: bool | None = None
    """Whether the item was edited after it was posted (None: unknown)."""
    is_top_level: bool | None = None
    """For a comment: whether it replies to the post itself rather than to another comment
    (None: unknown)."""
    parent_post: ParentPost | None = None
    """For a comment: the post it is in (None: unknown)."""
    meta: dict[str, Any] = Field(default_factory=dict)
    """Source fields that have no place above."""

    @field_validator("created_at")
    @classmethod
    def _require_aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("created_at must be timezone-aware (UTC)")
        return value

    @property
    def text(self) -> str:
        """Title and body joined, which is what most enforcers read."""
        if self.title:
            return f"{self.title}\n{self.body}" if self.body else self.title
        return self.body


class Verdict(_Frozen):
    """One enforcer's judgement of one item under one policy."""

    item_id: str
    """The judged item."""
    policy: str
    """Policy id (optionally `id@version`) the verdict is about."""
    enforcer: str
    """`name@version` of the enforcer that produced it."""
    score: float = Field(ge=0.0, le=1.0)
    """Estimated probability (or strength) of violation in [0, 1]."""
    label: Literal["violating", "non_violating"]
    """Binary reading of the score at the enforcer's own threshold."""
    action: Action = Action.ALLOW
    """Action the enforcer's thresholds map the score to."""
    criteria: tuple[str, ...] = ()
    """Ids of the policy criteria that fired."""
    rationale: str = ""
    """Human-readable reason (matched span, model explanation…)."""
    latency_ms: float = 0.0
    """Time spent producing this verdict."""
    cost: float = 0.0
    """Monetary cost of producing it (LLM calls), in the configured currency."""
    error: str | None = None
    """Set when the enforcer failed on this item; the action is then `review`."""
    effects: tuple[Effect, ...] = ()
    """Side effects the firing rules declare, placeholders filled in (never carried out by
    modgate)."""

    def model_post_init(self, __context: Any) -> None:
        """Enforce the rule that an error never allows content."""
        if self.error is not None and self.action is not Action.REVIEW:
            raise ValueError("a verdict with an error must have action 'review'")

    @classmethod
    def failed(cls, item_id: str, policy: str, enforcer: str, error: str) -> Verdict:
        """Build the verdict for an item an enforcer could not judge: review, never allow."""
        return cls(
            item_id=item_id,
            policy=policy,
            enforcer=enforcer,
            score=1.0,
            label="violating",
            action=Action.REVIEW,
            rationale=f"enforcer failed: {error}",
            error=error,
        )


class ReasonCode(_Frozen):
    """Why a decision took its action: one contributing verdict."""

    policy: str
    """`policy@version` behind the reason."""
    enforcer: str
    """`enforcer@version` that gave the verdict."""
    action: Action
    """Action this verdict asked for."""
    criteria: tuple[str, ...] = ()
    """Criteria ids that fired."""
    error: str | None = None
    """Error of the verdict, if any."""


class DeploymentArm(_Frozen):
    """The deployment one policy's verdict came from, for one decision."""

    policy: str
    """Policy id the deployment is for."""
    deployment_id: str
    """The deployment (state) the decision was made under."""
    arm: Literal["active", "canary"]
    """Which arm acted for this item."""
    enforcer: str
    """`enforcer@version` that acted."""
    shadow: tuple[str, ...] = ()
    """`enforcer@version` of each shadow that judged the item too (never acting)."""


class Decision(_Frozen):
    """The final action for one item, combining the verdicts of all applicable policies."""

    decision_id: str
    """Idempotency key: a redelivered message with the same id never duplicates a row."""
    item_id: str
    """The decided item."""
    action: Action
    """Most severe action among the contributing verdicts."""
    reasons: tuple[ReasonCode, ...] = ()
    """Every verdict that contributed, most severe first."""
    decided_at: datetime
    """When the decision was made (UTC)."""
    deployments: tuple[DeploymentArm, ...] = ()
    """The deployment and arm of each policy behind the decision (empty when the caller
    chose enforcer versions directly)."""
    shadow: tuple[ReasonCode, ...] = ()
    """What shadow enforcers would have done: stored beside the decision, never acting."""
    effects: tuple[Effect, ...] = ()
    """Side effects of the verdicts that determined the final action, for an integration to
    carry out (modgate posts nothing)."""
