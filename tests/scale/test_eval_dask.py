"""`modgate eval run … --engine dask` on a real 2-worker local cluster."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from modgate.config import Settings
from modgate.store import open_store, verdicts

from ..cli.test_enforcer_cli import SPEC
from ..enforce.conftest import synthetic_rows


def _golden_and_enforcer(workspace: Settings, run_cli: Any, tmp_path: Path) -> None:
    ws = workspace.workspace
    assert ws is not None
    (ws / "enforcers" / "hate-clf.yaml").write_text(SPEC)
    labels = tmp_path / "labels.csv"
    lines = ["id,text,annotator,label"] + [
        f"g{n},{r.text} {n},ann,{'violating' if r.label else 'non_violating'}"
        for n, r in enumerate(synthetic_rows(240, seed=21))
    ]
    labels.write_text("\n".join(lines) + "\n")
    assert run_cli("golden", "import", "g", str(labels), "--policy", "hate").exit_code == 0
    assert run_cli("golden", "freeze", "g").exit_code == 0
    trained = run_cli("enforcer", "train", "enforcers/hate-clf.yaml", "--golden", "g@1")
    assert trained.exit_code == 0, trained.stderr


def _verdict_rows(workspace: Settings) -> tuple[int, int]:
    store = open_store(workspace)
    try:
        with store.connect() as conn:
            total = conn.execute(select(func.count()).select_from(verdicts)).scalar_one()
            distinct = conn.execute(
                select(func.count(func.distinct(verdicts.c.item_id)))
            ).scalar_one()
    finally:
        store.close()
    return int(total), int(distinct)


def _quality(run: dict[str, Any]) -> dict[str, Any]:
    """The run's figures but the measured latencies (time differs run to run)."""
    figures = dict(run["figures"])
    reliability = dict(figures.pop("reliability"))
    figures["error_rate"] = reliability["error_rate"]
    return figures


def test_eval_on_the_cluster_equals_the_in_process_run(
    workspace: Settings, run_cli: Any, client: Any, tmp_path: Path
) -> None:
    _golden_and_enforcer(workspace, run_cli, tmp_path)
    base = ("hate-clf@1", "g@1", "--resamples", "50", "--format", "json")
    local = run_cli("eval", "run", *base)
    assert local.exit_code == 0, local.stderr
    assert _verdict_rows(workspace) == (0, 0)  # the in-process run stores predictions only

    address = client.scheduler.address
    on_dask = run_cli("eval", "run", *base, "--engine", "dask", "--scheduler", address,
                      "--partition-size", "9")  # fmt: skip
    assert on_dask.exit_code == 0, on_dask.stderr
    a, b = json.loads(local.stdout), json.loads(on_dask.stdout)
    assert a["id"] != b["id"]
    for key in ("enforcer", "enforcer_version_hash"):
        assert b[key] == a[key]
    assert _quality(b) == _quality(a) and b["golden"] == a["golden"]
    total, distinct = _verdict_rows(workspace)
    assert total == distinct > 0  # every item of the split scored exactly once, on the cluster
    assert f"{distinct} scored on 2 workers" in " ".join(on_dask.stderr.split())

    again = run_cli("eval", "run", *base, "--engine", "dask", "--scheduler", address)
    assert again.exit_code == 0, again.stderr
    assert "nothing scored on the cluster" in again.stderr
    assert _quality(json.loads(again.stdout)) == _quality(a)
    assert _verdict_rows(workspace) == (total, distinct)


def test_cluster_options_need_the_dask_engine(workspace: Settings, run_cli: Any) -> None:
    refused = run_cli("eval", "run", "x@1", "g@1", "--scheduler", "tcp://127.0.0.1:1")
    assert refused.exit_code != 0 and "--engine dask" in refused.stderr
