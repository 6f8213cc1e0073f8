"""Blast radius of a deployment: SQL counts against a direct count over the decisions."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from modgate.enforce import list_decisions
from modgate.errors import NotFoundError, ValidationError
from modgate.monitor import blast_radius
from modgate.release import decide, deploy
from modgate.store import Store, save_items

from ..release.deploy_helpers import add_report, build_world


def test_blast_radius_matches_a_direct_count(store: Store, tmp_path: Path) -> None:
    w = build_world(store, tmp_path, n=90)
    for v in (w.lenient, w.strict):
        add_report(store, v, w.golden)
    authored = [i.model_copy(update={"author_id": f"u{n % 7}"}) for n, i in enumerate(w.items)]
    save_items(store, authored, actor="t")
    authors = {i.id: i.author_id for i in authored}
    deploy(store, w.lenient.ref, "active", actor="t", gate_path=w.gate)
    dep = deploy(store, w.strict.ref, "canary", actor="t", gate_path=w.gate, share=0.5).deployment
    ids = [i.id for i in w.items]
    decide(store, ids, workspace=w.workspace, actor="t")
    made = [d for d in list_decisions(store) if d.deployments[0].deployment_id == dep.id]
    canary = [d for d in made if d.deployments[0].arm == "canary"]
    assert 0 < len(canary) < len(made)
    community = {i.id: i.community for i in w.items}

    found = blast_radius(store, dep.id, arm="canary")
    want = Counter((community[d.item_id], d.action.value) for d in canary)
    assert {(c.community, c.action): c.decisions for c in found.counts} == want
    assert found.decisions == len(canary)
    assert found.authors == len({authors[d.item_id] for d in canary})
    assert found.communities == len({community[d.item_id] for d in canary})
    for c in found.counts:
        assert c.authors == len(
            {
                authors[d.item_id]
                for d in canary
                if (community[d.item_id], d.action.value) == (c.community, c.action)
            }
        )
    assert "decision_arms" in found.sql

    whole = blast_radius(store, dep.id)
    assert whole.decisions == len(made)
    at = made[0].decided_at
    assert blast_radius(store, dep.id, since=at + timedelta(seconds=1)).decisions == 0
    assert blast_radius(store, dep.id, until=at + timedelta(seconds=1)).decisions == len(made)
    with pytest.raises(NotFoundError, match="made no decision"):
        blast_radius(store, "dep-nope")
    t = datetime(2026, 1, 1, tzinfo=UTC)
    with pytest.raises(ValidationError, match="before"):
        blast_radius(store, dep.id, since=t, until=t)
