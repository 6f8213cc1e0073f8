"""Decision combination (pure): the verdicts of all applicable policies → one action with reasons.

The rules of DESIGN.md ("Decision"):

- The applicable policies are the site policies plus the item's own community policies; a
  verdict about any other policy (another community's, an unknown one) is ignored.
- Each applicable policy's verdict gives an action. A policy may take only the actions it
  declares: a stronger action is lowered to the strongest one it may take (a policy that may
  only `label` never removes). An errored verdict is `review` whatever the policy declares.
- An applicable policy without a verdict is an error too: the item goes to `review`, never
  silently to `allow`.
- The final action is the most severe: remove > review > warn > label > allow.
- A community policy may relax only itself, never a site policy: its verdicts join the others
  and the most severe wins, so nothing a community says lowers a site policy's action.
- The decision's effects are those of the verdicts that determined the final action (their
  action, once capped, is the final one), in reason order without repeats: a removal comment
  goes with a removal, not with a decision that another policy's verdict made.

No database, clock or environment: the caller passes the decision id and time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from modgate.domain import Action, Decision, Effect, Item, ReasonCode, Verdict, VersionRef

NO_VERDICT = "no verdict for this applicable policy"
_ALL_ACTIONS = frozenset({Action.REMOVE, Action.REVIEW, Action.WARN, Action.LABEL})


class ApplicablePolicy(BaseModel):
    """A policy that may apply to items: its reference, scope and the actions it may take."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    policy: str = Field(min_length=1)
    """`policy_id@version` (verdicts are matched by the id part)."""
    scope: str = "site"
    """`site`, or `community:<name>` for a community's own policy."""
    actions: frozenset[Action] = _ALL_ACTIONS
    """Actions this policy may take (besides allow); `review` is always possible on errors."""

    @field_validator("scope")
    @classmethod
    def _check_scope(cls, value: str) -> str:
        if value != "site" and not (value.startswith("community:") and len(value) > 10):
            raise ValueError(f"scope must be 'site' or 'community:<name>', got {value!r}")
        return value

    @property
    def policy_id(self) -> str:
        """The policy id without its version."""
        return VersionRef.name_of(self.policy)

    @property
    def level(self) -> Literal["site", "community"]:
        """Whether it is a site or a community policy."""
        return "site" if self.scope == "site" else "community"

    def applies_to(self, item: Item) -> bool:
        """Site policies apply to every item, community policies to their community's items."""
        return self.scope == "site" or (
            item.community is not None and self.scope == f"community:{item.community}"
        )

    def cap(self, action: Action) -> Action:
        """The strongest action at most `action` that this policy may take (allow if none)."""
        allowed = [a for a in self.actions if a.severity <= action.severity]
        return max(allowed, key=lambda a: a.severity, default=Action.ALLOW)


def applicable_policies(item: Item, policies: Iterable[ApplicablePolicy]) -> list[ApplicablePolicy]:
    """The policies that apply to an item: every site policy plus its community's own."""
    return [p for p in policies if p.applies_to(item)]


def _reason(policy: ApplicablePolicy, verdict: Verdict) -> ReasonCode:
    if verdict.error is not None:
        action = Action.REVIEW
    else:
        action = policy.cap(verdict.action)
    return ReasonCode(
        policy=verdict.policy if "@" in verdict.policy else policy.policy,
        enforcer=verdict.enforcer,
        action=action,
        criteria=verdict.criteria,
        error=verdict.error,
    )


def combine_verdicts(
    item: Item,
    verdicts: Sequence[Verdict],
    policies: Sequence[ApplicablePolicy],
    *,
    decision_id: str,
    decided_at: datetime,
) -> Decision:
    """Combine the verdicts about one item into its decision.

    Args:
        item: The item decided.
        verdicts: Verdicts of the active enforcers about this item (others' items ignored).
        policies: Every policy that may apply (site and community); those applicable to the
            item are picked here.
        decision_id: Idempotency key of the decision.
        decided_at: Time of the decision (UTC).

    Returns:
        The most severe action with one reason per contributing verdict (and one per
        applicable policy left without a verdict), most severe first.
    """
    applicable = applicable_policies(item, policies)
    by_id: dict[str, list[Verdict]] = {}
    for verdict in verdicts:
        if verdict.item_id == item.id:
            by_id.setdefault(VersionRef.name_of(verdict.policy), []).append(verdict)
    reasons: list[ReasonCode] = []
    effects_of: list[tuple[ReasonCode, tuple[Effect, ...]]] = []
    seen: set[str] = set()
    for policy in applicable:
        if policy.policy_id in seen:
            continue  # the same policy listed twice counts once
        seen.add(policy.policy_id)
        found = by_id.get(policy.policy_id, [])
        if not found:
            reasons.append(
                ReasonCode(
                    policy=policy.policy, enforcer="", action=Action.REVIEW, error=NO_VERDICT
                )
            )
            continue
        for verdict in found:
            reason = _reason(policy, verdict)
            reasons.append(reason)
            if verdict.effects and verdict.error is None:
                effects_of.append((reason, verdict.effects))
    reasons.sort(key=lambda r: (-r.action.severity, r.policy, r.enforcer))
    action = reasons[0].action if reasons else Action.ALLOW
    effects_of.sort(key=lambda pair: (pair[0].policy, pair[0].enforcer))
    effects = tuple(
        dict.fromkeys(
            effect
            for reason, declared in effects_of
            if reason.action is action
            for effect in declared
        )
    )
    return Decision(
        decision_id=decision_id,
        item_id=item.id,
        action=action,
        reasons=tuple(reasons),
        decided_at=decided_at,
        deployments=(),
        shadow=(),
        effects=effects,
    )


__all__ = ["NO_VERDICT", "ApplicablePolicy", "applicable_policies", "combine_verdicts"]
