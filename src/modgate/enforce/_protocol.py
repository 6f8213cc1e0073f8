"""The Enforcer contract: batch-first `predict(items) -> list[Verdict]`, and its spec."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field, model_validator

from modgate.domain import Item, Verdict, VersionRef

if TYPE_CHECKING:
    from modgate.enforce.llm._stats import LLMRunStats


class ActionThresholds(BaseModel):
    """Score thresholds at or above which an action is taken (None: never).

    The most severe action whose threshold the score reaches wins.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    remove: float | None = Field(default=None, ge=0.0, le=1.0)
    """Remove at or above this score."""
    review: float | None = Field(default=None, ge=0.0, le=1.0)
    """Send to human review at or above this score."""
    warn: float | None = Field(default=None, ge=0.0, le=1.0)
    """Warn the author at or above this score."""
    label: float | None = Field(default=None, ge=0.0, le=1.0)
    """Attach a label at or above this score."""


class EnforcerThresholds(ActionThresholds):
    """Thresholds of an enforcer with optional per-community overrides."""

    communities: dict[str, ActionThresholds] = Field(default_factory=dict)
    """Overrides by community name."""


class EnforcerSpec(BaseModel):
    """What an enforcer is: kind, policy it enforces, parameters and thresholds.

    Stored with every verdict it produced, so the enforcer can be re-created.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
    """Enforcer name (file stem of `enforcers/NAME.yaml`)."""
    kind: str
    """Registry kind: `rules`, `classifier`, `llm`, `cascade`, `recorded`, or a plugin's."""
    policy: str
    """`policy_id@version` it enforces."""
    params: dict[str, Any] = Field(default_factory=dict)
    """Kind-specific parameters."""
    thresholds: EnforcerThresholds = Field(default_factory=lambda: EnforcerThresholds(remove=0.5))
    """Score → action thresholds."""
    version: int | None = None
    """Catalog version once registered."""

    @model_validator(mode="after")
    def _policy_has_id(self) -> EnforcerSpec:
        if not VersionRef.name_of(self.policy):
            raise ValueError("policy must be 'policy_id' or 'policy_id@version'")
        return self

    @property
    def ref(self) -> str:
        """`name@version` (or just the name before registration)."""
        return f"{self.name}@{self.version}" if self.version is not None else self.name


@runtime_checkable
class Enforcer(Protocol):
    """Anything that judges items under one policy, a batch at a time.

    Contract (checked by `modgate.testing.check_enforcer`): one verdict per item, in the order
    of the items; an empty batch gives an empty list; a per-item failure is a verdict with
    `error` set and action `review` (never `allow`), not an exception; the same input gives the
    same verdicts.
    """

    @property
    def spec(self) -> EnforcerSpec:
        """The spec that re-creates this enforcer."""
        ...

    def predict(self, items: Sequence[Item]) -> list[Verdict]:
        """Judge a batch of items."""
        ...


@runtime_checkable
class ReportsRunStats(Protocol):
    """An enforcer that reports run figures after each `predict` (the LLM judge, a cascade).

    Evaluation sums them into the run's reliability figures (calls, errors, parse failures,
    tokens, cost); `run_stats_of` is the one place that reads them.
    """

    @property
    def last_run_stats(self) -> LLMRunStats | None:
        """Figures of the last `predict` call, or None when it made no calls."""
        ...


def run_stats_of(enforcer: object) -> LLMRunStats | None:
    """The run figures an enforcer reported for its last `predict`, if it reports any."""
    return enforcer.last_run_stats if isinstance(enforcer, ReportsRunStats) else None
