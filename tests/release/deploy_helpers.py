"""Builders for deployment tests: recorded enforcers, a frozen golden set, gate reports."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from modgate.domain import Item
from modgate.enforce import (
    EnforcerSpec,
    EnforcerThresholds,
    EnforcerVersion,
    register_enforcer,
)
from modgate.golden import GoldenVersion, ImportOptions, freeze_golden_set, import_golden_file
from modgate.release import GateResult, ReadinessReport, build_readiness_report, gate_file_hash
from modgate.release._repo import insert_gate_report
from modgate.store import Store, eval_runs, save_items

GATE_TEXT = "criteria:\n  - kind: minimum\n    metric: recall\n    value: 0.5\n"
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def make_items(n: int) -> list[Item]:
    return [
        Item(id=f"t3_{i:05d}", body=f"post number {i}", community=("cats", "dogs", None)[i % 3])
        for i in range(n)
    ]


def pseudo_score(item_id: str, seed: str) -> float:
    return int(hashlib.sha256(f"{seed}:{item_id}".encode()).hexdigest()[:8], 16) / 0xFFFFFFFF


def register_recorded(
    store: Store, workspace: Path, name: str, scores: dict[str, float], policy: str = "hate@1"
) -> EnforcerVersion:
    """A `recorded` enforcer whose verdicts are these scores (remove ≥ 0.8, review ≥ 0.5)."""
    digest = hashlib.sha256(repr(sorted(scores.items())).encode()).hexdigest()[:8]
    path = workspace / f"{name}-{digest}.csv"
    path.write_text(
        "item_id,score\n" + "".join(f"{i},{s:.6f}\n" for i, s in scores.items()), "utf-8"
    )
    spec = EnforcerSpec(
        name=name, kind="recorded", policy=policy, params={"path": path.name},
        thresholds=EnforcerThresholds(remove=0.8, review=0.5),
    )  # fmt: skip
    return register_enforcer(store, spec, workspace=workspace, actor="tester").version


def freeze_golden(store: Store, workspace: Path, name: str) -> GoldenVersion:
    path = workspace / f"{name}.csv"
    path.write_text(
        "id,text,label\n"
        + "".join(
            f"{name}-{i},text {i} of {name},{'violating' if i % 2 else 'non_violating'}\n"
            for i in range(12)
        ),
        "utf-8",
    )
    import_golden_file(store, name, path, ImportOptions(policy="hate"), actor="tester")
    return freeze_golden_set(store, name, actor="tester").version


def add_report(
    store: Store,
    version: EnforcerVersion,
    golden: GoldenVersion,
    gate_text: str = GATE_TEXT,
    *,
    passed: bool = True,
    report_id: str | None = None,
) -> ReadinessReport:
    result = GateResult(id="minimum:recall", kind="minimum", requirement="recall >= 0.5",
                        passed=passed, measured=0.9, evidence="ok")  # fmt: skip
    report = build_readiness_report(
        report_id=report_id or f"gate-{version.name}-{version.version}-{golden.ref}",
        run_id="run-x", enforcer=version.ref, enforcer_version_hash=version.version_hash,
        golden=golden.ref, golden_hash=golden.content_hash, gate_name="prod",
        gate_hash=gate_file_hash(gate_text), results=[result], created_at=NOW,
        created_by="tester",
    )  # fmt: skip
    with store.begin() as conn:
        # the report names an eval run (foreign key): a bare row stands in for the run
        conn.execute(
            eval_runs.insert().values(
                id=report.id, enforcer=version.ref, enforcer_version_hash=version.version_hash,
                policy=version.spec.policy, golden=golden.ref, golden_hash=golden.content_hash,
                split="test", n_items=0, created_at=NOW, created_by="tester", figures={},
                reliability={},
            )
        )  # fmt: skip
        insert_gate_report(conn, report.model_copy(update={"run_id": report.id}))
    return report


@dataclass
class World:
    """A store with items, three recorded enforcers and a gate file (reports added by tests)."""

    store: Store
    workspace: Path
    items: list[Item]
    gate: Path
    golden: GoldenVersion
    lenient: EnforcerVersion  # removes little
    strict: EnforcerVersion  # removes much more
    harsh: EnforcerVersion  # removes everything


def build_world(store: Store, workspace: Path, n: int = 60) -> World:
    items = make_items(n)
    save_items(store, items, actor="tester")
    ids = [i.id for i in items]
    lenient = register_recorded(
        store, workspace, "lenient", {i: pseudo_score(i, "a") * 0.9 for i in ids}
    )
    strict = register_recorded(
        store, workspace, "strict", {i: min(1.0, pseudo_score(i, "a") + 0.3) for i in ids}
    )
    harsh = register_recorded(store, workspace, "harsh", dict.fromkeys(ids, 1.0))
    gate = workspace / "prod.yaml"
    gate.write_text(GATE_TEXT, "utf-8")
    golden = freeze_golden(store, workspace, "gold")
    return World(store, workspace, items, gate, golden, lenient, strict, harsh)
