"""HTTP request and response models of the service (frozen, extra fields refused)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from modgate.domain import Action, Decision, Effect


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class AuthorRequest(_Model):
    """Signals about the author of an item (all optional)."""

    account_age_days: float | None = Field(default=None, ge=0)
    """Age of the author's account in days."""
    karma: int | None = None
    """Total karma."""
    comment_karma: int | None = None
    """Comment karma."""
    post_karma: int | None = None
    """Post karma."""
    is_moderator: bool | None = None
    """Whether the author moderates the community."""
    is_contributor: bool | None = None
    """Whether the author is an approved contributor."""
    flair: str | None = Field(default=None, max_length=256)
    """Author flair."""


class ItemRequest(_Model):
    """One item to moderate: the Item contract fields, plus an optional idempotency key."""

    id: str = Field(min_length=1, max_length=512)
    """The platform's id of the item."""
    kind: Literal["post", "comment", "message", "other"] = "other"
    """What the item is."""
    community: str | None = Field(default=None, max_length=256)
    """Community it was posted in (its community policies apply)."""
    title: str | None = None
    """Title (posts)."""
    body: str = ""
    """The text."""
    url: str | None = Field(default=None, max_length=4096)
    """Link of the item."""
    author_id: str | None = Field(default=None, max_length=512)
    """Author id (hashed at ingestion when the service has an author hash key)."""
    author: AuthorRequest | None = None
    """Author signals."""
    parent_id: str | None = Field(default=None, max_length=512)
    """Id of the item this one replies to."""
    parent_text: str | None = None
    """Text of the parent item (context)."""
    created_at: AwareDatetime | None = None
    """When it was created (with a time zone: a naive time is refused, 422)."""
    language: str | None = Field(default=None, max_length=32)
    """Language code, if known."""
    decision_id: str | None = Field(default=None, min_length=1, max_length=256)
    """Idempotency key: a request repeated with the same key returns the stored decision."""


class ModerateRequest(_Model):
    """One item (`item`) or a batch (`items`), never both."""

    item: ItemRequest | None = None
    """A single item."""
    items: list[ItemRequest] | None = None
    """A batch of items."""

    @model_validator(mode="after")
    def _one_of(self) -> ModerateRequest:
        if (self.item is None) == (self.items is None):
            raise ValueError("give exactly one of 'item' or 'items'")
        if self.items is not None and not self.items:
            raise ValueError("'items' is empty")
        return self

    def all_items(self) -> list[ItemRequest]:
        """The items of the request, in order."""
        return [self.item] if self.item is not None else list(self.items or [])


class ReasonResponse(_Model):
    """One policy's verdict behind a decision."""

    policy: str
    """`policy@version`."""
    enforcer: str
    """`enforcer@version` that judged."""
    action: Action
    """The action this policy's verdict asks for."""
    criteria: tuple[str, ...] = ()
    """Criteria that fired."""
    error: str | None = None
    """Set when the enforcer failed (the action is then `review`)."""


class ArmResponse(_Model):
    """Which deployment and arm decided a policy."""

    policy: str
    """Policy id."""
    deployment_id: str
    """The deployment record."""
    arm: Literal["active", "canary"]
    """Which arm acted."""
    enforcer: str
    """`enforcer@version` that acted."""


class DecisionResponse(_Model):
    """The decision for one item."""

    decision_id: str
    """Idempotency key of the stored decision."""
    item_id: str
    """The decided item."""
    action: Action
    """Final action: the most severe across policies."""
    policies: dict[str, Action]
    """Action asked for by each applicable policy, by policy id."""
    reasons: tuple[ReasonResponse, ...]
    """Reason codes: each policy's verdict, most severe first."""
    deployments: tuple[ArmResponse, ...]
    """Deployment and arm behind each policy."""
    effects: tuple[Effect, ...] = ()
    """Declared effects of the rules behind the final action (a removal comment, a modmail,
    flair…), placeholders filled in: for the integration to carry out; modgate posts nothing."""
    decided_at: datetime
    """When the decision was made (UTC)."""

    @classmethod
    def from_decision(cls, decision: Decision) -> DecisionResponse:
        """The response shape of a domain decision."""
        policies: dict[str, Action] = {}
        for reason in decision.reasons:
            pid = reason.policy.split("@", 1)[0]
            if pid not in policies or reason.action.severity > policies[pid].severity:
                policies[pid] = reason.action
        # fields passed one by one (a model_dump per reason cost more than the validation);
        # pydantic-core validates these small records faster than model_construct builds them
        return cls(
            decision_id=decision.decision_id,
            item_id=decision.item_id,
            action=decision.action,
            policies=policies,
            reasons=tuple(
                ReasonResponse(
                    policy=r.policy, enforcer=r.enforcer, action=r.action, criteria=r.criteria,
                    error=r.error,
                )
                for r in decision.reasons
            ),
            deployments=tuple(
                ArmResponse(
                    policy=a.policy, deployment_id=a.deployment_id, arm=a.arm, enforcer=a.enforcer
                )
                for a in decision.deployments
            ),
            effects=decision.effects,
            decided_at=decision.decided_at,
        )  # fmt: skip


class ModerateResponse(_Model):
    """Decisions, one per item of the request, in order."""

    decisions: list[DecisionResponse]
    """The decisions."""


class PolicyResponse(_Model):
    """The current deployment of one policy."""

    policy: str
    """Policy id."""
    deployment_id: str
    """Current deployment record."""
    active: str | None
    """Active `enforcer@version`."""
    canary: str | None
    """Canary `enforcer@version`, if any."""
    canary_share: float | None
    """Share of traffic routed to the canary."""
    shadow: tuple[str, ...]
    """Shadow enforcers (judge, never act)."""


class PoliciesResponse(_Model):
    """Every deployed policy."""

    policies: list[PolicyResponse]
    """The policies, by id."""


class HealthResponse(_Model):
    """Liveness."""

    status: Literal["ok"]
    """Always `ok` while the process answers."""


class ReadyResponse(_Model):
    """Readiness: every active and canary enforcer is loaded."""

    ready: bool
    """Whether the service can decide now."""
    missing: tuple[str, ...] = ()
    """Enforcers not loaded yet (or failing to load)."""


class ErrorBody(_Model):
    """What went wrong."""

    status: int
    """HTTP status."""
    code: str
    """Stable machine-readable code (`unauthorized`, `forbidden`, `too_large`, …)."""
    message: str
    """A sentence for a human."""
    field: str | None = None
    """The offending field, when one is to blame (e.g. `items.3.body`)."""


class ErrorResponse(_Model):
    """The one error envelope of every HTTP error."""

    error: ErrorBody
    """The error."""


__all__ = [
    "ArmResponse",
    "AuthorRequest",
    "DecisionResponse",
    "ErrorBody",
    "ErrorResponse",
    "HealthResponse",
    "ItemRequest",
    "ModerateRequest",
    "ModerateResponse",
    "PoliciesResponse",
    "PolicyResponse",
    "ReadyResponse",
    "ReasonResponse",
]
