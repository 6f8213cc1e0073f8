"""A small, complete enforcer kind for plugin authors to start from (and for our own tests).

`KeywordEnforcer` scores an item 1.0 when its body or title contains one of its keywords
(case-insensitive), else 0.0; `KEYWORD_KIND` is its `EnforcerKind` record, registrable
through the `register_enforcers` hook exactly like a third-party kind.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from modgate.domain import Item, Verdict
from modgate.enforce import EnforcerKind, EnforcerSpec, KindContext, action_for_score


class KeywordParams(BaseModel):
    """`params` of a `testing/keyword` spec."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    keywords: list[str] = Field(min_length=1)
    """Words whose presence makes an item violating."""


class KeywordEnforcer:
    """Violating when the text contains a keyword: the smallest honest `Enforcer`."""

    def __init__(self, spec: EnforcerSpec) -> None:
        self._spec = spec
        self._keywords = [k.lower() for k in KeywordParams.model_validate(spec.params).keywords]

    @property
    def spec(self) -> EnforcerSpec:
        """The spec that re-creates this enforcer."""
        return self._spec

    def predict(self, items: Sequence[Item]) -> list[Verdict]:
        """One verdict per item, in order."""
        out: list[Verdict] = []
        for item in items:
            text = f"{item.title or ''} {item.body}".lower()
            hit = next((k for k in self._keywords if k in text), None)
            score = 1.0 if hit else 0.0
            out.append(
                Verdict(
                    item_id=item.id,
                    policy=self._spec.policy,
                    enforcer=self._spec.ref,
                    score=score,
                    label="violating" if hit else "non_violating",
                    action=action_for_score(score, self._spec.thresholds, item.community),
                    rationale=f"keyword {hit!r}" if hit else "no keyword",
                )
            )
        return out


def _build(spec: EnforcerSpec, context: KindContext) -> KeywordEnforcer:
    return KeywordEnforcer(spec)


KEYWORD_KIND = EnforcerKind(
    name="testing/keyword",
    build=_build,
    params_model=KeywordParams,
    summary="test kit: violating when the text contains a keyword",
)
"""The record a plugin registers: `register("testing/keyword", KEYWORD_KIND)`."""

__all__ = ["KEYWORD_KIND", "KeywordEnforcer", "KeywordParams"]
