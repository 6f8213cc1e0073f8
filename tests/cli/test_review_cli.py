"""`modgate review`, `modgate appeal` and `modgate decisions export-sor` over a workspace."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from modgate.config import Settings
from modgate.review import validate_statement
from modgate.store import open_store
from tests.review.conftest import build_world

from .conftest import Run


def test_review_appeal_and_export_commands(
    workspace: Settings, run_cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = open_store(workspace)
    world = build_world(store, tmp_path)
    store.close()
    assert "task(s) queued" in run_cli("review", "sync").stdout
    queues = json.loads(run_cli("review", "queues", "--format", "json").stdout)
    assert {q["policy"] for q in queues} == {"hate_speech"}
    claimed = json.loads(
        run_cli("review", "claim", "--reviewer", "alice", "--format", "json").stdout
    )[0]
    shown = run_cli("review", "show", str(claimed["id"]))
    assert shown.exit_code == 0 and "vermin" not in shown.stdout.lower()
    assert "█" in shown.stdout and "HATE1" in shown.stdout
    revealed = run_cli("review", "show", str(claimed["id"]), "--reveal", "--reviewer", "alice")
    assert "vermin" in revealed.stdout.lower()
    exposure = json.loads(
        run_cli("review", "exposure", "--reviewer", "alice", "--format", "json").stdout
    )
    assert {"measure": "reveals", "count": 1} in exposure
    wrong = run_cli("review", "decide", str(claimed["id"]), "violating", "--reviewer", "bob")
    assert wrong.exit_code == 5 and "claimed by alice" in wrong.stderr
    done = run_cli("review", "decide", str(claimed["id"]), "violating", "--reviewer", "alice")
    assert done.exit_code == 0, done.stderr
    assert "reopened" in run_cli("review", "undo", "--reviewer", "alice").stdout
    run_cli("review", "decide", str(claimed["id"]), "violating", "--reviewer", "alice")

    removed = world.decision("remove").decision_id
    opened = run_cli("appeal", "open", removed, "--statement", "it was a quote")
    assert opened.exit_code == 0, opened.stderr
    appeals = json.loads(run_cli("appeal", "list", "--format", "json").stdout)
    assert [a["status"] for a in appeals] == ["open"]
    decided = run_cli("appeal", "decide", str(appeals[0]["id"]), "overturned", "--reviewer", "bob")
    assert "overturned by bob" in decided.stdout
    refused = run_cli("appeal", "open", world.decision("allow").decision_id, "-s", "x")
    assert refused.exit_code == 6 and "not a removal" in refused.stderr

    out = tmp_path / "sor.jsonl"
    exported = run_cli("decisions", "export-sor", "--out", str(out), "--territory", "DE")
    assert exported.exit_code == 0, exported.stderr
    records = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert records and all(r["territorial_scope"] == ["DE"] for r in records)
    for record in records:
        validate_statement(record)
    bad = run_cli("decisions", "export-sor", "--territory", "US")
    assert bad.exit_code == 6 and "EEA" in bad.stderr
