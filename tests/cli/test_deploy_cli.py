from __future__ import annotations

import json

from modgate.config import Settings
from modgate.store import list_audit_events, open_store
from tests.release.deploy_helpers import add_report, build_world

from .conftest import Run


def test_deploy_decide_rollback_impact_reverse_through_the_cli(
    workspace: Settings, run_cli: Run
) -> None:
    assert workspace.workspace is not None
    store = open_store(workspace)
    world = build_world(store, workspace.workspace, n=30)
    (workspace.workspace / "gates").mkdir(exist_ok=True)
    (workspace.workspace / "gates" / "prod.yaml").write_text(world.gate.read_text(), "utf-8")
    add_report(store, world.lenient, world.golden)
    store.close()

    refused = run_cli("deploy", "set", "strict@1", "--stage", "active", "--gates", "prod")
    assert refused.exit_code == 5 and "no gate report for strict@1" in refused.stderr
    ok = run_cli("deploy", "set", "lenient@1", "--stage", "active", "--gates", "prod",
                 "--golden", world.golden.ref)  # fmt: skip
    assert ok.exit_code == 0, ok.stderr
    assert "dep-hate-1" in ok.stdout
    forced = run_cli("deploy", "set", "harsh@1", "--stage", "canary", "--share", "0.5",
                     "--force", "--reason", "trial", "--format", "json")  # fmt: skip
    assert forced.exit_code == 0, forced.stderr
    rows = json.loads(forced.stdout)
    assert {r["stage"] for r in rows} == {"active", "canary"}

    query = "SELECT id FROM items WHERE id LIKE 't3_%'"  # not the golden set's items
    decided = run_cli("decide", "--items", query, "--format", "json")
    assert decided.exit_code == 0, decided.stderr
    (summary,) = json.loads(decided.stdout)
    assert summary["decided"] == 30 and summary["deployments"] == ["dep-hate-2"]

    impact = run_cli("deploy", "impact", "dep-hate-2", "--format", "json")
    assert json.loads(impact.stdout)["decisions"] == 30
    back = run_cli("deploy", "rollback", "hate", "--reason", "canary alert")
    assert back.exit_code == 0 and "dep-hate-1" in back.stdout
    shown = json.loads(run_cli("deploy", "show", "--format", "json").stdout)
    assert [(r["stage"], r["enforcer"]) for r in shown] == [("active", "lenient@1")]
    history = json.loads(run_cli("deploy", "history", "hate", "--format", "json").stdout)
    assert [h["change"] for h in history] == ["set", "set", "rollback"]

    preview = run_cli("deploy", "reverse", "dep-hate-2", "--arm", "canary", "--reason",
                      "canary over-removed", "--dry-run", "--format", "json")  # fmt: skip
    (p,) = json.loads(preview.stdout)
    assert p["dry_run"] and p["written"] == 0 and p["candidates"] > 0
    done = run_cli("deploy", "reverse", "dep-hate-2", "--arm", "canary", "--reason",
                   "canary over-removed", "--format", "json")  # fmt: skip
    assert json.loads(done.stdout)[0]["written"] == p["candidates"]
    again = run_cli("deploy", "reverse", "dep-hate-2", "--arm", "canary", "--reason",
                    "canary over-removed", "--format", "json")  # fmt: skip
    assert json.loads(again.stdout)[0]["written"] == 0
    store = open_store(workspace)
    assert list_audit_events(store, action="deploy.set", limit=10)[0].details["forced"] is True
    store.close()
