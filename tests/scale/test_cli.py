from __future__ import annotations

import json
from typing import Any

from modgate.config import Settings

from ..cli.test_enforcer_cli import _setup


def test_score_on_dask_then_backfill_a_candidate(workspace: Settings, run_cli, client: Any) -> None:
    ws = _setup(workspace)
    address = client.scheduler.address
    trained = run_cli("enforcer", "train", "enforcers/hate-clf.yaml", "--train-file", "train.csv")
    assert trained.exit_code == 0, trained.stderr
    scored = run_cli("enforcer", "score", "hate-clf@1", "--engine", "dask", "--scheduler",
                     address, "--format", "json")  # fmt: skip
    assert scored.exit_code == 0, scored.stderr
    result = json.loads(scored.stdout)[0]
    assert (result["selected"], result["scored"], result["workers"]) == (30, 30, 2)
    (ws / "enforcers" / "strict.yaml").write_text(
        (ws / "enforcers" / "hate-clf.yaml").read_text().replace("review: 0.5", "review: 0.2")
    )
    strict = run_cli("enforcer", "train", "enforcers/strict.yaml", "--train-file", "train.csv")
    assert strict.exit_code == 0, strict.stderr
    filled = run_cli("backfill", "strict@1", "--against", "hate-clf@1", "--scheduler", address,
                     "--partition-size", "7", "--format", "json")  # fmt: skip
    assert filled.exit_code == 0, filled.stderr
    rows = json.loads(filled.stdout)
    assert sum(r["items"] for r in rows) == 30
    assert "strict@1: 30 scored" in filled.stderr and "baseline hate-clf@1" in filled.stderr
    bad = run_cli("backfill", "strict@1", "--since", "yesterday", "--scheduler", address)
    assert bad.exit_code != 0 and "--since" in bad.stderr
    nowhere = run_cli("enforcer", "score", "hate-clf@1", "--scheduler", address)
    assert nowhere.exit_code != 0 and "--engine dask" in nowhere.stderr
    unknown = run_cli("backfill", "nope@1", "--scheduler", address)
    assert unknown.exit_code == 4
