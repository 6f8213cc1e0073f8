"""`eval run` judges the full stored item, as `enforcer score` (and production) does."""

from __future__ import annotations

import json
from pathlib import Path

from modgate.config import Settings
from modgate.enforce import list_verdicts
from modgate.evaluate import load_predictions
from modgate.store import open_store
from tests.cli.conftest import Run
from tests.evaluate.test_policies import _workspace_set_up


def test_rules_on_kind_author_and_title_judge_alike_in_eval_run_and_enforcer_score(
    workspace: Settings, tmp_path: Path, run_cli: Run
) -> None:
    store = _workspace_set_up(workspace, tmp_path)
    store.close()
    evaluated = run_cli("eval", "run", "spam-rules", "two@1", "--resamples", "20",
                        "--format", "json")  # fmt: skip
    assert evaluated.exit_code == 0, evaluated.stderr
    run_id = json.loads(evaluated.stdout)["id"]
    scored = run_cli("enforcer", "score", "spam-rules@1", "--items",
                     "SELECT id FROM items WHERE id LIKE 's%'", "--format", "json")  # fmt: skip
    assert scored.exit_code == 0, scored.stderr
    store = open_store(workspace)
    stored = {v.item_id: v for v in list_verdicts(store, enforcer="spam-rules", version=1)}
    preds = load_predictions(store, run_id)
    assert len(preds) > 10
    fired_by = {p.criteria for p in preds}
    assert ("promotion",) in fired_by and () in fired_by  # kind/author and title rules fire
    for p in preds:
        verdict = stored[p.item_id]
        assert (p.score, p.predicted, p.action, p.criteria) == (
            verdict.score, verdict.label == "violating", verdict.action, verdict.criteria,
        )  # fmt: skip
    store.close()
