"""Builders of golden examples and a deterministic enforcer for eval-run tests."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from modgate.domain import Item, Verdict
from modgate.enforce import EnforcerSpec, EnforcerThresholds, action_for_score
from modgate.evaluate import EnforcerRef, GoldenExample, GoldenRef

GOLDEN = GoldenRef(name="hate-gold", version=1, content_hash="g" * 64)


def examples(n: int = 120) -> list[GoldenExample]:
    found = []
    for i in range(n):
        violating = i % 3 == 0
        found.append(
            GoldenExample(
                item=Item(
                    id=f"it{i:04d}",
                    body=("you are vermin " if violating else "we discussed the news ")
                    * (1 + i % 5),
                    community=f"c{i % 3}",
                    language="en",
                ),
                gold=violating,
                gold_criteria=("dehumanization",) if violating else (),
                allowed_context=("news",) if not violating and i % 4 == 0 else (),
                tags=("counter_speech",) if i % 7 == 0 else (),
                agreement=1.0 if i % 2 else 0.6,
            )
        )
    return found


class KeywordEnforcer:
    """Scores `vermin` high (and `news` a little when `news_bias`), counting its calls."""

    def __init__(self, name: str = "kw", *, news_bias: float = 0.0) -> None:
        self._spec = EnforcerSpec(
            name=name, kind="rules", policy="hate@1",
            thresholds=EnforcerThresholds(remove=0.8, review=0.5), version=1,
        )  # fmt: skip
        self.news_bias = news_bias
        self.calls: list[int] = []

    @property
    def spec(self) -> EnforcerSpec:
        return self._spec

    def predict(self, items: Sequence[Item]) -> list[Verdict]:
        self.calls.append(len(items))
        out = []
        for item in items:
            digest = int(hashlib.sha256(item.id.encode()).hexdigest()[:4], 16) / 65535
            score = 0.55 + 0.4 * digest if "vermin" in item.body else 0.4 * digest
            if "news" in item.body:
                score = min(1.0, score + self.news_bias)
            action = action_for_score(score, self._spec.thresholds, item.community)
            out.append(
                Verdict(
                    item_id=item.id,
                    policy="hate@1",
                    enforcer=self._spec.ref,
                    score=score,
                    label="violating" if score >= 0.5 else "non_violating",
                    action=action,
                    criteria=("dehumanization",) if score >= 0.5 else (),
                    latency_ms=2.0,
                    cost=0.0001,
                )  # fmt: skip
            )
        return out


def ref(enforcer: KeywordEnforcer, version_hash: str = "e" * 64) -> EnforcerRef:
    return EnforcerRef(name=enforcer.spec.name, version=1, version_hash=version_hash,
                       policy="hate@1")  # fmt: skip
