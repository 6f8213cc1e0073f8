from __future__ import annotations

from datetime import datetime

import pydantic
import pytest

from modgate.domain import Action, Item, Verdict


def test_error_verdict_cannot_allow() -> None:
    with pytest.raises(pydantic.ValidationError, match="review"):
        Verdict(
            item_id="a", policy="p", enforcer="e@1", score=0.0, label="non_violating",
            action=Action.ALLOW, error="timeout",
        )  # fmt: skip


def test_failed_verdict_routes_to_review() -> None:
    verdict = Verdict.failed("a", "p", "e@1", "timeout")
    assert verdict.action is Action.REVIEW
    assert verdict.error == "timeout"


def test_naive_created_at_is_refused() -> None:
    with pytest.raises(pydantic.ValidationError, match="timezone"):
        Item(id="a", body="b", created_at=datetime(2026, 1, 1))  # noqa: DTZ001


def test_action_severity_order() -> None:
    ordered = sorted(Action, key=lambda a: a.severity, reverse=True)
    assert ordered == [Action.REMOVE, Action.REVIEW, Action.WARN, Action.LABEL, Action.ALLOW]


def test_item_text_joins_title_and_body() -> None:
    assert Item(id="a", title="T", body="B").text == "T\nB"
    assert Item(id="a", title="T").text == "T"
    assert Item(id="a", body="B").text == "B"
