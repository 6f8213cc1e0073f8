from __future__ import annotations

import os
import signal
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from modgate.domain import Item
from modgate.enforce import (
    EnforcerSpec,
    EnforcerThresholds,
    list_verdicts,
    load_enforcer,
    score_items,
    train_enforcer,
)
from modgate.errors import NotFoundError, ValidationError
from modgate.scale import backfill, score_items_distributed
from modgate.store import Store, save_items, verdicts

from ..enforce.conftest import synthetic_rows

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def spec(name: str = "hate-clf", review: float = 0.5, remove: float = 0.8) -> EnforcerSpec:
    return EnforcerSpec(
        name=name, kind="classifier", policy="hate@1", params={"n_features": 4096},
        thresholds=EnforcerThresholds(remove=remove, review=review),
    )  # fmt: skip


def make_items(n: int) -> list[Item]:
    rows = synthetic_rows(n, seed=5)
    return [
        Item(id=f"it-{i:05d}", body=r.text, community=("cats", "dogs", "fish")[i % 3],
             created_at=T0 + timedelta(hours=i))
        for i, r in enumerate(rows)
    ]  # fmt: skip


def per_item_counts(store: Store) -> Counter[str]:
    query = select(verdicts.c.item_id, func.count()).group_by(verdicts.c.item_id)
    with store.connect() as conn:
        return Counter({row[0]: row[1] for row in conn.execute(query)})


def test_distributed_scoring_matches_in_process_exactly_once(
    store: Store, tmp_path: Path, client: Any
) -> None:
    items = make_items(300)
    save_items(store, items, actor="t")
    version = train_enforcer(store, spec(), synthetic_rows(), workspace=tmp_path, actor="t").version
    seen: list[int] = []
    result = score_items_distributed(
        store, version, [i.id for i in items] * 2, workspace=tmp_path, client=client,
        partition_size=40, batch_size=16, progress=seen.append,
    )  # fmt: skip
    assert (result.selected, result.scored, result.partitions, result.workers) == (300, 300, 8, 2)
    assert sum(seen) == 300
    assert set(per_item_counts(store).values()) == {1}
    assert len(per_item_counts(store)) == 300
    # The same verdicts as the in-process path computes (an independent run of predict).
    _, enforcer = load_enforcer(store, version.ref, workspace=tmp_path)
    expected = {v.item_id: v for v in enforcer.predict(items)}
    stored = list_verdicts(store, enforcer=version.name, version=version.version)
    assert {v.item_id: (v.score, v.action) for v in stored} == {
        k: (pytest.approx(v.score), v.action) for k, v in expected.items()
    }
    again = score_items_distributed(
        store, version, [i.id for i in items], workspace=tmp_path, client=client
    )
    assert (again.already_scored, again.scored, again.partitions) == (300, 0, 0)


def test_partial_run_then_full_run_has_no_duplicates_or_gaps(
    store: Store, tmp_path: Path, client: Any
) -> None:
    items = make_items(120)
    save_items(store, items, actor="t")
    version = train_enforcer(store, spec(), synthetic_rows(), workspace=tmp_path, actor="t").version
    _, enforcer = load_enforcer(store, version.ref, workspace=tmp_path)
    score_items(store, version, enforcer, [i.id for i in items[::3]], actor="t")
    result = score_items_distributed(
        store, version, [i.id for i in items], workspace=tmp_path, client=client,
        partition_size=25,
    )  # fmt: skip
    assert (result.already_scored, result.scored) == (40, 80)
    counts = per_item_counts(store)
    assert len(counts) == 120 and set(counts.values()) == {1}


def test_worker_killed_mid_run_every_item_scored_exactly_once(
    sqlite_store: Store, tmp_path: Path, client: Any
) -> None:
    store = sqlite_store
    items = make_items(600)
    save_items(store, items, actor="t")
    version = train_enforcer(store, spec(), synthetic_rows(), workspace=tmp_path, actor="t").version
    pids = client.run(os.getpid)
    victim = sorted(pids.values())[0]
    killed: list[int] = []

    def kill_once(_n: int) -> None:
        if not killed:
            os.kill(victim, signal.SIGKILL)
            killed.append(victim)

    result = score_items_distributed(
        store, version, [i.id for i in items], workspace=tmp_path, client=client,
        partition_size=10, progress=kill_once,
    )  # fmt: skip
    assert killed == [victim]
    assert victim not in client.run(os.getpid).values()  # the nanny started a new process
    assert result.scored == 600
    counts = per_item_counts(store)
    assert len(counts) == 600 and set(counts.values()) == {1}
    client.wait_for_workers(2, timeout=30)


def test_backfill_window_communities_and_impact_against_baseline(
    store: Store, tmp_path: Path, client: Any
) -> None:
    items = make_items(240)
    save_items(store, items, actor="t")
    rows = synthetic_rows()
    base = train_enforcer(store, spec(review=0.5), rows, workspace=tmp_path, actor="t").version
    cand = train_enforcer(
        store, spec("hate-clf-strict", review=0.2), rows, workspace=tmp_path, actor="t"
    ).version
    since, until = T0 + timedelta(hours=24), T0 + timedelta(hours=24 * 7)
    _, base_enf = load_enforcer(store, base.ref, workspace=tmp_path)
    window = [i for i in items if since <= i.created_at < until and i.community != "fish"]  # type: ignore[operator]
    score_items(store, base, base_enf, [i.id for i in window[::2]], actor="t")  # half stored
    result = backfill(
        store, cand.ref, workspace=tmp_path, against=base.ref, since=since, until=until,
        communities=["cats", "dogs"], partition_size=30, client=client,
    )  # fmt: skip
    assert result.scoring.scored == len(window) == 96
    assert result.baseline_scoring is not None
    assert (result.baseline_scoring.already_scored, result.baseline_scoring.scored) == (48, 48)
    # Independent count: predict both versions in process and tally by community and action.
    _, cand_enf = load_enforcer(store, cand.ref, workspace=tmp_path)
    by_item = {i.id: i.community for i in window}
    want_c = Counter((by_item[v.item_id], v.action.value) for v in cand_enf.predict(window))
    want_b = Counter((by_item[v.item_id], v.action.value) for v in base_enf.predict(window))
    assert result.impact.days == 6
    for row in result.impact.rows:
        assert row.policy == "hate"
        assert row.candidate == {a: n for (c, a), n in sorted(want_c.items()) if c == row.community}
        assert row.baseline == {a: n for (c, a), n in sorted(want_b.items()) if c == row.community}
        assert row.review == want_c[(row.community, "review")]
        assert row.review_delta == row.review - want_b[(row.community, "review")]
        assert row.review_per_day == pytest.approx(row.review / 6)
    assert {r.community for r in result.impact.rows} == {"cats", "dogs"}


def test_bad_input_is_named(store: Store, tmp_path: Path, client: Any) -> None:
    version = train_enforcer(store, spec(), synthetic_rows(), workspace=tmp_path, actor="t").version
    with pytest.raises(NotFoundError, match="not in the store"):
        score_items_distributed(store, version, ["nope"], workspace=tmp_path, client=client)
    with pytest.raises(ValidationError, match="must be before"):
        backfill(store, version.ref, workspace=tmp_path, since=T0, until=T0)
    with pytest.raises(ValidationError, match="partition size"):
        score_items_distributed(
            store, version, [], workspace=tmp_path, client=client, partition_size=0
        )


def test_cluster_wide_rate_limit_path(store: Store, tmp_path: Path, client: Any) -> None:
    items = make_items(60)
    save_items(store, items, actor="t")
    version = train_enforcer(store, spec(), synthetic_rows(), workspace=tmp_path, actor="t").version
    result = score_items_distributed(
        store, version, [i.id for i in items], workspace=tmp_path, client=client,
        partition_size=10, batch_size=5, max_concurrent=1,
    )  # fmt: skip
    assert result.scored == 60
    from distributed import Semaphore

    lease = Semaphore(max_leases=1, name=f"modgate-{version.ref}")
    assert lease.get_value() == 0  # every lease was given back
    with pytest.raises(ValidationError, match="max concurrent"):
        score_items_distributed(
            store, version, [], workspace=tmp_path, client=client, max_concurrent=0
        )


def test_backfill_compares_against_the_active_deployment_by_default(
    store: Store, tmp_path: Path, client: Any
) -> None:
    from modgate.release import deploy

    items = make_items(30)
    save_items(store, items, actor="t")
    rows = synthetic_rows()
    base = train_enforcer(store, spec(), rows, workspace=tmp_path, actor="t").version
    cand = train_enforcer(store, spec("strict", 0.2), rows, workspace=tmp_path, actor="t").version
    deploy(store, base.ref, "active", actor="t", force=True, reason="test baseline")
    result = backfill(store, cand.ref, workspace=tmp_path, client=client)
    assert result.impact.baseline == base.ref
    assert result.impact.days is None
    assert sum(sum(r.baseline.values()) for r in result.impact.rows) == 30
    alone = backfill(store, base.ref, workspace=tmp_path, client=client, against=None)
    assert alone.impact.baseline == base.ref  # the active version against itself
    assert all(r.review_delta == 0 for r in alone.impact.rows)


GATE = """\
criteria:
  - kind: review_load
    id: team
    max_per_day: {total}
  - kind: review_load
    scope: community
    max_per_day: {each}
  - kind: minimum
    metric: precision
    value: 0.5
"""


def test_gate_caps_the_review_load_per_day(store: Store, tmp_path: Path, client: Any) -> None:
    from modgate.release import evaluate_gates, load_gate_config

    items = make_items(96)
    save_items(store, items, actor="t")
    cand = train_enforcer(
        store, spec(review=0.5, remove=1.0), synthetic_rows(), workspace=tmp_path, actor="t"
    )
    since, until = T0, T0 + timedelta(hours=96)
    _, enforcer = load_enforcer(store, cand.version.ref, workspace=tmp_path)
    per_comm = Counter(i.community for i, v in zip(items, enforcer.predict(items), strict=True)
                       if v.action.value == "review")  # fmt: skip
    total = sum(per_comm.values()) / 4  # 4 days
    assert total > 0
    tight = load_gate_config(GATE.format(total=total * 0.9, each=1000), "g.yaml")
    result = backfill(store, cand.version.ref, workspace=tmp_path, since=since, until=until,
                      client=client, gate=tight)  # fmt: skip
    assert not result.go
    team, each = result.gate
    assert (team.id, team.passed, each.passed) == ("team", False, True)
    assert team.measured == pytest.approx(total)
    busiest = max(per_comm.values()) / 4
    loose = load_gate_config(GATE.format(total=total, each=busiest * 0.99), "g.yaml")
    again = backfill(store, cand.version.ref, workspace=tmp_path, since=since, until=until,
                     client=client, gate=loose)  # fmt: skip
    assert [r.passed for r in again.gate] == [True, False]
    assert again.gate[1].measured == pytest.approx(busiest)
    assert again.scoring.scored == 0  # idempotent: the second run scored nothing new
    with pytest.raises(ValidationError, match="--since and --until"):
        backfill(store, cand.version.ref, workspace=tmp_path, client=client, gate=loose)
    # Eval-run gates leave review-load criteria out (no review load in an eval run).
    assert "review_load" not in {c.kind for c in loose.criteria[2:]}
    assert evaluate_gates.__doc__ and "review-load criteria excepted" in evaluate_gates.__doc__
