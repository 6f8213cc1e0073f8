"""The few-shot kind through the CLI: register (policy pinned, examples embedded), score."""

from __future__ import annotations

import json

import yaml

from modgate.config import Settings
from modgate.domain import Item
from modgate.store import open_store, save_items

from ..enforce.test_fewshot import PLAIN, POLICY, SPAMMY

SPEC = """\
kind: fewshot
policy: spam@1
params:
  policy_file: policies/spam.yaml
thresholds:
  remove: 0.8
  review: 0.5
"""


def test_register_and_score_a_fewshot_enforcer(workspace: Settings, run_cli) -> None:
    ws = workspace.workspace
    assert ws is not None
    (ws / "policies" / "spam.yaml").write_text(yaml.safe_dump(POLICY))
    (ws / "enforcers" / "spam-fs.yaml").write_text(SPEC)
    store = open_store(workspace)
    texts = SPAMMY + PLAIN
    save_items(store, [Item(id=f"i{n}", body=t) for n, t in enumerate(texts)], actor="t")
    store.close()
    registered = run_cli("enforcer", "register", "enforcers/spam-fs.yaml")
    assert registered.exit_code == 0, registered.stderr
    assert "registered spam-fs@1" in registered.stdout
    again = run_cli("enforcer", "register", "enforcers/spam-fs.yaml")
    assert "spam-fs@1" in again.stdout and "@2" not in again.stdout
    assert list((ws / "artifacts" / "enforcers" / "spam-fs").glob("fewshot-*-hybrid.npz"))
    scored = run_cli("enforcer", "score", "spam-fs@1", "--format", "json")
    assert scored.exit_code == 0, scored.stderr
    assert json.loads(scored.stdout)[0]["scored"] == len(texts)
    rows = run_cli("sql", "SELECT item_id, score FROM verdicts", "--format", "json")
    scores = {r["item_id"]: r["score"] for r in json.loads(rows.stdout)}
    spam = [scores[f"i{n}"] for n in range(len(SPAMMY))]
    plain = [scores[f"i{n}"] for n in range(len(SPAMMY), len(texts))]
    assert min(spam) > max(plain) - 0.2 and sum(spam) / len(spam) > sum(plain) / len(plain)
