"""The conformance battery accepts a correct enforcer and rejects each kind of broken one."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import pytest

from modgate.domain import Action, Item, Verdict
from modgate.enforce import EnforcerSpec, EnforcerThresholds, action_for_score
from modgate.testing import (
    EnforcerCheckError,
    check_batch_independent,
    check_deterministic,
    check_empty_batch,
    check_enforcer,
    check_error_means_review,
    check_one_verdict_per_item,
    check_order_kept,
    check_verdicts_valid,
    probe_items,
)


class KeywordEnforcer:
    """Test fixture only: flags items containing a keyword; fails on empty text."""

    def __init__(self, keyword: str = "kill") -> None:
        self.keyword = keyword
        self._spec = EnforcerSpec(
            name="kw", kind="keyword_fixture", policy="violence@1", version=1,
            thresholds=EnforcerThresholds(remove=0.9, review=0.5),
        )  # fmt: skip

    @property
    def spec(self) -> EnforcerSpec:
        return self._spec

    def _one(self, item: Item) -> Verdict:
        if not item.text.strip():
            return Verdict.failed(item.id, "violence@1", "kw@1", "empty text")
        score = 1.0 if self.keyword in item.text.lower() else 0.0
        return Verdict(
            item_id=item.id, policy="violence@1", enforcer="kw@1", score=score,
            label="violating" if score >= 0.5 else "non_violating",
            action=action_for_score(score, self._spec.thresholds, item.community),
        )  # fmt: skip

    def predict(self, items: Sequence[Item]) -> list[Verdict]:
        return [self._one(i) for i in items]


class WrongOrder(KeywordEnforcer):
    def predict(self, items: Sequence[Item]) -> list[Verdict]:
        return sorted(super().predict(items), key=lambda v: v.item_id)


class MissingVerdicts(KeywordEnforcer):
    def predict(self, items: Sequence[Item]) -> list[Verdict]:
        return [v for v in super().predict(items) if v.score > 0 or v.error]


class ErrorMappedToAllow(KeywordEnforcer):
    def _one(self, item: Item) -> Verdict:
        verdict = super()._one(item)
        if verdict.error:  # bypasses validation, as a careless plugin might
            broken = verdict.model_copy()
            broken.__dict__["action"] = Action.ALLOW
            return broken
        return verdict


class NonDeterministic(KeywordEnforcer):
    def __init__(self) -> None:
        super().__init__()
        self._counter = itertools.count()

    def _one(self, item: Item) -> Verdict:
        verdict = super()._one(item)
        if verdict.error:
            return verdict
        score = (next(self._counter) % 7) / 7
        return verdict.model_copy(update={"score": score})


class NonEmptyOnEmpty(KeywordEnforcer):
    def predict(self, items: Sequence[Item]) -> list[Verdict]:
        if not items:
            return [Verdict.failed("none", "violence@1", "kw@1", "no items")]
        return super().predict(items)


class BatchDependent(KeywordEnforcer):
    def predict(self, items: Sequence[Item]) -> list[Verdict]:
        verdicts = super().predict(items)
        if len(items) > 1:  # "normalises" scores over the batch
            return [v if v.error else v.model_copy(update={"score": v.score / 2}) for v in verdicts]
        return verdicts


class ScoreOutOfRange(KeywordEnforcer):
    def _one(self, item: Item) -> Verdict:
        broken = super()._one(item).model_copy()
        broken.__dict__["score"] = 3.0
        return broken


class Raises(KeywordEnforcer):
    def predict(self, items: Sequence[Item]) -> list[Verdict]:
        if any("\x00" in i.body for i in items):
            raise UnicodeError("boom")
        return super().predict(items)


def test_a_correct_enforcer_passes_the_whole_battery() -> None:
    check_enforcer(KeywordEnforcer())


@pytest.mark.parametrize(
    ("broken", "check"),
    [
        (WrongOrder(), check_order_kept),
        (MissingVerdicts(), check_one_verdict_per_item),
        (ErrorMappedToAllow(), check_error_means_review),
        (NonDeterministic(), check_deterministic),
        (NonEmptyOnEmpty(), check_empty_batch),
        (BatchDependent(), check_batch_independent),
        (ScoreOutOfRange(), check_verdicts_valid),
    ],
    ids=lambda x: (
        type(x).__name__ if not callable(x) or isinstance(x, KeywordEnforcer) else x.__name__
    ),
)
def test_each_rule_rejects_its_broken_enforcer(broken: KeywordEnforcer, check: object) -> None:
    assert callable(check)
    items = probe_items()
    with pytest.raises(EnforcerCheckError):
        check(broken, items)
    check(KeywordEnforcer(), items)  # the same rule accepts the correct enforcer
    with pytest.raises(EnforcerCheckError, match=check.__name__):
        check_enforcer(broken)


def test_an_exception_from_predict_is_reported() -> None:
    with pytest.raises(EnforcerCheckError, match="predict raised UnicodeError"):
        check_enforcer(Raises())


def test_an_object_without_the_protocol_is_rejected() -> None:
    with pytest.raises(EnforcerCheckError, match="protocol"):
        check_enforcer(object())  # type: ignore[arg-type]
