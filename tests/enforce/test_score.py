from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Sequence
from pathlib import Path

import pytest
from sqlalchemy import func, select

from modgate.config import Settings
from modgate.domain import Action, Item, Verdict
from modgate.enforce import (
    ApplicablePolicy,
    EnforcerSpec,
    EnforcerThresholds,
    decide_items,
    list_decisions,
    list_verdicts,
    load_enforcer,
    register_enforcer,
    score_items,
    select_item_ids,
    train_enforcer,
)
from modgate.errors import EnforcerError, NotFoundError, ValidationError
from modgate.store import Store, list_audit_events, save_items, verdicts

from .conftest import synthetic_rows

CLF = EnforcerSpec(
    name="hate-clf", kind="classifier", policy="hate@1",
    params={"n_features": 4096}, thresholds=EnforcerThresholds(remove=0.8, review=0.5),
)  # fmt: skip


def make_items(n: int) -> list[Item]:
    rows = synthetic_rows(n, seed=11)
    return [Item(id=f"item-{i:05d}", body=r.text, community="cats" if i % 3 else None)
            for i, r in enumerate(rows)]  # fmt: skip


def verdict_counts(store: Store) -> dict[str, int]:
    query = select(verdicts.c.item_id, func.count()).group_by(verdicts.c.item_id)
    with store.connect() as conn:
        return {row[0]: row[1] for row in conn.execute(query)}


class _CrashAfter:
    """Wraps an enforcer and raises after `n` batches, like a process dying mid-run."""

    def __init__(self, inner, n: int) -> None:
        self.inner, self.left = inner, n

    @property
    def spec(self):
        return self.inner.spec

    def predict(self, items: Sequence[Item]) -> list[Verdict]:
        if self.left == 0:
            raise KeyboardInterrupt("crash")
        self.left -= 1
        return self.inner.predict(items)


def test_interrupted_run_resumes_without_duplicates_or_gaps(
    store: Store, tmp_path: Path, rows
) -> None:
    items = make_items(95)
    save_items(store, items, actor="t")
    version = train_enforcer(store, CLF, rows, workspace=tmp_path, actor="t").version
    _, enforcer = load_enforcer(store, version.ref, workspace=tmp_path)
    ids = [i.id for i in items]
    with pytest.raises(KeyboardInterrupt):
        score_items(store, version, _CrashAfter(enforcer, 3), ids, actor="t", batch_size=10)
    assert len(verdict_counts(store)) == 30
    seen: list[int] = []
    result = score_items(
        store, version, enforcer, ids + ids[:5], actor="t", batch_size=10, progress=seen.append
    )
    assert (result.selected, result.already_scored, result.scored) == (95, 30, 65)
    assert sum(seen) == 95 and seen[0] == 30
    counts = verdict_counts(store)
    assert sorted(counts) == sorted(ids) and set(counts.values()) == {1}
    again = score_items(store, version, enforcer, ids, actor="t", batch_size=10)
    assert again.scored == 0 and again.already_scored == 95 and again.batches == 0
    stored = {v.item_id: v for v in list_verdicts(store, enforcer="hate-clf", version=1)}
    fresh = {v.item_id: v for v in enforcer.predict(items)}
    for item_id, v in stored.items():
        assert v.score == pytest.approx(fresh[item_id].score)
        assert v.action is fresh[item_id].action and v.enforcer == "hate-clf@1"
    runs = list_audit_events(store, action="enforcer.score")
    assert [e.details["scored"] for e in runs] == [0, 65]


def test_recorded_gaps_refuse_to_start_unless_allowed(store: Store, tmp_path: Path) -> None:
    items = make_items(6)
    save_items(store, items, actor="t")
    (tmp_path / "p.csv").write_text("item_id,score\n" + "".join(f"{i.id},0.9\n" for i in items[:4]))
    spec = EnforcerSpec(name="vendor", kind="recorded", policy="hate@1", params={"path": "p.csv"})
    version = register_enforcer(store, spec, workspace=tmp_path, actor="t").version
    _, enforcer = load_enforcer(store, "vendor", workspace=tmp_path)
    ids = [i.id for i in items]
    with pytest.raises(
        EnforcerError, match=r"no prediction for 2 item\(s\): item-00004, item-00005"
    ):
        score_items(store, version, enforcer, ids, actor="t")
    assert verdict_counts(store) == {}
    result = score_items(store, version, enforcer, ids, actor="t", allow_missing=True)
    assert result.errors == 2
    errored = [v for v in list_verdicts(store) if v.error]
    assert {v.item_id for v in errored} == {"item-00004", "item-00005"}
    assert {v.action for v in errored} == {Action.REVIEW}


def test_selection_by_query_file_or_everything(store: Store, tmp_path: Path) -> None:
    items = make_items(9)
    save_items(store, items, actor="t")
    assert select_item_ids(store, None) == sorted(i.id for i in items)
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text("item-00002\nitem-00001\n\nitem-00002\n")
    assert select_item_ids(store, str(ids_file)) == ["item-00002", "item-00001"]
    csv_file = tmp_path / "ids.csv"
    csv_file.write_text("text,item_id\nx,item-00003\n")
    assert select_item_ids(store, str(csv_file)) == ["item-00003"]
    jsonl = tmp_path / "ids.jsonl"
    jsonl.write_text('{"id": "item-00004"}\n')
    assert select_item_ids(store, str(jsonl)) == ["item-00004"]
    if store.dialect == "sqlite":  # read-only queries need a file database; fixture has one
        picked = select_item_ids(store, "SELECT id FROM items WHERE community = 'cats' ORDER BY id")
        assert picked == sorted(i.id for i in items if i.community == "cats")
    with pytest.raises(ValidationError, match="neither an existing file nor a SELECT"):
        select_item_ids(store, "items where x")
    with pytest.raises(ValidationError, match="neither an existing file nor a SELECT"):
        select_item_ids(store, "x" * 5000)  # longer than a file name may be: not an OSError
    if store.dialect == "sqlite":
        long_query = "SELECT id FROM items WHERE id IN (" + ",".join(["'none'"] * 2000) + ")"
        assert select_item_ids(store, long_query) == []
    bad_csv = tmp_path / "bad.csv"
    bad_csv.write_text("text\nx\n")
    with pytest.raises(ValidationError, match="no item id column"):
        select_item_ids(store, str(bad_csv))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("ids.txt", b"item-1\n\xe3\x28\n", "not UTF-8"),
        ("ids.jsonl", b'{"id": "item-1"}\n{"id": \n{"id": "item-2"}\n', "line 2"),
        ("ids.csv", b"id\nitem-1\nit\x00em\n", "line 3"),
        ("junk.bin", bytes(range(256)) * 4, "cannot tell the format"),
    ],
)
def test_unreadable_selection_files_are_clear_errors(
    sqlite_store: Store, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ValidationError, match=message):
        select_item_ids(sqlite_store, str(path))


def test_ids_not_in_the_store_are_an_error(store: Store, tmp_path: Path, rows) -> None:
    save_items(store, make_items(3), actor="t")
    version = train_enforcer(store, CLF, rows, workspace=tmp_path, actor="t").version
    _, enforcer = load_enforcer(store, version.ref, workspace=tmp_path)
    with pytest.raises(NotFoundError, match="ghost"):
        score_items(store, version, enforcer, ["item-00000", "ghost"], actor="t")


def test_decisions_combine_stored_verdicts_idempotently(store: Store, tmp_path: Path, rows) -> None:
    items = make_items(12)
    save_items(store, items, actor="t")
    clf = train_enforcer(store, CLF, rows, workspace=tmp_path, actor="t").version
    (tmp_path / "p.csv").write_text(
        "item_id,score\n"
        + "".join(f"{i.id},{0.95 if n == 0 else 0.0}\n" for n, i in enumerate(items))
    )
    rec_spec = EnforcerSpec(
        name="memes", kind="recorded", policy="memes@1",
        params={"path": "p.csv"}, thresholds=EnforcerThresholds(label=0.9),
    )  # fmt: skip
    rec = register_enforcer(store, rec_spec, workspace=tmp_path, actor="t").version
    ids = [i.id for i in items]
    for version in (clf, rec):
        _, enforcer = load_enforcer(store, version.ref, workspace=tmp_path)
        score_items(store, version, enforcer, ids, actor="t")
    policies = [ApplicablePolicy(policy="hate@1"),
                ApplicablePolicy(policy="memes@1", scope="community:cats")]  # fmt: skip
    decisions = decide_items(store, ids, [clf, rec], policies)
    by_item = {d.item_id: d for d in decisions}
    hateful = [i for n, i in enumerate(items) if n % 2]
    for item in hateful:
        assert by_item[item.id].action in (Action.REMOVE, Action.REVIEW)
    first = by_item["item-00000"]  # community None: the cats policy does not apply
    assert {r.policy for r in first.reasons} == {"hate@1"}
    assert {r.policy for r in by_item["item-00002"].reasons} == {"hate@1", "memes@1"}
    decide_items(store, ids, [clf, rec], policies)
    assert len(list_decisions(store)) == len(items)


def test_score_survives_sigkill_and_a_rerun_scores_each_item_once(
    workspace: Settings, rows
) -> None:
    store = Store.from_url(workspace.resolved_database_url)
    items = make_items(600)
    save_items(store, items, actor="t")
    ws = workspace.workspace
    assert ws is not None
    train_enforcer(store, CLF, rows, workspace=ws, actor="t")
    store.close()
    slow = textwrap.dedent(f"""
        import time
        from pathlib import Path
        from modgate.enforce import load_enforcer, score_items, select_item_ids
        from modgate.store import Store
        store = Store.from_url({workspace.resolved_database_url!r})
        version, enforcer = load_enforcer(store, "hate-clf", workspace=Path({str(ws)!r}))
        inner = enforcer.predict
        def predict(items):
            time.sleep(0.05)
            return inner(items)
        enforcer.predict = predict
        score_items(store, version, enforcer, select_item_ids(store, None), actor="t",
                    batch_size=10)
    """)
    proc = subprocess.Popen([sys.executable, "-c", slow], cwd=ws)
    db = sqlite3.connect(ws / "modgate.db", timeout=30)
    deadline = time.monotonic() + 60
    scored = 0
    while time.monotonic() < deadline and proc.poll() is None:
        scored = db.execute("SELECT count(*) FROM verdicts").fetchone()[0]
        if scored >= 100:
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the scorer finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = db.execute("SELECT count(*) FROM verdicts").fetchone()[0]
    assert 0 < partial < len(items)
    rerun = subprocess.run(
        [sys.executable, "-m", "modgate", "enforcer", "score", "hate-clf", "--batch-size", "50",
         "--format", "json"],
        cwd=ws, capture_output=True, text=True, timeout=120, env={**os.environ, "COLUMNS": "200"},
    )  # fmt: skip
    assert rerun.returncode == 0, rerun.stderr
    assert f'"already_scored": {partial}' in rerun.stdout
    rows_per_item = dict(db.execute("SELECT item_id, count(*) FROM verdicts GROUP BY item_id"))
    db.close()
    assert sorted(rows_per_item) == sorted(i.id for i in items)
    assert set(rows_per_item.values()) == {1}
