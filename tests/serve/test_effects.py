"""A decision's declared effects (a rule's removal comment…) come back in the HTTP response."""

from __future__ import annotations

from datetime import UTC, datetime

from modgate.domain import Item
from modgate.enforce import ApplicablePolicy, EnforcerSpec, combine_verdicts
from modgate.enforce.rules._enforcer import RulesEnforcer
from modgate.enforce.rules._match import compile_ruleset
from modgate.enforce.rules._schema import RuleSet
from modgate.serve import create_app
from modgate.serve._schemas import DecisionResponse, ModerateResponse

from .conftest import World, serve_settings


def test_the_response_carries_the_filled_in_effects_of_the_rules_behind_the_action() -> None:
    ruleset = RuleSet.model_validate(
        {
            "name": "spam",
            "rules": [
                {
                    "id": "no-spam",
                    "keywords": ["spam"],
                    "action": "remove",
                    "effects": [
                        {"kind": "comment", "text": "Removed, u/{{author}}: {{match}}"},
                        {"kind": "set_flair", "text": "spammer", "target": "author"},
                    ],
                }
            ],
        }
    )
    enforcer = RulesEnforcer(
        EnforcerSpec(name="spam-rules", kind="rules", policy="spam@1"), compile_ruleset(ruleset)
    )
    items = [
        Item(id="a", body="buy spam now", author_id="alice"),
        Item(id="b", body="a kind word", author_id="bob"),
    ]
    decisions = [
        combine_verdicts(
            item,
            [verdict],
            [ApplicablePolicy(policy="spam@1")],
            decision_id=f"d-{item.id}",
            decided_at=datetime(2026, 1, 1, tzinfo=UTC),
        )  # fmt: skip
        for item, verdict in zip(items, enforcer.predict(items), strict=True)
    ]
    body = ModerateResponse(
        decisions=[DecisionResponse.from_decision(d) for d in decisions]
    ).model_dump(mode="json")
    removed, allowed = body["decisions"]
    assert removed["action"] == "remove" and allowed["action"] == "allow"
    assert [(e["kind"], e["target"], e["text"]) for e in removed["effects"]] == [
        ("comment", "item", "Removed, u/alice: spam"),
        ("set_flair", "author", "spammer"),
    ]
    assert all(e["rule"] == "no-spam" for e in removed["effects"])
    assert allowed["effects"] == []


def test_effects_are_in_the_published_schema(world: World) -> None:
    schema = create_app(serve_settings(world), store=world.store).openapi()
    fields = schema["components"]["schemas"]["DecisionResponse"]["properties"]
    assert "effects" in fields
