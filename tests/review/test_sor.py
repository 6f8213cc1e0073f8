"""Statements of reasons: each removal exports, validates against the schema, fails when broken."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from modgate.errors import ValidationError
from modgate.review import (
    SorOptions,
    claim_next,
    decide,
    decide_appeal,
    export_statements,
    open_appeal,
    puid_of,
    statement_of_reasons,
    sync_from_decisions,
    validate_statement,
)
from tests.review.conftest import T0, World

NOW = T0 + timedelta(hours=1)


def test_every_removal_exports_a_valid_statement(world: World) -> None:
    sync_from_decisions(world.store, now=NOW)
    humans = 0
    while (task := claim_next(world.store, "alice", now=NOW)) is not None:
        label = "violating" if task.source == "uncertain" else "non_violating"
        humans += label == "violating"
        decide(world.store, task.id, "alice", label=label, now=NOW)  # type: ignore[arg-type]
    records = list(export_statements(world.store))
    automated = [d for d in world.decisions if d.action.value == "remove"]
    assert len(records) == len(automated) + humans
    assert len({r["puid"] for r in records}) == len(records)
    by_decision = {r["modgate"]["decision_id"]: r for r in records}
    auto = by_decision[automated[0].decision_id]
    assert auto["automated_decision"] == "AUTOMATED_DECISION_FULLY"
    assert auto["decision_ground"] == "DECISION_GROUND_INCOMPATIBLE_CONTENT"
    assert auto["category"] == "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH"
    assert "hate_speech@1" in auto["incompatible_content_ground"]
    assert auto["application_date"] == automated[0].decided_at.date().isoformat()
    human = next(r for r in records if r["modgate"]["reviewed_by"] == "alice")
    assert human["automated_decision"] == "AUTOMATED_DECISION_PARTIALLY"
    assert human["automated_detection"] == "Yes"
    for record in records:
        validate_statement(record)  # the export validated; so does an independent call


def test_since_until_select_by_decision_time(world: World) -> None:
    removals = sorted(
        (d for d in world.decisions if d.action.value == "remove"), key=lambda d: d.decided_at
    )
    cut = removals[1].decided_at
    after = list(export_statements(world.store, since=cut))
    before = list(export_statements(world.store, until=cut))
    assert len(after) == len(removals) - 1 and len(before) == 1


def test_a_broken_statement_fails_validation_naming_the_field(world: World) -> None:
    record = statement_of_reasons(world.store, world.decision("remove").decision_id)
    for mutate, field in [
        (lambda r: r.pop("decision_ground"), "decision_ground"),
        (lambda r: r.update(automated_detection="maybe"), "automated_detection"),
        (lambda r: r.update(puid="has space"), "puid"),
        (lambda r: r.pop("incompatible_content_explanation"), "incompatible_content_explanation"),
        (lambda r: r.update(territorial_scope=["US"]), "territorial_scope"),
        (lambda r: r["modgate"].update(redress=[]), "redress"),
    ]:
        broken = copy.deepcopy(record)
        mutate(broken)
        with pytest.raises(ValidationError, match=field):
            validate_statement(broken)


def test_illegal_ground_and_terms_url_from_options(world: World) -> None:
    options = SorOptions(
        terms_url="https://example.org/terms",
        legal_grounds={"hate_speech": "§ 130 StGB"},
        territorial_scope=("DE",),
    )
    record = statement_of_reasons(
        world.store, world.decision("remove").decision_id, options=options
    )
    assert record["decision_ground"] == "DECISION_GROUND_ILLEGAL_CONTENT"
    assert record["illegal_content_legal_ground"] == "§ 130 StGB"
    assert record["decision_ground_reference_url"] == "https://example.org/terms"
    assert record["territorial_scope"] == ["DE"]


def test_not_a_removal_is_refused_and_appeals_show_in_the_statement(world: World) -> None:
    with pytest.raises(ValidationError, match="removed nothing"):
        statement_of_reasons(world.store, world.decision("allow").decision_id)
    removed = world.decision("remove").decision_id
    appeal = open_appeal(world.store, removed, statement="quoted for news", now=NOW)
    decide_appeal(world.store, appeal.id, "bob", outcome="overturned", now=NOW)
    record = statement_of_reasons(world.store, removed)
    assert record["modgate"]["appeal"]["status"] == "overturned"


@given(st.text(max_size=600))
def test_puid_is_always_acceptable_and_stable(text: str) -> None:
    puid = puid_of(text or "x")
    assert 1 <= len(puid) <= 500
    assert all(c.isascii() and (c.isalnum() or c in "-_") for c in puid)
    assert puid == puid_of(text or "x")
