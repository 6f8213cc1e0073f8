"""The Policy contract of DESIGN.md as frozen pydantic models (what a `policies/*.yaml` holds).

The schema checks the shape of each field. Cross-references (duplicate ids, examples citing
unknown criteria, contradicting examples…) are the lint checks' job, so that one run reports
every problem with its location instead of stopping at the first.
"""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from modgate.domain import Action
from modgate.policy._choices import Severity as Severity

PolicyId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]{0,127}$")]
"""A policy id: lowercase letters, digits, `_` and `-`, starting with a letter."""

RuleId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")]
"""Id of a criterion or allowed context, e.g. `H1` or `counter_speech`."""

Scope = Annotated[str, StringConstraints(pattern=r"^(site|community:[^\s:]{1,200})$")]
"""`site`, or `community:<name>` for one community's own policy."""

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
"""Non-empty text (surrounding whitespace removed)."""

ExampleLabel = Literal["violates", "safe"]
"""Whether an example violates the policy or is explicitly safe under it."""

POLICY_ACTIONS: tuple[Action, ...] = (Action.REMOVE, Action.REVIEW, Action.WARN, Action.LABEL)
"""Actions a policy may take (`allow` is what happens when nothing fires)."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Criterion(_Frozen):
    """One thing that violates the policy."""

    id: RuleId
    """Stable id, cited by examples and returned by judges in `rule_ids`."""
    title: Text
    """Short name of the criterion."""
    description: Text
    """What exactly violates, written so a model (and a new moderator) can apply it."""


class AllowedContext(_Frozen):
    """An explicit non-violation: content that resembles a violation but is allowed."""

    id: RuleId
    """Stable id, e.g. `counter_speech`, `quotation`, `news`, `satire`, `reclaimed_use`."""
    title: Text
    """Short name of the context."""
    description: Text
    """When the context applies, and its limits."""


class Example(_Frozen):
    """A labelled example that shows the model where the line is."""

    text: Text
    """The content, as a user would post it."""
    label: ExampleLabel
    """`violates` or `safe`."""
    criteria: list[RuleId] = Field(default_factory=list)
    """Criteria the example violates (label `violates` only)."""
    allowed: list[RuleId] = Field(default_factory=list)
    """Allowed contexts that make the example safe (label `safe` only)."""
    tags: list[Text] = Field(default_factory=list)
    """Free tags, e.g. `hard_negative`, `implicit`, `coded`."""
    note: Text | None = None
    """Why the example is labelled as it is (shown to the model)."""


class Policy(_Frozen):
    """A content policy a model can follow (the Policy contract of DESIGN.md)."""

    id: PolicyId
    """Stable policy id, e.g. `harassment`."""
    version: int = Field(ge=1)
    """Version number; a published version is immutable, a change makes a new version."""
    scope: Scope = "site"
    """`site`, or `community:<name>`."""
    title: Text
    """Human title."""
    definition: Text
    """What the policy is about, in a few sentences."""
    glossary: dict[Text, Text] = Field(default_factory=dict)
    """Defined terms used by the criteria: term → definition."""
    violates: list[Criterion] = Field(min_length=1)
    """What violates the policy."""
    allowed: list[AllowedContext] = Field(default_factory=list)
    """Explicit non-violations (counter-speech, quotation, news, satire, reclaimed use…)."""
    examples: list[Example] = Field(default_factory=list)
    """Labelled examples, including hard negatives."""
    severity: Severity
    """How grave a violation is."""
    actions: list[Action] = Field(min_length=1)
    """Actions this policy may take: remove, review, warn, label."""

    @field_validator("actions")
    @classmethod
    def _check_actions(cls, value: list[Action]) -> list[Action]:
        if Action.ALLOW in value:
            raise ValueError(
                "'allow' is not a policy action (it is what happens when nothing fires)"
            )
        if len(set(value)) != len(value):
            raise ValueError("actions must not repeat")
        return value

    @property
    def ref(self) -> str:
        """`id@version`, how enforcers and reason codes name this policy."""
        return f"{self.id}@{self.version}"


def policy_content_hash(policy: Policy) -> str:
    """sha256 of the policy's canonical JSON (sorted keys, compact, UTF-8).

    The hash covers meaning, not formatting: YAML comments, quoting and key order do not change
    it, so republishing a reformatted file is recognised as the same version.
    """
    data = policy.model_dump(mode="json")
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
